#!/bin/bash
# Network throughput benchmark: TCP bulk transfer guest->host and
# host->guest through virtio-net, with the "user" back end (libslirp) and,
# where a TAP can be made in a private network namespace, the "tap" back
# end (vnet_hdr on), for Debian's QEMU and Vireo side by side on the same
# riscv64 guest (guest/build.sh) and the same command line.
#
# One boot per (back end, emulator); in it, RUNS transfers each way of
# SIZE MiB over HTTP, with busybox in the guest (httpd serving a file from
# tmpfs; wget to /dev/null) and Python on the host (loopback, reached from
# the guest as 10.0.2.2 and through hostfwd, for user; the namespace's
# side of the TAP for tap). Everything is timed on the host: guest->host
# for the whole download, host->guest from sending the wget command until
# the guest's shell reports it finished. (busybox nc, the obvious tool,
# moves only 1-2 MB/s under either emulator: its small writes, not the
# network, set the pace.) Prints each run, then a table of medians (MB/s,
# 10^6 bytes per second) and ratios.
#
# Usage: bench/net.sh [-n RUNS] [-s MIB] [-b "user tap"] [-t TIMEOUT]
#                     [-q QEMU] [-v VIREO] [-g GUEST_DIR]
#   defaults: 3 runs, 32 MiB, both back ends, 600 s per boot,
#             qemu-system-riscv64, build/vireo-system-riscv64, the guest
#             from guest/build.sh
# Run by hand; never part of `make check`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3 size=32 timeout=600 backends="user tap"
qemu=qemu-system-riscv64
vireo=$root/build/vireo-system-riscv64
guest=

while getopts n:s:b:t:q:v:g:h opt; do
    case $opt in
        n) runs=$OPTARG ;;
        s) size=$OPTARG ;;
        b) backends=$OPTARG ;;
        t) timeout=$OPTARG ;;
        q) qemu=$OPTARG ;;
        v) vireo=$OPTARG ;;
        g) guest=$OPTARG ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    esac
done

[ -n "$guest" ] || guest=$("$root/guest/build.sh" --print-dir </dev/null | tail -1)
qemu=$(command -v "$qemu" || true)
[ -x "$vireo" ] || { echo "vireo: $vireo is missing (build it first)"; exit 1; }
[ -n "$qemu" ] || echo "qemu-system-riscv64 is not installed: timing Vireo only"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The per-boot driver: boots EMULATOR with BACKEND, runs the transfers,
# prints one line per transfer: "g2h|h2g <MB/s>" (or "FAIL <why>").
# For tap it runs inside the namespace (unshare -rn), where it creates
# the TAP itself.
cat > "$work/drive.py" <<'EOF'
import http.server, socket, subprocess, sys, threading, time, pexpect
import urllib.request

emu, backend, guest, size_mib, runs, timeout = sys.argv[1:7]
extra = sys.argv[7:]
size, runs, timeout = int(size_mib) << 20, int(runs), float(timeout)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

if backend == "tap":
    for c in ("ip link set lo up", "ip tuntap add dev vtap0 mode tap",
              "ip addr add 192.168.77.1/24 dev vtap0", "ip link set vtap0 up"):
        subprocess.run(c.split(), check=True)
    host_ip = listen_ip = "192.168.77.1"
    guest_url = "http://192.168.77.2:80/f"
    netdev = "tap,id=n0,ifname=vtap0,script=no,downscript=no,vnet_hdr=on"
else:
    host_ip, listen_ip = "10.0.2.2", "127.0.0.1"
    fwd = free_port()
    guest_url = "http://127.0.0.1:%d/f" % fwd
    netdev = "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % fwd
cmd = [emu] + extra + ["-M", "virt", "-m", "512M", "-nographic", "-bios", "default",
       "-kernel", guest + "/Image", "-initrd", guest + "/rootfs.cpio.gz",
       "-append", "console=ttyS0", "-netdev", netdev,
       "-device", "virtio-net-device,netdev=n0"]

def sh(p, line):
    marker = "__done_%d__" % int(time.time() * 1e6)
    p.sendline("%s; echo %s$?" % (line, marker))
    p.expect(marker + r"(\d+)", timeout=timeout)
    status = int(p.match.group(1))
    p.expect_exact("~ # ")
    return status

class Zeros(http.server.BaseHTTPRequestHandler):
    """GET anything: size zero bytes, streamed."""
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = bytes(1 << 20)
        for _ in range(size >> 20):
            self.wfile.write(chunk)

    def log_message(self, *a):
        pass

def g2h():
    """The host downloads /f from busybox httpd in the guest."""
    t0 = time.monotonic()
    n = 0
    with urllib.request.urlopen(guest_url, timeout=timeout) as r:
        while True:
            d = r.read(1 << 20)
            if not d:
                break
            n += len(d)
    t = time.monotonic() - t0
    return "%.1f" % (size / t / 1e6) if n == size else \
        "FAIL received %d of %d bytes" % (n, size)

def h2g(p, port):
    """The guest downloads size bytes from the host with wget."""
    t0 = time.monotonic()
    status = sh(p, "wget -q -O /dev/null http://%s:%d/z" % (host_ip, port))
    t = time.monotonic() - t0
    return "%.1f" % (size / t / 1e6) if status == 0 else \
        "FAIL wget exit status %d" % status

srv = http.server.ThreadingHTTPServer((listen_ip, 0), Zeros)
threading.Thread(target=srv.serve_forever, daemon=True).start()
p = None
try:
    p = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8",
                      codec_errors="replace", timeout=timeout)
    p.expect_exact("vireo-guest: ready")
    p.expect_exact("~ # ")
    p.sendline("stty -echo")
    p.expect_exact("~ # ")
    if backend == "tap":
        sh(p, "ip addr add 192.168.77.2/24 dev eth0; ip link set eth0 up")
    else:
        sh(p, "ip link set eth0 up; udhcpc -i eth0 -n -q -t 20 "
              "-s /usr/share/udhcpc/default.script >/dev/null 2>&1")
    if sh(p, "mkdir -p /www && dd if=/dev/zero of=/www/f bs=64k count=%d "
             "2>/dev/null && httpd -p 80 -h /www" % (size >> 16)) != 0:
        raise RuntimeError("could not start httpd in the guest")
    time.sleep(1)
    for _ in range(runs):
        print("g2h", g2h(), flush=True)
        print("h2g", h2g(p, srv.server_address[1]), flush=True)
    p.sendline("poweroff")
    p.expect(pexpect.EOF)
except Exception as e:
    print("FAIL %s" % (str(e).splitlines()[0] if str(e) else type(e).__name__))
finally:
    if p:
        p.terminate(force=True)
    srv.shutdown()
EOF

median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
                                               else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Can this machine make a TAP in a private namespace?
tap_ok=0
if unshare -rn sh -c 'ip tuntap add dev vtap0 mode tap' >/dev/null 2>&1; then
    tap_ok=1
fi

# The emulators: QEMU, Vireo's IR interpreter and, where this Vireo has
# it, its x86-64 JIT (each named explicitly: the default is the JIT where
# there is one).
names=() bins=() extras=()
if [ -n "$qemu" ]; then names+=(qemu) bins+=("$qemu") extras+=(""); fi
names+=(vireo-interp) bins+=("$vireo") extras+=("-accel tcg,backend=interp")
if "$vireo" -M "virt,dumpdtb=$work/probe.dtb" -accel tcg,backend=jit \
        >/dev/null 2>&1; then
    names+=(vireo-jit) bins+=("$vireo") extras+=("-accel tcg,backend=jit")
fi

echo "guest: $guest"
echo "command: EMULATOR -M virt -m 512M -nographic -bios default -kernel Image" \
     "-initrd rootfs.cpio.gz -netdev BACKEND,id=n0 -device virtio-net-device,netdev=n0"
echo "emulators: ${names[*]} (-accel tcg,backend=interp|jit)"
echo "transfers: $runs x $size MiB each way over HTTP (busybox httpd and wget in the guest)"
echo

declare -A result
for backend in $backends; do
    if [ "$backend" = tap ] && [ "$tap_ok" = 0 ]; then
        echo "tap: skipped (cannot create a TAP in a user+network namespace here)"
        continue
    fi
    for i in "${!names[@]}"; do
        emu=${names[$i]}
        # shellcheck disable=SC2086
        if [ "$backend" = tap ]; then
            out=$(unshare -rn /usr/bin/python3 "$work/drive.py" "${bins[$i]}" \
                  tap "$guest" "$size" "$runs" "$timeout" ${extras[$i]})
        else
            out=$(/usr/bin/python3 "$work/drive.py" "${bins[$i]}" user \
                  "$guest" "$size" "$runs" "$timeout" ${extras[$i]})
        fi
        while read -r dir val rest; do
            printf '%-6s %-10s %-4s %s %s\n' "$backend" "$emu" "$dir" "$val" "$rest"
            case $dir in
                g2h|h2g) [ "$val" != FAIL ] && result[$backend,$emu,$dir]+="$val " ;;
            esac
        done <<<"$out"
    done
done

echo
best=${names[${#names[@]}-1]}
printf '%-7s %-12s' backend direction
for emu in "${names[@]}"; do printf ' %11s' "$emu"; done
printf ' %14s\n' "$best/qemu"
for backend in $backends; do
    for dir in g2h h2g; do
        [ -n "${result[$backend,$best,$dir]:-}${result[$backend,qemu,$dir]:-}" ] || continue
        name=$([ $dir = g2h ] && echo "guest->host" || echo "host->guest")
        printf '%-7s %-12s' "$backend" "$name"
        for emu in "${names[@]}"; do
            printf ' %11s' "$(printf '%s\n' ${result[$backend,$emu,$dir]:-} | median)"
        done
        q=$(printf '%s\n' ${result[$backend,qemu,$dir]:-} | median)
        v=$(printf '%s\n' ${result[$backend,$best,$dir]:-} | median)
        awk -v q="$q" -v v="$v" 'BEGIN { if (q == "-" || v == "-" || q == 0) r = "-";
                                         else r = sprintf("%.2fx", v / q); printf " %14s\n", r }'
    done
done
echo "(MB/s, medians; 1 MB = 10^6 bytes)"
