/*
 * tests/unit/test-riscv-pmp.c — RISC-V PMP matching and the CSR table
 * (target/riscv/pmp.c, csr.c) on a bare hart with no machine: address
 * modes (TOR/NA4/NAPOT), priority of lower entries, partial matches,
 * M-mode and lock rules, the TLB granule answer, and the CSR table's
 * ordering and access rules (Privileged spec v1.12 §2.1, §3.7).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "target/riscv/cpu-internal.h"
#include "target/riscv/csr.h"

static RISCVCPU *bare_hart(void)
{
    RISCVCPU *cpu = xzalloc(sizeof(*cpu));

    cpu->cfg.pmp = true;
    cpu->cfg.ext_zicsr = true;
    cpu->priv = PRV_M;
    riscv_pmp_reset(cpu);
    return cpu;
}

static bool allows(RISCVCPU *cpu, uint64_t pa, unsigned size,
                   MMUAccessType access, int priv)
{
    int prot;

    return riscv_pmp_check(cpu, pa, size, access, priv, &prot);
}

/* Set entry @i's cfg byte without touching the others. */
static void set_cfg(RISCVCPU *cpu, unsigned i, uint8_t cfg)
{
    unsigned reg = i < 8 ? 0 : 2;
    uint64_t v = riscv_pmpcfg_read(cpu, reg);
    unsigned sh = 8 * (i % 8);

    v = (v & ~(0xffULL << sh)) | ((uint64_t)cfg << sh);
    riscv_pmpcfg_write(cpu, reg, v);
}

static void test_no_rules(void **state)
{
    RISCVCPU *cpu = bare_hart();

    /* M-mode may do anything; S/U match nothing and fail. */
    assert_true(allows(cpu, 0x80000000, 8, MMU_DATA_STORE, PRV_M));
    assert_false(allows(cpu, 0x80000000, 8, MMU_DATA_LOAD, PRV_S));
    assert_false(allows(cpu, 0x80000000, 4, MMU_INST_FETCH, PRV_U));
    free(cpu);
}

static void test_napot_and_priority(void **state)
{
    RISCVCPU *cpu = bare_hart();

    /* Entry 15: everything RWX; entry 0: 4 KiB at 0x80001000 read-only. */
    riscv_pmpaddr_write(cpu, 15, -1ULL);
    set_cfg(cpu, 15, (PMP_A_NAPOT << PMP_A_SHIFT) | PMP_R | PMP_W | PMP_X);
    riscv_pmpaddr_write(cpu, 0, (0x80001000 >> 2) | 0x1ff);
    set_cfg(cpu, 0, (PMP_A_NAPOT << PMP_A_SHIFT) | PMP_R);

    assert_true(allows(cpu, 0x80001000, 8, MMU_DATA_LOAD, PRV_S));
    assert_false(allows(cpu, 0x80001ff8, 8, MMU_DATA_STORE, PRV_S));
    assert_true(allows(cpu, 0x80002000, 8, MMU_DATA_STORE, PRV_S));
    assert_true(allows(cpu, 0x80000ff8, 8, MMU_DATA_STORE, PRV_U));
    /* Straddling the end of entry 0: a partial match fails. */
    assert_false(allows(cpu, 0x80001ffc, 8, MMU_DATA_LOAD, PRV_S));
    /* Unlocked entries do not restrict M-mode. */
    assert_true(allows(cpu, 0x80001000, 8, MMU_DATA_STORE, PRV_M));
    /* One TLB entry may cover a page only if one rule decides it all. */
    assert_int_equal(riscv_pmp_tlb_size(cpu, 0x80001000), TCG_PAGE_SIZE);
    assert_int_equal(riscv_pmp_tlb_size(cpu, 0x80003000), TCG_PAGE_SIZE);
    free(cpu);
}

static void test_tor_na4(void **state)
{
    RISCVCPU *cpu = bare_hart();

    /* Entry 1: TOR [0x1000, 0x1800) RW; entry 2: NA4 at 0x2000 X. */
    riscv_pmpaddr_write(cpu, 0, 0x1000 >> 2);
    riscv_pmpaddr_write(cpu, 1, 0x1800 >> 2);
    set_cfg(cpu, 1, (PMP_A_TOR << PMP_A_SHIFT) | PMP_R | PMP_W);
    riscv_pmpaddr_write(cpu, 2, 0x2000 >> 2);
    set_cfg(cpu, 2, (PMP_A_NA4 << PMP_A_SHIFT) | PMP_X);

    assert_true(allows(cpu, 0x1000, 4, MMU_DATA_STORE, PRV_U));
    assert_true(allows(cpu, 0x17fc, 4, MMU_DATA_LOAD, PRV_U));
    assert_false(allows(cpu, 0x1800, 4, MMU_DATA_LOAD, PRV_U));
    assert_false(allows(cpu, 0xffc, 4, MMU_DATA_LOAD, PRV_U));
    assert_true(allows(cpu, 0x2000, 4, MMU_INST_FETCH, PRV_S));
    assert_false(allows(cpu, 0x2000, 4, MMU_DATA_LOAD, PRV_S));
    assert_false(allows(cpu, 0x2004, 2, MMU_INST_FETCH, PRV_S));
    /* A rule ending inside a page forces per-access checks. */
    assert_int_equal(riscv_pmp_tlb_size(cpu, 0x1000), 1);
    assert_int_equal(riscv_pmp_tlb_size(cpu, 0x2000), 1);

    /* TOR with top <= bottom matches nothing. */
    riscv_pmpaddr_write(cpu, 1, 0x800 >> 2);
    assert_false(allows(cpu, 0x1000, 4, MMU_DATA_LOAD, PRV_U));
    free(cpu);
}

static void test_lock(void **state)
{
    RISCVCPU *cpu = bare_hart();

    riscv_pmpaddr_write(cpu, 3, 0x4000 >> 2);
    riscv_pmpaddr_write(cpu, 4, 0x5000 >> 2);
    set_cfg(cpu, 4, (PMP_A_TOR << PMP_A_SHIFT) | PMP_R | PMP_L);

    /* Locked rules bind M-mode too. */
    assert_true(allows(cpu, 0x4000, 8, MMU_DATA_LOAD, PRV_M));
    assert_false(allows(cpu, 0x4000, 8, MMU_DATA_STORE, PRV_M));
    /* The entry, and the pmpaddr below a locked TOR, ignore writes. */
    set_cfg(cpu, 4, 0);
    assert_int_equal(riscv_pmpcfg_read(cpu, 0) >> 32 & 0xff,
                     (PMP_A_TOR << PMP_A_SHIFT) | PMP_R | PMP_L);
    riscv_pmpaddr_write(cpu, 3, 0);
    assert_int_equal(riscv_pmpaddr_read(cpu, 3), 0x4000 >> 2);
    riscv_pmpaddr_write(cpu, 4, 0);
    assert_int_equal(riscv_pmpaddr_read(cpu, 4), 0x5000 >> 2);
    free(cpu);
}

static void test_reserved_rw(void **state)
{
    RISCVCPU *cpu = bare_hart();

    /* R=0, W=1 is reserved: both are cleared (as QEMU 7.2). */
    set_cfg(cpu, 5, (PMP_A_NA4 << PMP_A_SHIFT) | PMP_W | PMP_X);
    assert_int_equal(riscv_pmpcfg_read(cpu, 0) >> 40 & 0xff,
                     (PMP_A_NA4 << PMP_A_SHIFT) | PMP_X);
    free(cpu);
}

static void test_csr_table(void **state)
{
    RISCVCPU *cpu = bare_hart();
    uint64_t v;

    for (size_t i = 1; i < riscv_csr_table_size; i++) {
        assert_true(riscv_csr_table[i - 1].number <
                    riscv_csr_table[i].number);
    }
    for (size_t i = 0; i < riscv_csr_table_size; i++) {
        assert_ptr_equal(riscv_csr_find(riscv_csr_table[i].number),
                         &riscv_csr_table[i]);
        assert_non_null(riscv_csr_table[i].read);
    }
    assert_null(riscv_csr_find(0x7ff));

    /* mscratch: full RW from M, none from S (csr[9:8] = 3). */
    assert_true(riscv_csr_access(cpu, CSR_MSCRATCH, &v, 0x1234, -1ULL,
                                 true, true));
    assert_true(riscv_csr_access(cpu, CSR_MSCRATCH, &v, 0, 0, true, false));
    assert_int_equal(v, 0x1234);
    cpu->priv = PRV_S;
    assert_false(riscv_csr_access(cpu, CSR_MSCRATCH, &v, 0, 0, true,
                                  false));
    /* A read-only CSR (csr[11:10] = 3) may be read, never written. */
    cpu->priv = PRV_M;
    assert_true(riscv_csr_access(cpu, CSR_MHARTID, &v, 0, 0, true, false));
    assert_false(riscv_csr_access(cpu, CSR_MHARTID, &v, 0, -1ULL, true,
                                  true));
    /* Masked writes only change the selected bits. */
    assert_true(riscv_csr_access(cpu, CSR_MSCRATCH, &v, 0xff00, 0x0f00,
                                 true, true));
    assert_int_equal(cpu->mscratch, (0x1234 & ~0x0f00ULL) | 0x0f00);
    free(cpu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_rules),
        cmocka_unit_test(test_napot_and_priority),
        cmocka_unit_test(test_tor_na4),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_reserved_rw),
        cmocka_unit_test(test_csr_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
