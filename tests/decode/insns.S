/*
 * tests/decode/insns.S — every instruction of every .decode group, with
 * operand variations, for the objdump comparison in tests/decode/run.
 * Assembled with -march=rv64gc_zba_zbb_zbc_zbs_zicsr_zifencei_zihintpause;
 * .insn/.word/.half give encodings the assembler will not produce itself
 * (HINTs, reserved encodings, fence variants).  Compressed instructions are
 * written explicitly with their c. names in the .option rvc section.
 */
    .text
    .option norvc
    .globl _start
_start:
/* ---- rvi.decode ---- */
    lui a0, 0x12345
    lui t6, 0xfffff
    lui zero, 0
    auipc a0, 0
    auipc s11, 0x80000
1:  jal ra, 1b
    jal zero, 2f
    jal a1, 1b
    jal t0, 2f
2:  jalr ra, 0(a0)
    jalr zero, 0(ra)
    jalr zero, 0(t1)
    jalr zero, 4(a1)
    jalr a1, 8(a0)
    jalr ra, -2048(s0)
    jalr t2, 2047(a7)
    beq a0, a1, 1b
    beq a0, zero, 2b
    beq zero, a0, 3f
    bne s0, s1, 1b
    bne a5, zero, 3f
    bne zero, a5, 3f
    blt a0, a1, 3f
    blt a0, zero, 3f
    blt zero, a0, 3f
    bge t0, t1, 1b
    bge a0, zero, 1b
    bge zero, a0, 1b
    bltu a2, a3, 3f
    bltu zero, a3, 3f
    bgeu a2, a3, 1b
    bgeu a2, zero, 1b
3:  lb a0, 0(a1)
    lb t0, -1(sp)
    lh a0, 2(a1)
    lh s2, -2048(gp)
    lw a0, 4(a1)
    lw tp, 2047(tp)
    ld a0, -8(sp)
    ld s11, 1000(t6)
    lbu a0, 0(a0)
    lhu a1, 10(a2)
    lwu a2, -12(a3)
    sb a0, 0(a1)
    sb zero, -1(sp)
    sh a0, 2(a1)
    sh t6, -2048(s0)
    sw a0, 4(a1)
    sw ra, 2047(s1)
    sd a0, 16(sp)
    sd s10, -16(s9)
    addi a0, a1, -5
    addi a0, zero, 5
    addi a0, zero, -2048
    addi zero, zero, 0
    addi a0, a1, 0
    addi sp, sp, 2047
    addi zero, a0, 1
    slti a0, a1, -1
    slti a0, a1, 100
    sltiu a0, a1, 1
    sltiu a0, a1, 7
    xori a0, a1, -1
    xori a0, a1, 0x55
    ori a0, a1, 0
    ori a0, a1, -256
    andi a0, a1, 255
    andi a0, a1, 15
    andi a0, a1, -1
    slli a0, a1, 0
    slli a0, a1, 33
    slli t0, t1, 63
    srli a0, a1, 1
    srli a0, a1, 63
    srai a0, a1, 2
    srai a0, a1, 40
    addiw a0, a1, 0
    addiw a0, a1, -7
    addiw a0, zero, 3
    slliw a0, a1, 3
    slliw a0, a1, 31
    srliw a0, a1, 3
    sraiw a0, a1, 31
    add a0, a1, a2
    add zero, zero, zero
    add a0, zero, a1
    sub a0, a1, a2
    sub a0, zero, a1
    sll a0, a1, a2
    slt a0, a1, a2
    slt a0, a1, zero
    slt a0, zero, a1
    sltu a0, a1, a2
    sltu a0, zero, a1
    sltu a0, a1, zero
    xor a0, a1, a2
    srl a0, a1, a2
    sra a0, a1, a2
    or a0, a1, a2
    and a0, a1, a2
    addw a0, a1, a2
    addw a0, a1, zero
    subw a0, a1, a2
    subw a0, zero, a1
    sllw a0, a1, a2
    srlw a0, a1, a2
    sraw a0, a1, a2
    fence
    fence rw, rw
    fence rw, w
    fence r, r
    fence i, o
    .insn i 0x0f, 0, zero, zero, 0x0f0
    fence.tso
    pause
    .insn i 0x0f, 0, zero, zero, 0x010
    ecall
    ebreak
/* ---- zifencei.decode ---- */
    fence.i
/* ---- rvm.decode ---- */
    mul a0, a1, a2
    mulh a0, a1, a2
    mulhsu a0, a1, a2
    mulhu a0, a1, a2
    div a0, a1, a2
    divu a0, a1, a2
    rem a0, a1, a2
    remu a0, a1, a2
    mulw a0, a1, a2
    divw a0, a1, a2
    divuw a0, a1, a2
    remw a0, a1, a2
    remuw s0, s1, s2
/* ---- rva.decode ---- */
    lr.w a0, (a1)
    lr.w.aq a0, (a1)
    lr.w.rl t0, (sp)
    lr.w.aqrl a0, (a1)
    sc.w a0, a2, (a1)
    sc.w.aq a0, a2, (a1)
    amoswap.w a0, a2, (a1)
    amoadd.w.rl a0, a2, (a1)
    amoxor.w a0, a2, (a1)
    amoand.w a0, a2, (a1)
    amoor.w.aqrl a0, a2, (a1)
    amomin.w a0, a2, (a1)
    amomax.w a0, a2, (a1)
    amominu.w a0, a2, (a1)
    amomaxu.w a0, a2, (a1)
    lr.d a0, (a1)
    lr.d.aqrl a0, (a1)
    sc.d a0, a2, (a1)
    sc.d.aqrl a0, a2, (a1)
    amoswap.d a0, a2, (a1)
    amoswap.d.aq zero, a2, (a1)
    amoadd.d a0, a2, (a1)
    amoxor.d a0, a2, (a1)
    amoand.d a0, a2, (a1)
    amoor.d a0, a2, (a1)
    amomin.d a0, a2, (a1)
    amomax.d.rl a0, a2, (a1)
    amominu.d a0, a2, (a1)
    amomaxu.d a0, a2, (a1)
/* ---- rvf.decode ---- */
    flw fa0, 4(a0)
    flw ft11, -2048(sp)
    fsw fa0, 8(a1)
    fsw fs11, 2047(s0)
    fmadd.s fa0, fa1, fa2, fa3
    fmadd.s fa0, fa1, fa2, fa3, rtz
    fmsub.s ft0, ft1, ft2, ft3
    fnmsub.s fs0, fs1, fs2, fs3, rne
    fnmadd.s fa4, fa5, fa6, fa7, rmm
    fadd.s fa0, fa1, fa2
    fadd.s fa0, fa1, fa2, rtz
    fadd.s fa0, fa1, fa2, rne
    fadd.s fa0, fa1, fa2, rdn
    fadd.s fa0, fa1, fa2, rup
    fadd.s fa0, fa1, fa2, rmm
    fsub.s fa0, fa1, fa2
    fmul.s fa0, fa1, fa2
    fdiv.s fa0, fa1, fa2
    fsqrt.s fa0, fa1
    fsqrt.s fa0, fa1, rtz
    fsgnj.s fa0, fa1, fa2
    fsgnj.s fa0, fa1, fa1
    fsgnjn.s fa0, fa1, fa2
    fsgnjn.s fa0, fa1, fa1
    fsgnjx.s fa0, fa1, fa2
    fsgnjx.s fa0, fa1, fa1
    fmin.s fa0, fa1, fa2
    fmax.s fa0, fa1, fa2
    fcvt.w.s a0, fa0
    fcvt.w.s a0, fa0, rtz
    fcvt.wu.s a0, fa0
    fcvt.l.s a0, fa0
    fcvt.lu.s a0, fa0, rup
    fcvt.s.w fa0, a0
    fcvt.s.w fa0, a0, rne
    fcvt.s.wu fa0, a0
    fcvt.s.l fa0, a0
    fcvt.s.lu fa0, a0
    fmv.x.w a0, fa0
    fmv.w.x fa0, a0
    fclass.s a0, fa0
    feq.s a0, fa0, fa1
    flt.s a0, fa0, fa1
    fle.s a0, fa0, fa1
/* ---- rvd.decode ---- */
    fld fa0, 8(a0)
    fld fs0, -8(sp)
    fsd fa0, 16(a1)
    fsd ft8, -2048(s0)
    fmadd.d fa0, fa1, fa2, fa3
    fmsub.d fa0, fa1, fa2, fa3, rdn
    fnmsub.d fa0, fa1, fa2, fa3
    fnmadd.d fa0, fa1, fa2, fa3
    fadd.d fa0, fa1, fa2
    fadd.d fa0, fa1, fa2, rne
    fsub.d fa0, fa1, fa2
    fmul.d fa0, fa1, fa2
    fdiv.d fa0, fa1, fa2, rtz
    fsqrt.d fa0, fa1
    fsgnj.d fa0, fa1, fa2
    fsgnj.d fa0, fa1, fa1
    fsgnjn.d fa0, fa1, fa2
    fsgnjn.d fa0, fa1, fa1
    fsgnjx.d fa0, fa1, fa2
    fsgnjx.d fa0, fa1, fa1
    fmin.d fa0, fa1, fa2
    fmax.d fa0, fa1, fa2
    fcvt.s.d fa0, fa1
    fcvt.s.d fa0, fa1, rtz
    fcvt.d.s fa0, fa1
    fcvt.w.d a0, fa0
    fcvt.w.d a0, fa0, rtz
    fcvt.wu.d a0, fa0
    fcvt.l.d a0, fa0
    fcvt.lu.d a0, fa0
    fcvt.d.w fa0, a0
    fcvt.d.wu fa0, a0
    fcvt.d.l fa0, a0
    fcvt.d.l fa0, a0, rtz
    fcvt.d.lu fa0, a0
    fmv.x.d a0, fa0
    fmv.d.x fa0, a0
    fclass.d a0, fa0
    feq.d a0, fa0, fa1
    flt.d a0, fa0, fa1
    fle.d a0, fa0, fa1
/* ---- zicsr.decode ---- */
    csrrw a0, mstatus, a1
    csrrw zero, mstatus, a1
    csrrw zero, 0x7c0, a1
    csrrs a0, mstatus, zero
    csrrs a0, mstatus, a1
    csrrs zero, mstatus, a1
    csrrc a0, mie, a1
    csrrc zero, mie, a1
    csrrc a0, mie, zero
    csrrwi a0, mtvec, 5
    csrrwi zero, mtvec, 31
    csrrsi a0, sstatus, 1
    csrrsi zero, sstatus, 2
    csrrci a0, satp, 3
    csrrci zero, satp, 4
    csrrs a0, fflags, zero
    csrrw a0, fflags, a1
    csrrw zero, fflags, a1
    csrrwi a0, fflags, 5
    csrrwi zero, fflags, 5
    csrrs a0, frm, zero
    csrrw a0, frm, a1
    csrrw zero, frm, a1
    csrrwi a0, frm, 1
    csrrwi zero, frm, 1
    csrrs a0, fcsr, zero
    csrrw a0, fcsr, a1
    csrrw zero, fcsr, a1
    csrrs a0, cycle, zero
    csrrs a0, time, zero
    csrrs a0, instret, zero
    csrrs a0, mhartid, zero
    csrrs a0, 0x123, zero
    csrrw zero, cycle, zero
/* ---- priv.decode ---- */
    mret
    sret
    wfi
    sfence.vma
    sfence.vma a0
    sfence.vma a0, a1
    sfence.vma zero, a1
/* ---- zba.decode ---- */
    add.uw a0, a1, a2
    add.uw a0, a1, zero
    sh1add a0, a1, a2
    sh2add a0, a1, a2
    sh3add a0, a1, a2
    sh1add.uw a0, a1, a2
    sh2add.uw a0, a1, a2
    sh3add.uw a0, a1, a2
    slli.uw a0, a1, 0
    slli.uw a0, a1, 3
    slli.uw a0, a1, 63
/* ---- zbb.decode ---- */
    andn a0, a1, a2
    orn a0, a1, a2
    xnor a0, a1, a2
    clz a0, a1
    ctz a0, a1
    cpop a0, a1
    clzw a0, a1
    ctzw a0, a1
    cpopw a0, a1
    max a0, a1, a2
    maxu a0, a1, a2
    min a0, a1, a2
    minu a0, a1, a2
    sext.b a0, a1
    sext.h a0, a1
    zext.h a0, a1
    rol a0, a1, a2
    ror a0, a1, a2
    rolw a0, a1, a2
    rorw a0, a1, a2
    rori a0, a1, 5
    rori a0, a1, 63
    roriw a0, a1, 5
    roriw a0, a1, 31
    orc.b a0, a1
    rev8 a0, a1
/* ---- zbc.decode ---- */
    clmul a0, a1, a2
    clmulh a0, a1, a2
    clmulr a0, a1, a2
/* ---- zbs.decode ---- */
    bclr a0, a1, a2
    bext a0, a1, a2
    binv a0, a1, a2
    bset a0, a1, a2
    bclri a0, a1, 0
    bclri a0, a1, 63
    bexti a0, a1, 3
    binvi a0, a1, 40
    bseti a0, a1, 40
/* ---- unknown and reserved 32-bit encodings (.insn: data would print
 * as .word) ---- */
    .insn 0x0000000b
    .insn 0x0000400f
    .insn 0xfe000033
    .insn 0x00007003
    .insn 0x0000302b
    .insn 0x0000000f
    .insn 0x0010000f
    .insn 0xf0000053
/* ---- rvc.decode ---- */
    .option rvc
c_start:
    c.addi4spn a0, sp, 16
    c.addi4spn s0, sp, 1020
    c.addi4spn a5, sp, 4
    c.fld fa0, 8(a1)
    c.fld fs1, 248(a5)
    c.lw a0, 4(a1)
    c.lw s0, 124(a5)
    c.ld a0, 8(a1)
    c.ld a5, 248(s1)
    c.fsd fa0, 8(a1)
    c.fsd fs0, 248(a4)
    c.sw a0, 4(a1)
    c.sw a3, 64(a2)
    c.sd a0, 8(a1)
    c.sd s1, 120(a0)
    c.nop
    c.addi a0, 1
    c.addi a0, -32
    c.addi sp, 31
    c.addiw a0, 1
    c.addiw a0, 0
    c.addiw t6, -32
    c.li a0, 5
    c.li a0, -32
    c.li t0, 0
    c.addi16sp sp, 16
    c.addi16sp sp, -512
    c.addi16sp sp, 496
    c.lui a0, 1
    c.lui a0, 0x1f
    c.lui t0, 0xfffe0
    c.lui s1, 0xfffff
    c.srli a0, 1
    c.srli s1, 63
    c.srai a0, 1
    c.srai a5, 32
    c.andi a0, 5
    c.andi a0, -32
    c.andi s0, -1
    c.sub a0, a1
    c.xor a0, a1
    c.or a0, a1
    c.and a0, a1
    c.subw a0, a1
    c.addw a0, a1
    c.addw s0, s0
4:  c.j 4b
    c.j 5f
    c.j c_start
    c.beqz a0, 4b
    c.beqz s1, 5f
    c.bnez a0, 4b
    c.bnez a5, 5f
5:  c.slli a0, 1
    c.slli t0, 63
    c.slli s11, 32
    c.fldsp fa0, 8(sp)
    c.fldsp ft0, 504(sp)
    c.lwsp a0, 4(sp)
    c.lwsp t6, 252(sp)
    c.ldsp a0, 8(sp)
    c.ldsp ra, 504(sp)
    c.jr a0
    c.jr ra
    c.mv a0, a1
    c.mv t6, s0
    c.ebreak
    c.jalr a0
    c.jalr ra
    c.add a0, a1
    c.add sp, t0
    c.fsdsp fa0, 8(sp)
    c.fsdsp fs11, 504(sp)
    c.swsp a0, 4(sp)
    c.swsp t6, 252(sp)
    c.sdsp a0, 8(sp)
    c.sdsp ra, 504(sp)
/* ---- unknown and reserved 16-bit encodings, and HINTs objdump and the
 * spec agree on ---- */
    .insn 0x0000
    .insn 0x0004
    .insn 0x6001
    .insn 0x4002
    .insn 0x6002
    .insn 0x8002
    .insn 0x2001
    .insn 0x8000
    .insn 0x9c41
    .insn 0x9c61
    .insn 0x0001
    .insn 0x8502
    .insn 0x9002
    .insn 0x0015
    .insn 0x0501
    .insn 0x902a
    .insn 0x802a
    .insn 0x0502
    .insn 0x8001
    .insn 0x8401
    .insn 0x4011
    .insn 0x4001
    .insn 0x701d
    .insn 0x101e
