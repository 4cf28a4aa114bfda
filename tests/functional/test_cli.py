"""Command-line behaviour of the system emulators (foundation issue).

Help listings must come from the registries, and every malformed option
must give exactly one line on stderr naming the option, and exit 1.
"""
import os
import signal
import subprocess
import time

import pytest

from conftest import run

BAD_OPTIONS = [
    (["-m", "banana"], "-m banana"),
    (["-m", "-5"], "-m -5"),
    (["-m", "2Q"], "-m 2Q"),
    (["-smp", "0"], "-smp 0"),
    (["-smp", "cpus=4,maxcpus=2"], "-smp"),
    (["-smp", "cpus=4,sockets=3,cores=1,threads=1"], "-smp"),
    (["-smp", "2,frob=1"], "Invalid parameter 'frob'"),
    (["-drive", "file="], "-drive file="),
    (["-drive", "=x"], "-drive =x"),
    (["-frobnicate"], "-frobnicate: invalid option"),
    (["--frobnicate"], "--frobnicate: invalid option"),
    (["-M", "nosuchboard"], "nosuchboard"),
    (["-machine", "none,nosuchprop=1"], "nosuchprop"),
    (["-device", "nosuchdevice"], "nosuchdevice"),
    (["-device", "loader,nosuchprop=1"], "nosuchprop"),
    (["-device", "loader,data-len=banana"], "data-len"),
    (["-chardev", "nosuch,id=c0"], "nosuch"),
    (["-chardev", "file,path=/tmp/x"], "no id"),
    (["-netdev", "nosuch,id=n0"], "nosuch"),
    (["-accel", "nosuch"], "nosuch"),
    (["-cpu", "nosuch"], "nosuch"),
    (["-d", "in_asm,nosuch"], "nosuch"),
    (["-display", "gtk"], "gtk"),
    (["-kernel"], "-kernel: requires an argument"),
    (["-m"], "-m: requires an argument"),
    (["-name", "guest=x,bogus=1"], "bogus"),
    (["-global", "virtio-mmio.nosuch=1"], "nosuch"),
    (["-global", "virtio-mmio.force-legacy=maybe"], "force-legacy"),
    (["-global", "nosuchdev.x=1"], "nosuchdev"),
    (["-global", "junk"], "DRIVER.PROPERTY=VALUE"),
]


@pytest.mark.parametrize("args,needle", BAD_OPTIONS,
                         ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_bad_option_one_line_exit_1(system_riscv64, args, needle):
    p = run([system_riscv64] + args)
    assert p.returncode == 1, p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("vireo-system-riscv64: "), p.stderr
    assert needle in lines[0]
    assert p.stdout == ""


@pytest.mark.parametrize("binary", ["vireo-system-riscv64",
                                    "vireo-system-x86_64"])
def test_machine_help_lists_registry(build_dir, binary):
    p = run([os.path.join(build_dir, binary), "-M", "help"])
    assert p.returncode == 0
    assert p.stdout.startswith("Supported machines are:")
    assert any(l.split()[0] == "none" for l in p.stdout.splitlines()[1:])


def test_device_help_lists_loader(system_riscv64):
    p = run([system_riscv64, "-device", "help"])
    assert p.returncode == 0
    assert 'name "loader"' in p.stdout


def test_device_property_help(system_riscv64):
    p = run([system_riscv64, "-device", "loader,help"])
    assert p.returncode == 0
    assert p.stdout.startswith("loader options:")
    for prop in ("file=<str>", "addr=<uint64>", "data-len=<uint8>",
                 "cpu-num=<uint32>", "force-raw=<bool>"):
        assert prop in p.stdout
    assert "(default: off)" in p.stdout


def test_help_variants(system_riscv64):
    expectations = {
        ("-chardev", "help"): "Available chardev backend types:",
        ("-netdev", "help"): "Available netdev backend types:",
        ("-accel", "help"): "Accelerators supported in this binary:",
        ("-cpu", "help"): "Available CPUs:",
        ("-d", "help"): "Log items (comma separated):",
        ("-machine", "none,help"): "There are no options for none-machine",
        ("-chardev", "file,help"): "path=<str>",
    }
    for args, needle in expectations.items():
        p = run([system_riscv64] + list(args))
        assert p.returncode == 0, args
        assert needle in p.stdout, (args, p.stdout)


def test_log_help_lists_every_category(system_riscv64):
    p = run([system_riscv64, "-d", "help"])
    for item in ("in_asm", "op", "op_opt", "exec", "cpu", "int", "mmu",
                 "guest_errors", "unimp"):
        assert any(l.split()[0] == item for l in p.stdout.splitlines()[1:])


def test_usage_and_version(system_riscv64):
    p = run([system_riscv64, "-h"])
    assert p.returncode == 0
    for opt in ("-machine", "-m ", "-smp", "-cpu", "-accel", "-bios",
                "-kernel", "-initrd", "-append", "-dtb", "-drive",
                "-device", "-chardev", "-serial", "-monitor", "-qmp",
                "-netdev", "-nic", "-nographic", "-display", "-S", "-s",
                "-gdb", "-d ", "-D ", "-trace", "-snapshot", "-no-reboot",
                "-name", "-version", "-h"):
        assert opt in p.stdout, opt
    p = run([system_riscv64, "-version"])
    assert p.returncode == 0 and "version" in p.stdout


def test_comma_escaping_reaches_property(system_riscv64, tmp_path):
    # ",," is a literal comma inside a value: the file name keeps it.
    path = tmp_path / "a,b.log"
    proc = subprocess.Popen(
        [system_riscv64, "-M", "none", "-display", "none",
         "-chardev", f"file,id=c0,path={str(path).replace(',', ',,')}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 10
        while not path.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert path.exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err


def test_none_machine_runs_until_signal(system_riscv64):
    proc = subprocess.Popen(
        [system_riscv64, "-M", "none", "-m", "16M", "-display", "none",
         "-device", "loader,addr=0x1000,data=0x12345678,data-len=4"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "terminating on signal 15" in err


def test_loader_errors_are_one_line(system_riscv64, tmp_path):
    cases = [
        ["-device", "loader"],
        ["-device", "loader,file=/nonexistent/file,addr=0"],
        ["-device", "loader,addr=0x1000,data=1,data-len=3"],
    ]
    for args in cases:
        p = run([system_riscv64, "-M", "none", "-m", "16M",
                 "-display", "none"] + args)
        assert p.returncode == 1, args
        assert len(p.stderr.splitlines()) == 1, p.stderr
