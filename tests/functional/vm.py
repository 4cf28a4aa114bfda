"""Drive a Vireo (or QEMU) guest through its serial console.

A Guest starts the emulator under pexpect, waits for the test guest's
shell (guest/init prints "vireo-guest: ready" and the prompt "~ # "),
runs commands and returns their output, and shuts the guest down. Tests
share one boot for many checks (module-scoped fixtures), so the suite
stays within make check's time budget.
"""
import os
import re
import subprocess
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PROMPT = "~ # "
# The interpreter boots the test kernel in seconds; leave room for a
# loaded CI machine and the sanitizer build.
BOOT_TIMEOUT = int(os.environ.get("VIREO_BOOT_TIMEOUT", "300"))


def guest_dir():
    """The cached test guest (built on first use), or None with a reason."""
    try:
        p = subprocess.run([os.path.join(ROOT, "guest", "build.sh"),
                            "--print-dir"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "guest build failed: %s" % e
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or not lines or not os.path.isdir(lines[-1]):
        return None, "guest build failed (exit %d)" % p.returncode
    return lines[-1], None


class Guest:
    def __init__(self, cmd, log_path=None):
        self.cmd = cmd
        self.log = open(log_path, "w") if log_path else None
        self.start_time = time.time()
        self.child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8",
                                   codec_errors="replace",
                                   timeout=BOOT_TIMEOUT)
        self.child.logfile_read = self.log
        self.boot_seconds = None

    def wait_shell(self):
        self.child.expect_exact("vireo-guest: ready")
        self.child.expect_exact(PROMPT)
        self.boot_seconds = time.time() - self.start_time
        # No echo (long command lines wrap on the terminal) and a quieter
        # kernel: keep everything but command output off the console.
        self.child.sendline("stty -echo")
        self.child.expect_exact(PROMPT)
        self.run("echo 1 > /proc/sys/kernel/printk")
        return self

    def run(self, command, timeout=120):
        """Run @command in the guest shell; return its output (no echo)."""
        marker = "__vireo_done_%d__" % int(time.time() * 1000)
        self.child.sendline("%s; echo %s$?" % (command, marker))
        self.child.expect(re.escape(marker) + r"(\d+)", timeout=timeout)
        out = self.child.before
        status = int(self.child.match.group(1))
        self.child.expect_exact(PROMPT, timeout=timeout)
        self.last_status = status
        return out.replace("\r", "").strip()

    def check(self, command, timeout=120):
        out = self.run(command, timeout)
        assert self.last_status == 0, "%r failed (%d): %s" % (
            command, self.last_status, out)
        return out

    def poweroff(self, timeout=120):
        self.child.sendline("poweroff")
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus

    def wait_exit(self, timeout=120):
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus

    def kill(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        if self.log:
            self.log.close()


def vireo_cmd(binary, guest, smp=1, mem="512M", extra=()):
    return [binary, "-M", "virt", "-m", mem, "-smp", str(smp), "-nographic",
            "-bios", "default", "-kernel", os.path.join(guest, "Image"),
            "-initrd", os.path.join(guest, "rootfs.cpio.gz"),
            "-append", "console=ttyS0"] + list(extra)
