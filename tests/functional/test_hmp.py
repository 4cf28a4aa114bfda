"""HMP through the mux on the serial console (monitor issue).

One boot with the default console (-nographic: the terminal is shared by
the serial port and the monitor, "mon:stdio"). Ctrl-A c reaches the
"(vireo) " prompt, the commands print what QEMU's print, Ctrl-A c goes
back to the guest shell, and quit ends the process with status 0 and the
terminal back in its original mode.
"""
import os
import re
import shutil
import subprocess
import termios

import pexpect
import pytest

from vm import Guest, PROMPT, guest_dir, vireo_cmd

MON = "(vireo) "
KERNEL_PA = 0x80200000


@pytest.fixture(scope="module")
def guest():
    d, why = guest_dir()
    if not d:
        pytest.skip(why)
    return d


class Console(Guest):
    def monitor(self):
        """Switch the terminal to the monitor."""
        self.child.send("\x01c")
        self.child.expect_exact(MON)

    def console(self):
        """Back to the guest (its prompt shows after the next Enter)."""
        self.child.send("\x01c")

    def hmp(self, line, timeout=60):
        """Run @line in the monitor; return its output (no echo, \\n)."""
        self.child.sendline(line)
        self.child.expect_exact(MON, timeout=timeout)
        # The terminal's own output processing adds a \r to the monitor's
        # "\r\n" (QEMU's monitor behaves the same).
        out = re.sub(r"\r+\n", "\n", self.child.before)
        # The monitor echoes the line first.
        assert out.startswith(line), out
        return out[len(line):].lstrip("\n")


def snapshot_works(binary, disk):
    """Whether -drive snapshot=on can open @disk (it needs the temporary
    qcow2 overlay); the reason if not."""
    p = subprocess.run([binary, "-M", "none", "-display", "none", "-serial",
                        "none", "-qmp", "stdio", "-drive",
                        "file=%s,if=none,format=raw,snapshot=on" % disk],
                       input=b'{"execute": "qmp_capabilities"}\n'
                             b'{"execute": "quit"}\n',
                       capture_output=True, timeout=60)
    return p.returncode == 0, p.stderr.decode().strip()


@pytest.fixture(scope="module")
def con(system_riscv64, guest, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hmp")
    # A copy, written only through a -snapshot overlay until Ctrl-A s.
    disk = str(tmp / "disk.ext4")
    shutil.copy(os.path.join(guest, "disk.ext4"), disk)
    snapshot, why = snapshot_works(system_riscv64, disk)
    cmd = vireo_cmd(system_riscv64, guest, smp=2, extra=[
        "-drive", "file=%s,if=virtio,format=raw,%s" % (
            disk, "snapshot=on" if snapshot else "readonly=on")])
    c = Console(cmd, log_path=str(tmp / "console.log"))
    c.tmp = tmp
    c.disk = disk
    c.snapshot, c.snapshot_why = snapshot, why
    c.image = os.path.join(guest, "Image")
    try:
        c.wait_shell()
        c.saved_tty = termios.tcgetattr(c.child.child_fd)
        yield c
    finally:
        c.kill()


def test_ctrl_a_c_reaches_the_monitor(con):
    con.child.send("\x01c")
    con.child.expect_exact("Vireo ")
    con.child.expect(r"monitor - type 'help' for more information\r+\n")
    con.child.expect_exact(MON)
    assert re.match(r"\d+\.\d+\.\d+\n$", con.hmp("info version"))


def test_help_lists_the_commands(con):
    out = con.hmp("help")
    for cmd in ["help|?", "info", "x /fmt addr", "xp /fmt addr", "stop",
                "cont|c", "system_reset", "system_powerdown", "quit|q",
                "log item1[,...]", "pmemsave addr size file"]:
        assert "\n" + cmd + " " in "\n" + out, cmd
    info = con.hmp("help info")
    for sub in ["version", "status", "registers", "cpus", "mtree", "block",
                "chardev", "qtree"]:
        assert "info %s " % sub in info


def test_info_registers(con):
    out = con.hmp("info registers")
    assert re.search(r"^ pc\s+[0-9a-f]{16}$", out, re.M)
    assert re.search(r"x2/sp\s+[0-9a-f]{16}", out)
    assert "mstatus" in out and "satp" in out


def test_info_commands(con):
    assert con.hmp("info status") == "VM status: running\n"
    cpus = con.hmp("info cpus").splitlines()
    assert re.match(r"\* CPU #0: thread_id=\d+$", cpus[0])
    assert re.match(r"  CPU #1: thread_id=\d+$", cpus[1])
    mtree = con.hmp("info mtree")
    assert mtree.startswith("address-space: memory\n")
    assert re.search(r"0000000080000000-000000009fffffff \(prio 0, ram\): "
                     r"ram", mtree)
    block = con.hmp("info block")
    assert block.startswith("virtio0")
    assert con.disk in block
    assert re.search(r"\n    Cache mode:       write(back|through)\n", block)
    chardev = con.hmp("info chardev")
    assert "serial0: filename=mux\n" in chardev
    assert "serial0-base: filename=stdio\n" in chardev
    qtree = con.hmp("info qtree")
    assert qtree.startswith("bus: main-system-bus\n  type System\n")
    assert 'dev: ns16550a, id ""' in qtree
    assert 'chardev = "serial0"' in qtree
    assert "virtio-blk-device" in qtree


def test_x_and_xp(con):
    with open(con.image, "rb") as f:
        head = f.read(32)
    words = ["0x%08x" % int.from_bytes(head[i:i + 4], "little")
             for i in range(0, 32, 4)]
    out = con.hmp("xp /8xw 0x%x" % KERNEL_PA)
    assert out == "%016x: %s\n%016x: %s\n" % (
        KERNEL_PA, " ".join(words[:4]), KERNEL_PA + 16, " ".join(words[4:]))
    # The kernel's own mapping shows the same bytes.
    out = con.hmp("x /4xw 0xffffffff80000000")
    assert out == "ffffffff80000000: %s\n" % " ".join(words[:4])
    # Sizes, formats, the remembered format, expressions.
    g = int.from_bytes(head[:8], "little")
    assert con.hmp("xp /1xg 0x80200000") == \
        "%016x: 0x%016x\n" % (KERNEL_PA, g)
    assert con.hmp("xp 0x80200000 + 8") == \
        "%016x: 0x%016x\n" % (KERNEL_PA + 8,
                              int.from_bytes(head[8:16], "little"))
    assert con.hmp("xp /2ub 0x80200000") == \
        "%016x: %3d %3d\n" % (KERNEL_PA, head[0], head[1])
    # (After /2ub the unit is a byte, so /8c shows 8 characters.)
    assert con.hmp("xp /8c 0x80200030") == \
        "0000000080200030: 'R' 'I' 'S' 'C' 'V' '\\x00' '\\x00' '\\x00'\n"
    assert con.hmp("x /2xw $pc").startswith("ffffffff")
    assert con.hmp("xp /2q 0") == \
        "invalid char in format: 'q'\nTry \"help xp\" for more information\n"
    assert con.hmp("xp /1xw 0x1") .endswith("\n")
    assert "Cannot access memory" in con.hmp("xp /1xw 0x4000000000")


def test_stop_and_cont(con):
    assert con.hmp("stop") == ""
    assert con.hmp("info status") == "VM status: paused\n"
    assert con.hmp("c") == ""
    assert con.hmp("info status") == "VM status: running\n"
    con.hmp("stop")
    con.hmp("cont")
    assert con.hmp("info status") == "VM status: running\n"


def test_log(con):
    out = con.hmp("log nosuchitem")
    assert out.startswith("Log items (comma separated):\nnone ")
    assert con.hmp("log guest_errors") == ""
    assert con.hmp("log none") == ""


def test_pmemsave(con):
    path = str(con.tmp / "mem.bin")
    assert con.hmp("pmemsave 0x80200000 4096 %s" % path) == ""
    with open(con.image, "rb") as f:
        assert open(path, "rb").read() == f.read(4096)
    assert "pmemsave: filename expected" in con.hmp("pmemsave 0 1")
    assert "Error: Could not open" in con.hmp("pmemsave 0 1 /nonexistent/x")


def test_errors(con):
    assert con.hmp("frobnicate") == "unknown command: 'frobnicate'\n"
    assert con.hmp("info frob") == "unknown command: 'info frob'\n"
    assert con.hmp("stop now") == \
        "stop: extraneous characters at the end of line\n" \
        "Try \"help stop\" for more information\n"


def test_back_to_the_console(con):
    con.console()
    con.child.sendline("echo back-in-the-shell")
    con.child.expect_exact("back-in-the-shell")
    con.child.expect_exact(PROMPT)
    # Ctrl-A h prints the escapes.
    con.child.send("\x01h")
    con.child.expect_exact("C-a c    switch between console and monitor")
    con.child.sendline("")
    con.child.expect_exact(PROMPT)


def test_ctrl_a_b_sends_a_break(con):
    # A break, then a key within 5 s: the kernel's serial magic SysRq.
    con.child.send("\x01b")
    con.child.send("h")
    con.child.expect_exact("sysrq: HELP")
    con.child.sendline("")
    con.child.expect_exact(PROMPT)


def test_ctrl_a_t_timestamps(con):
    con.child.send("\x01t")
    con.child.sendline("echo stamped")
    con.child.expect(r"\[\d\d:\d\d:\d\d\.\d\d\d\] stamped")
    con.child.expect_exact(PROMPT)
    con.child.send("\x01t")
    assert con.check("echo plain") == "plain"


def test_ctrl_a_s_commits_the_snapshot(con):
    if not con.snapshot:
        pytest.skip("-drive snapshot=on does not work here: " +
                    con.snapshot_why)
    con.check("mount /dev/vda /mnt && echo vireo-commit-marker > "
              "/mnt/committed.txt && umount /mnt")
    assert b"vireo-commit-marker" not in open(con.disk, "rb").read()
    con.child.send("\x01s")
    con.child.sendline("")
    con.child.expect_exact(PROMPT)
    assert b"vireo-commit-marker" in open(con.disk, "rb").read()


def test_system_reset_from_hmp(con):
    con.monitor()
    con.child.sendline("system_reset")
    con.child.expect_exact(MON)
    con.console()
    con.wait_shell()
    assert con.check("echo after-reset") == "after-reset"


def test_quit_exits_0_and_restores_the_terminal(con):
    con.monitor()
    con.child.sendline("quit")
    con.child.expect(pexpect.EOF, timeout=60)
    tty = termios.tcgetattr(con.child.child_fd)
    con.child.close()
    assert con.child.exitstatus == 0
    # Canonical mode and echo are back (the pty is the terminal).
    assert tty[3] & termios.ICANON
    assert tty[3] & termios.ECHO
