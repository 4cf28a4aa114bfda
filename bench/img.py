#!/usr/bin/python3
"""vireo-img against qemu-img, side by side in one run.

Cases (1 GiB images unless -s says otherwise):
  convert qcow2->qcow2       convert -f qcow2 -O qcow2
  convert raw->qcow2 -c      convert -c -f raw -O qcow2 (zlib)
  bench seq read/write       bench -c N -d 16 -s 4k -t none, stride 4 KiB
  bench rand read/write      the same with a stride of 7919 blocks, which
                             wraps around the image (qemu-img bench takes
                             offsets modulo the size) and so visits blocks
                             in a scattered order both tools share

The source is a raw file that is a quarter zeroes, a quarter random
bytes and half compressible text, and its qcow2 copy made by qemu-img,
so both tools read the same input. Writes go to a fresh copy of the
qcow2 (made before each timed run, not timed), so every write run
allocates alike.

Runs alternate (qemu, vireo, qemu, vireo, ...) so that a noisy machine
slows both alike; the table shows each tool's median wall time and the
ratio vireo/qemu (below 1: Vireo is faster). Run by hand, never part of
`make check`.

Usage: bench/img.py [-n RUNS] [-s SIZE_MIB] [-c BENCH_COUNT] [-d DIR]
                    [--vireo PATH] [--qemu PATH] [--only SUBSTRING]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1 << 20


def make_source(path, size):
    """A raw image: zeroes, random bytes and text, in 1 MiB pieces."""
    text = (b"The quick brown fox jumps over the lazy dog. " * 24000)[:MiB]
    with open(path, "wb") as f:
        for i in range(size // MiB):
            kind = i % 4
            if kind == 0:
                f.seek(MiB, 1)
            elif kind == 1:
                f.write(os.urandom(MiB))
            else:
                f.write(text)
        f.truncate(size)


def timed(cmd, setup=None):
    if setup:
        setup()
    t0 = time.monotonic()
    cp = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.monotonic() - t0
    if cp.returncode:
        sys.exit(f"failed ({cp.returncode}): {' '.join(cmd)}\n"
                 f"{cp.stderr.decode(errors='replace')}")
    return took


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=3)
    ap.add_argument("-s", "--size-mib", type=int, default=1024)
    ap.add_argument("-c", "--count", type=int, default=100000,
                    help="requests per bench run")
    ap.add_argument("-d", "--dir", default=os.path.join(
        os.environ.get("TMPDIR", "/tmp"), "vireo-img-bench"))
    ap.add_argument("--vireo", default=os.path.join(ROOT, "build",
                                                    "vireo-img"))
    ap.add_argument("--qemu", default=shutil.which("qemu-img") or
                    "qemu-img")
    ap.add_argument("--only", help="run only cases containing this")
    args = ap.parse_args()

    d = args.dir
    os.makedirs(d, exist_ok=True)
    size = args.size_mib * MiB
    raw = os.path.join(d, "src.raw")
    qcow = os.path.join(d, "src.qcow2")
    scratch = os.path.join(d, "scratch.qcow2")
    out = os.path.join(d, "out.qcow2")
    if not os.path.exists(raw) or os.path.getsize(raw) != size:
        print(f"making a {args.size_mib} MiB source in {d} ...", flush=True)
        make_source(raw, size)
        if os.path.exists(qcow):
            os.unlink(qcow)
    if not os.path.exists(qcow):
        subprocess.run([args.qemu, "convert", "-f", "raw", "-O", "qcow2",
                        raw, qcow], check=True)

    def fresh_scratch():
        subprocess.run([args.qemu, "create", "-q", "-f", "qcow2", scratch,
                        str(size)], check=True)

    def drop_out():
        if os.path.exists(out):
            os.unlink(out)

    stride = 4096 * 7919
    bench = ["-c", str(args.count), "-d", "16", "-s", "4k", "-t", "none",
             "-f", "qcow2"]
    cases = [
        ("convert qcow2->qcow2",
         lambda t: [t, "convert", "-f", "qcow2", "-O", "qcow2", qcow, out],
         drop_out),
        ("convert raw->qcow2 -c",
         lambda t: [t, "convert", "-c", "-f", "raw", "-O", "qcow2", raw,
                    out], drop_out),
        ("bench seq read", lambda t: [t, "bench"] + bench + [qcow], None),
        ("bench rand read",
         lambda t: [t, "bench"] + bench + ["-S", str(stride), qcow], None),
        ("bench seq write",
         lambda t: [t, "bench", "-w"] + bench + [scratch], fresh_scratch),
        ("bench rand write",
         lambda t: [t, "bench", "-w"] + bench + ["-S", str(stride),
                                                 scratch], fresh_scratch),
    ]
    print(f"vireo-img: {args.vireo}\nqemu-img:  {args.qemu}\n"
          f"{args.runs} runs each, alternating; wall seconds, medians\n")
    rows = []
    for name, cmd, setup in cases:
        if args.only and args.only not in name:
            continue
        q, v = [], []
        timed(cmd(args.qemu), setup)        # warm-up (page cache)
        for _ in range(args.runs):
            q.append(timed(cmd(args.qemu), setup))
            v.append(timed(cmd(args.vireo), setup))
        ratios = [b / a for a, b in zip(q, v)]
        rows.append((name, statistics.median(q), statistics.median(v),
                     statistics.median(ratios), min(ratios), max(ratios)))
        print(f"  {name}: qemu {q} vireo {v}", file=sys.stderr, flush=True)
    print(f"{'case':<24}{'qemu-img':>10}{'vireo-img':>11}{'vireo/qemu':>12}"
          f"{'(min-max)':>14}")
    for name, qm, vm, r, rmin, rmax in rows:
        print(f"{name:<24}{qm:>10.3f}{vm:>11.3f}{r:>12.2f}"
              f"{f'{rmin:.2f}-{rmax:.2f}':>14}")
    drop_out()
    if os.path.exists(scratch):
        os.unlink(scratch)


if __name__ == "__main__":
    main()
