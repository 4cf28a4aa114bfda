#!/usr/bin/python3
"""Boot the riscv64 test guest in an emulator and check that it works.

Checks, in one boot: the shell prompt appears, nproc matches -smp, the
ext4 disk mounts and its files match disk-manifest.txt, virtio-rng gives
bytes, the clock shows the host's date, job control works, `poweroff` makes
the emulator exit with status 0.  A second, non-interactive boot checks the
vireo.cmd= kernel parameter.

    guest/selftest.py                                 # Debian's QEMU
    guest/selftest.py --emulator build/vireo-system-riscv64 --bios default

Uses /usr/bin/python3 with Debian's python3-pexpect.  The guest directory
comes from `guest/build.sh --print-dir` unless --guest is given.  Ends with
"N passed, N failed, N skipped"; exit status 0 only if nothing failed.
--no-disk / --no-rng leave out devices an emulator does not have yet.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pexpect

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT = "~ # "
READY = "vireo-guest: ready"
HELLO = "Hello from the Vireo test disk."
DEBIAN_FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def guest_dir(args):
    if args.guest:
        return args.guest
    out = subprocess.run([os.path.join(HERE, "build.sh"), "--print-dir"],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         check=True, text=True).stdout
    return out.strip().splitlines()[-1]


def command_line(args, gdir, disk, append, rng=True):
    """The QEMU-style command line; the same shape serves Vireo."""
    cmd = args.emulator.split() + [
        "-M", "virt", "-m", args.memory, "-smp", str(args.smp), "-nographic",
        "-bios", args.bios,
        "-kernel", os.path.join(gdir, "Image"),
        "-initrd", os.path.join(gdir, "rootfs.cpio.gz"),
        "-append", append,
    ]
    if disk:
        cmd += ["-drive", f"file={disk},if=none,format=raw,id=d0",
                "-device", "virtio-blk-device,drive=d0"]
    if rng:
        cmd += ["-device", "virtio-rng-device"]
    return cmd


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def skip(self, name, why):
        self.skipped += 1
        print(f"SKIP {name}: {why}", flush=True)

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)
        return ok


class Guest:
    def __init__(self, cmd, timeout, log):
        print("+ " + " ".join(cmd), flush=True)
        self.timeout = timeout
        self.p = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8",
                               codec_errors="replace", timeout=timeout,
                               logfile=log)

    def boot(self):
        t0 = time.monotonic()
        self.p.expect_exact(READY)
        self.p.expect_exact(PROMPT)
        return time.monotonic() - t0

    def run(self, cmd):
        """Run a shell command; return (exit status, output)."""
        # The marker's status digits are not in the echoed command line, so
        # the regex only matches the real output.
        self.p.sendline(f'{cmd}; echo "@@rc=$?@@"')
        self.p.expect(r"@@rc=(\d+)@@")
        rc = int(self.p.match.group(1))
        out = self.p.before
        self.p.expect_exact(PROMPT)
        # Drop the echoed command line (the terminal may wrap it).
        out = out.replace("\r", "")
        _, _, out = out.partition('echo "@@rc=$?@@"\n')
        return rc, out.strip()

    def wait_exit(self):
        self.p.expect(pexpect.EOF, timeout=self.timeout)
        self.p.close()
        return self.p.exitstatus, self.p.signalstatus

    def kill(self):
        if self.p.isalive():
            self.p.terminate(force=True)


def disk_checks(g, manifest, res):
    rc, out = g.run("mount /dev/vda /mnt && cat /mnt/hello.txt")
    res.check("mount /dev/vda, cat hello.txt", rc == 0 and out.endswith(HELLO),
              f"rc={rc} {out!r}")

    paths = sorted(manifest)
    rc, out = g.run("sha256sum " + " ".join("/mnt" + p for p in paths))
    got = {}
    for line in out.splitlines():
        m = re.match(r"([0-9a-f]{64})\s+/mnt(/\S+)$", line.strip())
        if m:
            got[m.group(2)] = m.group(1)
    res.check("disk files match disk-manifest.txt", got == manifest,
              f"got {got}")

    rc, out = g.run("umount /mnt")
    res.check("umount", rc == 0, out)


def interactive_boot(args, gdir, disk, res):
    manifest = {}
    with open(os.path.join(gdir, "disk-manifest.txt")) as f:
        for line in f:
            digest, path = line.split(None, 1)
            manifest[path.strip()] = digest

    g = Guest(command_line(args, gdir, None if args.no_disk else disk,
                           "console=ttyS0", not args.no_rng),
              args.timeout, sys.stdout if args.verbose else None)
    try:
        secs = g.boot()
        res.check(f"boot to shell prompt ({secs:.1f} s)", True)

        rc, out = g.run("nproc")
        res.check("nproc", rc == 0 and out == str(args.smp), f"got {out!r}")

        if args.no_disk:
            res.skip("virtio-blk disk checks", "--no-disk")
        else:
            disk_checks(g, manifest, res)

        if args.no_rng:
            res.skip("virtio-rng /dev/hwrng", "--no-rng")
        else:
            rc, out = g.run("head -c 16 /dev/hwrng | od -x")
            first = out.splitlines()[0].split() if out else []
            res.check("virtio-rng /dev/hwrng", rc == 0 and len(first) == 9,
                      f"got {out!r}")

        rc, out = g.run("date +%s")
        host = time.time()
        ok = rc == 0 and out.isdigit() and abs(int(out) - host) < 120
        res.check("guest date is the host date", ok, f"guest {out!r} host {int(host)}")

        rc, out = g.run("sleep 5 & jobs; kill %1")
        res.check("job control", rc == 0 and "Running" in out, f"got {out!r}")

        g.p.sendline("poweroff")
        status, sig = g.wait_exit()
        res.check("poweroff exits the emulator with status 0",
                  status == 0, f"status {status} signal {sig}")
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        res.check("guest session", False, f"{type(e).__name__}; last output: "
                  f"{g.p.before[-500:] if isinstance(g.p.before, str) else ''!r}")
    finally:
        g.kill()


def command_boot(args, gdir, res):
    """vireo.cmd=...: runs the command instead of a shell, then powers off."""
    g = Guest(command_line(args, gdir, None,
                           "console=ttyS0 vireo.cmd=echo cmd-$((6*7))", False),
              args.timeout, sys.stdout if args.verbose else None)
    try:
        g.p.expect_exact("cmd-42")
        status, sig = g.wait_exit()
        res.check("vireo.cmd= runs and powers off", status == 0,
                  f"status {status} signal {sig}")
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        res.check("vireo.cmd= runs and powers off", False, type(e).__name__)
    finally:
        g.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--emulator", default="qemu-system-riscv64",
                    help="emulator command (words split on spaces)")
    ap.add_argument("--bios", default=DEBIAN_FW,
                    help="firmware for -bios (default: Debian's OpenSBI)")
    ap.add_argument("--guest", help="guest directory (default: guest/build.sh)")
    ap.add_argument("--smp", type=int, default=4)
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds allowed for each step")
    ap.add_argument("--no-disk", action="store_true",
                    help="no virtio-blk disk (for emulators without one yet)")
    ap.add_argument("--no-rng", action="store_true",
                    help="no virtio-rng device")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the guest console")
    args = ap.parse_args()

    gdir = guest_dir(args)
    res = Results()
    # The cached disk must never change: the guest writes to a copy.
    with tempfile.TemporaryDirectory(prefix="vireo-selftest-") as tmp:
        disk = os.path.join(tmp, "disk.ext4")
        shutil.copyfile(os.path.join(gdir, "disk.ext4"), disk)
        interactive_boot(args, gdir, disk, res)
    command_boot(args, gdir, res)
    print(f"{res.passed} passed, {res.failed} failed, {res.skipped} skipped")
    sys.exit(0 if res.failed == 0 else 1)


if __name__ == "__main__":
    main()
