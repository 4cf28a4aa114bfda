/*
 * riscv-defs.h — architectural constants for the Vireo ISA tests.
 *
 * Usable from both assembly (.S) and C.  Values are taken from the RISC-V
 * privileged spec v1.12 (mstatus §3.1.6, mcause Table 3.6, satp §4.1.11,
 * PTE §4.3.1/§4.4, PMP §3.7) and the unprivileged spec (fcsr §11.2).
 * The machine constants describe QEMU's `-M spike` (which Vireo copies).
 */
#ifndef TESTS_ISA_COMMON_RISCV_DEFS_H
#define TESTS_ISA_COMMON_RISCV_DEFS_H

#ifdef __ASSEMBLER__
#define VIREO_UL(x) x
#else
#define VIREO_UL(x) x##UL
#endif

/* Privilege levels (the encoding used in mstatus.MPP). */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* mstatus / sstatus fields */
#define MSTATUS_SIE   VIREO_UL(0x00000002)
#define MSTATUS_MIE   VIREO_UL(0x00000008)
#define MSTATUS_SPIE  VIREO_UL(0x00000020)
#define MSTATUS_UBE   VIREO_UL(0x00000040)
#define MSTATUS_MPIE  VIREO_UL(0x00000080)
#define MSTATUS_SPP   VIREO_UL(0x00000100)
#define MSTATUS_VS    VIREO_UL(0x00000600)
#define MSTATUS_MPP   VIREO_UL(0x00001800)
#define MSTATUS_FS    VIREO_UL(0x00006000)
#define MSTATUS_FS_OFF     VIREO_UL(0x00000000)
#define MSTATUS_FS_INITIAL VIREO_UL(0x00002000)
#define MSTATUS_FS_CLEAN   VIREO_UL(0x00004000)
#define MSTATUS_FS_DIRTY   VIREO_UL(0x00006000)
#define MSTATUS_XS    VIREO_UL(0x00018000)
#define MSTATUS_MPRV  VIREO_UL(0x00020000)
#define MSTATUS_SUM   VIREO_UL(0x00040000)
#define MSTATUS_MXR   VIREO_UL(0x00080000)
#define MSTATUS_TVM   VIREO_UL(0x00100000)
#define MSTATUS_TW    VIREO_UL(0x00200000)
#define MSTATUS_TSR   VIREO_UL(0x00400000)
#define MSTATUS_UXL   VIREO_UL(0x0000000300000000)
#define MSTATUS_SXL   VIREO_UL(0x0000000C00000000)
#define MSTATUS_SD    VIREO_UL(0x8000000000000000)
#define MSTATUS_MPP_SHIFT 11

/* Interrupt numbers (bit positions in mip/mie, low bits of mcause). */
#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11
#define MIP_SSIP (1 << IRQ_S_SOFT)
#define MIP_MSIP (1 << IRQ_M_SOFT)
#define MIP_STIP (1 << IRQ_S_TIMER)
#define MIP_MTIP (1 << IRQ_M_TIMER)
#define MIP_SEIP (1 << IRQ_S_EXT)
#define MIP_MEIP (1 << IRQ_M_EXT)
#define CAUSE_INTERRUPT VIREO_UL(0x8000000000000000)

/* Exception codes (mcause with the interrupt bit clear). */
#define CAUSE_MISALIGNED_FETCH    0
#define CAUSE_FETCH_ACCESS        1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT          3
#define CAUSE_MISALIGNED_LOAD     4
#define CAUSE_LOAD_ACCESS         5
#define CAUSE_MISALIGNED_STORE    6
#define CAUSE_STORE_ACCESS        7
#define CAUSE_USER_ECALL          8
#define CAUSE_SUPERVISOR_ECALL    9
#define CAUSE_MACHINE_ECALL       11
#define CAUSE_FETCH_PAGE_FAULT    12
#define CAUSE_LOAD_PAGE_FAULT     13
#define CAUSE_STORE_PAGE_FAULT    15

/* satp */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  VIREO_UL(0)
#define SATP_MODE_SV39  VIREO_UL(8)
#define SATP_MODE_SV48  VIREO_UL(9)
#define SATP_MODE_SV57  VIREO_UL(10)

/* Page-table entry bits (§4.3.1). */
#define PTE_V 0x001
#define PTE_R 0x002
#define PTE_W 0x004
#define PTE_X 0x008
#define PTE_U 0x010
#define PTE_G 0x020
#define PTE_A 0x040
#define PTE_D 0x080
#define PTE_PPN_SHIFT 10

/* PMP configuration byte (§3.7.1). */
#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_A_OFF   0x00
#define PMP_A_TOR   0x08
#define PMP_A_NA4   0x10
#define PMP_A_NAPOT 0x18
#define PMP_L     0x80

/* fcsr (§11.2): accrued exception flags and rounding modes. */
#define FFLAG_NX 0x01 /* inexact */
#define FFLAG_UF 0x02 /* underflow */
#define FFLAG_OF 0x04 /* overflow */
#define FFLAG_DZ 0x08 /* divide by zero */
#define FFLAG_NV 0x10 /* invalid */
#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4
#define RM_DYN 7

/*
 * Machine memory maps.  The tests target QEMU's `-M spike` (HTIF exit);
 * built with VIREO_MACHINE_VIRT (make MACHINE=virt) they run on `-M virt`
 * instead, exiting through the SiFive test finisher and printing on the
 * ns16550 UART.  Both have the CLINT at 0x02000000 and RAM at 0x80000000.
 */
#define SPIKE_CLINT_BASE    VIREO_UL(0x02000000)
#define CLINT_MSIP          (SPIKE_CLINT_BASE + 0x0)
#define CLINT_MTIMECMP      (SPIKE_CLINT_BASE + 0x4000)
#define CLINT_MTIME         (SPIKE_CLINT_BASE + 0xbff8)
#define SPIKE_TIMEBASE_HZ   10000000
#define SPIKE_DRAM_BASE     VIREO_UL(0x80000000)
#ifdef VIREO_MACHINE_VIRT
#define VIRT_TEST_FINISHER  VIREO_UL(0x00100000)
#define VIRT_UART0          VIREO_UL(0x10000000)
/* Physical addresses with nothing behind them. */
#define SPIKE_UNMAPPED_ADDR VIREO_UL(0x18000000)
#define UNMAPPED_ADDR_2     VIREO_UL(0x0f000000)
#else
/* Physical addresses with nothing behind them (spike: between CLINT and DRAM). */
#define SPIKE_UNMAPPED_ADDR VIREO_UL(0x40000000)
#define UNMAPPED_ADDR_2     (SPIKE_DRAM_BASE - 8)
#endif

/* a7 value of the ecall that vireo_run() code uses to return to M-mode. */
#define VIREO_ECALL_RETURN 0x5649524552455455 /* "VIRERETU" */

#endif /* TESTS_ISA_COMMON_RISCV_DEFS_H */
