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
