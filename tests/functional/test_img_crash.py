"""Crash safety of Vireo's qcow2: power loss replayed, and SIGKILL.

Power loss. vireo-io runs a seeded random workload (writes, zero writes,
discards, flushes; on a plain image, on an overlay over a backing file,
with compressed writes) on a qcow2 image through the blklog driver, which
logs every write and flush that reaches the image file, plus a MARK
before and after each of the workload's operations. The test then
rebuilds the disk as a power loss after any prefix of that log could have
left it: everything the last completed flush covers is on disk, and of
the writes after it, any subset may have landed, in any order, even torn
into 512-byte sectors. For every prefix it tries all of them, none of
them, and random subsets (some torn). Every resulting image must

  - pass vireo-img check and qemu-img check (leaked clusters allowed:
    exit 0 or 3), and
  - read back (through qemu-img, the independent reader) so that each
    512-byte sector holds either what the last write acknowledged by a
    completed flush put there, or what a later write issued before the
    crash put there: never older data, never another sector's data.

SIGKILL. The same kind of workload runs with acknowledgements on
stdout after each flush and is killed at random moments; vireo-img
convert, snapshot and commit are killed halfway too. The images must
pass both checks, and the workload's image must hold everything
acknowledged.

Skipped, with the reason, only if qemu-utils is absent.
"""
import concurrent.futures
import hashlib
import os
import random
import shutil
import struct
import subprocess
import threading
import time

import pytest

from imgutil import (KiB, MiB, run, qemu_img, vireo_io)  # noqa: F401

SECTOR = 512
LOG_MAGIC = b"BLKLOG01"
REC = struct.Struct("<IIQQQ")
WRITE, ZERO, DISCARD, TRUNCATE, FLUSH, MARK = 1, 2, 3, 4, 5, 6


# --- the workload ---

class Op:
    """One guest operation: kind is write/zero/discard/compress/flush."""

    def __init__(self, index, kind, offset=0, length=0, pattern=0):
        self.index, self.kind = index, kind
        self.offset, self.length, self.pattern = offset, length, pattern

    def command(self):
        if self.kind == "write":
            return f"write -P {self.pattern} {self.offset} {self.length}"
        if self.kind == "compress":
            return f"write -c -P {self.pattern} {self.offset} {self.length}"
        if self.kind == "zero":
            return f"write -z {self.offset} {self.length}"
        if self.kind == "discard":
            return f"discard {self.offset} {self.length}"
        return "flush"

    def value(self):
        """What the op leaves in its sectors (discard reads as zeroes)."""
        return self.pattern if self.kind in ("write", "compress") else 0


def make_workload(seed, size, cluster, nops, compress=False):
    rnd = random.Random(seed)
    ops, pattern = [], 0
    for i in range(nops):
        r = rnd.random()
        if r < 0.2:
            ops.append(Op(i, "flush"))
            continue
        if compress and r < 0.35:
            # One whole cluster (compressed writes take whole clusters).
            off = rnd.randrange(size // cluster) * cluster
            pattern = pattern % 250 + 1
            ops.append(Op(i, "compress", off, cluster, pattern))
            continue
        length = rnd.choice([SECTOR, 4 * KiB, cluster, 2 * cluster + SECTOR,
                             rnd.randrange(1, 64) * SECTOR])
        length = min(length, size)
        off = rnd.randrange((size - length) // SECTOR + 1) * SECTOR
        if r < 0.3:
            ops.append(Op(i, "zero", off, length))
        elif r < 0.38:
            ops.append(Op(i, "discard", off, length))
        else:
            pattern = pattern % 250 + 1
            ops.append(Op(i, "write", off, length, pattern))
    ops.append(Op(nops, "flush"))
    return ops


def script(ops, marks=True, acks=False):
    lines = []
    for op in ops:
        if marks:
            lines.append(f"mark S {op.index}")
        lines.append(op.command())
        if marks:
            lines.append(f"mark E {op.index}")
        if acks and op.kind == "flush":
            lines.append(f"echo ack {op.index}")
    return "\n".join(lines) + "\n"


# --- what a sector may hold ---

def allowed_values(ops, durable, issued, initial):
    """Per sector: the set of values a crash may leave there.

    @durable: op indexes a completed flush covers; @issued: op indexes
    started before the crash; @initial: sector -> value before the
    workload (a dict, absent = 0).
    """
    nsect = max(initial) + 1 if initial else 0
    for op in ops:
        if op.length:
            nsect = max(nsect, (op.offset + op.length) // SECTOR)
    base = [initial.get(s, 0) for s in range(nsect)]
    extra = [None] * nsect
    for op in ops:
        if op.index in durable and op.length and op.kind == "discard":
            # A discard is a hint (qcow2 ignores partial clusters): the
            # sectors read as before or as zeroes, even once flushed.
            for s in range(op.offset // SECTOR,
                           (op.offset + op.length) // SECTOR):
                extra[s] = (extra[s] or set()) | {0}
        elif op.index in durable and op.length:
            for s in range(op.offset // SECTOR,
                           (op.offset + op.length) // SECTOR):
                base[s] = op.value()
                extra[s] = None     # later non-durable values start over
        elif op.index in issued and op.length:
            for s in range(op.offset // SECTOR,
                           (op.offset + op.length) // SECTOR):
                if extra[s] is None:
                    extra[s] = set()
                extra[s].add(op.value())
    return base, extra


def check_content(data, base, extra):
    """None if every sector of @data is allowed, else a description."""
    for s, want in enumerate(base):
        sect = data[s * SECTOR:(s + 1) * SECTOR]
        if len(sect) < SECTOR:
            sect = sect + bytes(SECTOR - len(sect))
        ok = {want} | (extra[s] or set())
        first = sect[0]
        if sect != bytes([first]) * SECTOR or first not in ok:
            return (f"sector {s} (offset {s * SECTOR}) holds "
                    f"{sorted(set(sect))[:4]}, allowed {sorted(ok)}")
    return None


# --- the log ---

def read_log(path):
    """The records: (type, offset, length, covers, payload)."""
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:8] == LOG_MAGIC, "not a blklog log"
    pos, recs = 8, []
    while pos + REC.size <= len(raw):
        typ, _, off, length, covers = REC.unpack_from(raw, pos)
        pos += REC.size
        payload = b""
        if typ in (WRITE, MARK):
            payload = raw[pos:pos + length]
            pos += length
        recs.append((typ, off, length, covers, payload))
    return recs


def apply_record(f, rec, sectors=None):
    """Apply one record to the open image copy (@sectors: a subset)."""
    typ, off, length, _, payload = rec
    if typ == WRITE:
        if sectors is None:
            f.seek(off)
            f.write(payload)
        else:
            for s in sectors:
                f.seek(off + s * SECTOR)
                f.write(payload[s * SECTOR:(s + 1) * SECTOR])
    elif typ in (ZERO, DISCARD):
        f.seek(off)
        f.write(bytes(length))
    elif typ == TRUNCATE:
        end = f.seek(0, 2)
        if off > end:
            f.write(bytes(off - end))     # growing reads as zeroes
        else:
            f.truncate(off)


def crash_states(recs, rnd, variants):
    """Yield (prefix length, covered count, window choice) to rebuild.

    The window choice is a list of (record index, sector subset or None)
    in the order to apply.
    """
    seen = set()
    last_cover = 0
    for n in range(len(recs) + 1):
        if n and recs[n - 1][0] == FLUSH:
            last_cover = recs[n - 1][3]
        if n and recs[n - 1][0] == MARK and \
                not recs[n - 1][4].startswith(b"E "):
            continue        # a start mark changes nothing worth a replay
        window = [i for i in range(last_cover, n)
                  if recs[i][0] in (WRITE, ZERO, DISCARD, TRUNCATE)]
        choices = [list((i, None) for i in window), []]
        for v in range(variants):
            sub = [i for i in window if rnd.random() < 0.5]
            rnd.shuffle(sub)
            torn = v % 2 == 1
            choice = []
            for i in sub:
                rec = recs[i]
                if torn and rec[0] == WRITE and rec[2] > SECTOR:
                    ns = rec[2] // SECTOR
                    choice.append((i, sorted(rnd.sample(range(ns),
                                                        rnd.randrange(ns)))))
                else:
                    choice.append((i, None))
            choices.append(choice)
        for choice in choices:
            key = (n, last_cover, tuple((i, None if s is None else tuple(s))
                                        for i, s in choice))
            if key in seen:
                continue
            seen.add(key)
            yield n, last_cover, choice


def op_sets(recs, n):
    """(durable, issued) op indexes for the prefix of @n records."""
    starts, ends = {}, {}
    for i, rec in enumerate(recs[:n]):
        if rec[0] != MARK:
            continue
        kind, idx = rec[4].decode().split()
        (starts if kind == "S" else ends)[int(idx)] = i
    return starts, ends


# --- fixtures ---

class Config:
    def __init__(self, name, cluster, size, nops, backing=False,
                 compress=False, seed=1):
        self.name, self.cluster, self.size = name, cluster, size
        self.nops, self.backing, self.compress = nops, backing, compress
        self.seed = seed


CONFIGS = [
    Config("plain-4k", 4 * KiB, 1 * MiB, 32, seed=11),
    Config("plain-64k", 64 * KiB, 2 * MiB, 24, seed=12),
    Config("backing-64k", 64 * KiB, 2 * MiB, 24, backing=True, seed=13),
    Config("compressed-4k", 4 * KiB, 1 * MiB, 24, compress=True, seed=14),
    Config("small-512", 512, 256 * KiB, 32, seed=15),
]


def prepare(d, cfg, vireo_img, vireo_io_path):
    """Make the image (and backing file); return (image, initial map)."""
    img = d / "disk.qcow2"
    initial = {}
    if cfg.backing:
        base = d / "base.qcow2"
        run([vireo_img, "create", "-q", "-f", "qcow2", "-o",
             f"cluster_size={cfg.cluster}", base, cfg.size], check=0)
        run([vireo_io_path, "-f", "qcow2", "-c",
             f"write -P 0xbb 0 {cfg.size}", base], check=0)
        initial = {s: 0xbb for s in range(cfg.size // SECTOR)}
        run([vireo_img, "create", "-q", "-f", "qcow2", "-o",
             f"cluster_size={cfg.cluster}", "-b", "base.qcow2", "-F",
             "qcow2", img], check=0)
    else:
        run([vireo_img, "create", "-q", "-f", "qcow2", "-o",
             f"cluster_size={cfg.cluster}", img, cfg.size], check=0)
    return img, initial


def check_image(path, vireo_img, qemu_img_path):
    """Both checkers accept @path (leaks allowed); None or why not."""
    for tool in (vireo_img, qemu_img_path):
        cp = run([tool, "check", "-f", "qcow2", path], timeout=60)
        if cp.returncode not in (0, 3):
            return (f"{os.path.basename(tool)} check: exit "
                    f"{cp.returncode}\n{cp.stdout}{cp.stderr}")
    return None


def read_guest(path, qemu_img_path, out):
    cp = run([qemu_img_path, "convert", "-f", "qcow2", "-O", "raw", path,
              out], timeout=60)
    if cp.returncode:
        return None, f"qemu-img convert: {cp.stderr}"
    with open(out, "rb") as f:
        return f.read(), None


def build_image(pristine, recs, cover, choice):
    """The disk after a crash: @cover records, then @choice of the rest."""
    import io
    f = io.BytesIO(pristine)
    for i in range(cover):
        apply_record(f, recs[i])
    for i, sectors in choice:
        apply_record(f, recs[i], sectors)
    return f.getvalue()


def durable_and_issued(ops, recs, n):
    """Ops a completed flush covers, and ops started, in @n records."""
    starts, ends = op_sets(recs, n)
    durable = set()
    for op in ops:
        if op.kind == "flush" and op.index in ends:
            durable |= {i for i, e in ends.items() if e < starts[op.index]}
    return durable, set(starts)


@pytest.mark.parametrize("cfg", CONFIGS, ids=[c.name for c in CONFIGS])
def test_power_loss_replay(tmp_path, cfg, vireo_img, vireo_io, qemu_img):
    img, initial = prepare(tmp_path, cfg, vireo_img, vireo_io)
    pristine = img.read_bytes()
    ops = make_workload(cfg.seed, cfg.size, cfg.cluster, cfg.nops,
                        cfg.compress)
    log = tmp_path / "log"
    proc = subprocess.run([vireo_io, "-f", "qcow2", f"--blklog={log}", img],
                          input=script(ops), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    recs = read_log(log)
    assert any(r[0] == FLUSH for r in recs), "the workload never flushed"
    # The whole log must replay to the image the writer left.
    assert build_image(pristine, recs, len(recs), []) == img.read_bytes(), \
        "the log does not replay to the writer's image"

    # Many crash states leave the same bytes: check each image once.
    states, images = [], {}
    for n, cover, choice in crash_states(recs, random.Random(cfg.seed),
                                         variants=1):
        data = build_image(pristine, recs, cover, choice)
        key = hashlib.sha1(data).hexdigest()
        images.setdefault(key, data)
        states.append((n, cover, len(choice), key))

    def examine(job):
        k, (key, data) = job
        path = tmp_path / f"crash-{key[:12]}.qcow2"
        path.write_bytes(data)
        why = check_image(path, vireo_img, qemu_img)
        if why:
            return key, None, f"{why} (image kept at {path})"
        raw = tmp_path / f"{key[:12]}.raw"
        # Vireo reads every state; qemu-img, the independent reader, reads
        # every fourth and must agree.
        cp = run([vireo_img, "convert", "-f", "qcow2", "-O", "raw", path,
                  raw], timeout=60)
        if cp.returncode:
            return key, None, f"vireo-img convert: {cp.stderr}"
        guest = raw.read_bytes()
        if k % 4 == 0:
            peer, why = read_guest(path, qemu_img, raw)
            if peer is None or peer != guest:
                return key, None, why or f"qemu-img reads {path} otherwise"
        os.unlink(raw)
        os.unlink(path)
        return key, guest, None

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = {key: (guest, why) for key, guest, why in
                   pool.map(examine, enumerate(images.items()))}

    failures = []
    for n, cover, napplied, key in states:
        guest, why = results[key]
        if guest is not None:
            durable, issued = durable_and_issued(ops, recs, n)
            base, extra = allowed_values(ops, durable, issued, initial)
            why = check_content(guest, base, extra)
        if why:
            failures.append(f"prefix {n}/{len(recs)} (flush covers {cover},"
                            f" {napplied} later records applied): {why}")
    assert not failures, f"{len(failures)} of {len(states)} crash states " \
                         f"({len(images)} distinct images) fail; first: " \
                         f"{failures[0]}"


# --- SIGKILL ---

def test_sigkill_writer(tmp_path, vireo_img, vireo_io, qemu_img):
    cfg = Config("kill", 4 * KiB, 1 * MiB, 300, seed=21)
    rnd = random.Random(cfg.seed)
    img, initial = prepare(tmp_path, cfg, vireo_img, vireo_io)
    pristine = tmp_path / "pristine.qcow2"
    shutil.copyfile(img, pristine)
    ops = make_workload(cfg.seed, cfg.size, cfg.cluster, cfg.nops)
    text = script(ops, marks=False, acks=True)
    # How long a whole run takes, so kills land inside it.
    t0 = time.monotonic()
    subprocess.run([vireo_io, "-f", "qcow2", img], input=text,
                   capture_output=True, text=True, timeout=120, check=True)
    span = time.monotonic() - t0
    for attempt in range(8):
        shutil.copyfile(pristine, img)
        proc = subprocess.Popen([vireo_io, "-f", "qcow2", img],
                                stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        killer = threading.Timer(rnd.uniform(0.05, 0.95) * span, proc.kill)
        killer.start()
        proc.stdin.write(text)
        proc.stdin.close()
        # What was acknowledged before the kill (or the end) is durable.
        acked = -1
        for line in proc.stdout:
            if line.startswith("ack "):
                acked = int(line.split()[1])
        proc.wait()
        killer.cancel()
        why = check_image(img, vireo_img, qemu_img)
        assert why is None, f"kill {attempt}: {why}"
        durable = {op.index for op in ops if op.index < acked}
        base, extra = allowed_values(ops, durable,
                                     {op.index for op in ops}, initial)
        data, why = read_guest(img, qemu_img, tmp_path / "out.raw")
        assert data is not None, why
        why = check_content(data, base, extra)
        assert why is None, f"kill {attempt} after ack {acked}: {why}"


# What to kill, and the images it may leave half-written.
KILLED_COMMANDS = {
    "convert": (lambda d: ["convert", "-f", "raw", "-O", "qcow2", "-o",
                           "cluster_size=4k", d / "src.raw",
                           d / "dst.qcow2"], ["dst.qcow2"]),
    "convert-c": (lambda d: ["convert", "-c", "-f", "raw", "-O", "qcow2",
                             d / "src.raw", d / "dst.qcow2"], ["dst.qcow2"]),
    "snapshot": (lambda d: ["snapshot", "-c", "s2", d / "dst.qcow2"],
                 ["dst.qcow2"]),
    "commit": (lambda d: ["commit", d / "top.qcow2"],
               ["dst.qcow2", "top.qcow2"]),
}


@pytest.mark.parametrize("what", list(KILLED_COMMANDS))
def test_sigkill_vireo_img(tmp_path, vireo_img, vireo_io, qemu_img, what):
    rnd = random.Random(what)
    cmd, victims = KILLED_COMMANDS[what]
    src = tmp_path / "src.raw"
    with open(src, "wb") as f:
        for i in range(64):
            f.write(bytes([i + 1]) * (64 * KiB) if i % 3 else os.urandom(
                64 * KiB))
    for attempt in range(4):
        for p in tmp_path.glob("*.qcow2"):
            p.unlink()
        # Starting state: a qcow2 with a snapshot, and a chain to commit.
        run([vireo_img, "convert", "-f", "raw", "-O", "qcow2", "-o",
             "cluster_size=4k", src, tmp_path / "dst.qcow2"], check=0)
        run([vireo_img, "snapshot", "-c", "s1", tmp_path / "dst.qcow2"],
            check=0)
        run([vireo_img, "create", "-q", "-f", "qcow2", "-b", "dst.qcow2",
             "-F", "qcow2", tmp_path / "top.qcow2"], check=0)
        run([vireo_io, "-f", "qcow2", "-c", "write -P 0x5a 0 3M",
             tmp_path / "top.qcow2"], check=0)
        if what.startswith("convert"):
            (tmp_path / "top.qcow2").unlink()
            (tmp_path / "dst.qcow2").unlink()
        proc = subprocess.Popen([vireo_img] + cmd(tmp_path),
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.0, 0.06))
        proc.kill()
        proc.wait()
        for name in victims:
            path = tmp_path / name
            if not path.exists():
                continue
            if what.startswith("convert") and run(
                    [qemu_img, "info", "-f", "qcow2", path]).returncode:
                continue    # killed before the header was complete
            why = check_image(path, vireo_img, qemu_img)
            assert why is None, f"{what}, attempt {attempt}, {name}: {why}"


def test_l1_growth_killed_at_every_write(tmp_path, vireo_img, vireo_io,
                                         qemu_img):
    """A resize that grows the L1 table, then writes through the new
    table: every prefix of the write log (what a writer killed at that
    moment leaves on disk) passes both checks. The header must not point
    at the new table before the refcount that protects it is written
    (found by test_sigkill_vireo_img as 'refcount=0 reference=1')."""
    img = tmp_path / "disk.qcow2"
    run([vireo_img, "create", "-q", "-f", "qcow2", "-o", "cluster_size=512",
         img, "64K"], check=0)
    pristine = img.read_bytes()
    log = tmp_path / "log"
    cmds = ["write -P 0x11 0 8k", "truncate 8M", "write -P 0x22 7M 8k",
            "flush"]
    proc = subprocess.run(
        [vireo_io, "-f", "qcow2", f"--blklog={log}"] +
        [a for c in cmds for a in ("-c", c)] + [img],
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recs = read_log(log)
    # The header's l1_table_offset (bytes 40..47) moved: the table grew.
    assert img.read_bytes()[40:48] != pristine[40:48], "L1 did not move"
    state = tmp_path / "state.qcow2"
    for n in range(len(recs) + 1):
        state.write_bytes(build_image(pristine, recs, n, []))
        why = check_image(state, vireo_img, qemu_img)
        assert why is None, f"after {n} of {len(recs)} records: {why}"
