"""The x86-64 JIT seen from the command line: -accel tcg,backend=jit runs
guest code to the same result as the interpreter, check=on compares the
two on every TB and says so, -d out_asm shows the host code, and wrong
combinations are refused with a message. (The ISA suite runs on the JIT as
"isa-jit" in tests/run-all; Linux boots on it in test_boot.py.)"""
import platform
import re

import pytest

from conftest import build_bare_metal, run

pytestmark = pytest.mark.skipif(platform.machine() != "x86_64",
                                reason="the JIT exists on x86-64 hosts only")

# Loops, calls and returns (goto_ptr), multiply/divide, stores and loads,
# and a trap from inside a slow path (a misaligned AMO) whose mepc must be
# the AMO itself. Exit status 0 through HTIF when all is well, else the
# number of the failing check.
PROGRAM = r"""
    .section .text.init
    .globl _start
_start:
    la   t0, trap
    csrw mtvec, t0
    li   s0, 0              /* sum of floor(i * 3 / 2) for i < 1000 */
    li   s1, 0
1:  mv   a0, s1
    call scale
    add  s0, s0, a0
    addi s1, s1, 1
    li   t0, 1000
    blt  s1, t0, 1b
    la   t1, buf
    sd   s0, 8(t1)
    ld   t2, 8(t1)
    li   a1, 1
    bne  t2, s0, fail
    li   t0, 749000
    li   a1, 2
    bne  s0, t0, fail
    la   t1, buf
    addi t1, t1, 2
amo:
    amoadd.w t2, s0, (t1)   /* misaligned: store/AMO address misaligned */
    li   a1, 3
    j    fail
scale:
    slli t0, a0, 1
    add  a0, a0, t0
    srai a0, a0, 1          /* i * 3 / 2 */
    ret
    .align 2
trap:
    csrr t0, mcause
    li   a1, 4
    li   t3, 6
    bne  t0, t3, fail
    csrr t0, mepc
    la   t3, amo
    li   a1, 5
    bne  t0, t3, fail
    li   a1, 0
fail:
    slli a1, a1, 1
    ori  a1, a1, 1
    la   t1, tohost
    sd   a1, 0(t1)
2:  j    2b

    .section .data
    .align 4
buf: .dword 0, 0

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
  .data ALIGN(0x1000) : { *(.data) }
}
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    return build_bare_metal(tmp_path_factory.mktemp("jit"), PROGRAM,
                            LINKER_SCRIPT)


def spike(binary, elf, accel, *extra):
    return run([binary, "-M", "spike", "-bios", "none", "-nographic",
                "-accel", accel, *extra, "-kernel", elf], timeout=60)


@pytest.mark.parametrize("backend", ["interp", "jit"])
def test_program_passes_on_both_backends(system_riscv64, program, backend):
    p = spike(system_riscv64, program, "tcg,backend=" + backend)
    assert p.returncode == 0, p.stdout + p.stderr


def test_check_mode_compares_every_tb(system_riscv64, program):
    p = spike(system_riscv64, program, "tcg,backend=jit,check=on")
    assert p.returncode == 0, p.stdout + p.stderr
    m = re.search(r"jit check: (\d+) TB runs compared, (\d+) mismatched",
                  p.stderr)
    assert m, p.stderr
    assert int(m[1]) > 1000 and int(m[2]) == 0


def test_out_asm_shows_host_code(system_riscv64, program, tmp_path):
    log = tmp_path / "out.log"
    p = spike(system_riscv64, program, "tcg,backend=jit", "-d", "out_asm",
              "-D", str(log))
    assert p.returncode == 0
    text = log.read_text()
    assert "PROLOGUE: [size=" in text
    assert "OUT: [size=" in text
    assert "-- guest addr 0x0000000080000000" in text
    # Disassembled with capstone when Vireo was built with it, else bytes.
    assert re.search(r"^  0x[0-9a-f]+:  (mov|push|jmp|[0-9a-f]{2} )", text,
                     re.M)


def test_check_needs_the_jit(system_riscv64, program):
    p = spike(system_riscv64, program, "tcg,backend=interp,check=on")
    assert p.returncode != 0
    assert "check=on needs backend=jit" in p.stderr


def test_backend_listed_in_help(system_riscv64):
    p = run([system_riscv64, "-accel", "tcg,help"])
    assert re.search(r"backend=.*one of: interp jit", p.stdout + p.stderr)
