"""QMP with a real guest (monitor issue).

One boot of the test guest (2 harts, the disk read-only on virtio-blk,
two QMP sockets, a ring buffer) serves the whole conversation, in order:
negotiation and queries, argument validation, malformed input that must
not disturb the VM, events reaching both monitors, stop (the guest clock
stops) and cont, system_powerdown (riscv virt has no power button, so the
guest carries on, as with QEMU), memory dumps checked against the kernel
image, HMP through QMP, system_reset (the guest reboots), and finally
`poweroff` typed in the guest: SHUTDOWN with the guest reason, exit 0.

Short runs without a guest shell cover the acceptance conversation,
-qmp-pretty, -qmp stdio, -qmp tcp:..., wait=on, and socat as the client.
"""
import json
import os
import re
import socket
import subprocess
import threading
import time

import pytest

from conftest import QMP, need_tool
from vm import Guest, guest_dir, vireo_cmd

REQUIRED_COMMANDS = [
    "qmp_capabilities", "query-version", "query-commands", "query-status",
    "query-name", "query-machines", "query-cpus-fast", "query-block",
    "query-blockstats", "query-chardev", "query-kvm", "stop", "cont",
    "system_reset", "system_powerdown", "quit", "human-monitor-command",
    "pmemsave", "memsave", "ringbuf-read", "ringbuf-write",
]
# The kernel is linked at this virtual address and loaded at 0x80200000.
KERNEL_PA = 0x80200000
KERNEL_VA_SIGNED = -(1 << 31)       # 0xffffffff80000000


@pytest.fixture(scope="module")
def guest():
    d, why = guest_dir()
    if not d:
        pytest.skip(why)
    return d


@pytest.fixture(scope="module")
def vm(system_riscv64, guest, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qmp")
    q1, q2 = str(tmp / "q1.sock"), str(tmp / "q2.sock")
    disk = os.path.join(guest, "disk.ext4")
    cmd = vireo_cmd(system_riscv64, guest, smp=2, extra=[
        "-name", "vireo-test",
        "-drive", "file=%s,if=virtio,format=raw,readonly=on,id=disk0" % disk,
        "-chardev", "ringbuf,id=rb0,size=4096",
        "-qmp", "unix:%s,server=on,wait=off" % q1,
        "-qmp", "unix:%s,server,nowait" % q2])
    g = Guest(cmd, log_path=str(tmp / "console.log"))
    g.tmp = tmp
    g.q1_path, g.q2_path = q1, q2
    g.image = os.path.join(guest, "Image")
    g.disk = disk
    try:
        g.wait_shell()
        g.q1 = QMP(q1)
        yield g
    finally:
        g.kill()


def test_greeting_and_negotiation(vm):
    q = QMP(vm.q2_path, negotiate=False)
    ver = q.greeting["QMP"]["version"]
    assert set(ver["qemu"]) == {"major", "minor", "micro"}
    assert q.greeting["QMP"]["capabilities"] == []
    r = q.cmd("query-status")
    assert r["error"]["class"] == "CommandNotFound"
    assert "qmp_capabilities" in r["error"]["desc"]
    assert q.cmd("qmp_capabilities") == {"return": {}}
    r = q.execute("query-status", id="abc")
    assert r == {"return": {"status": "running", "singlestep": False,
                            "running": True}, "id": "abc"}
    r = q.cmd("qmp_capabilities")
    assert r["error"]["class"] == "CommandNotFound"
    q.close()


def test_queries(vm):
    q = vm.q1
    names = {c["name"] for c in q.cmd("query-commands")["return"]}
    assert set(REQUIRED_COMMANDS) <= names
    assert q.cmd("query-name")["return"] == {"name": "vireo-test"}
    machines = {m["name"]: m for m in q.cmd("query-machines")["return"]}
    assert machines["virt"].get("is-default") is True
    cpus = q.cmd("query-cpus-fast")["return"]
    assert [c["cpu-index"] for c in cpus] == [0, 1]
    assert all(c["target"] == "riscv64" for c in cpus)
    assert q.cmd("query-kvm")["return"] == {"enabled": False,
                                            "present": False}
    labels = {c["label"]: c for c in q.cmd("query-chardev")["return"]}
    assert labels["serial0"]["filename"] == "stdio"
    assert labels["serial0"]["frontend-open"] is True
    assert labels["rb0"]["filename"] == "ringbuf"
    assert labels["compat_monitor0"]["filename"].startswith(
        "unix:%s,server=on" % vm.q1_path)
    assert labels["compat_monitor1"]["filename"] == \
        "disconnected:unix:%s,server=on" % vm.q2_path


def test_query_block_lists_the_disk(vm):
    blocks = vm.q1.cmd("query-block")["return"]
    assert len(blocks) == 1
    b = blocks[0]
    assert b["device"] == "disk0"
    ins = b["inserted"]
    assert ins["file"] == vm.disk
    assert ins["drv"] == "raw"
    assert ins["ro"] is True
    assert ins["image"]["virtual-size"] == os.path.getsize(vm.disk)
    before = vm.q1.cmd("query-blockstats")["return"]
    assert [s["device"] for s in before] == ["disk0"]
    # The guest reads 300 KiB it had not read: the counters move by that.
    vm.check("dd if=/dev/vda of=/dev/null bs=4k skip=4096 count=75 "
             "iflag=direct 2>/dev/null || "
             "dd if=/dev/vda of=/dev/null bs=4k skip=4096 count=75")
    after = vm.q1.cmd("query-blockstats")["return"][0]["stats"]
    st0 = before[0]["stats"]
    assert after["rd_bytes"] - st0["rd_bytes"] >= 300 * 1024
    assert after["rd_operations"] > st0["rd_operations"]
    assert after["rd_total_time_ns"] > st0["rd_total_time_ns"]
    assert after["wr_bytes"] == 0 and after["wr_highest_offset"] == 0
    assert after["failed_rd_operations"] == 0
    info = vm.q1.cmd("human-monitor-command",
                     **{"command-line": "info block"})["return"]
    assert info.startswith("disk0: %s (raw, read-only)\r\n" % vm.disk)


@pytest.mark.parametrize("req,cls,desc", [
    ({"execute": "pmemsave", "arguments": {"val": 0, "size": 1}},
     "GenericError", "Parameter 'filename' is missing"),
    ({"execute": "pmemsave", "arguments": {"val": 0, "size": "big",
                                           "filename": "/dev/null"}},
     "GenericError", "Invalid parameter type for 'size', expected: integer"),
    ({"execute": "query-status", "arguments": {"x": 1}},
     "GenericError", "Parameter 'x' is unexpected"),
    ({"execute": "memsave", "arguments": {"val": 0, "size": 1,
                                          "filename": "/dev/null",
                                          "cpu-index": 9}},
     "GenericError", "Parameter 'cpu-index' expects a CPU number"),
    ({"execute": "ringbuf-read", "arguments": {"device": "nope",
                                               "size": 1}},
     "GenericError", "Device 'nope' not found"),
    ({"execute": "no-such-command"}, "CommandNotFound",
     "The command no-such-command has not been found"),
    ({"execute": "stop", "bogus": 1}, "GenericError",
     "QMP input member 'bogus' is unexpected"),
], ids=["missing", "wrong-type", "extra", "bad-cpu", "no-device",
        "no-command", "bad-member"])
def test_argument_validation(vm, req, cls, desc):
    vm.q1.send_raw(json.dumps(dict(req, id=42)).encode())
    r = vm.q1.recv()
    assert r["error"] == {"class": cls, "desc": desc}
    assert r["id"] == 42


def test_malformed_input_leaves_vm_running(vm):
    q = QMP(vm.q2_path)
    q.send_raw(b"notjson\n")
    r = q.recv()
    assert r["error"]["class"] == "GenericError"
    assert r["error"]["desc"].startswith("JSON parse error")
    q.send_raw(b"[1, 2, 3]")
    assert q.recv()["error"]["desc"] == "QMP input must be a JSON object"
    q.send_raw(b"}\n")
    assert "stray" in q.recv()["error"]["desc"]
    assert q.cmd("query-status")["return"]["running"] is True
    # Half an object, then the client goes away.
    q.send_raw(b'{"execute": "stop", "argum')
    q.close()

    # A 100 MB line: an error reply (or a closed connection), never a
    # stalled VM.
    q = QMP(vm.q2_path)
    replies = []

    def reader():
        try:
            replies.append(q.recv(timeout=120))
        except OSError as e:
            replies.append(e)

    t = threading.Thread(target=reader)
    t.start()
    chunk = b"a" * (1 << 20)
    try:
        q.send_raw(b'{"execute": "')
        for _ in range(100):
            q.send_raw(chunk)
        q.send_raw(b'"}\n')
        closed = False
    except OSError:
        closed = True
    t.join(120)
    assert replies, "no reply to a 100 MB message"
    if not closed and isinstance(replies[0], dict):
        assert replies[0]["error"]["class"] == "GenericError"
        assert "limit" in replies[0]["error"]["desc"]
        assert q.cmd("query-status")["return"]["running"] is True
    q.close()

    # The next client works, and so does the guest.
    q = QMP(vm.q2_path)
    assert q.cmd("query-status")["return"]["status"] == "running"
    q.close()
    assert vm.check("echo alive") == "alive"


def guest_uptime(vm):
    return float(vm.check("cat /proc/uptime").split()[0])


def test_stop_cont_events_on_both_monitors(vm):
    q1 = vm.q1
    q2 = QMP(vm.q2_path)
    t0 = time.time()
    up0 = guest_uptime(vm)
    r = q1.cmd("stop")
    assert r == {"return": {}}
    ev = q1.wait_event("STOP")
    assert set(ev["timestamp"]) == {"seconds", "microseconds"}
    assert abs(ev["timestamp"]["seconds"] - time.time()) < 60
    q2.wait_event("STOP")
    assert q2.cmd("query-status")["return"] == {
        "status": "paused", "singlestep": False, "running": False}
    time.sleep(3)
    assert q2.cmd("cont") == {"return": {}}
    q1.wait_event("RESUME")
    q2.wait_event("RESUME")
    up1 = guest_uptime(vm)
    host = time.time() - t0
    # Three seconds passed on the host while the guest clock stood still.
    assert host >= 3
    assert up1 - up0 < host - 2.0, (up0, up1, host)
    q2.close()


def test_system_powerdown_is_ignored_by_virt(vm):
    assert vm.q1.cmd("system_powerdown") == {"return": {}}
    vm.q1.wait_event("POWERDOWN")
    assert vm.check("echo still here") == "still here"
    assert vm.q1.cmd("query-status")["return"]["running"] is True


def test_human_monitor_command(vm):
    def hmp(line):
        r = vm.q1.cmd("human-monitor-command", **{"command-line": line})
        return r["return"]

    assert hmp("info status") == "VM status: running\r\n"
    regs = hmp("info registers")
    assert re.search(r"\bpc\s+[0-9a-f]{16}", regs)
    assert "x1/ra" in regs
    assert hmp("info cpus").splitlines()[0].startswith("* CPU #0: thread_id=")
    out = hmp("info registers -a")
    assert "CPU#0" in out and "CPU#1" in out
    assert "unknown command: 'frobnicate'" in hmp("frobnicate")
    with open(vm.image, "rb") as f:
        head = f.read(16)
    words = ["0x%08x" % int.from_bytes(head[i:i + 4], "little")
             for i in range(0, 16, 4)]
    assert hmp("xp /4xw 0x%x" % KERNEL_PA) == \
        "%016x: %s\r\n" % (KERNEL_PA, " ".join(words))
    # The same bytes through CPU 0's page tables (the kernel mapping).
    assert hmp("x /4xw 0xffffffff80000000") == \
        "ffffffff80000000: %s\r\n" % " ".join(words)


def test_pmemsave_and_memsave(vm):
    with open(vm.image, "rb") as f:
        head = f.read(256)
    phys = str(vm.tmp / "phys.bin")
    virt = str(vm.tmp / "virt.bin")
    assert vm.q1.cmd("pmemsave", val=KERNEL_PA, size=256,
                     filename=phys) == {"return": {}}
    assert open(phys, "rb").read() == head
    assert vm.q1.cmd("memsave", val=KERNEL_VA_SIGNED, size=256,
                     filename=virt, **{"cpu-index": 1}) == {"return": {}}
    assert open(virt, "rb").read() == head


def test_ringbuf(vm):
    q = vm.q1
    assert q.cmd("ringbuf-write", device="rb0", data="hello ") == \
        {"return": {}}
    assert q.cmd("ringbuf-write", device="rb0", data="d29ybGQ=",
                 format="base64") == {"return": {}}
    assert q.cmd("ringbuf-read", device="rb0", size=100) == \
        {"return": "hello world"}
    assert q.cmd("ringbuf-read", device="rb0", size=100) == {"return": ""}


def test_system_reset_reboots(vm):
    assert vm.q1.cmd("system_reset") == {"return": {}}
    ev = vm.q1.wait_event("RESET")
    assert ev["data"] == {"guest": False, "reason": "host-qmp-system-reset"}
    vm.wait_shell()
    assert vm.check("echo rebooted") == "rebooted"


def test_guest_poweroff_sends_shutdown(vm):
    vm.child.sendline("poweroff")
    ev = vm.q1.wait_event("SHUTDOWN", timeout=120)
    assert ev["data"] == {"guest": True, "reason": "guest-shutdown"}
    assert vm.q1.recv(timeout=30) is None       # the server closes
    assert vm.wait_exit() == 0


# --- short runs ---

def start(cmd, **kw):
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            **kw)


def test_acceptance_conversation(system_riscv64, guest, tmp_path):
    """The issue's acceptance: QEMU-shaped replies and events, exit 0."""
    sock = str(tmp_path / "q.sock")
    p = start(vireo_cmd(system_riscv64, guest) +
              ["-qmp", "unix:%s,server=on,wait=off" % sock])
    try:
        q = QMP(sock, negotiate=False)
        assert "QMP" in q.greeting
        assert q.execute("qmp_capabilities") == {"return": {}}
        assert q.execute("query-status") == {"return": {
            "status": "running", "singlestep": False, "running": True}}
        assert q.execute("stop") == {"return": {}}
        assert q.wait_event("STOP")["event"] == "STOP"
        assert q.execute("cont") == {"return": {}}
        assert q.wait_event("RESUME")["event"] == "RESUME"
        assert q.execute("quit") == {"return": {}}
        ev = q.wait_event("SHUTDOWN")
        assert ev["data"] == {"guest": False, "reason": "host-qmp-quit"}
        assert q.recv(timeout=30) is None
        assert p.wait(timeout=60) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_socat_client(system_riscv64, tmp_path):
    socat = need_tool("socat")
    sock = str(tmp_path / "q.sock")
    p = start([system_riscv64, "-M", "none", "-display", "none",
               "-qmp", "unix:%s,server=on,wait=off" % sock])
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        script = (b'{"execute": "qmp_capabilities"}\n'
                  b'{"execute": "query-version", "id": 1}\n'
                  b'{"execute": "quit"}\n')
        out = subprocess.run([socat, "-t", "10", "-", "UNIX-CONNECT:" + sock],
                             input=script, capture_output=True, timeout=60)
        msgs = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
        assert "QMP" in msgs[0]
        assert msgs[1] == {"return": {}}
        assert msgs[2]["id"] == 1 and "qemu" in msgs[2]["return"]
        assert msgs[3] == {"return": {}}
        assert msgs[4]["event"] == "SHUTDOWN"
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_qmp_pretty_and_tcp(system_riscv64):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = start([system_riscv64, "-M", "none", "-display", "none",
               "-qmp-pretty", "tcp:127.0.0.1:%d,server=on,wait=off" % port])
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=30) \
            if _wait_port(port) else None
        assert c, "no listener on port %d" % port
        data = b""
        while not data.endswith(b"}\r\n"):
            data += c.recv(4096)
        assert data.startswith(b'{\r\n    "QMP": {\r\n        "version": {')
        c.sendall(b'{"execute": "qmp_capabilities"}{"execute": "quit"}')
        rest = b""
        while True:
            chunk = c.recv(4096)
            if not chunk:
                break
            rest += chunk
        assert b'"return": {}' in rest and b'"SHUTDOWN"' in rest
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def _wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def test_qmp_stdio(system_riscv64):
    p = subprocess.Popen([system_riscv64, "-M", "none", "-display", "none",
                          "-serial", "none", "-qmp", "stdio"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out, err = p.communicate(
        b'{"execute": "qmp_capabilities"}\n{"execute": "query-status"}\n'
        b'{"execute": "quit"}\n', timeout=60)
    msgs = [json.loads(l) for l in out.splitlines()]
    assert "QMP" in msgs[0]
    assert msgs[2]["return"]["status"] == "running"
    assert msgs[-1]["event"] == "SHUTDOWN"
    assert p.returncode == 0, err


def test_wait_on_blocks_until_a_client_connects(system_riscv64, tmp_path):
    sock = str(tmp_path / "q.sock")
    p = start([system_riscv64, "-M", "none", "-display", "none",
               "-qmp", "unix:%s,server=on" % sock])
    try:
        line = p.stderr.readline().decode()
        assert "waiting for connection on: disconnected:unix:%s,server=on" \
            % sock in line
        q = QMP(sock)
        assert q.cmd("query-status")["return"]["running"] is True
        q.cmd("quit")
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_clients_in_turn(system_riscv64, tmp_path):
    sock = str(tmp_path / "q.sock")
    p = start([system_riscv64, "-M", "none", "-display", "none",
               "-qmp", "unix:%s,server=on,wait=off" % sock])
    try:
        a = QMP(sock)
        b = socket.socket(socket.AF_UNIX)
        b.connect(sock)
        b.settimeout(0.5)
        with pytest.raises(socket.timeout):
            b.recv(100)             # waits while a is served
        a.close()
        b.settimeout(30)
        assert b'"QMP"' in b.recv(4096)
        b.sendall(b'{"execute": "qmp_capabilities"}{"execute": "quit"}')
        assert p.wait(timeout=30) == 0
        b.close()
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
