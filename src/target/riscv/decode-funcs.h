/*
 * target/riscv/decode-funcs.h — field transforms named by "!function=" in
 * the .decode files.
 *
 * Included by both generated files (riscv-decode.c for the translator and
 * riscv-disas-table.c for the disassembler), so the translator and the
 * disassembler see the same operand values.  Every function here must be
 * a pure "static inline int NAME(int value)".
 *
 * Encodings: RISC-V Unprivileged ISA 20191213, §2.3 (immediate encoding
 * variants: B and J offsets are multiples of 2, U immediates are the upper
 * 20 bits) and §16.2 (RVC: 3-bit register fields name x8..x15/f8..f15;
 * load/store offsets are scaled by the access size).
 */
#ifndef TARGET_RISCV_DECODE_FUNCS_H
#define TARGET_RISCV_DECODE_FUNCS_H

/* The shifts are done on unsigned values: the fields may be negative. */
static inline int ex_shift_1(int value)
{
    return (int)((unsigned)value << 1);
}

static inline int ex_shift_2(int value)
{
    return (int)((unsigned)value << 2);
}

static inline int ex_shift_3(int value)
{
    return (int)((unsigned)value << 3);
}

static inline int ex_shift_4(int value)
{
    return (int)((unsigned)value << 4);
}

static inline int ex_shift_12(int value)
{
    return (int)((unsigned)value << 12);
}

/* RVC rd'/rs1'/rs2': the 3-bit field selects x8..x15 (or f8..f15). */
static inline int ex_rvc_register(int value)
{
    return value + 8;
}

#endif /* TARGET_RISCV_DECODE_FUNCS_H */
