#!/bin/bash
# Boot-to-shell benchmark: wall seconds from starting the emulator until the
# guest's shell prompt, for Debian's QEMU and Vireo side by side on the same
# riscv64 guest (guest/build.sh) and the same command line.  Runs alternate
# (qemu, vireo, qemu, vireo, ...) so that load changes on a noisy machine hit
# both alike; prints each run, the medians and the ratio.  After the prompt
# the guest is powered off; "total" is the time until the emulator exited.
#
# Usage: bench/boot.sh [-n RUNS] [-s SMP] [-t TIMEOUT] [-q QEMU] [-v VIREO]
#                      [-g GUEST_DIR]
#   defaults: 3 runs, -smp 1, 300 s timeout, qemu-system-riscv64,
#             build/vireo-system-riscv64, the guest from guest/build.sh
# Run by hand; never part of `make check`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3 smp=1 timeout=300
qemu=qemu-system-riscv64
vireo=$root/build/vireo-system-riscv64
guest=

while getopts n:s:t:q:v:g:h opt; do
    case $opt in
        n) runs=$OPTARG ;;
        s) smp=$OPTARG ;;
        t) timeout=$OPTARG ;;
        q) qemu=$OPTARG ;;
        v) vireo=$OPTARG ;;
        g) guest=$OPTARG ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    esac
done

[ -n "$guest" ] || guest=$("$root/guest/build.sh" --print-dir </dev/null | tail -1)

# One boot: prints "<seconds to prompt> <seconds to exit>", or "FAIL <why>".
# pexpect gives the emulator a terminal, as a user at a console would.
boot_once() {
    /usr/bin/python3 - "$1" "$guest" "$smp" "$timeout" <<'EOF'
import sys, time, pexpect
emu, guest, smp, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
cmd = [emu, "-M", "virt", "-m", "512M", "-smp", smp, "-nographic",
       "-bios", "default", "-kernel", guest + "/Image",
       "-initrd", guest + "/rootfs.cpio.gz", "-append", "console=ttyS0"]
t0 = time.monotonic()
try:
    p = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8",
                      codec_errors="replace", timeout=timeout)
    p.expect_exact("vireo-guest: ready")
    p.expect_exact("~ # ")
    t_prompt = time.monotonic() - t0
    p.sendline("poweroff")
    p.expect(pexpect.EOF)
    p.close()
    t_exit = time.monotonic() - t0
    if p.exitstatus != 0:
        print(f"FAIL exit status {p.exitstatus} signal {p.signalstatus}")
    else:
        print(f"{t_prompt:.2f} {t_exit:.2f}")
except pexpect.TIMEOUT:
    print(f"FAIL no shell prompt within {timeout:.0f} s")
except pexpect.EOF:
    tail = " ".join((p.before or "").split()[-12:])
    p.close()
    print(f"FAIL emulator exited early (status {p.exitstatus}): {tail}")
except Exception as e:
    print(f"FAIL {e}")
finally:
    try:
        p.terminate(force=True)
    except Exception:
        pass
EOF
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
                                               else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

have_vireo=1
if [ ! -x "$vireo" ]; then
    echo "vireo: $vireo is missing (build it first); timing QEMU only"
    have_vireo=0
fi
echo "guest: $guest"
echo "command: EMULATOR -M virt -m 512M -smp $smp -nographic -bios default" \
     "-kernel Image -initrd rootfs.cpio.gz -append console=ttyS0"
echo

qemu_boot=() qemu_total=() vireo_boot=() vireo_total=()
printf '%-4s %-8s %10s %10s\n' run emulator prompt/s exit/s
for i in $(seq 1 "$runs"); do
    r=$(boot_once "$qemu")
    printf '%-4s %-8s %s\n' "$i" qemu "$(awk '/^FAIL/ { print; next } { printf "%10s %10s", $1, $2 }' <<<"$r")"
    if [ "${r%% *}" != FAIL ]; then
        qemu_boot+=("${r% *}") qemu_total+=("${r#* }")
    fi
    if [ "$have_vireo" = 1 ]; then
        r=$(boot_once "$vireo")
        printf '%-4s %-8s %s\n' "$i" vireo "$(awk '/^FAIL/ { print; next } { printf "%10s %10s", $1, $2 }' <<<"$r")"
        if [ "${r%% *}" = FAIL ]; then
            # A failing Vireo would fail the same way every time: stop trying.
            echo "vireo failed; timing QEMU only from here"
            have_vireo=0
        else
            vireo_boot+=("${r% *}") vireo_total+=("${r#* }")
        fi
    fi
done

echo
printf '%-8s %6s %16s %16s\n' emulator boots "median prompt/s" "median exit/s"
summary() {
    local name=$1 n=$2; shift 2
    local -a b=("${@:1:n}") t=("${@:n+1}")
    if [ "$n" = 0 ]; then printf '%-8s %6s %16s %16s\n' "$name" 0 - -; return; fi
    printf '%-8s %6s %16s %16s\n' "$name" "$n" \
        "$(printf '%s\n' "${b[@]}" | median)" "$(printf '%s\n' "${t[@]}" | median)"
}
summary qemu "${#qemu_boot[@]}" "${qemu_boot[@]}" "${qemu_total[@]}"
summary vireo "${#vireo_boot[@]}" "${vireo_boot[@]}" "${vireo_total[@]}"
if [ "${#qemu_boot[@]}" -gt 0 ] && [ "${#vireo_boot[@]}" -gt 0 ]; then
    q=$(printf '%s\n' "${qemu_boot[@]}" | median)
    v=$(printf '%s\n' "${vireo_boot[@]}" | median)
    awk -v q="$q" -v v="$v" 'BEGIN { printf "ratio vireo/qemu (boot to prompt): %.2fx\n", v / q }'
fi
