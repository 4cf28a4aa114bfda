"""The riscv64 virt machine boots Linux to a shell (virt issue).

One boot per -smp value serves every check: the shell, nproc, the RTC,
the hardware RNG, the disk on virtio-blk (read a known file, write one,
reboot, find it again) and power-off with status 0. The 4-hart boot runs
on both TCG backends (IR interpreter and x86-64 JIT), the others on the
default one, which keeps the suite's time down.
"""
import datetime
import os
import platform
import shutil
import subprocess

import pytest

from conftest import need_tool, run
from vm import Guest, guest_dir, vireo_cmd


@pytest.fixture(scope="session")
def guest():
    d, why = guest_dir()
    if not d:
        pytest.skip(why)
    return d


# (harts, virtio-mmio register layout, TCG backend or None for the
# default): QEMU's legacy layout, and the virtio 1.x layout through
# -global. The JIT exists on x86-64 hosts only.
BOOTS = [(1, "legacy", None), (4, "legacy", "interp"), (2, "modern", None)]
if platform.machine() == "x86_64":
    BOOTS.insert(2, (4, "legacy", "jit"))


@pytest.fixture(scope="module", params=BOOTS,
                ids=["smp%d-%s" % b[:2] + ("-" + b[2] if b[2] else "")
                     for b in BOOTS])
def booted(request, system_riscv64, guest, tmp_path_factory):
    smp, layout, backend = request.param
    tmp = tmp_path_factory.mktemp("boot-smp%d-%s" % (smp, backend))
    disk = tmp / "disk.ext4"
    shutil.copy(os.path.join(guest, "disk.ext4"), disk)
    cmd = vireo_cmd(system_riscv64, guest, smp=smp, extra=[
        "-drive", "file=%s,if=virtio,format=raw" % disk,
        "-device", "virtio-rng-device"] + (
        ["-global", "virtio-mmio.force-legacy=off"]
        if layout == "modern" else []) + (
        ["-accel", "tcg,backend=%s" % backend] if backend else []))
    g = Guest(cmd, log_path=str(tmp / "console.log"))
    g.smp = smp
    g.disk = disk
    g.manifest = open(os.path.join(guest, "disk-manifest.txt")).read()
    try:
        g.wait_shell()
        yield g
    finally:
        g.kill()


def test_shell_and_nproc(booted):
    assert booted.check("nproc") == str(booted.smp)


def test_rtc_shows_host_date(booted):
    out = booted.check("date -u +%s")
    guest = int(out.split()[-1])
    host = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    assert abs(guest - host) < 120


def test_hwrng_gives_random_bytes(booted):
    out = booted.check("head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \\n'")
    assert len(out) == 64 and out != "0" * 64
    again = booted.check("head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \\n'")
    assert again != out


def test_read_known_file_from_disk(booted):
    booted.check("mount /dev/vda /mnt")
    text = booted.check("cat /mnt/hello.txt")
    digest = booted.check("sha256sum /mnt/hello.txt").split()[0]
    assert digest in booted.manifest
    assert text


def test_file_survives_reboot_then_poweroff(booted):
    # Runs last in the module: reboots the guest and powers it off.
    booted.check("mount | grep -q /mnt || mount /dev/vda /mnt")
    booted.check("echo persisted-%d > /mnt/note.txt && sync" % booted.smp)
    booted.child.sendline("umount /mnt; reboot")
    booted.wait_shell()
    booted.check("mount /dev/vda /mnt")
    assert booted.check("cat /mnt/note.txt") == "persisted-%d" % booted.smp
    booted.check("umount /mnt")
    assert booted.poweroff() == 0


FINISHER_PROGRAM = r"""
    .globl _start
_start:
    li t0, 0x100000
    li t1, (5 << 16) | 0x3333   /* sifive_test: fail with code 5 */
    sw t1, 0(t0)
1:  j 1b
"""


def test_sifive_test_fail_code_is_exit_status(system_riscv64, tmp_path):
    cc = need_tool("riscv64-unknown-elf-gcc")
    (tmp_path / "f.S").write_text(FINISHER_PROGRAM)
    elf = tmp_path / "f.elf"
    subprocess.run([cc, "-nostdlib", "-Wl,-N", "-Wl,-Ttext=0x80000000",
                    str(tmp_path / "f.S"), "-o", str(elf)], check=True)
    p = run([system_riscv64, "-M", "virt", "-bios", "none", "-nographic",
             "-kernel", str(elf)])
    assert p.returncode == 5


def test_dumpdtb(system_riscv64, tmp_path):
    dtb = tmp_path / "virt.dtb"
    p = run([system_riscv64, "-M", "virt,dumpdtb=%s" % dtb, "-smp", "2"])
    assert p.returncode == 0
    data = dtb.read_bytes()
    assert data[:4] == b"\xd0\x0d\xfe\xed"
    if shutil.which("dtc"):
        text = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", str(dtb)],
                              capture_output=True, text=True).stdout
        assert "riscv,plic0" in text and "ns16550a" in text
        assert "virtio,mmio" in text and "cpu@1" in text
