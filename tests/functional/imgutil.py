"""Helpers for the disk-image tests (test_img_*.py).

- Tools: run vireo-img / vireo-io and the peer's qemu-img / qemu-io with
  stdin closed and a timeout, and assert on their exit status.
- DiskModel: the expected guest-visible content of an image, kept as a
  bytearray, so any image can be checked against it by converting it to
  raw with the *other* tool (qemu-img for Vireo's images and the other
  way round).
- qcow2 header access for tests that damage images on purpose.
"""
import os
import struct
import subprocess

KiB = 1024
MiB = 1024 * KiB


def run(cmd, timeout=120, check=None, **kw):
    """Run @cmd (list) with no stdin; return the CompletedProcess.

    @check: an expected exit status; a mismatch fails with the output.
    """
    cp = subprocess.run([str(c) for c in cmd], stdin=subprocess.DEVNULL,
                        capture_output=True, text=True, timeout=timeout,
                        errors="replace", **kw)
    if check is not None and cp.returncode != check:
        raise AssertionError(
            f"{' '.join(map(str, cmd))}: exit {cp.returncode}, expected "
            f"{check}\nstdout: {cp.stdout[-2000:]}\nstderr: "
            f"{cp.stderr[-2000:]}")
    return cp


class DiskModel:
    """What a guest should read from an image: a bytearray per byte."""

    def __init__(self, size):
        self.data = bytearray(size)

    @property
    def size(self):
        return len(self.data)

    def write(self, offset, length, pattern):
        self.data[offset:offset + length] = bytes([pattern]) * length

    def zero(self, offset, length):
        self.write(offset, length, 0)

    def resize(self, size):
        if size < len(self.data):
            del self.data[size:]
        else:
            self.data.extend(bytes(size - len(self.data)))

    def copy(self):
        other = DiskModel(0)
        other.data = bytearray(self.data)
        return other

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.data)
        return path

    def first_difference(self, path):
        """Offset of the first byte where @path differs, or None."""
        with open(path, "rb") as f:
            got = f.read()
        if got == bytes(self.data):
            return None
        n = min(len(got), len(self.data))
        for i in range(0, n, 4096):
            if got[i:i + 4096] != self.data[i:i + 4096]:
                for j in range(i, min(i + 4096, n)):
                    if got[j] != self.data[j]:
                        return j
        return n


def io_commands(writes):
    """qemu-io/vireo-io command strings for (offset, length, pattern)."""
    cmds = []
    for off, length, pat in writes:
        if pat is None:
            cmds += ["-c", f"write -z {off} {length}"]
        else:
            cmds += ["-c", f"write -P {pat:#x} {off} {length}"]
    return cmds


# --- qcow2 header fields (QEMU docs/interop/qcow2.txt) ---

QCOW2_HEADER = struct.Struct(">4sIQIIQIIQQIIQ")  # up to snapshots_offset


def qcow2_header(path):
    """The v2 header fields of @path as a dict."""
    with open(path, "rb") as f:
        raw = f.read(QCOW2_HEADER.size)
    (magic, version, backing_offset, backing_size, cluster_bits, size,
     crypt, l1_size, l1_offset, rt_offset, rt_clusters, nb_snapshots,
     snapshots_offset) = QCOW2_HEADER.unpack(raw)
    return dict(magic=magic, version=version, backing_offset=backing_offset,
                backing_size=backing_size, cluster_bits=cluster_bits,
                size=size, l1_size=l1_size, l1_offset=l1_offset,
                refcount_table_offset=rt_offset,
                refcount_table_clusters=rt_clusters,
                nb_snapshots=nb_snapshots, snapshots_offset=snapshots_offset)


def patch(path, offset, data):
    """Overwrite bytes of @path at @offset."""
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def file_size(path):
    return os.stat(path).st_size


# --- fixtures (test modules import them by name) ---

import shutil  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def vireo_io(build_dir):
    """build/tools/vireo-io: the small qemu-io the image tests drive."""
    path = os.path.join(build_dir, "tools", "vireo-io")
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: build the tree first")
    return path


def _peer(name):
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (Debian's qemu-utils is the "
                    "interoperability peer)")
    return path


@pytest.fixture(scope="session")
def qemu_img():
    """Debian's qemu-img; skips the test, with the reason, if absent."""
    return _peer("qemu-img")


@pytest.fixture(scope="session")
def qemu_io():
    return _peer("qemu-io")


@pytest.fixture(scope="session")
def vireo_img_asan(build_dir):
    """vireo-img of the sanitizer build (make build-asan), for error paths.

    Found next to the main build as build-asan/ (or $VIREO_ASAN_BUILD).
    """
    asan = os.environ.get("VIREO_ASAN_BUILD") or os.path.join(
        os.path.dirname(build_dir), "build-asan")
    path = os.path.join(asan, "vireo-img")
    if not os.path.exists(path):
        pytest.skip(f"no sanitizer build at {asan} (make build-asan)")
    return path


def guest_disk_from_qemu(directory, qemu_img_path, qemu_io_path):
    """A qcow2 disk made by QEMU's tools, for a guest boot to read.

    The disk is an overlay (64 KiB clusters) over a zstd-compressed base
    (4 KiB clusters) that also holds an internal snapshot, so a guest
    reading all of /dev/vda exercises backing files, compressed clusters
    and partial-cluster COW at once. Returns (path, DiskModel): compare
    e.g. `md5sum /dev/vda` in the guest with
    hashlib.md5(model.data).hexdigest().
    """
    import hashlib  # noqa: F401 (for the caller's convenience, see above)
    directory = str(directory)
    size = 4 * MiB
    model = DiskModel(size)
    src = os.path.join(directory, "guest-src.raw")
    for i in range(0, size, 256 * KiB):
        model.write(i, 64 * KiB, (i // (256 * KiB)) % 250 + 1)
    model.save(src)
    base = os.path.join(directory, "guest-base.qcow2")
    top = os.path.join(directory, "guest-top.qcow2")
    run([qemu_img_path, "convert", "-c", "-f", "raw", "-O", "qcow2", "-o",
         "cluster_size=4096,compression_type=zstd", src, base], check=0)
    run([qemu_img_path, "snapshot", "-c", "before-overlay", base], check=0)
    run([qemu_img_path, "create", "-q", "-f", "qcow2", "-o",
         "cluster_size=65536", "-b", "guest-base.qcow2", "-F", "qcow2", top],
        check=0)
    writes = [(100 * KiB, 8 * KiB, 0xa1), (1 * MiB + 512, 4096, 0xa2),
              (3 * MiB, 256 * KiB, None)]
    run([qemu_io_path, "-f", "qcow2"] + io_commands(writes) + [top],
        check=0)
    for off, length, pat in writes:
        if pat is None:
            model.zero(off, length)
        else:
            model.write(off, length, pat)
    os.unlink(src)
    return top, model
