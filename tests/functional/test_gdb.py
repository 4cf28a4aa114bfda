"""The gdb stub seen from a stock gdb (the gdbstub issue).

Debian's gdb-multiarch drives Vireo in batch mode against a bare-metal
program (tests/functional/gdb/, built here into the build directory) and
against the Linux test guest: breakpoints, stepping, registers including
CSRs and FP, memory, watchpoints, Ctrl-C, threads (one per hart), the
monitor, detach and kill. A raw protocol client covers what gdb never
sends on RISC-V (hardware single-step: gdb steps RISC-V in software) and
malformed input.

Every test gets its own Unix socket (or a free TCP port), so the tests can
run in parallel with each other and with other suites.
"""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from conftest import ROOT, need_tool

GDB_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gdb")


# --- fixtures ---

@pytest.fixture(scope="module")
def gdb():
    return need_tool("gdb-multiarch")


@pytest.fixture(scope="module")
def prog(build_dir):
    """The test program, compiled with debug info into the build dir."""
    cc = need_tool("riscv64-unknown-elf-gcc")
    out = os.path.join(build_dir, "tests", "functional", "gdb")
    os.makedirs(out, exist_ok=True)
    elf = os.path.join(out, "prog.elf")
    subprocess.run([cc, "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany",
                    "-g", "-O0", "-nostdlib", "-nostartfiles",
                    "-Wl,--no-warn-rwx-segments",
                    "-T", os.path.join(GDB_SRC, "link.ld"),
                    os.path.join(GDB_SRC, "crt0.S"),
                    os.path.join(GDB_SRC, "prog.c"), "-o", elf], check=True)
    return elf


def source_line(marker):
    """Line number of the first line of prog.c containing @marker."""
    with open(os.path.join(GDB_SRC, "prog.c")) as f:
        for n, line in enumerate(f, 1):
            if marker in line:
                return n
    raise AssertionError(marker)


def symbol(elf, name):
    nm = need_tool("riscv64-unknown-elf-nm")
    out = subprocess.run([nm, elf], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        addr, _, sym = line.split()
        if sym == name:
            return int(addr, 16)
    raise AssertionError(name)


def line_address(gdb, elf, line):
    out = subprocess.run([gdb, "-nx", "-batch", "-ex",
                          f"info line prog.c:{line}", elf],
                         capture_output=True, text=True).stdout
    return int(re.search(r"starts at address (0x[0-9a-f]+)", out)[1], 16)


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=10):
    """Wait for a TCP listener on @port without connecting to it (a
    connection is a gdb session to the stub)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    for line in f.readlines()[1:]:
                        local, state = line.split()[1], line.split()[3]
                        if state == "0A" and \
                                int(local.split(":")[1], 16) == port:
                            return
            except OSError:
                pass
        time.sleep(0.02)
    raise AssertionError(f"nothing listens on port {port}")


class Vireo:
    """A Vireo process serving gdb on @dev, started stopped (-S)."""

    def __init__(self, binary, kernel, dev, extra=(), wait_path=None):
        self.proc = subprocess.Popen(
            [binary, "-M", "virt", "-bios", "none", "-nographic",
             "-kernel", kernel, "-gdb", dev, "-S", *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while wait_path and not os.path.exists(wait_path):
            assert self.proc.poll() is None, self.proc.communicate()
            assert time.time() < deadline, "no gdb socket"
            time.sleep(0.02)

    def wait(self, timeout=30):
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def vireo(system_riscv64, prog, tmp_path):
    """Start Vireo on a private Unix socket: vireo(extra args) -> Vireo."""
    started = []

    def start(*extra, kernel=None, machine_args=None):
        sock = str(tmp_path / f"gdb{len(started)}.sock")
        v = Vireo(system_riscv64, kernel or prog, f"unix:{sock}",
                  extra, wait_path=sock)
        v.sock = sock
        started.append(v)
        return v

    yield start
    for v in started:
        v.kill()


def run_gdb(gdb, elf, target, *commands, timeout=60):
    """gdb-multiarch -batch on @elf: connect to @target, run @commands."""
    args = [gdb, "-nx", "-batch", "-ex", "set pagination off",
            "-ex", "set confirm off", "-ex", f"target remote {target}"]
    for c in commands:
        args += ["-ex", c]
    p = subprocess.run(args + [elf], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return p.stdout + p.stderr


# --- gdb in batch mode ---

def test_acceptance_break_main(system_riscv64, prog, gdb):
    """The issue's acceptance command, on a free TCP port."""
    port = free_tcp_port()
    v = Vireo(system_riscv64, prog, f"tcp::{port}")
    try:
        wait_listening(port, v.proc)
        out = run_gdb(gdb, prog, f":{port}", "break main", "c",
                      "info registers pc")
        main = symbol(prog, "main")
        assert "Breakpoint 1, main ()" in out, out
        m = re.search(r"^pc\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+ <main\+\d+>", out,
                      re.M)
        assert m and int(m[1], 16) > main, out
    finally:
        v.kill()


def test_s_option_listens_on_1234(system_riscv64, prog, gdb):
    """-s is -gdb tcp::1234 (skipped if that port is taken)."""
    try:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", 1234))
    except OSError:
        pytest.skip("TCP port 1234 is in use")
    p = subprocess.Popen([system_riscv64, "-M", "virt", "-bios", "none",
                          "-nographic", "-kernel", prog, "-s", "-S"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(1234, p)
        out = run_gdb(gdb, prog, ":1234", "break add", "c", "bt", "kill")
        assert "Breakpoint 1, add (a=2, b=3)" in out, out
        assert "in main ()" in out, out
        p.communicate(timeout=20)
        assert p.returncode == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()


@pytest.mark.parametrize("gdbdev", [
    ["-chardev", "stdio,id=g0", "-gdb", "chardev:g0"],
    ["-gdb", "stdio"],
], ids=["chardev", "stdio"])
def test_chardev_transport(system_riscv64, prog, gdb, gdbdev):
    """gdb runs Vireo itself and talks to it over a pipe (its stdio)."""
    cmd = " ".join([system_riscv64, "-M", "virt", "-bios", "none",
                    "-kernel", prog, "-serial", "none", "-S", *gdbdev])
    out = run_gdb(gdb, prog, f"| {cmd}", "break add", "c", "bt", "c")
    assert "Breakpoint 1, add (a=2, b=3)" in out, out
    assert "in main ()" in out, out
    assert "exited with code 03" in out, out


def test_break_continue_and_registers(vireo, prog, gdb):
    v = vireo()
    out = run_gdb(gdb, prog, v.sock, "break add", "c",
                  "info registers a0 a1",
                  'printf "priv=%d\\n", $priv',
                  'printf "mhartid=%#x\\n", $mhartid',
                  'printf "misa=%#lx\\n", $misa',
                  "set var $a2 = 0x1234", 'printf "a2=%#x\\n", $a2',
                  "set var $mscratch = 0xabcdef",
                  'printf "mscratch=%#x\\n", $mscratch',
                  "set var $ft3.double = 2.5",
                  'printf "ft3=%f\\n", $ft3.double',
                  "set var $fcsr = 0x21", 'printf "frm=%d\\n", $frm',
                  "info registers mcause sp", "kill")
    assert "Breakpoint 1, add (a=2, b=3)" in out, out
    assert re.search(r"^a0\s+0x2\s", out, re.M), out
    assert re.search(r"^a1\s+0x3\s", out, re.M), out
    assert "priv=3" in out, out                 # M-mode
    assert "mhartid=0" in out, out              # hart 0 (%#x prints 0)
    assert "misa=0x800000000014112d" in out, out  # RV64IMAFDC + S/U
    assert "a2=0x1234" in out, out              # GPR write
    assert "mscratch=0xabcdef" in out, out      # CSR write
    assert "ft3=2.500000" in out, out           # FP register write
    assert "frm=1" in out, out                  # fcsr feeds frm
    assert re.search(r"^mcause\s+0x0", out, re.M), out


def test_target_description_lists_every_register(vireo, prog, gdb):
    v = vireo()
    out = run_gdb(gdb, prog, v.sock, "info all-registers",
                  "maint print remote-registers", "kill")
    for reg in ("zero", "ra", "sp", "t6", "pc", "ft0", "fs11", "fflags",
                "frm", "fcsr", "mstatus", "misa", "mtvec", "mepc", "satp",
                "sstatus", "pmpaddr15", "mhartid", "cycle", "priv"):
        assert re.search(rf"^{reg}\s", out, re.M), (reg, out)


def test_step_through_branch(vireo, prog, gdb):
    v = vireo()
    taken = source_line("return x * 2;")
    out = run_gdb(gdb, prog, v.sock, "break branchy", "c", "p x", "next",
                  "info line *$pc", "stepi", "stepi", "p $pc",
                  "finish", "kill")
    assert "Breakpoint 1, branchy (x=8)" in out, out
    assert f"Line {taken} of" in out, out       # the branch was taken
    assert "Value returned is $3 = 16" in out or \
        re.search(r"Value returned is \$\d+ = 16", out), out


def test_breakpoint_in_rom_before_the_kernel(vireo, prog, gdb):
    """Breakpoints match the virtual PC when code is translated, so they
    work in the boot ROM, where nothing can be written."""
    v = vireo()
    out = run_gdb(gdb, prog, v.sock, "break *0x1008", "c",
                  'printf "pc=%#lx a0=%ld\\n", $pc, $a0', "x/4xw 0x1000",
                  "kill")
    assert "Breakpoint 1, 0x0000000000001008" in out, out
    assert "pc=0x1008 a0=0" in out, out     # after csrr a0, mhartid


def test_hbreak_and_tbreak(vireo, prog, gdb):
    v = vireo()
    out = run_gdb(gdb, prog, v.sock, "hbreak add", "tbreak branchy", "c",
                  "c", "info breakpoints", "kill")
    assert "Hardware assisted breakpoint 1 at" in out, out
    assert "Breakpoint 1, add (a=2, b=3)" in out, out
    assert re.search(r"hw breakpoint +keep y .* in add", out), out
    assert "Temporary breakpoint 2, branchy (x=8)" in out, out


def test_read_and_write_memory(vireo, prog, gdb):
    """Untouched, the program exits with 3; 'V' in buffer[0] makes it 0."""
    v = vireo()
    out = run_gdb(gdb, prog, v.sock, "break main", "c", "x/s buffer",
                  "set var buffer[0] = 'V'", "x/s buffer",
                  "set var counter = 77", "p counter", "x/2xw &counter",
                  "p *(int *)0x10", "c")
    assert '"vireo-gdb-test"' in out and '"Vireo-gdb-test"' in out, out
    assert "$1 = 77" in out, out
    assert "Cannot access memory at address 0x10" in out, out
    assert "exited normally" in out, out
    status, _, err = v.wait()
    assert status == 0, err


def test_watchpoint_stops_at_the_store(vireo, prog, gdb):
    v = vireo()
    after = line_address(gdb, prog, source_line("other = 2;"))
    out = run_gdb(gdb, prog, v.sock, "watch watched", "c", "p other",
                  'printf "pc=%#lx\\n", $pc', "rwatch counter", "c",
                  "awatch other", "c", "delete", "c")
    assert "Hardware watchpoint 1: watched" in out, out
    assert "Old value = 0" in out and "New value = 42" in out, out
    # Stopped right after the store: the statement before it is done, the
    # one after it is not, and the PC is the next statement's first
    # instruction (the store is the last one of "watched = 42;").
    assert "$1 = 1" in out, out
    assert f"pc={after:#x}" in out, out
    assert "Hardware read watchpoint 2: counter" in out, out
    assert "Value = 5" in out, out
    assert "Hardware access (read/write) watchpoint 3: other" in out, out
    assert "exited with code 03" in out, out
    status, _, _ = v.wait()
    assert status == 3


def test_ctrl_c_stops_spinning_harts(vireo, prog, gdb):
    """Ctrl-C (SIGINT to gdb, which sends 0x03) stops every hart."""
    v = vireo("-smp", "4")
    args = [gdb, "-nx", "-batch", "-ex", "set pagination off",
            "-ex", f"target remote {v.sock}", "-ex", "set var spin_forever=1",
            "-ex", "echo READY\\n",
            "-ex", "c", "-ex", "info threads", "-ex", "p counter > 0",
            "-ex", "p hart_ticks[1] > 0 && hart_ticks[3] > 0",
            "-ex", "thread 3", "-ex", "bt", "-ex", "set var spin_forever=0",
            "-ex", "set var buffer[0]='V'", "-ex", "detach", prog]
    g = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    seen = ""
    while "READY" not in seen:
        line = g.stdout.readline()
        assert line, seen
        seen += line
    time.sleep(1)           # gdb continues, the harts spin
    g.send_signal(signal.SIGINT)
    out, _ = g.communicate(timeout=30)
    out = seen + out
    assert "received signal SIGINT" in out, out
    for n in range(4):
        assert re.search(rf'Thread {n + 1} "hart{n}" \(CPU#{n} ', out), out
    assert "$1 = 1" in out and "$2 = 1" in out, out
    assert "secondary (hartid=2)" in out, out
    status, _, err = v.wait()
    assert status == 0, err       # detached: the guest finished by itself


def test_detach_lets_the_guest_finish(vireo, prog, gdb):
    v = vireo()
    out = run_gdb(gdb, prog, v.sock, "break branchy", "c", "detach")
    assert "Breakpoint 1, branchy" in out, out
    assert "detached" in out, out
    status, _, _ = v.wait()
    assert status == 3


def test_kill_ends_the_emulator(vireo, prog, gdb):
    v = vireo()
    out = run_gdb(gdb, prog, v.sock, "break main", "c", "kill")
    assert "killed" in out, out
    status, _, err = v.wait()
    assert status == 0 and "terminated via the gdb stub" in err, err


def test_monitor_commands_from_gdb(vireo, prog, gdb):
    """qRcmd: "monitor CMD" runs an HMP command on gdb's current hart."""
    v = vireo("-smp", "2")
    out = run_gdb(gdb, prog, v.sock, "break add", "c",
                  "monitor info registers", "thread 2",
                  "monitor info registers", "monitor info mtree",
                  "monitor gdbserver none", "monitor nosuchcommand", "kill")
    regs = re.findall(r"^ pc +([0-9a-f]{16})$", out, re.M)
    add = symbol(prog, "add")
    assert len(regs) == 2, out
    assert add <= int(regs[0], 16) < add + 0x40, out   # hart 0: in add()
    # Hart 1 may be anywhere in its start-up code (it is scheduled round-
    # robin with hart 0); what matters is that the command ran on it.
    assert re.search(r"^ mhartid +0000000000000001$", out, re.M), out
    assert "sifive_test" in out or "test" in out, out   # info mtree
    assert "cannot be replaced from gdb" in out, out
    assert "unknown command: 'nosuchcommand'" in out, out


def test_hmp_gdbserver_command(system_riscv64, prog, gdb, tmp_path):
    """The monitor's "gdbserver DEV" starts a server on a running guest."""
    mon = str(tmp_path / "mon.sock")
    sock = str(tmp_path / "gdb.sock")
    p = subprocess.Popen([system_riscv64, "-M", "virt", "-bios", "none",
                          "-nographic", "-kernel", prog, "-serial", "none",
                          "-monitor", f"unix:{mon},server=on,wait=off",
                          "-S"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(500):
            if os.path.exists(mon):
                break
            time.sleep(0.02)
        m = socket.socket(socket.AF_UNIX)
        m.settimeout(10)
        m.connect(mon)
        m.sendall(f"gdbserver unix:{sock}\n".encode())
        text = b""
        while b"Waiting for gdb connection" not in text:
            chunk = m.recv(4096)
            assert chunk, text
            text += chunk
        assert f"'unix:{sock}'".encode() in text
        # The monitor's "stop" interrupts a gdb waiting in "continue".
        g = subprocess.Popen(
            [gdb, "-nx", "-batch", "-ex", f"target remote {sock}",
             "-ex", "break branchy", "-ex", "c", "-ex", "p x",
             "-ex", "set var spin_forever=1", "-ex", "echo READY\\n",
             "-ex", "c", "-ex", "p counter > 0",
             "-ex", "set var spin_forever=0", "-ex", "detach", prog],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        seen = ""
        while "READY" not in seen:
            line = g.stdout.readline()
            assert line, seen
            seen += line
        time.sleep(0.5)
        m.sendall(b"stop\n")
        out = seen + g.communicate(timeout=30)[0]
        assert "Breakpoint 1, branchy (x=8)" in out, out
        assert "received signal SIGINT" in out, out
        assert "$2 = 1" in out, out
        m.close()
        p.communicate(timeout=30)
        assert p.returncode == 3
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()


# --- the Linux guest ---

@pytest.fixture(scope="module")
def guest():
    try:
        p = subprocess.run([os.path.join(ROOT, "guest", "build.sh"),
                            "--print-dir"], capture_output=True, text=True,
                           timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"test guest unavailable: {e}")
    if p.returncode != 0:
        pytest.skip("test guest could not be built: " +
                    p.stderr.strip().splitlines()[-1:][0]
                    if p.stderr.strip() else "guest/build.sh failed")
    d = p.stdout.strip().splitlines()[-1]
    if not os.path.exists(os.path.join(d, "vmlinux")):
        pytest.skip("the test guest has no vmlinux")
    return d


def test_linux_start_kernel_backtrace(system_riscv64, gdb, guest, tmp_path):
    sock = str(tmp_path / "linux.sock")
    p = subprocess.Popen(
        [system_riscv64, "-M", "virt", "-m", "512M", "-nographic",
         "-bios", "default", "-kernel", os.path.join(guest, "Image"),
         "-initrd", os.path.join(guest, "rootfs.cpio.gz"),
         "-append", "console=ttyS0", "-gdb", f"unix:{sock}", "-S"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(500):
            if os.path.exists(sock):
                break
            time.sleep(0.02)
        out = run_gdb(gdb, os.path.join(guest, "vmlinux"), sock,
                      "break start_kernel", "c", "bt", "p $priv",
                      "p init_task.comm", "kill", timeout=300)
        assert re.search(r"Breakpoint 1, (0x[0-9a-f]+ in )?start_kernel \(\)",
                         out), out
        assert re.search(r"#0 .*start_kernel", out), out
        assert re.search(r"#1 .*_start_kernel", out), out
        assert re.search(r"\$1 = 1\b", out), out          # S-mode
        assert 'swapper' in out, out
    finally:
        if p.poll() is None:
            p.kill()
        p.communicate()


# --- the protocol itself ---

class RawGdb:
    """A minimal Remote Serial Protocol client (ack mode)."""

    def __init__(self, path):
        # The socket file appears at bind(), a moment before listen():
        # a connection refused in between is retried.
        deadline = time.time() + 10
        while True:
            self.s = socket.socket(socket.AF_UNIX)
            self.s.settimeout(10)
            try:
                self.s.connect(path)
                break
            except ConnectionRefusedError:
                self.s.close()
                assert time.time() < deadline, "gdbstub never listened"
                time.sleep(0.02)
        self.buf = b""

    def send_raw(self, data):
        self.s.sendall(data)

    def recv_byte(self):
        while not self.buf:
            chunk = self.s.recv(65536)
            assert chunk, "connection closed"
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def read_packet(self):
        """The next packet's payload (acks and noise skipped)."""
        while self.recv_byte() != b"$":
            pass
        data = b""
        while True:
            c = self.recv_byte()
            if c == b"#":
                break
            data += c
        csum = self.recv_byte() + self.recv_byte()
        assert int(csum, 16) == sum(data) % 256
        try:
            self.send_raw(b"+")
        except OSError:
            pass        # the stub may hang up right after (D, vKill)
        return data

    def command(self, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        self.send_raw(b"$%s#%02x" % (payload, sum(payload) % 256))
        return self.read_packet()

    def close(self):
        self.s.close()


def unescape(data):
    out, i = bytearray(), 0
    while i < len(data):
        if data[i] == ord("}"):
            out.append(data[i + 1] ^ 0x20)
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


def reg_numbers(xml):
    return {m[1]: int(m[2]) for m in
            re.finditer(r'<reg name="([^"]+)"[^>]* regnum="(\d+)"', xml)}


def target_xml(g):
    xml, off = b"", 0
    while True:
        r = g.command(f"qXfer:features:read:target.xml:{off:x},800")
        xml += unescape(r[1:])
        off += len(unescape(r[1:]))
        if r[:1] == b"l":
            return xml.decode()


def read_reg(g, n):
    return int.from_bytes(bytes.fromhex(g.command(f"p{n:x}").decode()),
                          "little")


def read_u64(g, addr):
    return int.from_bytes(bytes.fromhex(g.command(f"m{addr:x},8").decode()),
                          "little")


def test_hardware_single_step_and_irq_flags(vireo, prog, gdb):
    """vCont;s executes one instruction and, by default (NOIRQ), does not
    enter the pending timer interrupt's handler; with the flags cleared
    through QEMU's Qqemu.sstep packet it does."""
    v = vireo()
    g = RawGdb(v.sock)
    try:
        assert g.command("vCont?") == b"vCont;c;C;s;S"
        regs = reg_numbers(target_xml(g))
        loop = line_address(gdb, prog, source_line("irq_spins++;"))
        g.command(f"M{symbol(prog, 'irq_mode'):x},4:01000000")
        assert g.command(f"Z0,{loop:x},4") == b"OK"
        assert g.command("vCont;c").startswith(b"T05")
        assert read_reg(g, regs["pc"]) == loop
        assert g.command(f"z0,{loop:x},4") == b"OK"
        # A timer interrupt is pending and enabled; set mstatus.MIE.
        mstatus = read_reg(g, regs["mstatus"])
        val = (mstatus | 8).to_bytes(8, "little").hex()
        assert g.command(f"P{regs['mstatus']:x}={val}") == b"OK"
        pc = loop
        for _ in range(6):
            assert g.command("vCont;s:1").startswith(b"T05")
            new = read_reg(g, regs["pc"])
            assert new in (pc + 2, pc + 4) or new < pc, (hex(pc), hex(new))
            pc = new
        assert read_u64(g, symbol(prog, "irq_count")) == 0
        assert g.command("qqemu.sstep") == b"0x7"
        assert g.command("Qqemu.sstep=0x1") == b"OK"
        assert g.command("s").startswith(b"T05")
        assert read_reg(g, regs["pc"]) == symbol(prog, "trap_entry")
        assert read_reg(g, regs["mcause"]) == (1 << 63) | 7
        g.command("D")
    finally:
        g.close()


def test_vcont_per_thread_actions(vireo):
    """vCont acts per hart: a hart without an action stays where it is."""
    v = vireo("-smp", "2")
    g = RawGdb(v.sock)
    try:
        pc = reg_numbers(target_xml(g))["pc"]

        def pc_of(tid):
            assert g.command(f"Hg{tid}") == b"OK"
            return read_reg(g, pc)

        assert g.command("qfThreadInfo") == b"m1,2"
        assert g.command("qsThreadInfo") == b"l"
        assert g.command("T2") == b"OK" and g.command("T3").startswith(b"E")
        assert pc_of(1) == pc_of(2) == 0x1000   # both in the reset vector
        assert g.command("vCont;s:2") == b"T05thread:2;"
        assert (pc_of(1), pc_of(2)) == (0x1000, 0x1004)
        assert g.command("qC") == b"QC2"
        assert g.command("vCont;s:p1.1") == b"T05thread:1;"
        assert (pc_of(1), pc_of(2)) == (0x1004, 0x1004)
        g.command("D")
    finally:
        g.close()


def test_watchpoint_packets_stop_before_the_store(vireo, prog, gdb):
    """At the protocol level (RISC-V gdb wants non-steppable watchpoints):
    the stop reply names the watchpoint and the PC is the storing
    instruction, not yet executed; one step later the store is done."""
    v = vireo()
    g = RawGdb(v.sock)
    try:
        regs = reg_numbers(target_xml(g))
        watched = symbol(prog, "watched")
        start = line_address(gdb, prog, source_line("watched = 42;"))
        after = line_address(gdb, prog, source_line("other = 2;"))
        assert g.command(f"Z2,{watched:x},8") == b"OK"
        assert g.command("vCont;c") == \
            f"T05watch:{watched:x};thread:1;".encode()
        pc = read_reg(g, regs["pc"])
        assert start <= pc < after
        assert read_u64(g, watched) == 0
        assert g.command(f"z2,{watched:x},8") == b"OK"
        assert g.command("vCont;s:1") == b"T05thread:1;"
        assert read_reg(g, regs["pc"]) == after
        assert read_u64(g, watched) == 42
        g.command("D")
    finally:
        g.close()
    status, _, _ = v.wait()
    assert status == 3


def test_random_packets_leave_the_stub_working(vireo):
    """A few hundred random (well-framed) packets: every one gets a reply
    and the stub still works afterwards. Resume, detach and kill packets
    are left out so the guest stays stopped."""
    import random
    rng = random.Random(7)
    heads = list("?gGHmMpPTXzZ") + [
        "qSupported", "qXfer:features:read:target.xml:",
        "qXfer:threads:read::", "qXfer:", "qRcmd,", "qC", "qfThreadInfo",
        "qThreadExtraInfo,", "qqemu.sstep", "Qqemu.sstep=",
        "vCont?", "qAttached", "qZ", "vX"]
    alphabet = b"0123456789abcdefABCDEF,:;=-xp.#$}*\x00\xff gz"
    v = vireo()
    g = RawGdb(v.sock)
    for _ in range(400):
        payload = rng.choice(heads).encode() + bytes(
            rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        esc = b"".join(b"}" + bytes([c ^ 0x20]) if c in b"}#$*"
                       else bytes([c]) for c in payload)
        g.send_raw(b"$%s#%02x" % (esc, sum(esc) % 256))
        g.read_packet()
    assert g.command("Hg1") == b"OK"
    assert len(g.command("g")) == 33 * 16
    assert g.command("vKill;1") == b"OK"
    g.close()
    status, _, err = v.wait()
    assert status == 0 and "terminated via the gdb stub" in err, err


def test_malformed_input_and_reconnect(vireo, prog):
    v = vireo()
    g = RawGdb(v.sock)
    # A bad checksum is refused with '-'; noise between packets is ignored.
    g.send_raw(b"garbage+$g#00")
    assert g.recv_byte() == b"-"
    assert g.command("?") == b"T05thread:1;"
    assert g.command("qNoSuchThing") == b""
    assert g.command("") == b""
    for bad in ("m", "mzz,4", "m1000", "p", "pzz", "P1", "P1=zz",
                "p" + "f" * 20, "Z0", "Z0,1", "Hx1", "Hg99", "T0", "Tzz",
                "vCont;x", "vCont;c:zz", "M80000000,2:1", "X80000000,4:ab",
                "qXfer:features:read:target.xml:zz", "qRcmd,4",
                "Qqemu.sstep=99"):
        r = g.command(bad)
        assert r.startswith(b"E"), (bad, r)
    assert g.command("qXfer:features:read:other.xml:0,10").startswith(b"E")
    assert g.command("qXfer:features:read:target.xml:100000,10") == b"l"
    assert g.command("Z9,80000000,4") == b""     # not offered
    assert g.command("m10,4") == b"E14"          # nothing there
    assert g.command("p100000") == b"E22"
    # Longer than PacketSize: an error, and the stream stays in sync.
    big = b"X" * 0x5000
    g.send_raw(b"$%s#%02x" % (big, sum(big) % 256))
    assert g.read_packet() == b"E01"
    # Binary writes with every character that needs escaping.
    buf = symbol(prog, "buffer")
    data = bytes([0x7d, 0x23, 0x24, 0x2a, 0x00, 0xff])
    esc = b"".join(b"}" + bytes([c ^ 0x20]) if c in b"}#$*" else bytes([c])
                   for c in data)
    assert g.command(b"X%x,%x:" % (buf, len(data)) + esc) == b"OK"
    assert g.command(f"m{buf:x},{len(data):x}") == data.hex().encode()
    assert g.command(f"X{buf:x},0:") == b"OK"
    # Cut off in the middle of a packet, then a new client: a clean start.
    g.send_raw(b"$m8000")
    g.close()
    time.sleep(0.2)
    # One client at a time: a second one waits until the first leaves.
    g = RawGdb(v.sock)
    g2 = RawGdb(v.sock)
    assert g.command("qSupported:xmlRegisters=riscv").startswith(
        b"PacketSize=")
    g2.s.settimeout(0.5)
    with pytest.raises(TimeoutError):
        g2.s.recv(1)
    g2.s.settimeout(10)
    g.close()
    g = g2
    assert g.command("?") == b"T05thread:1;"
    assert g.command("QStartNoAckMode") == b"OK"
    # No acks from here on: send without waiting for '+'.
    payload = b"qfThreadInfo"
    g.send_raw(b"$%s#%02x" % (payload, sum(payload) % 256))
    assert g.read_packet() == b"m1"
    g.send_raw(b"$D#44")
    assert g.read_packet() == b"OK"
    g.close()
    status, _, _ = v.wait()
    assert status == 3        # the guest ran to its end after the detach
