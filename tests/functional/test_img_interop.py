"""qcow2 interoperability with Debian's qemu-utils, both ways.

Each shape of image (plain data, a backing chain, compressed with zlib
and zstd, internal snapshots, a resize, a commit, a rebase, a qcow2 v2)
is built at every cluster size from 512 bytes to 2 MiB twice: once by
Vireo's tools (vireo-img, vireo-io) and once by QEMU's (qemu-img,
qemu-io), while a DiskModel records what a guest must read.

- An image Vireo made must pass qemu-img check with no error and no leak,
  and qemu-img compare must find it equal to the expected content (and
  each snapshot equal to what it captured).
- An image QEMU made must pass vireo-img check, read back exactly
  (vireo-img compare, vireo-img convert -O raw), and vireo-img info, map
  and snapshot -l must print what qemu-img prints for the same file.

The whole module skips, with the reason, only when qemu-utils is absent.
"""
import json
import os

import pytest

from imgutil import (DiskModel, KiB, MiB, io_commands, run,  # noqa: F401
                     qemu_img, qemu_io, vireo_io)

CLUSTER_SIZES = [512, 4 * KiB, 64 * KiB, 2 * MiB]
SIZE = 4 * MiB

# Writes that start and end inside clusters of every size above, cross
# cluster boundaries, and include a zero write: (offset, length, pattern
# or None for zeroes).
BASE_WRITES = [
    (0, 64 * KiB, 0x11),
    (96 * KiB + 512, 8 * KiB, 0x22),
    (1 * MiB - 4 * KiB, 12 * KiB, 0x33),
    (3 * MiB + 512, 1536, 0x44),
    (16 * KiB, 8 * KiB, None),
]
TOP_WRITES = [
    (32 * KiB, 64 * KiB, 0x55),
    (2 * MiB - 512, 1024, 0x66),
    (3 * MiB, 4 * KiB, None),
]
MORE_WRITES = [(512 * KiB, 4 * KiB, 0x77), (0, 512, 0x78)]


def apply(model, writes):
    for off, length, pat in writes:
        if pat is None:
            model.zero(off, length)
        else:
            model.write(off, length, pat)


class Side:
    """One tool set: Vireo's or QEMU's, driven the same way."""

    def __init__(self, name, img, io):
        self.name, self.img, self.io = name, img, io

    def create(self, path, size=SIZE, cluster=64 * KiB, backing=None,
               opts=()):
        o = [f"cluster_size={cluster}"] + list(opts)
        cmd = [self.img, "create", "-q", "-f", "qcow2", "-o", ",".join(o)]
        if backing:
            cmd += ["-b", os.path.basename(backing), "-F", "qcow2"]
        cmd += [path]
        if size is not None:
            cmd += [str(size)]
        run(cmd, check=0)

    def write(self, path, writes):
        run([self.io, "-f", "qcow2"] + io_commands(writes) + [path], check=0)

    def snapshot(self, flag, name, path):
        run([self.img, "snapshot", flag, name, path], check=0)

    def convert_compressed(self, src_raw, path, cluster, ctype):
        run([self.img, "convert", "-c", "-f", "raw", "-O", "qcow2", "-o",
             f"cluster_size={cluster},compression_type={ctype}", src_raw,
             path], check=0)

    def resize(self, path, size, shrink=False):
        run([self.img, "resize", "-q", "-f", "qcow2"] +
            (["--shrink"] if shrink else []) + [path, str(size)], check=0)

    def commit(self, path):
        run([self.img, "commit", "-q", "-f", "qcow2", path], check=0)

    def rebase(self, path, backing):
        run([self.img, "rebase", "-q", "-f", "qcow2", "-b",
             os.path.basename(backing), "-F", "qcow2", path], check=0)


# --- shapes: each returns (image, model, {snapshot name: model}) ---

def shape_plain(side, d, cs):
    img, m = d / "plain.qcow2", DiskModel(SIZE)
    side.create(img, cluster=cs)
    side.write(img, BASE_WRITES + TOP_WRITES)
    apply(m, BASE_WRITES + TOP_WRITES)
    return img, m, {}


def shape_backing(side, d, cs):
    base, top, m = d / "base.qcow2", d / "top.qcow2", DiskModel(SIZE)
    side.create(base, cluster=cs)
    side.write(base, BASE_WRITES)
    apply(m, BASE_WRITES)
    # The overlay's own cluster size differs, so COW reads partial ranges.
    side.create(top, size=None, cluster=max(512, cs // 2), backing=base)
    side.write(top, TOP_WRITES)
    apply(m, TOP_WRITES)
    return top, m, {}


def _compressed(side, d, cs, ctype):
    m = DiskModel(SIZE)
    apply(m, BASE_WRITES + TOP_WRITES)
    # Some incompressible data too, so both kinds of cluster appear.
    rnd = os.urandom(16 * KiB)
    m.data[2 * MiB:2 * MiB + len(rnd)] = rnd
    src = m.save(d / "src.raw")
    img = d / f"comp-{ctype}.qcow2"
    side.convert_compressed(src, img, cs, ctype)
    # Writing over a compressed cluster must reallocate it.
    side.write(img, MORE_WRITES)
    apply(m, MORE_WRITES)
    return img, m, {}


def shape_zlib(side, d, cs):
    return _compressed(side, d, cs, "zlib")


def shape_zstd(side, d, cs):
    return _compressed(side, d, cs, "zstd")


def shape_snapshots(side, d, cs):
    img, m = d / "snap.qcow2", DiskModel(SIZE)
    side.create(img, cluster=cs)
    side.write(img, BASE_WRITES)
    apply(m, BASE_WRITES)
    side.snapshot("-c", "first", img)
    snaps = {"first": m.copy()}
    side.write(img, TOP_WRITES)
    apply(m, TOP_WRITES)
    side.snapshot("-c", "second", img)
    snaps["second"] = m.copy()
    side.snapshot("-c", "doomed", img)
    side.write(img, MORE_WRITES)
    apply(m, MORE_WRITES)
    side.snapshot("-d", "doomed", img)
    # Back to the first state, then diverge from it.
    side.snapshot("-a", "first", img)
    m = snaps["first"].copy()
    side.write(img, MORE_WRITES)
    apply(m, MORE_WRITES)
    return img, m, snaps


def shape_resize(side, d, cs):
    img, m = d / "resize.qcow2", DiskModel(1 * MiB)
    side.create(img, size=1 * MiB, cluster=cs)
    side.write(img, [(0, 64 * KiB, 0x11), (1 * MiB - 512, 512, 0x12)])
    apply(m, [(0, 64 * KiB, 0x11), (1 * MiB - 512, 512, 0x12)])
    side.resize(img, "+5M")
    m.resize(6 * MiB)
    side.write(img, [(5 * MiB + 512, 8 * KiB, 0x13)])
    apply(m, [(5 * MiB + 512, 8 * KiB, 0x13)])
    side.resize(img, 3 * MiB, shrink=True)
    m.resize(3 * MiB)
    side.write(img, [(3 * MiB - 4 * KiB, 4 * KiB, 0x14)])
    apply(m, [(3 * MiB - 4 * KiB, 4 * KiB, 0x14)])
    return img, m, {}


def shape_commit(side, d, cs):
    base, top, m = d / "cbase.qcow2", d / "ctop.qcow2", DiskModel(SIZE)
    side.create(base, cluster=cs)
    side.write(base, BASE_WRITES)
    apply(m, BASE_WRITES)
    side.create(top, size=None, cluster=cs, backing=base)
    side.write(top, TOP_WRITES)
    apply(m, TOP_WRITES)
    side.commit(top)
    # The base now holds everything; the emptied top still shows it.
    return base, m, {"__also__": (top, m)}


def shape_rebase(side, d, cs):
    a, b, top = d / "ra.qcow2", d / "rb.qcow2", d / "rtop.qcow2"
    m = DiskModel(SIZE)
    side.create(a, cluster=cs)
    side.write(a, BASE_WRITES)
    apply(m, BASE_WRITES)
    side.create(b, cluster=cs)
    side.write(b, MORE_WRITES)
    side.create(top, size=None, cluster=cs, backing=a)
    side.write(top, TOP_WRITES)
    apply(m, TOP_WRITES)
    side.rebase(top, b)      # safe: the visible content must not change
    return top, m, {}


def shape_v2(side, d, cs):
    img, m = d / "v2.qcow2", DiskModel(SIZE)
    side.create(img, cluster=cs, opts=["compat=0.10"])
    side.write(img, BASE_WRITES + TOP_WRITES)
    apply(m, BASE_WRITES + TOP_WRITES)
    return img, m, {}


VIREO_SHAPES = [shape_plain, shape_backing, shape_zlib, shape_zstd,
                shape_snapshots, shape_resize, shape_commit, shape_rebase]
QEMU_SHAPES = VIREO_SHAPES + [shape_v2]


def _ids(shapes):
    return [s.__name__[6:] for s in shapes]


@pytest.fixture
def vireo_side(vireo_img, vireo_io, qemu_img):
    return Side("vireo", vireo_img, vireo_io)


@pytest.fixture
def qemu_side(qemu_img, qemu_io):
    return Side("qemu", qemu_img, qemu_io)


def _snapshot_raw(qemu, img, name, out):
    run([qemu, "convert", "-f", "qcow2", "-O", "raw", "-l",
         f"snapshot.name={name}", img, out], check=0)
    return out


@pytest.mark.parametrize("cs", CLUSTER_SIZES, ids=lambda c: f"c{c}")
@pytest.mark.parametrize("shape", VIREO_SHAPES, ids=_ids(VIREO_SHAPES))
def test_vireo_image_passes_qemu(tmp_path, vireo_side, qemu_img, shape, cs):
    img, model, snaps = shape(vireo_side, tmp_path, cs)
    expected = model.save(tmp_path / "expected.raw")
    also = snaps.pop("__also__", None)
    for path in [img] + ([also[0]] if also else []):
        cp = run([qemu_img, "check", "--output=json", "-f", "qcow2", path])
        assert cp.returncode == 0, f"qemu-img check {path}: {cp.stdout}" \
                                   f"{cp.stderr}"
        report = json.loads(cp.stdout)
        assert report.get("leaks", 0) == 0 and \
            report.get("corruptions", 0) == 0, report
        run([qemu_img, "compare", "-f", "qcow2", "-F", "raw", path,
             expected], check=0)
    for name, snap_model in snaps.items():
        raw = _snapshot_raw(qemu_img, img, name, tmp_path / f"{name}.raw")
        assert snap_model.first_difference(raw) is None, name


@pytest.mark.parametrize("cs", CLUSTER_SIZES, ids=lambda c: f"c{c}")
@pytest.mark.parametrize("shape", QEMU_SHAPES, ids=_ids(QEMU_SHAPES))
def test_qemu_image_read_by_vireo(tmp_path, qemu_side, vireo_img, qemu_img,
                                  shape, cs):
    img, model, snaps = shape(qemu_side, tmp_path, cs)
    expected = model.save(tmp_path / "expected.raw")
    snaps.pop("__also__", None)

    cp = run([vireo_img, "check", "-f", "qcow2", img])
    assert cp.returncode == 0, cp.stdout + cp.stderr
    run([vireo_img, "compare", "-f", "qcow2", "-F", "raw", img, expected],
        check=0)
    out = tmp_path / "out.raw"
    run([vireo_img, "convert", "-f", "qcow2", "-O", "raw", img, out],
        check=0)
    diff = model.first_difference(out)
    assert diff is None, f"first difference at {diff}"

    # Same file, same answers.
    for args in (["info", "--output=json"],
                 ["info", "--output=json", "--backing-chain"],
                 ["map", "--output=json"],
                 ["check", "--output=json"]):
        ours = run([vireo_img] + args + ["-f", "qcow2", img], check=0)
        theirs = run([qemu_img] + args + ["-f", "qcow2", img], check=0)
        assert json.loads(ours.stdout) == json.loads(theirs.stdout), args
    ours = run([vireo_img, "snapshot", "-l", img], check=0)
    theirs = run([qemu_img, "snapshot", "-l", img], check=0)
    assert ours.stdout == theirs.stdout
    ours = run([vireo_img, "info", "-f", "qcow2", img], check=0)
    theirs = run([qemu_img, "info", "-f", "qcow2", img], check=0)
    assert ours.stdout == theirs.stdout

    for name, snap_model in snaps.items():
        # Read the snapshot back with Vireo: apply it to a copy.
        copy = tmp_path / f"{name}.qcow2"
        copy.write_bytes(img.read_bytes())
        run([vireo_img, "snapshot", "-a", name, copy], check=0)
        run([vireo_img, "convert", "-f", "qcow2", "-O", "raw", copy,
             tmp_path / f"{name}.raw"], check=0)
        assert snap_model.first_difference(tmp_path / f"{name}.raw") is None
        run([qemu_img, "check", copy], check=0)


def test_vireo_writes_into_qemu_image_and_back(tmp_path, vireo_side,
                                               qemu_side, vireo_img,
                                               qemu_img):
    """Alternate writers on one image; both checkers stay happy."""
    img, m = tmp_path / "mixed.qcow2", DiskModel(SIZE)
    qemu_side.create(img, cluster=4 * KiB)
    for i, side in enumerate([qemu_side, vireo_side, qemu_side, vireo_side]):
        writes = [(o + i * 4096, ln, p ^ i if p else None)
                  for o, ln, p in BASE_WRITES]
        side.write(img, writes)
        apply(m, writes)
        run([qemu_img, "check", img], check=0)
        run([vireo_img, "check", img], check=0)
    expected = m.save(tmp_path / "expected.raw")
    run([qemu_img, "compare", "-F", "raw", img, expected], check=0)
    run([vireo_img, "compare", "-F", "raw", img, expected], check=0)


def test_measure_matches_qemu(tmp_path, qemu_img, vireo_img, qemu_side):
    img, _, _ = shape_plain(qemu_side, tmp_path, 64 * KiB)
    for args in (["--size", "1G", "-O", "qcow2"],
                 ["--size", "1G", "-O", "qcow2", "-o", "cluster_size=4k"],
                 ["--size", "3G", "-O", "raw"],
                 ["-O", "qcow2", str(img)],
                 ["-O", "qcow2", "-o", "cluster_size=512", str(img)],
                 ["-O", "raw", str(img)]):
        ours = run([vireo_img, "measure", "--output=json"] + args, check=0)
        theirs = run([qemu_img, "measure", "--output=json"] + args, check=0)
        assert json.loads(ours.stdout) == json.loads(theirs.stdout), args
