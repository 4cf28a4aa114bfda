"""vireo-img's command line against qemu-img's: exit codes and messages.

Every case runs the same arguments through both tools in the same
directory (a 1 MiB raw image r.img, and, made by qemu-img, a qcow2 q.qcow2
and an overlay b.qcow2 on it) and checks that the exit status is the same
and that the error line says the same thing (with "qemu-img" read as
"vireo-img"). Where qemu-img spreads one error over two lines, vireo-img
prints the same words on one line: those cases compare the start only.

The error paths also run under the sanitizer build, which must print one
line and exit like the normal build, never crash or leak.
"""
import os
import re

import pytest

from imgutil import run, qemu_img, vireo_img_asan, vireo_io  # noqa: F401

# (arguments, how to compare the message): "same" (whole line) or
# "prefix" (vireo-img's line starts with qemu-img's first line).
CASES = [
    ([], "same"),
    (["nosuchcmd"], "same"),
    (["info"], "same"),
    (["info", "a", "b"], "same"),
    (["info", "--output=foo", "r.img"], "same"),
    (["info", "-Z", "r.img"], "same"),
    (["info", "--foo", "r.img"], "same"),
    (["info", "-f"], "same"),
    (["info", "--output"], "same"),
    (["info", "nonexist"], "same"),
    (["info", "-f", "foo", "r.img"], "same"),
    (["info", "-f", "qcow2", "r.img"], "same"),
    (["check"], "same"),
    (["check", "-r", "foo", "r.img"], "same"),
    (["check", "-r"], "same"),
    (["check", "-f", "raw", "r.img"], "same"),
    (["check", "--output=json", "-f", "raw", "r.img"], "same"),
    (["check", "nonexist"], "same"),
    (["create"], "same"),
    (["create", "x"], "same"),
    (["create", "-f", "foo", "x", "1M"], "same"),
    (["create", "-f", "raw", "x", "1Q"], "prefix"),
    (["create", "-f", "raw", "x", "--", "-1"], "prefix"),
    (["create", "-f", "raw", "x", "1M", "2"], "same"),
    (["create", "-f", "qcow2", "-o", "foo=1", "x", "1M"], "same"),
    (["create", "-f", "raw", "-o", "cluster_size=4k", "x", "1M"], "same"),
    (["create", "-f", "qcow2", "-o", "cluster_size=3000", "x", "1M"],
     "same"),
    (["create", "-f", "qcow2", "-o", "cluster_size=4M", "x", "1M"], "same"),
    (["create", "-f", "qcow2", "-o", "compression_type=lz4", "x", "1M"],
     "same"),
    (["create", "-f", "qcow2", "-o", "preallocation=foo", "x", "1M"],
     "same"),
    (["create", "-f", "qcow2", "-b", "nosuch", "-F", "qcow2", "x", "1M"],
     "prefix"),
    (["create", "-f", "qcow2", "-u", "-b", "nosuch", "-F", "qcow2", "y"],
     "same"),
    (["create", "-f", "raw", "-b", "r.img", "-F", "raw", "x", "1M"], "same"),
    (["create", "/nonexist/x", "1M"], "same"),
    (["create", "-f", "qcow2", "/nonexist/x", "1M"], "same"),
    (["resize", "-f", "raw", "r.img"], "same"),
    (["resize", "-f", "raw", "r.img", "abc"], "prefix"),
    (["resize", "-f", "raw", "r.img", "--", "-2M"], "same"),
    (["resize", "-f", "raw", "r.img", "0"], "same"),
    (["resize", "--preallocation=foo", "-f", "raw", "r.img", "3M"], "same"),
    (["resize", "-f", "raw", "r.img", "512k"], "same"),
    (["resize", "-f", "foo", "r.img", "1M"], "same"),
    (["compare", "r.img"], "same"),
    (["compare", "-f", "raw", "r.img", "nonexist"], "same"),
    (["compare", "-f", "foo", "r.img", "r.img"], "same"),
    (["compare", "-f", "raw", "-F", "raw", "r.img", "r.img"], "same"),
    (["convert", "r.img"], "same"),
    (["convert", "-O", "foo", "-f", "raw", "r.img", "o"], "same"),
    (["convert", "-f", "raw", "-O", "raw", "-c", "r.img", "o"], "same"),
    (["convert", "-f", "raw", "-S", "3", "r.img", "o"], "same"),
    (["convert", "-f", "raw", "-S", "foo", "r.img", "o"], "prefix"),
    (["convert", "-f", "raw", "-m", "0", "r.img", "o"], "same"),
    (["convert", "-f", "raw", "-O", "qcow2", "-B", "r.img", "r.img", "o"],
     "same"),
    (["convert", "-f", "raw", "-n", "r.img", "nonexist"], "same"),
    (["convert", "-f", "raw", "-O", "qcow2", "-c", "-o",
      "preallocation=metadata", "r.img", "o"], "same"),
    (["convert", "-f", "raw", "-B", "r.img", "-F", "raw", "-O", "qcow2",
      "r.img", "r.img", "o"], "same"),
    (["convert", "-f", "raw", "-O", "qcow2", "-o", "foo=1", "r.img", "o"],
     "same"),
    (["convert", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=3000",
      "r.img", "o"], "same"),
    (["convert", "-f", "raw", "r.img", "/nonexist/o"], "same"),
    (["map", "--output=xx", "r.img"], "same"),
    (["map", "-f", "raw", "--start-offset=-1", "r.img"], "prefix"),
    (["map", "nonexist"], "same"),
    (["measure"], "same"),
    (["measure", "--size", "1G", "-f", "raw"], "same"),
    (["measure", "--size", "1G", "r.img"], "same"),
    (["measure", "-O", "foo", "--size", "1M"], "same"),
    (["measure", "--size", "banana"], "prefix"),
    (["snapshot", "r.img", "x"], "same"),
    (["snapshot", "-l", "-c", "x", "q.qcow2"], "same"),
    (["snapshot", "-f", "raw", "-l", "r.img"], "same"),
    (["snapshot", "-c", "x", "r.img"], "same"),
    (["snapshot", "-d", "nosuch", "q.qcow2"], "same"),
    (["snapshot", "-a", "nosuch", "q.qcow2"], "same"),
    (["commit", "-f", "raw", "r.img"], "same"),
    (["commit", "-b", "nosuch", "b.qcow2"], "same"),
    (["commit"], "same"),
    (["rebase", "r.img"], "same"),
    (["rebase", "-u", "-b", "q.qcow2", "b.qcow2"], "same"),
    (["rebase", "-b", "q.qcow2", "b.qcow2"], "same"),
    (["rebase", "-b", "nosuch", "-F", "qcow2", "b.qcow2"], "same"),
    (["rebase", "-F", "foo", "-b", "q.qcow2", "b.qcow2"], "same"),
    (["bench", "-c", "0", "-f", "raw", "r.img"], "same"),
    (["bench", "-d", "0", "-f", "raw", "r.img"], "same"),
    (["bench", "-f", "raw", "--flush-interval=10", "r.img"], "same"),
    (["bench", "-f", "raw", "-w", "--flush-interval=10", "r.img"], "same"),
    (["bench", "-f", "raw", "--pattern=300", "r.img"], "same"),
    (["bench", "-f", "raw", "-t", "foo", "r.img"], "same"),
    (["bench", "-f", "raw", "-c", "10", "-o", "1M", "r.img"], "same"),
    (["bench"], "same"),
]

# Where qemu-img 7.2 itself misbehaves, vireo-img does the sensible thing
# and the case checks vireo-img alone: (arguments) -> (status, message).
OWN = {
    # qemu-img accepts -c 0 (and sends nothing) and hangs on -d 0.
    ("bench", "-c", "0", "-f", "raw", "r.img"):
        (1, "Invalid request count specified"),
    ("bench", "-d", "0", "-f", "raw", "r.img"):
        (1, "Invalid queue depth specified"),
}


def _case_id(args):
    return " ".join(args) or "(none)"


def _error_line(stderr, prog):
    """The first error line: warnings and continuation lines skipped."""
    for line in stderr.splitlines():
        if not line.strip() or line[0].isspace():
            continue
        if "warning" in line.lower():
            continue
        return line.replace(prog + ":", "PROG:")
    return ""


@pytest.fixture
def images(tmp_path, qemu_img):
    run([qemu_img, "create", "-q", "-f", "raw", tmp_path / "r.img", "1M"],
        check=0)
    run([qemu_img, "create", "-q", "-f", "qcow2", tmp_path / "q.qcow2",
         "1M"], check=0)
    run([qemu_img, "create", "-q", "-f", "qcow2", "-b", "q.qcow2", "-F",
         "qcow2", tmp_path / "b.qcow2"], check=0)
    return tmp_path


def _run_in(tool, args, cwd):
    return run([tool] + args, cwd=cwd, timeout=30)


@pytest.mark.parametrize("args,how", CASES, ids=[_case_id(c[0])
                                                  for c in CASES])
def test_error_matches_qemu_img(images, vireo_img, qemu_img, args, how):
    ours = _run_in(vireo_img, args, images)
    assert ours.returncode < 128, f"vireo-img crashed: {ours.stderr}"
    mine = _error_line(ours.stderr, "vireo-img")
    if tuple(args) in OWN:
        status, msg = OWN[tuple(args)]
        assert ours.returncode == status
        assert mine == f"PROG: {msg}"
        return
    # Fresh images for the peer: the first run may have changed them.
    for f in ("x", "y", "o"):
        if os.path.exists(images / f):
            os.unlink(images / f)
    theirs = _run_in(qemu_img, args, images)
    peer = _error_line(theirs.stderr, "qemu-img")
    assert ours.returncode == theirs.returncode, (
        f"exit {ours.returncode} vs qemu-img's {theirs.returncode}\n"
        f"vireo-img: {ours.stderr}\nqemu-img: {theirs.stderr}")
    if how == "same":
        assert mine == peer
    else:
        assert mine.startswith(peer.rstrip(".")), f"{mine!r} vs {peer!r}"
    # One line per error: a usage hint may follow, nothing else.
    lines = [ln for ln in ours.stderr.splitlines()
             if ln and not ln[0].isspace() and "warning" not in ln.lower()]
    assert len(lines) <= 2
    if len(lines) == 2:
        assert lines[1].startswith("Try 'vireo-img --help'")


def test_help_lists_every_command(vireo_img):
    cp = run([vireo_img, "--help"], check=0)
    for cmd in ("bench", "check", "commit", "compare", "convert", "create",
                "info", "map", "measure", "snapshot", "rebase", "resize"):
        assert re.search(rf"^  {cmd} ", cp.stdout, re.M), cmd
    assert "Supported formats:" in cp.stdout
    assert run([vireo_img, "info", "-h"], check=0).stdout == cp.stdout
    assert run([vireo_img, "-V"], check=0).stdout.startswith(
        "vireo-img version ")


@pytest.mark.parametrize("args,how", CASES[:40], ids=[_case_id(c[0])
                                                       for c in CASES[:40]])
def test_error_paths_under_sanitizers(images, vireo_img, vireo_img_asan,
                                      args, how):
    """The sanitizer build behaves as the normal one and reports nothing."""
    ref = _run_in(vireo_img, args, images)
    for f in ("x", "y", "o"):
        if os.path.exists(images / f):
            os.unlink(images / f)
    cp = _run_in(vireo_img_asan, args, images)
    assert "Sanitizer" not in cp.stderr and "runtime error" not in \
        cp.stderr, cp.stderr
    assert cp.returncode == ref.returncode


LOCKED_CASES = [
    ["info", "l.qcow2"],
    ["info", "-U", "l.qcow2"],
    ["check", "l.qcow2"],
    ["check", "-U", "l.qcow2"],
    ["map", "-U", "l.qcow2"],
    ["snapshot", "-c", "x", "l.qcow2"],
    ["snapshot", "-l", "-U", "l.qcow2"],
    ["compare", "l.qcow2", "l.qcow2"],
    ["resize", "l.qcow2", "2M"],
    ["bench", "-c", "1", "l.qcow2"],
]


def _hold_open(tool, path, fmt="qcow2"):
    """Start @tool (qemu-io or vireo-io) holding @path open read-write.

    It reads commands from a pipe and keeps the image open until the pipe
    closes; "echo"-less qemu-io is asked for a read to know it is ready.
    """
    import subprocess
    proc = subprocess.Popen([tool, "-f", fmt, path], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    proc.stdin.write("read 0 512\n")
    proc.stdin.flush()
    while "read 512/512" not in proc.stdout.readline():
        pass
    return proc


@pytest.mark.parametrize("args", LOCKED_CASES, ids=" ".join)
def test_locked_image_like_qemu_img(tmp_path, vireo_img, qemu_img, args):
    """While qemu-io has the image open, both tools refuse alike."""
    from imgutil import _peer
    qemu_io = _peer("qemu-io")
    run([qemu_img, "create", "-q", "-f", "qcow2", tmp_path / "l.qcow2",
         "1M"], check=0)
    holder = _hold_open(qemu_io, str(tmp_path / "l.qcow2"))
    try:
        ours = _run_in(vireo_img, args, tmp_path)
        theirs = _run_in(qemu_img, args, tmp_path)
    finally:
        holder.stdin.close()
        holder.wait()
    assert ours.returncode == theirs.returncode, ours.stderr + theirs.stderr
    # qemu-img puts its "Is another process using the image" hint on a
    # second line; vireo-img keeps it on the error's line.
    assert _error_line(ours.stderr, "vireo-img").startswith(
        _error_line(theirs.stderr, "qemu-img"))


def test_qemu_img_respects_vireo_locks(tmp_path, vireo_img, vireo_io,
                                       qemu_img):
    """And the other way round: vireo-io holds it, qemu-img refuses."""
    run([vireo_img, "create", "-q", "-f", "qcow2", tmp_path / "l.qcow2",
         "1M"], check=0)
    holder = _hold_open(vireo_io, str(tmp_path / "l.qcow2"))
    try:
        cp = run([qemu_img, "info", tmp_path / "l.qcow2"])
        assert cp.returncode == 1
        assert 'Failed to get shared "write" lock' in cp.stderr
        run([qemu_img, "info", "-U", tmp_path / "l.qcow2"], check=0)
        cp = run([qemu_img, "snapshot", "-c", "x", tmp_path / "l.qcow2"])
        assert cp.returncode == 1 and '"write" lock' in cp.stderr
    finally:
        holder.stdin.close()
        holder.wait()


def _hostile_images(directory, qemu_img, count=10):
    """qcow2 files damaged on purpose: truncated, or bytes flipped in the
    header, the L1 table, the refcount table and the snapshot table."""
    import random
    from imgutil import qcow2_header, patch
    good = directory / "good.qcow2"
    run([qemu_img, "create", "-q", "-f", "qcow2", "-o", "cluster_size=4k",
         good, "4M"], check=0)
    from imgutil import _peer
    run([_peer("qemu-io"), "-f", "qcow2", "-c", "write -P 7 0 1M", "-c",
         "write -c -P 8 2M 4k", good], check=0)
    run([qemu_img, "snapshot", "-c", "s", good], check=0)
    h = qcow2_header(good)
    data = good.read_bytes()
    spots = [0, 4, 8, 16, 20, 24, 32, 36, 40, 48, 56, 60, 64, 72, 96, 100,
             h["l1_offset"], h["refcount_table_offset"],
             h["snapshots_offset"], h["snapshots_offset"] + 8]
    rnd = random.Random(5)
    out = []
    for i in range(count):
        path = directory / f"hostile{i}.qcow2"
        if i % 5 == 4:
            path.write_bytes(data[:rnd.randrange(len(data))])
        else:
            path.write_bytes(data)
            for _ in range(1 + i % 3):
                spot = rnd.choice(spots) + rnd.randrange(8)
                patch(path, spot, bytes([rnd.randrange(256)]))
        out.append(path)
    return out


def test_hostile_images_never_crash(tmp_path, vireo_img, qemu_img,
                                    vireo_img_asan):
    """Damaged images give an error or a result, never a crash or a
    sanitizer report, whatever the command."""
    for path in _hostile_images(tmp_path, qemu_img):
        for args in (["info", "--output=json"], ["check"], ["map"],
                     ["snapshot", "-l"], ["convert", "-O", "raw"],
                     ["compare", "-F", "qcow2"], ["measure", "-O", "qcow2"]):
            cmd = [vireo_img_asan] + args + ["-f", "qcow2", path]
            if args[0] == "convert":
                cmd.append(tmp_path / "out.raw")
            elif args[0] == "compare":
                cmd.append(tmp_path / "good.qcow2")
            cp = run(cmd, timeout=60)
            assert cp.returncode < 128 and "Sanitizer" not in cp.stderr \
                and "runtime error" not in cp.stderr, \
                f"{' '.join(map(str, cmd))}: exit {cp.returncode}\n" \
                f"{cp.stderr[-3000:]}"
            # check's 2 and 3 and compare's 1 are answers, not failures.
            answer = (args[0] == "check" and cp.returncode in (2, 3)) or \
                (args[0] == "compare" and cp.returncode == 1)
            if cp.returncode and not answer:
                errors = [ln for ln in cp.stderr.splitlines()
                          if ln.startswith("vireo-img:")
                          and "warning" not in ln]
                assert errors, f"{' '.join(map(str, cmd))}: failed " \
                               f"silently\n{cp.stderr}"
