"""Binary translation seen from outside: a riscv-tests-style program's
result becomes the exit status, and -d in_asm,op shows what the guest ran
and what it became (the CPU issue's acceptance)."""
import subprocess

import pytest

from conftest import build_bare_metal, run

# A riscv-tests-style program: report failure of test 7 through HTIF.
FAILING_PROGRAM = r"""
    .section .text.init
    .globl _start
_start:
    li   a0, 41
    addi a0, a0, 1
    li   t0, 42
    bne  a0, t0, 1f
    li   a1, (7 << 1) | 1       /* "test 7 failed" */
    la   t1, tohost
    sd   a1, 0(t1)
1:  j    1b

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
tohost: .dword 0
    .align 6
    .globl fromhost
fromhost: .dword 0
"""

LINKER_SCRIPT = """
OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .text.init : { *(.text.init) }
  .tohost ALIGN(0x1000) : { *(.tohost) }
  .text : { *(.text) }
  .data : { *(.data) }
}
"""


@pytest.fixture(scope="module")
def failing_elf(tmp_path_factory):
    return build_bare_metal(tmp_path_factory.mktemp("tcg"), FAILING_PROGRAM,
                            LINKER_SCRIPT)


def test_failing_program_exit_status(system_riscv64, failing_elf):
    p = run([system_riscv64, "-M", "spike", "-bios", "none", "-nographic",
             "-accel", "tcg,backend=interp", "-kernel", failing_elf])
    assert p.returncode == 7, p.stderr


def test_log_shows_guest_code_and_ir(system_riscv64, failing_elf, tmp_path):
    log = tmp_path / "log.txt"
    p = run([system_riscv64, "-M", "spike", "-bios", "none", "-nographic",
             "-d", "in_asm,op,op_opt", "-D", str(log),
             "-kernel", failing_elf])
    assert p.returncode == 7
    text = log.read_text()
    # Guest disassembly of the first TB...
    assert "IN: " in text
    assert "0x80000000" in text or "80000000" in text
    assert "li" in text and "bne" in text
    # ...and the IR before and after optimization, one section per insn.
    assert "OP:" in text and "OP after optimization:" in text
    assert " ---- 0000000080000000" in text
    assert "qemu_st_i64" in text
    assert "exit_tb" in text


def test_one_insn_per_tb_same_result(system_riscv64, failing_elf):
    p = run([system_riscv64, "-M", "spike", "-bios", "none", "-nographic",
             "-accel", "tcg,one-insn-per-tb=on", "-d", "nochain",
             "-kernel", failing_elf])
    assert p.returncode == 7


def test_accel_help_and_bad_backend(system_riscv64):
    p = run([system_riscv64, "-accel", "tcg,help"])
    assert p.returncode == 0 and "backend=<enum>" in p.stdout
    p = run([system_riscv64, "-accel", "tcg,backend=warp"])
    assert p.returncode == 1 and len(p.stderr.splitlines()) == 1


def test_monitor_disassembles_guest_code(system_riscv64, failing_elf):
    # x/i in HMP uses the same disassembler as -d in_asm.
    p = subprocess.run([system_riscv64, "-M", "spike", "-bios", "none", "-S",
                        "-display", "none", "-monitor", "stdio",
                        "-kernel", failing_elf],
                       input="x/3i 0x80000000\nquit\n", capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0
    lines = [l for l in p.stdout.splitlines() if l.startswith("0x")]
    assert len(lines) == 3
    assert lines[0].startswith("0x0000000080000000:")
    assert "li" in lines[0] and "a0" in lines[0]
