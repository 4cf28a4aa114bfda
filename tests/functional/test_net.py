"""Networking: virtio-net with the user (libslirp), socket and tap back
ends (networking issue).

Boots, each shared by many checks:
  - "user": one guest with -netdev user (hostfwd, pcap dump, QMP) plus a
    second NIC from the -nic shorthand (restrict=on, its own net=);
  - "pair": two guests joined by -netdev socket, a TCP stream on eth0
    and, on eth1, UDP through -net nic/-net socket (hub 0);
  - "tap": one guest on a TAP inside a network namespace the test creates
    (user + net namespace), also serving the DNS forwarding check.
Traffic only goes to host loopback and to that namespace. Ports are
picked free at test time, so this file can run next to others.
"""
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import QMP, need_tool, run
from vm import Guest, guest_dir, vireo_cmd

DHCP_SCRIPT = "/usr/share/udhcpc/default.script"
BLOB_SIZE = 6 * 1024 * 1024


@pytest.fixture(scope="session")
def guest():
    d, why = guest_dir()
    if not d:
        pytest.skip(why)
    return d


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpServer:
    """A static HTTP server on host loopback, in a thread."""

    def __init__(self, directory):
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(directory), **kw)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Sink:
    """Accept one TCP connection on loopback and hash what arrives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.digest = None
        self.size = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conn, _ = self.sock.accept()
        h = hashlib.sha256()
        while True:
            data = conn.recv(1 << 20)
            if not data:
                break
            h.update(data)
            self.size += len(data)
        conn.close()
        self.digest = h.hexdigest()

    def result(self, timeout=60):
        self.thread.join(timeout)
        self.sock.close()
        return self.size, self.digest


def dhcp(g, dev="eth0"):
    g.check("ip link set %s up" % dev)
    return g.check("udhcpc -i %s -n -q -t 10 -s %s 2>&1" % (dev, DHCP_SCRIPT),
                   timeout=120)


# --------------------------------------------------------------------------
# Command line: the registries answer "help" (no boot).

def test_netdev_help_lists_backends(system_riscv64):
    p = run([system_riscv64, "-netdev", "help"])
    assert p.returncode == 0
    for kind in ("user", "tap", "socket", "hubport"):
        assert "\n%s " % kind in p.stdout


def test_nic_model_help(system_riscv64):
    for args in (["-net", "nic,model=help"], ["-nic", "model=help"]):
        p = run([system_riscv64] + args)
        assert p.returncode == 0
        assert "virtio-net-device" in p.stdout


def test_object_and_netdev_property_help(system_riscv64):
    p = run([system_riscv64, "-object", "help"])
    assert p.returncode == 0 and "filter-dump" in p.stdout
    p = run([system_riscv64, "-netdev", "user,help"])
    assert p.returncode == 0 and "hostfwd=" in p.stdout


def test_hostfwd_port_in_use_is_one_line_error(system_riscv64):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        p = run([system_riscv64, "-M", "virt", "-nographic", "-netdev",
                 "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % port])
    assert p.returncode == 1
    assert "Could not set up host forwarding rule" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_tap_without_cap_net_admin_is_one_line_error(system_riscv64):
    # A user namespace keeps the host's network namespace, where it has no
    # CAP_NET_ADMIN: the tap cannot be created.
    need_tool("unshare")
    if run(["unshare", "-r", "true"]).returncode != 0:
        pytest.skip("user namespaces are not permitted here")
    p = run(["unshare", "-r", system_riscv64, "-M", "virt", "-nographic",
             "-netdev", "tap,id=n0,ifname=vireotst0,script=no"])
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "/dev/net/tun" in lines[0]


# --------------------------------------------------------------------------
# The user back end.

@pytest.fixture(scope="module")
def user_vm(system_riscv64, guest, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("net-user")
    web = tmp / "www"
    web.mkdir()
    blob = os.urandom(BLOB_SIZE)
    (web / "blob.bin").write_bytes(blob)
    server = HttpServer(web)
    fwd_port = free_port()
    nic_fwd_port = free_port()
    qmp_path = str(tmp / "qmp.sock")
    pcap = tmp / "n0.pcap"
    cmd = vireo_cmd(system_riscv64, guest, extra=[
        "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % fwd_port,
        "-device", "virtio-net-device,netdev=n0,id=nic0",
        "-object", "filter-dump,id=f0,netdev=n0,file=%s" % pcap,
        "-nic", "user,model=virtio-net-device,mac=52:54:00:aa:bb:02,"
                "net=192.168.100.0/24,host=192.168.100.1,"
                "dhcpstart=192.168.100.50,restrict=on,"
                "hostfwd=tcp::%d-:80" % nic_fwd_port,
        "-qmp", "unix:%s,server=on,wait=off" % qmp_path])
    g = Guest(cmd, log_path=str(tmp / "console.log"))
    g.blob_digest = hashlib.sha256(blob).hexdigest()
    g.http_port = server.port
    g.fwd_port = fwd_port
    g.nic_fwd_port = nic_fwd_port
    g.pcap = pcap
    g.qmp_path = qmp_path
    try:
        g.wait_shell()
        yield g
    finally:
        g.kill()
        server.close()


def test_dhcp_gives_10_0_2_15(user_vm):
    out = dhcp(user_vm)
    assert "lease of 10.0.2.15 obtained" in out
    assert "inet 10.0.2.15/24" in user_vm.check("ip addr show eth0")
    assert "default via 10.0.2.2" in user_vm.check("ip route")
    # DNS forwarding is offered at 10.0.2.3 (queried in the tap boot).
    assert "nameserver 10.0.2.3" in user_vm.check("cat /etc/resolv.conf")


def test_ipv6_slaac_and_ping(user_vm):
    # libslirp advertises fec0::/64 and answers at fec0::2.
    user_vm.check("for i in $(seq 40); do ip -6 addr show eth0 | "
                  "grep -q 'inet6 fec0::' && break; sleep 0.25; done; "
                  "ip -6 addr show eth0 | grep -q 'inet6 fec0::'",
                  timeout=60)
    out = user_vm.check("ping6 -c 1 -W 5 fec0::2", timeout=60)
    assert "1 packets received" in out


def test_fetch_multimegabyte_file_from_host(user_vm):
    out = user_vm.check("wget -q -O /tmp/blob.bin http://10.0.2.2:%d/blob.bin"
                        " && sha256sum /tmp/blob.bin" % user_vm.http_port,
                        timeout=300)
    assert out.split()[0] == user_vm.blob_digest


def test_guest_uploads_to_host(user_vm):
    # Exercises transmit segmentation and checksums done by the device:
    # the user back end takes plain frames only.
    sink = Sink()
    digest = user_vm.check("sha256sum /tmp/blob.bin").split()[0]
    user_vm.check("nc 10.0.2.2 %d < /tmp/blob.bin" % sink.port, timeout=300)
    size, got = sink.result()
    assert size == BLOB_SIZE and got == digest


def start_httpd(g):
    g.check("mkdir -p /www && echo hello-from-vireo > /www/index.html && "
            "(pidof httpd >/dev/null || httpd -p 80 -h /www)")


def test_hostfwd_reaches_guest_httpd(user_vm):
    need_tool("curl")
    start_httpd(user_vm)
    p = run(["curl", "-s", "-m", "60",
             "http://127.0.0.1:%d/" % user_vm.fwd_port], timeout=90)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "hello-from-vireo"


def test_nic_shorthand_net_options_and_restrict(user_vm):
    # -nic user,...,net=192.168.100.0/24,dhcpstart=.50,restrict=on
    user_vm.check("ip link set eth1 up")
    out = user_vm.check("udhcpc -i eth1 -n -q -t 10 -s /bin/true 2>&1",
                        timeout=120)
    assert "lease of 192.168.100.50 obtained from 192.168.100.1" in out
    user_vm.check("ip addr add 192.168.100.50/24 dev eth1")
    # restrict=on: nothing leaves, not even to the host's loopback...
    out = user_vm.run("wget -q -T 3 -O /dev/null http://192.168.100.1:%d/"
                      "blob.bin 2>&1" % user_vm.http_port, timeout=60)
    assert user_vm.last_status != 0, out
    # ...but forwarded ports still come in: the acceptance form,
    # -nic user,model=virtio-net-device,hostfwd=tcp::PORT-:80.
    need_tool("curl")
    start_httpd(user_vm)
    p = run(["curl", "-s", "-m", "60",
             "http://127.0.0.1:%d/" % user_vm.nic_fwd_port], timeout=90)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "hello-from-vireo"


def test_set_link_through_qmp(user_vm):
    def carrier():
        time.sleep(0.5)
        return user_vm.check("cat /sys/class/net/eth0/carrier")

    qmp = QMP(user_vm.qmp_path)
    try:
        # By netdev id (takes the NIC along) and by NIC id.
        for name in ("n0", "nic0"):
            assert qmp.execute("set_link", {"name": name, "up": False}) == \
                {"return": {}}
            assert carrier() == "0"
            info = qmp.execute("human-monitor-command",
                               {"command-line": "info network"})["return"]
            assert "nic0:" in info and "link=down" in info
            assert qmp.execute("set_link", {"name": name, "up": True}) == \
                {"return": {}}
            assert carrier() == "1"
        err = qmp.execute("set_link", {"name": "nosuch", "up": True})
        assert err["error"]["class"] == "DeviceNotFound"
    finally:
        qmp.close()
    # The link works again.
    user_vm.check("ping -c 1 -W 5 10.0.2.2", timeout=60)


def test_pcap_dump_shows_dhcp_exchange(user_vm):
    tshark = need_tool("tshark")
    p = run([tshark, "-r", str(user_vm.pcap), "-Y", "dhcp"], timeout=60)
    assert p.returncode == 0, p.stderr
    for msg in ("DHCP Discover", "DHCP Offer", "DHCP Request", "DHCP ACK"):
        assert msg in p.stdout, p.stdout
    if shutil.which("tcpdump"):
        p = run(["tcpdump", "-n", "-r", str(user_vm.pcap), "port", "67"])
        assert p.returncode == 0 and "BOOTP/DHCP" in p.stdout


def test_user_vm_powers_off(user_vm):
    assert user_vm.poweroff() == 0


# --------------------------------------------------------------------------
# Two VMs on a socket cable.

@pytest.fixture(scope="module")
def vm_pair(system_riscv64, guest, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("net-pair")
    stream = free_port()
    udp_a, udp_b = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
    a = Guest(vireo_cmd(system_riscv64, guest, mem="256M", extra=[
        "-netdev", "socket,id=s0,listen=127.0.0.1:%d" % stream,
        "-device", "virtio-net-device,netdev=s0,mac=52:54:00:00:0a:01",
        "-netdev", "socket,id=s1,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d"
                   % (udp_b, udp_a),
        "-device", "virtio-net-device,netdev=s1,mac=52:54:00:00:0b:01"]),
        log_path=str(tmp / "a.log"))
    b = None
    try:
        a.wait_shell()      # listening since start-up
        # B: the stream, and UDP through -net (a NIC and a back end on
        # hub 0).
        b = Guest(vireo_cmd(system_riscv64, guest, mem="256M", extra=[
            "-netdev", "socket,id=s0,connect=127.0.0.1:%d" % stream,
            "-device", "virtio-net-device,netdev=s0,mac=52:54:00:00:0a:02",
            "-net", "nic,model=virtio-net-device,macaddr=52:54:00:00:0b:02",
            "-net", "socket,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d"
                    % (udp_a, udp_b)]),
            log_path=str(tmp / "b.log"))
        b.wait_shell()
        for g, n in ((a, 1), (b, 2)):
            g.check("ip addr add 192.168.50.%d/24 dev eth0 && "
                    "ip link set eth0 up" % n)
            g.check("ip addr add 192.168.51.%d/24 dev eth1 && "
                    "ip link set eth1 up" % n)
        yield a, b
    finally:
        a.kill()
        if b:
            b.kill()


def test_socket_stream_vms_ping_each_other(vm_pair):
    a, b = vm_pair
    out = a.check("ping -c 3 -W 5 192.168.50.2", timeout=60)
    assert "3 packets received" in out
    out = b.check("ping -c 3 -W 5 192.168.50.1", timeout=60)
    assert "3 packets received" in out


def test_socket_udp_through_hub_ping(vm_pair):
    a, b = vm_pair
    out = b.check("ping -c 3 -W 5 192.168.51.1", timeout=60)
    assert "3 packets received" in out


def test_socket_stream_bulk_transfer(vm_pair):
    # Flow control across the cable: a few MB one way, checked end to end.
    a, b = vm_pair
    digest = b.check("mkdir -p /www && dd if=/dev/urandom of=/www/data "
                     "bs=64k count=48 2>/dev/null && httpd -p 8080 -h /www "
                     "&& sha256sum /www/data").split()[0]
    out = a.check("wget -q -O /tmp/data http://192.168.50.2:8080/data && "
                  "sha256sum /tmp/data", timeout=300)
    assert out.split()[0] == digest


MCAST_SCRIPT = r"""
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
run() {
    exec "$VIREO" -M virt -m 256M -nographic -bios default -kernel "$GUEST/Image" \
        -initrd "$GUEST/rootfs.cpio.gz" -netdev \
        socket,id=n0,mcast=230.0.0.1:5000,localaddr=127.0.0.1 \
        -device virtio-net-device,netdev=n0,mac=52:54:00:00:0c:0$1 \
        -append "console=ttyS0 vireo.cmd=ip addr add 192.168.60.$1/24 dev eth0; ip link set eth0 up; $2"
}
(run 1 "sleep 30") </dev/null >/dev/null 2>&1 &
(run 2 "sleep 3; ping -c 3 -W 5 192.168.60.1 && echo MCAST-PING-OK") </dev/null
kill $! 2>/dev/null
"""


def test_socket_mcast_two_vms(system_riscv64, guest):
    # Multicast stays inside a network namespace of our own, on its lo.
    need_tool("unshare")
    if run(["unshare", "-rn", "true"]).returncode != 0:
        pytest.skip("user+network namespaces are not permitted here")
    # A PID namespace too, so nothing outlives the shell.
    p = subprocess.run(["unshare", "-rn", "--pid", "--fork", "--kill-child",
                        "sh", "-c", MCAST_SCRIPT], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, VIREO=system_riscv64,
                                GUEST=guest))
    assert "MCAST-PING-OK" in p.stdout, p.stdout[-2000:] + p.stderr


# --------------------------------------------------------------------------
# TAP in a network namespace of our own (plus DNS through the user back
# end, with a resolver the test controls).

DNS_SERVER = r"""
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
while True:
    q, addr = s.recvfrom(512)
    qid, = struct.unpack("!H", q[:2])
    end = 12
    while q[end]:
        end += q[end] + 1
    question = q[12:end + 5]
    name = question[:-4]
    qtype = struct.unpack("!H", question[-4:-2])[0]
    ans = b""
    if qtype == 1 and name == b"\x05vireo\x04test\x00":
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + \
            bytes([10, 9, 8, 7])
    flags = 0x8180 if ans or qtype != 1 else 0x8183
    hdr = struct.pack("!HHHHHH", qid, flags, 1, 1 if ans else 0, 0, 0)
    s.sendto(hdr + question + ans, addr)
"""

TAP_SETUP = r"""
set -e
mount --bind "$TMP/resolv.conf" /etc/resolv.conf
ip link set lo up
ip tuntap add dev vtap0 mode tap
ip addr add 192.168.77.1/24 dev vtap0
ip link set vtap0 up
python3 "$TMP/dns.py" &
python3 -m http.server 8000 --bind 192.168.77.1 --directory "$TMP/www" \
    >/dev/null 2>&1 &
python3 -c '
import hashlib, socket
s = socket.socket(); s.bind(("192.168.77.1", 9000)); s.listen(1)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(1 << 20)
    if not d: break
    h.update(d); n += len(d)
open("'"$TMP"'/upload.txt", "w").write("%d %s" % (n, h.hexdigest()))
' &
sleep 0.5
exec "$@"
"""


@pytest.fixture(scope="module")
def tap_vm(system_riscv64, guest, tmp_path_factory):
    need_tool("unshare")
    need_tool("ip")
    probe = run(["unshare", "-rnm", "sh", "-c",
                 "ip tuntap add dev vtap0 mode tap"])
    if probe.returncode != 0:
        pytest.skip("cannot create a TAP in a new user+network namespace "
                    "here: %s" % (probe.stderr.strip() or "unshare failed"))
    tmp = tmp_path_factory.mktemp("net-tap")
    (tmp / "www").mkdir()
    blob = os.urandom(BLOB_SIZE)
    (tmp / "www" / "blob.bin").write_bytes(blob)
    (tmp / "dns.py").write_text(DNS_SERVER)
    (tmp / "resolv.conf").write_text("nameserver 127.0.0.1\n")
    (tmp / "setup.sh").write_text(TAP_SETUP)
    # A PID namespace too: when Vireo (its init) ends, the servers go.
    cmd = ["unshare", "-rnm", "--pid", "--fork", "--kill-child", "env",
           "TMP=%s" % tmp,
           "sh", str(tmp / "setup.sh")] + vireo_cmd(
        system_riscv64, guest, mem="256M", extra=[
            "-netdev", "tap,id=n0,ifname=vtap0,script=no,downscript=no",
            "-device", "virtio-net-device,netdev=n0",
            "-netdev", "user,id=u0",
            "-device", "virtio-net-device,netdev=u0,mac=52:54:00:aa:bb:03"])
    g = Guest(cmd, log_path=str(tmp / "console.log"))
    g.tmp = tmp
    g.blob_digest = hashlib.sha256(blob).hexdigest()
    try:
        g.wait_shell()
        g.check("ip addr add 192.168.77.2/24 dev eth0 && ip link set eth0 up")
        yield g
    finally:
        g.kill()


def test_tap_ping_host_side(tap_vm):
    out = tap_vm.check("ping -c 3 -W 5 192.168.77.1", timeout=60)
    assert "3 packets received" in out


def test_tap_fetch_and_upload_with_offloads(tap_vm):
    # vnet_hdr is on by default: the host kernel hands the guest TSO
    # super-frames and takes the guest's unsegmented ones.
    feats = tap_vm.check("cat /sys/class/net/eth0/device/features")
    assert feats[0] == "1" and feats[11] == "1"     # CSUM, HOST_TSO4
    out = tap_vm.check("wget -q -O /tmp/blob http://192.168.77.1:8000/"
                       "blob.bin && sha256sum /tmp/blob", timeout=300)
    assert out.split()[0] == tap_vm.blob_digest
    tap_vm.check("nc 192.168.77.1 9000 < /tmp/blob", timeout=300)
    deadline = time.time() + 30
    while not (tap_vm.tmp / "upload.txt").exists() and time.time() < deadline:
        time.sleep(0.2)
    size, digest = (tap_vm.tmp / "upload.txt").read_text().split()
    assert int(size) == BLOB_SIZE and digest == tap_vm.blob_digest


def test_user_dns_forwarding(tap_vm):
    # libslirp answers at 10.0.2.3 by asking the host's resolver: here
    # a tiny one on 127.0.0.1 in the namespace that knows vireo.test.
    dhcp(tap_vm, "eth1")
    out = tap_vm.check("nslookup vireo.test 10.0.2.3", timeout=60)
    assert "10.9.8.7" in out


def test_tap_vm_powers_off(tap_vm):
    assert tap_vm.poweroff() == 0
