/*
 * vireo.h — C side of the Vireo ISA-test runtime (see crt0.S and lib.c).
 *
 * A C test defines `int main(void)` and returns 0 on success; each check
 * carries a number (1..254, unique in its file) and the first failing
 * check ends the program with that number as the exit status:
 *
 *     CHECK(3, x == 5);
 *     CHECK_EQ(4, csr_read(mcause), CAUSE_ILLEGAL_INSTRUCTION);
 *
 * Each check's text is also stored in the non-loaded ELF section
 * .vireo.tests ("N<TAB>text\n"), from which tests/isa/run prints what a
 * failing number means.
 *
 * Traps: by default any trap is a failure of the running check.  A test
 * that expects traps arms a record (vireo_mtrap or vireo_strap): while
 * armed, every trap taken to that mode is counted and its cause/epc/tval/
 * status saved, then execution resumes at .resume if set (one shot), at
 * the caller (ra) for instruction fetch faults, at the next instruction
 * for other exceptions, and at the same place for interrupts (after
 * clearing that interrupt's enable bit in mie/sie).  A hook function, if
 * set, sees every trap first and may handle it (return nonzero).
 */
#ifndef TESTS_ISA_COMMON_VIREO_H
#define TESTS_ISA_COMMON_VIREO_H

#include <stdint.h>
#include "riscv-defs.h"

/* Register state saved by the trap entries (layout fixed by crt0.S). */
struct vireo_frame {
    unsigned long x[32];   /* x[0] unused */
    unsigned long epc;     /* mepc / sepc; written back on return */
    unsigned long cause;
    unsigned long tval;
    unsigned long status;  /* mstatus / sstatus; written back on return */
};

struct vireo_trap_rec {
    volatile unsigned long count;  /* traps recorded since arming */
    volatile unsigned long cause;  /* last mcause/scause */
    volatile unsigned long epc;    /* last mepc/sepc */
    volatile unsigned long tval;   /* last mtval/stval */
    volatile unsigned long status; /* mstatus/sstatus at the trap */
    volatile unsigned long resume; /* if nonzero: continue here (one shot) */
    volatile int armed;
};

typedef int (*vireo_hook_fn)(struct vireo_frame *f);

extern struct vireo_trap_rec vireo_mtrap, vireo_strap;
extern vireo_hook_fn vireo_mtrap_hook, vireo_strap_hook;
extern volatile unsigned long vireo_testnum;
extern unsigned long vireo_boot_a0;   /* a0 at _start */

/* Trap entry points and stack tops (crt0.S), for tests that swap them. */
extern char vireo_mtrap_entry[], vireo_strap_entry[];
extern char vireo_mtrap_stack_top[], vireo_strap_stack_top[];

void vireo_exit(unsigned long code) __attribute__((noreturn));
/* Run fn(arg) in privilege mode PRV_U/PRV_S/PRV_M; returns fn's result. */
long vireo_run(int mode, long (*fn)(long), long arg);
void vireo_putc(char c);
void vireo_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vireo_fail(unsigned long n, int line, const char *what,
                int has_vals, unsigned long got, unsigned long expect)
    __attribute__((noreturn));
/* Length in bytes (2 or 4) of the instruction at addr. */
unsigned long vireo_insn_len(unsigned long addr);

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

/* ---- checks ---- */

#define VIREO_DESC(n, text)                                                   \
    static const char vireo_desc_[]                                           \
        __attribute__((section(".vireo.tests"), used, aligned(1))) =          \
        #n "\t" text "\n"

#define CHECK(n, cond)                                                        \
    do {                                                                      \
        VIREO_DESC(n, #cond);                                                 \
        vireo_testnum = (n);                                                  \
        if (!(cond))                                                          \
            vireo_fail((n), __LINE__, #cond, 0, 0, 0);                        \
    } while (0)

#define CHECK_EQ(n, got, expect)                                              \
    do {                                                                      \
        VIREO_DESC(n, #got " == " #expect);                                   \
        vireo_testnum = (n);                                                  \
        unsigned long got_ = (unsigned long)(got);                            \
        unsigned long exp_ = (unsigned long)(expect);                         \
        if (got_ != exp_)                                                     \
            vireo_fail((n), __LINE__, #got " == " #expect, 1, got_, exp_);    \
    } while (0)

/* ---- trap records ---- */

static inline void trap_arm(struct vireo_trap_rec *r)
{
    r->count = 0;
    r->cause = ~0UL;
    r->epc = r->tval = r->status = 0;
    r->resume = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    r->armed = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void trap_disarm(struct vireo_trap_rec *r)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    r->armed = 0;
}

/* ---- CSR access ---- */

#define VIREO_STR_(x) #x
#define VIREO_STR(x) VIREO_STR_(x)

#define csr_read(csr) ({                                                      \
    unsigned long v_;                                                         \
    asm volatile("csrr %0, " VIREO_STR(csr) : "=r"(v_) : : "memory");         \
    v_; })
#define csr_write(csr, val)                                                   \
    asm volatile("csrw " VIREO_STR(csr) ", %0" : : "r"((unsigned long)(val))  \
                 : "memory")
#define csr_set(csr, val)                                                     \
    asm volatile("csrs " VIREO_STR(csr) ", %0" : : "r"((unsigned long)(val))  \
                 : "memory")
#define csr_clear(csr, val)                                                   \
    asm volatile("csrc " VIREO_STR(csr) ", %0" : : "r"((unsigned long)(val))  \
                 : "memory")
#define csr_swap(csr, val) ({                                                 \
    unsigned long v_;                                                         \
    asm volatile("csrrw %0, " VIREO_STR(csr) ", %1"                           \
                 : "=r"(v_) : "r"((unsigned long)(val)) : "memory");          \
    v_; })

/* ---- memory and misc ---- */

static inline uint64_t mmio_read64(unsigned long a)
{ return *(volatile uint64_t *)a; }
static inline void mmio_write64(unsigned long a, uint64_t v)
{ *(volatile uint64_t *)a = v; }
static inline uint32_t mmio_read32(unsigned long a)
{ return *(volatile uint32_t *)a; }
static inline void mmio_write32(unsigned long a, uint32_t v)
{ *(volatile uint32_t *)a = v; }

static inline void barrier(void) { asm volatile("" : : : "memory"); }
static inline void sfence_vma_all(void) { asm volatile("sfence.vma" : : : "memory"); }

#endif /* TESTS_ISA_COMMON_VIREO_H */
