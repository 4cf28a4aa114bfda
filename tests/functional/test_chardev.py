"""Character-device backends from the command line (monitor issue).

Mostly without a guest: "-M none" with a monitor on the backend under
test shows input and output both work. The serial-port checks use the
firmware alone (-M virt -bios default without a kernel prints OpenSBI's
banner on the UART), which takes well under a second. The stdio backend
must leave the terminal as it found it on every way out: quit, Ctrl-A x,
SIGTERM, and a crash.
"""
import os
import re
import signal
import socket
import subprocess
import termios
import time

import pexpect
import pytest

from conftest import QMP, run

BANNER = re.compile(r"Vireo \S+ monitor - type 'help' for more information")


def wait_for(pred, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def none_machine(binary, *extra):
    return [binary, "-M", "none", "-display", "none", "-serial", "none"] + \
        list(extra)


def test_chardev_help_lists_every_backend(system_riscv64):
    p = run([system_riscv64, "-chardev", "help"])
    assert p.returncode == 0
    names = [l.split()[0] for l in p.stdout.splitlines()[1:]]
    assert names == ["file", "null", "pipe", "pty", "ringbuf", "socket",
                     "stdio"]
    p = run([system_riscv64, "-chardev", "socket,help"])
    for prop in ["path=", "host=", "port=", "server=", "wait=",
                 "reconnect="]:
        assert prop in p.stdout


@pytest.mark.parametrize("args,needle", [
    (["-chardev", "ringbuf,id=r,size=1000"], "power of two"),
    (["-chardev", "socket,id=s"], "'path' or 'port' is required"),
    (["-chardev", "socket,id=s,path=/x,port=1"], "cannot be combined"),
    (["-serial", "tcp:127.0.0.1"], "-serial tcp:127.0.0.1"),
    (["-serial", "unix:/nonexistent-dir/s.sock"], "Failed to connect"),
    (["-qmp", "bogus:x"], "-qmp bogus:x"),
    (["-mon", "chardev=nope"], "chardev 'nope' not found"),
    (["-mon", "chardev=c,mode=odd"], "mode"),
    (["-serial", "stdio", "-monitor", "stdio"],
     "cannot use stdio by multiple character devices"),
])
def test_bad_chardev_options_one_line(system_riscv64, args, needle):
    p = run([system_riscv64, "-M", "none", "-display", "none"] + args)
    assert p.returncode == 1
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert needle in lines[0]


def test_pty_backend(system_riscv64):
    p = subprocess.Popen(none_machine(system_riscv64, "-chardev",
                                      "pty,id=p0", "-mon", "chardev=p0"),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        m = re.match(r"char device redirected to (/dev/pts/\d+) \(label p0\)$",
                     line.strip())
        assert m, line
        fd = os.open(m.group(1), os.O_RDWR | os.O_NOCTTY)
        tty = termios.tcgetattr(fd)
        tty[3] &= ~(termios.ECHO | termios.ICANON)
        termios.tcsetattr(fd, termios.TCSANOW, tty)
        got = b""
        deadline = time.time() + 30
        # The monitor greets when somebody opens the pty.
        while b"(vireo) " not in got and time.time() < deadline:
            got += os.read(fd, 4096)
        assert BANNER.search(got.decode())
        os.write(fd, b"info chardev\r")
        got = b""
        while b"(vireo) " not in got:
            got += os.read(fd, 4096)
        assert ("p0: filename=pty:%s" % m.group(1)).encode() in got
        os.write(fd, b"quit\r")
        assert p.wait(timeout=30) == 0
        os.close(fd)
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_pipe_backend(system_riscv64, tmp_path):
    base = str(tmp_path / "mon")
    os.mkfifo(base + ".in")
    os.mkfifo(base + ".out")
    p = subprocess.Popen(none_machine(system_riscv64, "-monitor",
                                      "pipe:" + base),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        out = os.open(base + ".out", os.O_RDONLY)
        inp = os.open(base + ".in", os.O_WRONLY)
        got = b""
        while b"(vireo) " not in got:
            got += os.read(out, 4096)
        os.write(inp, b"info status\n")
        got = b""
        while b"VM status" not in got or not got.endswith(b"(vireo) "):
            got += os.read(out, 4096)
        assert b"VM status: running\r\n" in got
        os.write(inp, b"q\n")
        assert p.wait(timeout=30) == 0
        os.close(inp)
        os.close(out)
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def firmware_only(binary, *extra):
    return [binary, "-M", "virt", "-bios", "default", "-display", "none"] + \
        list(extra)


def quit_via_qmp(sock):
    q = QMP(sock)
    q.cmd("quit")


def test_file_backend_and_append(system_riscv64, tmp_path):
    log = str(tmp_path / "serial.log")
    for i in range(2):
        sock = str(tmp_path / ("q%d.sock" % i))
        p = subprocess.Popen(firmware_only(
            system_riscv64, "-chardev", "file,id=f0,path=%s,append=on" % log,
            "-serial", "chardev:f0",
            "-qmp", "unix:%s,server=on,wait=off" % sock),
            stdin=subprocess.DEVNULL)
        try:
            assert wait_for(lambda: os.path.exists(log) and
                            open(log).read().count("OpenSBI v") == i + 1)
            quit_via_qmp(sock)
            assert p.wait(timeout=30) == 0
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()
    # -serial file:PATH truncates.
    sock = str(tmp_path / "q.sock")
    p = subprocess.Popen(firmware_only(
        system_riscv64, "-serial", "file:" + log,
        "-qmp", "unix:%s,server=on,wait=off" % sock), stdin=subprocess.DEVNULL)
    try:
        q = QMP(sock)           # up: the file was opened (truncated)
        assert wait_for(lambda: "OpenSBI v" in open(log).read())
        q.cmd("quit")
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
    assert open(log).read().count("OpenSBI v") == 1


def test_serial_on_tcp_server_waits_for_the_client(system_riscv64, tmp_path):
    port = free_port()
    sock = str(tmp_path / "q.sock")
    p = subprocess.Popen(firmware_only(
        system_riscv64, "-serial", "tcp::%d,server=on" % port,
        "-qmp", "unix:%s,server=on,wait=off" % sock),
        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stderr.readline()
        assert "waiting for connection on: disconnected:tcp:" in line
        assert ":%d,server=on" % port in line
        c = socket.create_connection(("127.0.0.1", port), timeout=30)
        got = b""
        while b"OpenSBI v" not in got:
            chunk = c.recv(4096)
            assert chunk
            got += chunk
        quit_via_qmp(sock)
        assert p.wait(timeout=30) == 0
        c.close()
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_socket_client_reconnects(system_riscv64):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(30)
    port = srv.getsockname()[1]
    p = subprocess.Popen(none_machine(
        system_riscv64, "-chardev",
        "socket,id=c0,host=127.0.0.1,port=%d,reconnect=1" % port,
        "-mon", "chardev=c0,mode=control"), stdin=subprocess.DEVNULL)
    try:
        for _ in range(2):
            conn, _ = srv.accept()
            conn.settimeout(30)
            assert b'"QMP"' in conn.recv(4096)
            conn.close()        # the client comes back after a second
        conn, _ = srv.accept()
        conn.sendall(b'{"execute": "qmp_capabilities"}{"execute": "quit"}')
        assert p.wait(timeout=30) == 0
        conn.close()
    finally:
        srv.close()
        if p.poll() is None:
            p.kill()
        p.wait()


def test_ringbuf_from_the_command_line(system_riscv64, tmp_path):
    sock = str(tmp_path / "q.sock")
    p = subprocess.Popen(firmware_only(
        system_riscv64, "-chardev", "ringbuf,id=rb,size=65536",
        "-serial", "chardev:rb",
        "-qmp", "unix:%s,server=on,wait=off" % sock), stdin=subprocess.DEVNULL)
    try:
        q = QMP(sock)
        text = ""
        deadline = time.time() + 30
        while "OpenSBI v" not in text and time.time() < deadline:
            text += q.cmd("ringbuf-read", device="rb", size=65536)["return"]
        assert "OpenSBI v" in text
        q.cmd("quit")
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_mux_on_chardev(system_riscv64):
    """-chardev stdio,mux=on: one terminal for a monitor (and a serial)."""
    child = pexpect.spawn(system_riscv64, [
        "-M", "none", "-display", "none", "-chardev",
        "stdio,id=c0,mux=on,signal=off", "-serial", "chardev:c0",
        "-mon", "chardev=c0"], encoding="utf-8", timeout=30)
    try:
        child.expect(BANNER)        # the monitor has the focus: no UART
        child.expect_exact("(vireo) ")
        child.sendline("info chardev")
        child.expect_exact("c0: filename=mux")
        child.expect_exact("c0-base: filename=stdio")
        child.expect_exact("(vireo) ")
        child.send("\x01h")
        child.expect_exact("C-a x    exit emulator")
        child.send("\x01x")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        if child.isalive():
            child.terminate(force=True)


def terminal_restored(child):
    tty = termios.tcgetattr(child.child_fd)
    return bool(tty[3] & termios.ICANON) and bool(tty[3] & termios.ECHO)


@pytest.mark.parametrize("how", ["quit", "ctrl-a-x", "sigterm", "sigsegv"])
def test_stdio_restores_the_terminal(system_riscv64, how):
    child = pexpect.spawn(system_riscv64, ["-M", "none", "-nographic"],
                          encoding="utf-8", timeout=30)
    try:
        child.expect_exact("(vireo) ")      # mon:stdio, raw mode
        child.send("\x01c")                 # console ...
        child.send("\x01c")                 # ... and back
        child.expect_exact("(vireo) ")
        tty = termios.tcgetattr(child.child_fd)
        assert not tty[3] & termios.ICANON
        assert not tty[3] & termios.ECHO
        if how == "quit":
            child.sendline("quit")
        elif how == "ctrl-a-x":
            child.send("\x01x")
            child.expect_exact("Terminated")
        elif how == "sigterm":
            os.kill(child.pid, signal.SIGTERM)
        else:
            os.kill(child.pid, signal.SIGSEGV)
        child.expect(pexpect.EOF)
        assert terminal_restored(child)
        child.close()
        if how == "sigsegv":
            assert child.signalstatus == signal.SIGSEGV
        else:
            assert child.exitstatus == 0, how
    finally:
        if child.isalive():
            child.terminate(force=True)


def test_monitor_stdio(system_riscv64):
    """-monitor stdio: HMP on the terminal (the serial port elsewhere)."""
    child = pexpect.spawn(system_riscv64, [
        "-M", "none", "-nographic", "-serial", "null", "-monitor", "stdio"],
        encoding="utf-8", timeout=30)
    try:
        child.expect(BANNER)
        child.expect_exact("(vireo) ")
        child.sendline("info chardev")
        child.expect_exact("serial0: filename=null")
        child.expect_exact("compat_monitor0: filename=stdio")
        child.expect_exact("(vireo) ")
        child.sendline("quit")
        child.expect(pexpect.EOF)
        assert terminal_restored(child)
        child.close()
        assert child.exitstatus == 0
    finally:
        if child.isalive():
            child.terminate(force=True)
