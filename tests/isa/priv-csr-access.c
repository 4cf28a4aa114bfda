/*
 * priv-csr-access.c — CSR privilege (priv spec v1.12 §2.1, §2.2): csr[9:8]
 * is the lowest privilege that may access a CSR; U touching S or M CSRs
 * and S touching M CSRs raise illegal instruction with mtval = the
 * instruction bits (QEMU's and Vireo's choice among "0 or the bits").
 * sstatus is a restricted view of mstatus; S CSRs written from S are seen
 * by M.
 */
#include "vireo.h"

/* csrrs a0, CSR, x0 = (csr << 20) | (2 << 12) | (10 << 7) | 0x73 */
#define CSRR_A0(csr) (((unsigned long)(csr) << 20) | 0x2573)

#define DEF_READ(name)                                                        \
    static long read_##name(long arg)                                         \
    {                                                                         \
        (void)arg;                                                            \
        long v = 0x77;                                                        \
        asm volatile("mv a0, %1\n csrr a0, " #name "\n mv %0, a0"            \
                     : "=r"(v) : "r"(v) : "a0", "memory");                    \
        return v;                                                             \
    }

DEF_READ(mstatus)
DEF_READ(mtvec)
DEF_READ(medeleg)
DEF_READ(mscratch)
DEF_READ(mhartid)
DEF_READ(sstatus)
DEF_READ(stvec)
DEF_READ(satp)
DEF_READ(sscratch)
DEF_READ(sepc)
DEF_READ(pmpcfg0)

static long s_write_sepc(long v)
{
    unsigned long old = csr_swap(sepc, v);
    return (long)old;
}

/* S sets SIE and tries MIE through sstatus. */
static long s_sstatus_view(long arg)
{
    (void)arg;
    csr_set(sstatus, MSTATUS_SIE | MSTATUS_MIE | MSTATUS_MPIE);
    unsigned long v = csr_read(sstatus);
    csr_clear(sstatus, MSTATUS_SIE);
    return (long)v;
}

struct denied {
    long (*fn)(long);
    unsigned csr;
};

int main(void)
{
    /* U-mode: every S and M CSR is illegal (rd keeps its old value) */
    static const struct denied u_denied[] = {
        { read_mstatus, 0x300 }, { read_mtvec, 0x305 }, { read_medeleg, 0x302 },
        { read_mscratch, 0x340 }, { read_mhartid, 0xf14 }, { read_sstatus, 0x100 },
        { read_stvec, 0x105 }, { read_satp, 0x180 }, { read_sscratch, 0x140 },
        { read_sepc, 0x141 }, { read_pmpcfg0, 0x3a0 },
    };
    for (unsigned i = 0; i < sizeof(u_denied) / sizeof(u_denied[0]); i++) {
        trap_arm(&vireo_mtrap);
        long r = vireo_run(PRV_U, u_denied[i].fn, 0);
        vireo_testnum = 1;
        if (r != 0x77 || vireo_mtrap.count != 1 ||
            vireo_mtrap.cause != CAUSE_ILLEGAL_INSTRUCTION ||
            vireo_mtrap.tval != CSRR_A0(u_denied[i].csr)) {
            vireo_printf("U access to csr 0x%x: r=0x%lx count=%lu cause=%lu tval=0x%lx\n",
                         u_denied[i].csr, r, vireo_mtrap.count, vireo_mtrap.cause,
                         vireo_mtrap.tval);
            CHECK(1, 0 && "U-mode access to an S/M CSR must be illegal");
        }
    }
    /* S-mode: M CSRs are illegal ... */
    static const struct denied s_denied[] = {
        { read_mstatus, 0x300 }, { read_mtvec, 0x305 }, { read_medeleg, 0x302 },
        { read_mscratch, 0x340 }, { read_mhartid, 0xf14 }, { read_pmpcfg0, 0x3a0 },
    };
    for (unsigned i = 0; i < sizeof(s_denied) / sizeof(s_denied[0]); i++) {
        trap_arm(&vireo_mtrap);
        long r = vireo_run(PRV_S, s_denied[i].fn, 0);
        vireo_testnum = 2;
        if (r != 0x77 || vireo_mtrap.count != 1 ||
            vireo_mtrap.cause != CAUSE_ILLEGAL_INSTRUCTION ||
            vireo_mtrap.tval != CSRR_A0(s_denied[i].csr)) {
            vireo_printf("S access to csr 0x%x: r=0x%lx count=%lu cause=%lu\n",
                         s_denied[i].csr, r, vireo_mtrap.count, vireo_mtrap.cause);
            CHECK(2, 0 && "S-mode access to an M CSR must be illegal");
        }
    }
    /* ... and S CSRs are fine */
    trap_arm(&vireo_mtrap);
    csr_write(stvec, (unsigned long)vireo_strap_entry);
    vireo_run(PRV_S, read_sstatus, 0);
    vireo_run(PRV_S, read_stvec, 0);
    vireo_run(PRV_S, read_satp, 0);
    vireo_run(PRV_S, read_sepc, 0);
    CHECK_EQ(3, vireo_mtrap.count, 0);
    CHECK_EQ(4, vireo_run(PRV_S, read_stvec, 0), (long)vireo_strap_entry);
    /* an S write of sepc is what M reads (sepc[0]: priv-epc-align.c) */
    csr_write(sepc, 0x40);
    CHECK_EQ(5, vireo_run(PRV_S, s_write_sepc, 0x1234), 0x40);
    CHECK_EQ(6, csr_read(sepc), 0x1234);
    /* sstatus: SIE is mstatus.SIE; MIE/MPIE are not reachable from it */
    csr_clear(mstatus, MSTATUS_MIE | MSTATUS_MPIE);
    unsigned long sv = (unsigned long)vireo_run(PRV_S, s_sstatus_view, 0);
    CHECK_EQ(7, sv & (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_SIE);
    CHECK_EQ(8, vireo_mtrap.count, 0);
    /* mstatus and sstatus agree on the shared fields */
    csr_set(mstatus, MSTATUS_SUM | MSTATUS_MXR);
    CHECK_EQ(9, csr_read(sstatus) & (MSTATUS_SUM | MSTATUS_MXR), MSTATUS_SUM | MSTATUS_MXR);
    csr_clear(sstatus, MSTATUS_SUM | MSTATUS_MXR);
    CHECK_EQ(10, csr_read(mstatus) & (MSTATUS_SUM | MSTATUS_MXR), 0);
    trap_disarm(&vireo_mtrap);
    return 0;
}
