#!/bin/bash
# TCG benchmark: Vireo's IR interpreter, Vireo's x86-64 JIT and Debian's
# QEMU side by side, in one run, on
#   intmix   CPU-bound integer work (bench/tcg/intmix.c, -M spike)
#   memloop  memory-heavy loops: pointer chase, sieve, copies
#            (bench/tcg/memloop.c, -M spike)
#   boot     Linux to the busybox shell prompt (guest/build.sh, -M virt)
# Runs alternate (interp, jit, qemu, interp, ...) so load changes on a noisy
# machine hit all alike. For the bare-metal programs it reports the median
# CPU seconds (user + sys of the emulator process: on a shared machine the
# wall clock also counts time the host did not give us) and wall seconds;
# for the boot, the median wall seconds to the prompt. Then the ratios.
# The programs print a checksum, which must be the same everywhere.
#
# Usage: bench/tcg.sh [-n RUNS] [-w WORKLOADS] [-q QEMU] [-v VIREO]
#                     [-g GUEST_DIR]
#   defaults: 3 runs, -w intmix,memloop,boot, qemu-system-riscv64,
#             build/vireo-system-riscv64, the guest from guest/build.sh
# Run by hand; never part of `make check`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3 workloads=intmix,memloop,boot
qemu=qemu-system-riscv64
vireo=$root/build/vireo-system-riscv64
guest=

while getopts n:w:q:v:g:h opt; do
    case $opt in
        n) runs=$OPTARG ;;
        w) workloads=$OPTARG ;;
        q) qemu=$OPTARG ;;
        v) vireo=$OPTARG ;;
        g) guest=$OPTARG ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    esac
done

[ -x "$vireo" ] || { echo "tcg.sh: $vireo is missing (build it first)" >&2; exit 1; }
out=$(dirname "$vireo")/bench/tcg
make -s -C "$root/bench/tcg" O="$out"
if [[ ,$workloads, == *,boot,* ]] && [ -z "$guest" ]; then
    guest=$("$root/guest/build.sh" --print-dir </dev/null | tail -1)
fi

exec /usr/bin/python3 - "$runs" "$workloads" "$qemu" "$vireo" "$out" "$guest" <<'EOF'
import os, re, statistics, subprocess, sys, time

runs, workloads, qemu, vireo, out, guest = sys.argv[1:]
runs, workloads = int(runs), workloads.split(",")

emulators = [
    ("interp", [vireo, "-accel", "tcg,backend=interp"]),
    ("jit", [vireo, "-accel", "tcg,backend=jit"]),
    ("qemu", [qemu, "-accel", "tcg"]),
]

def run_program(cmd):
    """Run to completion: (cpu seconds, wall seconds, output)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    data = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    text = data.decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"exit status {status}: {text[-300:]}")
    return ru.ru_utime + ru.ru_stime, wall, text

def run_boot(cmd):
    """Boot to the shell prompt: (None, wall seconds to the prompt, '')."""
    import pexpect
    t0 = time.monotonic()
    p = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8",
                      codec_errors="replace", timeout=600)
    try:
        p.expect_exact("vireo-guest: ready")
        p.expect_exact("~ # ")
        wall = time.monotonic() - t0
        p.sendline("poweroff")
        p.expect(pexpect.EOF)
    finally:
        p.terminate(force=True)
    return None, wall, ""

def command(emu, workload):
    if workload == "boot":
        return emu + ["-M", "virt", "-m", "512M", "-nographic", "-bios",
                      "default", "-kernel", guest + "/Image", "-initrd",
                      guest + "/rootfs.cpio.gz", "-append", "console=ttyS0"]
    return emu + ["-M", "spike", "-bios", "none", "-nographic", "-kernel",
                  f"{out}/{workload}.elf"]

print(f"vireo: {vireo}\nqemu:  {qemu}\nruns:  {runs} of each, alternating\n")
summary = {}
for w in workloads:
    cpu = {name: [] for name, _ in emulators}
    wall = {name: [] for name, _ in emulators}
    sums = {}
    print(f"{w}:")
    for i in range(runs):
        for name, emu in emulators:
            try:
                c, t, text = (run_boot if w == "boot" else run_program)(
                    command(emu, w))
            except Exception as e:
                print(f"  {name:7s} run {i + 1}: FAIL {e}")
                continue
            m = re.search(r"checksum ([0-9a-f]+)", text)
            if m:
                sums.setdefault(m[1], []).append(name)
            cpu[name].append(c)
            wall[name].append(t)
            what = f"{c:8.2f} cpu s" if c is not None else " " * 14
            print(f"  {name:7s} run {i + 1}: {what} {t:8.2f} wall s")
    if len(sums) > 1:
        print(f"  WARNING: the checksums differ: {sums}")
    med = {}
    for name, _ in emulators:
        key = wall if w == "boot" else cpu
        if key[name]:
            med[name] = statistics.median(key[name])
    summary[w] = med
    print()

print(f"{'workload':10s} {'metric':14s} {'interp':>8s} {'jit':>8s} {'qemu':>8s}"
      f" {'interp/jit':>11s} {'qemu/jit':>9s}")
for w, med in summary.items():
    metric = "wall s (prompt)" if w == "boot" else "cpu s"
    cells = [f"{med[n]:8.2f}" if n in med else f"{'-':>8s}"
             for n in ("interp", "jit", "qemu")]
    ratio = lambda a: (f"{med[a] / med['jit']:.2f}x"
                       if a in med and med.get("jit") else "-")
    print(f"{w:10s} {metric:14s} {' '.join(cells)} {ratio('interp'):>11s}"
          f" {ratio('qemu'):>9s}")
EOF
