"""A booted guest on qcow2 disks (issue 5, "in the guest").

Three boots share one image, a qcow2 overlay made by vireo-img over a
copy of the test guest's raw ext4 disk (so every write the guest makes
is a copy-on-write against the backing file):

1. -drive file=top.qcow2,if=virtio: the guest reads a known file from the
   backing file, writes a note, syncs and powers off. The image then
   passes vireo-img check (and qemu-img check when qemu-utils is there).
2. -snapshot: the guest sees the note, writes a second one and powers
   off; the image file is byte-for-byte unchanged and the temporary
   overlay is gone.
3. -blockdev driver=qcow2,... with -device virtio-blk-device,drive=d0 and
   aio=io_uring on the protocol node: the note from boot 1 is there, the
   one from boot 2 is not.

A fourth boot reads a disk QEMU's own tools made (an overlay over a
zstd-compressed base holding a snapshot, partly written by qemu-io): the
guest's sha256 of the whole of /dev/vda equals the expected content's.
"""
import glob
import hashlib
import os
import shutil

import pytest

from conftest import run
from imgutil import guest_disk_from_qemu, qemu_img, qemu_io  # noqa: F401
from vm import Guest, guest_dir, vireo_cmd


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@pytest.fixture(scope="module")
def images(system_riscv64, vireo_img, tmp_path_factory):
    d, why = guest_dir()
    if not d:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("qcow2-guest")
    base = tmp / "base.raw"
    shutil.copy(os.path.join(d, "disk.ext4"), base)
    top = tmp / "top.qcow2"
    p = run([vireo_img, "create", "-q", "-f", "qcow2", "-b", "base.raw",
             "-F", "raw", "-o", "cluster_size=65536", str(top)])
    assert p.returncode == 0, p.stderr
    return {"guest": d, "tmp": tmp, "base": base, "top": top,
            "manifest": open(os.path.join(d, "disk-manifest.txt")).read()}


def boot(system_riscv64, images, name, extra):
    cmd = vireo_cmd(system_riscv64, images["guest"], extra=extra)
    g = Guest(cmd, log_path=str(images["tmp"] / ("%s.log" % name)))
    g.wait_shell()
    return g


def test_1_write_survives_power_off(system_riscv64, vireo_img, images):
    g = boot(system_riscv64, images, "drive",
             ["-drive", "file=%s,if=virtio" % images["top"]])
    try:
        g.check("mount /dev/vda /mnt")
        digest = g.check("sha256sum /mnt/hello.txt").split()[0]
        assert digest in images["manifest"]
        g.check("dd if=/dev/urandom of=/mnt/blob bs=1k count=300 2>/dev/null")
        images["blob"] = g.check("sha256sum /mnt/blob").split()[0]
        g.check("echo written-on-qcow2 > /mnt/note.txt && sync")
        g.check("umount /mnt")
        assert g.poweroff() == 0
    finally:
        g.kill()
    p = run([vireo_img, "check", str(images["top"])])
    assert p.returncode == 0, p.stdout + p.stderr
    if shutil.which("qemu-img"):
        p = run(["qemu-img", "check", str(images["top"])])
        assert p.returncode == 0, p.stdout + p.stderr
    # The backing file was only read.
    assert sha256(images["base"]) == sha256(
        os.path.join(images["guest"], "disk.ext4"))


def test_2_snapshot_leaves_image_untouched(system_riscv64, images):
    before = sha256(images["top"])
    tmpdir = images["tmp"] / "overlays"
    tmpdir.mkdir()
    env_cmd = vireo_cmd(system_riscv64, images["guest"], extra=[
        "-snapshot", "-drive", "file=%s,if=virtio,format=qcow2"
        % images["top"]])
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmpdir)      # where the overlay goes
    try:
        g = Guest(env_cmd, log_path=str(images["tmp"] / "snapshot.log"))
    finally:
        if old is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = old
    try:
        g.wait_shell()
        g.check("mount /dev/vda /mnt")
        assert g.check("cat /mnt/note.txt") == "written-on-qcow2"
        assert glob.glob(str(tmpdir / "vl.*")), "no temporary overlay"
        g.check("echo only-in-the-overlay > /mnt/note2.txt && sync")
        g.check("rm /mnt/note.txt && sync")
        g.check("umount /mnt")
        assert g.poweroff() == 0
    finally:
        g.kill()
    assert sha256(images["top"]) == before
    assert not glob.glob(str(tmpdir / "vl.*")), "overlay left behind"


def test_3_blockdev_reads_back(system_riscv64, images):
    g = boot(system_riscv64, images, "blockdev", [
        "-blockdev", "driver=qcow2,node-name=d0,file.driver=file,"
        "file.filename=%s,file.aio=io_uring" % images["top"],
        "-device", "virtio-blk-device,drive=d0"])
    try:
        g.check("mount /dev/vda /mnt")
        assert g.check("cat /mnt/note.txt") == "written-on-qcow2"
        assert g.check("sha256sum /mnt/blob").split()[0] == images["blob"]
        assert g.run("test -e /mnt/note2.txt") == "" and g.last_status != 0
        g.check("umount /mnt")
        assert g.poweroff() == 0
    finally:
        g.kill()


def test_4_guest_reads_qemu_made_image(system_riscv64, images, qemu_img,
                                       qemu_io):
    top, model = guest_disk_from_qemu(images["tmp"], qemu_img, qemu_io)
    g = boot(system_riscv64, images, "qemu-made",
             ["-drive", "file=%s,if=virtio,format=qcow2" % top])
    try:
        digest = g.check("sha256sum /dev/vda").split()[0]
        assert digest == hashlib.sha256(model.data).hexdigest()
        assert g.poweroff() == 0
    finally:
        g.kill()
