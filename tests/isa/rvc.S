/*
 * rvc.S — every RV64C instruction (unprivileged spec ch. 16), each written
 * with its explicit c.* mnemonic so the assembler must emit the 16-bit
 * form: loads/stores (incl. c.fld/c.fsd/c.fldsp/c.fsdsp), stack-pointer
 * forms, immediates with their sign/zero extension and scaling, c.addiw's
 * 32-bit wrap, control transfer (c.j, c.jr, c.jalr link = pc + 2, c.beqz,
 * c.bnez), c.ebreak, HINTs (rd = x0) as no-ops, and the all-zero
 * halfword and reserved immediates being illegal.
 */
#include "test.h"

    .data
    .align 4
cdata:
    .dword 0x8877665544332211, 0xfedcba9876543210, 0x3ff0000000000000, 0
    .dword 0, 0, 0, 0

    .text
    .option rvc
TEST_BEGIN
    /* --- quadrant 0 --- */
    TCASE(1, a0, 16, mv s1, sp; c.addi4spn a0, sp, 16; sub a0, a0, s1)
    TCASE(2, a0, 1020, c.addi4spn a0, sp, 1020; sub a0, a0, sp)
    TCASE(3, a0, 0xffffffff88776655, la a1, cdata; c.lw a0, 4(a1))
    TCASE(4, a0, 0xfedcba9876543210, la a1, cdata; c.ld a0, 8(a1))
    TCASE(5, a0, 0x12345678, la a1, cdata; li a2, 0x12345678; c.sw a2, 32(a1); lwu a0, 32(a1))
    TCASE(6, a0, 0x0123456789abcdef, la a1, cdata; li a2, 0x0123456789abcdef; c.sd a2, 40(a1); ld a0, 40(a1))
    TCASE(7, a0, 0x3ff0000000000000, la a1, cdata; c.fld fa0, 16(a1); fmv.x.d a0, fa0)
    TCASE(8, a0, 0x4000000000000000, la a1, cdata; li a2, 0x4000000000000000; fmv.d.x fa1, a2; c.fsd fa1, 48(a1); ld a0, 48(a1))
    /* --- quadrant 1 --- */
    TCASE(9, a0, 5, li a0, 5; c.nop)
    TCASE(10, a0, 36, li a0, 5; c.addi a0, 31)
    TCASE(11, a0, -27, li a0, 5; c.addi a0, -32)
    TCASE(12, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
    TCASE(13, a0, 0x0000000000000005, li a0, 0xffffffff00000005; c.addiw a0, 0)  /* sext.w */
    TCASE(14, a0, -32, c.li a0, -32)
    TCASE(15, a0, 31, c.li a0, 31)
    TCASE(16, a0, 0, mv s1, sp; c.addi16sp sp, -512; c.addi16sp sp, 496; addi sp, sp, 16; sub a0, sp, s1)
    TCASE(17, a0, -512, mv s1, sp; c.addi16sp sp, -512; sub a0, sp, s1; mv sp, s1)
    TCASE(18, a0, 0x1f000, c.lui a0, 0x1f)
    TCASE(19, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)  /* imm -32: sign-extended */
    TCASE(20, a0, 0x7fffffffffffffff, li a0, -1; c.srli a0, 1)
    TCASE(21, a0, 0x0000000000000001, li a0, 0x8000000000000000; c.srli a0, 63)
    TCASE(22, a0, 0xffffffffffffffff, li a0, 0x8000000000000000; c.srai a0, 63)
    TCASE(23, a0, 0xffffffff80000000, li a0, 0x8000000000000000; c.srai a0, 32)
    TCASE(24, a0, 0x10, li a0, 0xff0; c.andi a0, 31)
    TCASE(25, a0, 0xfe0, li a0, 0xff0; c.andi a0, -32)
    TCASE(26, a0, -3, li a0, 2; li a1, 5; c.sub a0, a1)
    TCASE(27, a0, 0x0ff0, li a0, 0x0f0f; li a1, 0x00ff; c.xor a0, a1)
    TCASE(28, a0, 0x0fff, li a0, 0x0f0f; li a1, 0x00ff; c.or a0, a1)
    TCASE(29, a0, 0x000f, li a0, 0x0f0f; li a1, 0x00ff; c.and a0, a1)
    TCASE(30, a0, 0x000000007fffffff, li a0, 0x80000000; li a1, 1; c.subw a0, a1)
    TCASE(31, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
    TCASE(32, a0, 1, li a0, 0; c.j 1f; li a0, 2; 1: c.addi a0, 1)
    TCASE(33, a0, 1, li a0, 0; li a1, 0; c.beqz a1, 1f; li a0, 2; 1: c.addi a0, 1)
    TCASE(34, a0, 3, li a0, 0; li a1, 1; c.beqz a1, 1f; li a0, 2; 1: c.addi a0, 1)
    TCASE(35, a0, 1, li a0, 0; li a1, -1; c.bnez a1, 1f; li a0, 2; 1: c.addi a0, 1)
    TCASE(36, a0, 3, li a0, 0; li a1, 0; c.bnez a1, 1f; li a0, 2; 1: c.addi a0, 1)
    TCASE(37, a0, 2, li a0, 0; 1: c.addi a0, 1; li a1, 2; bne a0, a1, 1b)  /* backward */
    /* --- quadrant 2 --- */
    TCASE(38, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
    TCASE(39, a0, 0x100000000, li a0, 1; c.slli a0, 32)
    TSTART(40, "sp-relative loads and stores")
    addi sp, sp, -512
    li a2, 0x1122334455667788
    c.sdsp a2, 504(sp)
    li a3, 0xfffffff0
    c.swsp a3, 252(sp)
    li a4, 0x4008000000000000
    fmv.d.x fa2, a4
    c.fsdsp fa2, 8(sp)
    c.ldsp a0, 504(sp)
    c.lwsp a1, 252(sp)
    c.fldsp fa3, 8(sp)
    fmv.x.d a5, fa3
    addi sp, sp, 512
    TCHECK(40, a0, 0x1122334455667788)
    TCASE(41, a1, 0xfffffffffffffff0, nop)
    TCASE(42, a5, 0x4008000000000000, nop)
    TCASE(43, a0, 1, li a0, 0; la a1, 1f; c.jr a1; li a0, 2; 1: c.addi a0, 1)
    TCASE(44, a0, 2, la a1, 2f; 1: c.jalr a1; 2: la a0, 1b; sub a0, ra, a0)   /* link = pc + 2 */
    TCASE(45, a0, 0x1234, li a1, 0x1234; c.mv a0, a1)
    TCASE(46, a0, 0x1239, li a0, 5; li a1, 0x1234; c.add a0, a1)
    TRAP_ARM
    TCASE(47, a0, CAUSE_BREAKPOINT, 1: c.ebreak; TRAP_FIELD(a0, TREC_CAUSE))
    TCASE(48, a0, 0, TRAP_FIELD(a0, TREC_EPC); la a1, 1b; sub a0, a0, a1)
    /* the all-zero halfword is a defined illegal instruction */
    TRAP_ARM
    TCASE(49, a0, CAUSE_ILLEGAL_INSTRUCTION, 1: .half 0; TRAP_FIELD(a0, TREC_CAUSE))
    TCASE(50, a0, 0, TRAP_FIELD(a0, TREC_EPC); la a1, 1b; sub a0, a0, a1)
    TCASE(54, a0, 0, TRAP_FIELD(a0, TREC_TVAL))   /* mtval = its 16 bits */
    /* c.addi4spn with nzuimm = 0 is reserved (0x0000 aside): use .half */
    TRAP_ARM
    TCASE(51, a0, CAUSE_ILLEGAL_INSTRUCTION, .half 0x0004; TRAP_FIELD(a0, TREC_CAUSE))
    /* c.lui with imm = 0 is reserved */
    TRAP_ARM
    TCASE(52, a0, CAUSE_ILLEGAL_INSTRUCTION, .half 0x6501; TRAP_FIELD(a0, TREC_CAUSE))
    TCASE(55, a0, 0x6501, TRAP_FIELD(a0, TREC_TVAL))
    TRAP_DISARM
    /* HINT encodings (rd = x0) execute as no-ops: c.addi x0, 1; c.li x0, 1;
     * c.lui x0, 1; c.mv x0, a1; c.add x0, a1 (spec §16.7 Table 16.7) */
    TCASE(56, a0, 0x77, li a0, 0x77; li a1, 5; .half 0x0005; .half 0x4005; .half 0x6005; .half 0x802e; .half 0x902e)
    /* mixing 16- and 32-bit instructions at 2-byte alignment */
    TCASE(53, a0, 6, c.li a0, 1; addi a0, a0, 2; c.addi a0, 3)
TEST_PASS
