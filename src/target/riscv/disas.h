/*
 * target/riscv/disas.h — RISC-V disassembler (for -d in_asm, the monitor
 * and tests).
 *
 * The instruction encodings, mnemonics and operand templates come from the
 * same .decode files as the translator's decoder (scripts/decodetree.py
 * generates riscv-disas-table.c from them); disas.c only adds the operand
 * printers and a table of the aliases objdump prints by default (li, mv,
 * ret, csrr, fmv.s, ...).  Output follows GNU objdump's default format:
 * "mnemonic<space>operands", operands separated by "," without spaces,
 * branch and jump targets as absolute "0x..." addresses.
 */
#ifndef TARGET_RISCV_DISAS_H
#define TARGET_RISCV_DISAS_H

#include <stddef.h>
#include <stdint.h>

/**
 * riscv_insn_length - length of the instruction starting with @insn
 * @insn: its first 16 bits (or more) in the low bits
 *
 * Returns 2 for a compressed instruction, 4 otherwise (the longer
 * encodings of Unprivileged ISA §1.5 are not supported and count as 4).
 */
unsigned riscv_insn_length(uint32_t insn);

/**
 * riscv_disas_insn - disassemble one instruction
 * @pc: its address, for branch and jump targets
 * @insn: its bits; for a compressed instruction the upper half is ignored
 * @buf: output, always NUL-terminated (truncated to @size)
 * @size: size of @buf
 *
 * Unknown or reserved encodings print as ".4byte 0x..." / ".2byte 0x...".
 * Returns the instruction length in bytes (2 or 4).
 */
unsigned riscv_disas_insn(uint64_t pc, uint32_t insn, char *buf, size_t size);

/**
 * riscv_disas_pattern_id - which .decode pattern @insn is
 *
 * Returns a RISCV_PAT_* id from the generated riscv-decode.h (index into
 * riscv_decode_patterns[]), or -1 for an unknown or reserved encoding.
 * For coverage reports: the disassembler and the translator see the same
 * ids (the first matching member of an overlap group).
 */
int riscv_disas_pattern_id(uint32_t insn);

/**
 * riscv_csr_name - name of CSR @csrno, or NULL if there is none
 *
 * Provided by the CSR table (target/riscv/csr.c).  disas.c carries a weak
 * fallback returning NULL, so programs that link the disassembler without
 * the CSR table (tests, tools) still link; CSRs then print as numbers.
 */
const char *riscv_csr_name(unsigned csrno);

#endif /* TARGET_RISCV_DISAS_H */
