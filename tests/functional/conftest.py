"""Shared fixtures for the whole-program tests.

Tests find the binaries through --vireo-build (default: build/ at the top
of the tree). Everything runs with stdin=/dev/null unless a test drives a
terminal itself (pexpect).
"""
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def pytest_addoption(parser):
    parser.addoption("--vireo-build", default=os.path.join(ROOT, "build"),
                     help="meson build directory holding the binaries")


@pytest.fixture(scope="session")
def build_dir(request):
    return os.path.abspath(request.config.getoption("--vireo-build"))


@pytest.fixture(scope="session")
def system_riscv64(build_dir):
    return os.path.join(build_dir, "vireo-system-riscv64")


@pytest.fixture(scope="session")
def system_x86_64(build_dir):
    return os.path.join(build_dir, "vireo-system-x86_64")


@pytest.fixture(scope="session")
def vireo_img(build_dir):
    return os.path.join(build_dir, "vireo-img")


def run(cmd, timeout=30, **kw):
    """Run a command with no stdin; return the CompletedProcess."""
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout, **kw)


def need_tool(name):
    """Skip the calling test, with the reason, if @name is not on PATH."""
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed")
    return path


def build_bare_metal(directory, source, linker_script):
    """Assemble @source with @linker_script into @directory/prog.elf.

    For small RISC-V programs run with -bios none (spike's HTIF tohost, the
    virt finisher). Skips the calling test without the cross compiler.
    """
    cc = need_tool("riscv64-unknown-elf-gcc")
    (directory / "prog.S").write_text(source)
    (directory / "link.ld").write_text(linker_script)
    elf = directory / "prog.elf"
    subprocess.run([cc, "-march=rv64gc", "-mabi=lp64d", "-nostdlib",
                    "-nostartfiles", "-T", str(directory / "link.ld"),
                    str(directory / "prog.S"), "-o", str(elf)], check=True)
    return str(elf)


class QMP:
    """A minimal QMP client (QEMU docs/interop/qmp-spec.rst).

    connect() reads the greeting; cmd() sends a command and returns its
    response, keeping events that arrive meanwhile in self.events;
    wait_event() waits for one. Works over a Unix path or (host, port).
    """

    def __init__(self, addr, timeout=30, negotiate=True):
        import socket
        import time
        self.events = []
        self.buf = b""
        deadline = time.time() + timeout
        while True:
            try:
                if isinstance(addr, tuple):
                    self.sock = socket.create_connection(addr, timeout=5)
                else:
                    self.sock = socket.socket(socket.AF_UNIX)
                    self.sock.connect(addr)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.greeting = self.recv()
        if negotiate:
            assert self.cmd("qmp_capabilities") == {"return": {}}

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv(self, timeout=None):
        """The next message (a dict), or None at EOF."""
        import json
        if timeout is not None:
            self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, name, args=None, id=None):
        import json
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        if id is not None:
            req["id"] = id
        self.send_raw(json.dumps(req).encode() + b"\n")
        while True:
            msg = self.recv()
            if msg is None or "event" not in msg:
                return msg
            self.events.append(msg)

    def cmd(self, name, **args):
        return self.execute(name, args or None)

    def wait_event(self, name, timeout=60):
        import time
        deadline = time.time() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no %s event" % name)
            msg = self.recv(timeout=left)
            if msg is None:
                raise EOFError("QMP connection closed waiting for %s" % name)
            self.events.append(msg)

    def close(self):
        self.sock.close()
