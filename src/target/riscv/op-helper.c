/*
 * target/riscv/op-helper.c — helpers for exceptions, CSR instructions,
 * privileged instructions and the bit-manipulation operations the IR has
 * no op for (Zbb orc.b, Zbc carry-less multiplies).
 *
 * Privilege rules checked here (Privileged spec v1.12 §3.1.6.5):
 *   - WFI is illegal in U-mode, and in S-mode when mstatus.TW = 1;
 *   - SFENCE.VMA is illegal in U-mode, and in S-mode when mstatus.TVM = 1;
 *   - SRET in S-mode with mstatus.TSR = 1, and xRET from a lower privilege
 *     than x, are illegal (cpu-helper.c).
 */
#include "target/riscv/helper.h"
#include "target/riscv/cpu-internal.h"
#include "target/riscv/csr.h"

void helper_raise_exception(CPUState *env, uint32_t cause, uint64_t tval)
{
    riscv_raise_exception(riscv_cpu(env), cause, tval, GETPC());
}

uint64_t helper_csrr(CPUState *env, uint32_t csr)
{
    RISCVCPU *cpu = riscv_cpu(env);
    uint64_t val;

    if (!riscv_csr_access(cpu, csr, &val, 0, 0, true, false)) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, GETPC());
    }
    return val;
}

void helper_csrw(CPUState *env, uint32_t csr, uint64_t src)
{
    RISCVCPU *cpu = riscv_cpu(env);
    uint64_t old;

    if (!riscv_csr_access(cpu, csr, &old, src, -1ULL, false, true)) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, GETPC());
    }
}

uint64_t helper_csrrw(CPUState *env, uint32_t csr, uint64_t src,
                      uint64_t mask)
{
    RISCVCPU *cpu = riscv_cpu(env);
    uint64_t old;

    if (!riscv_csr_access(cpu, csr, &old, src, mask, true, true)) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, GETPC());
    }
    return old;
}

uint64_t helper_mret(CPUState *env)
{
    return riscv_cpu_mret(riscv_cpu(env), GETPC());
}

uint64_t helper_sret(CPUState *env)
{
    return riscv_cpu_sret(riscv_cpu(env), GETPC());
}

void helper_wfi(CPUState *env)
{
    RISCVCPU *cpu = riscv_cpu(env);

    if (cpu->priv == PRV_U ||
        (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TW))) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, GETPC());
    }
    /* The PC already points past the WFI; the loop waits for has_work. */
    env->exception_index = EXCP_HLT;
    cpu_loop_exit(env);
}

/* PAUSE (Zihintpause): a spinning hart lets the other harts run. */
void helper_pause(CPUState *env)
{
    /* The PC already points past the PAUSE. */
    env->exception_index = EXCP_YIELD;
    cpu_loop_exit(env);
}

void helper_sfence_vma(CPUState *env)
{
    RISCVCPU *cpu = riscv_cpu(env);

    if (cpu->priv == PRV_U ||
        (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TVM))) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, GETPC());
    }
    tlb_flush(env);
}

/* --- bit manipulation --- */

/* orc.b: each byte becomes 0xff if any of its bits is set, else 0. */
uint64_t helper_orc_b(uint64_t x)
{
    uint64_t r = 0;

    for (int i = 0; i < 64; i += 8) {
        if ((x >> i) & 0xff) {
            r |= 0xffULL << i;
        }
    }
    return r;
}

/* Carry-less products (Zbc): clmul = low half, clmulh = high half,
 * clmulr = bits 126:63 of the 128-bit product. */
static void clmul128(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t l = 0, h = 0;

    for (int i = 0; i < 64; i++) {
        if ((b >> i) & 1) {
            l ^= a << i;
            h ^= i ? a >> (64 - i) : 0;
        }
    }
    *lo = l;
    *hi = h;
}

uint64_t helper_clmul(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;

    clmul128(a, b, &lo, &hi);
    return lo;
}

uint64_t helper_clmulh(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;

    clmul128(a, b, &lo, &hi);
    return hi;
}

uint64_t helper_clmulr(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;

    clmul128(a, b, &lo, &hi);
    return (hi << 1) | (lo >> 63);
}
