/*
 * priv-fs.c — mstatus.FS (priv spec v1.12 §3.1.6.6): with FS = Off every
 * FP instruction and FP CSR access is illegal; an instruction that
 * changes FP state (a register or fcsr) moves FS to Dirty, and SD is the
 * summary bit (FS == Dirty); sstatus shows the same FS/SD.
 */
#include "vireo.h"

static volatile float fmem = 1.0f;

#define EXPECT_ILLEGAL(n, insn...)                                            \
    do {                                                                      \
        trap_arm(&vireo_mtrap);                                               \
        asm volatile(insn ::: "a0", "memory");                                \
        trap_disarm(&vireo_mtrap);                                            \
        CHECK_EQ(n, vireo_mtrap.count == 1 &&                                 \
                 vireo_mtrap.cause == CAUSE_ILLEGAL_INSTRUCTION, 1);          \
    } while (0)

static void fs_set(unsigned long fs)
{
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, fs);
}

static unsigned long fs_get(void)
{
    return csr_read(mstatus) & MSTATUS_FS;
}

static long s_fadd(long arg)
{
    (void)arg;
    asm volatile("fadd.d f1, f1, f1" ::: "memory");
    return (long)csr_read(sstatus);
}

int main(void)
{
    fs_set(MSTATUS_FS_OFF);
    CHECK_EQ(1, csr_read(mstatus) & MSTATUS_SD, 0);
    EXPECT_ILLEGAL(2, "fadd.s f1, f2, f3");
    EXPECT_ILLEGAL(3, "fmv.x.w a0, f1");
    EXPECT_ILLEGAL(4, "fmv.w.x f1, zero");
    EXPECT_ILLEGAL(5, "la a0, fmem\n flw f1, 0(a0)");
    EXPECT_ILLEGAL(6, "la a0, fmem\n fsd f1, 0(a0)");
    EXPECT_ILLEGAL(7, "csrr a0, fcsr");
    EXPECT_ILLEGAL(8, "csrr a0, fflags");
    EXPECT_ILLEGAL(9, "csrwi frm, 1");
    EXPECT_ILLEGAL(10, "fcvt.d.l f1, zero");
    EXPECT_ILLEGAL(11, "c.fldsp f1, 0(sp)");
    CHECK_EQ(12, fs_get(), MSTATUS_FS_OFF);
    /* Initial -> Dirty on a register write */
    fs_set(MSTATUS_FS_INITIAL);
    asm volatile("fmv.w.x f1, zero" ::: "memory");
    CHECK_EQ(13, fs_get(), MSTATUS_FS_DIRTY);
    CHECK_EQ(14, csr_read(mstatus) & MSTATUS_SD, MSTATUS_SD);
    CHECK_EQ(15, csr_read(sstatus) & (MSTATUS_FS | MSTATUS_SD), MSTATUS_FS_DIRTY | MSTATUS_SD);
    /* Clean -> Dirty on a load, an arithmetic op, an fcsr write */
    fs_set(MSTATUS_FS_CLEAN);
    CHECK_EQ(16, csr_read(mstatus) & MSTATUS_SD, 0);
    asm volatile("la a0, fmem\n flw f2, 0(a0)" ::: "a0", "memory");
    CHECK_EQ(17, fs_get(), MSTATUS_FS_DIRTY);
    fs_set(MSTATUS_FS_CLEAN);
    asm volatile("fadd.s f2, f2, f2" ::: "memory");
    CHECK_EQ(18, fs_get(), MSTATUS_FS_DIRTY);
    fs_set(MSTATUS_FS_CLEAN);
    asm volatile("fsflags zero" ::: "memory");
    CHECK_EQ(19, fs_get(), MSTATUS_FS_DIRTY);
    /* S-mode: illegal with FS off, dirties FS otherwise */
    fs_set(MSTATUS_FS_OFF);
    trap_arm(&vireo_mtrap);
    vireo_run(PRV_S, s_fadd, 0);
    trap_disarm(&vireo_mtrap);
    CHECK_EQ(20, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    fs_set(MSTATUS_FS_CLEAN);
    unsigned long ss = (unsigned long)vireo_run(PRV_S, s_fadd, 0);
    CHECK_EQ(21, ss & MSTATUS_FS, MSTATUS_FS_DIRTY);
    /* sstatus.FS is writable from M through the sstatus view too */
    csr_clear(sstatus, MSTATUS_FS);
    CHECK_EQ(22, fs_get(), MSTATUS_FS_OFF);
    fs_set(MSTATUS_FS_INITIAL);
    return 0;
}
