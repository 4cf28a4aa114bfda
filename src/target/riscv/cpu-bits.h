/*
 * target/riscv/cpu-bits.h — architectural constants: CSR numbers, CSR
 * field masks, trap causes, page-table entry bits, PMP configuration bits.
 *
 * Names are the specs' own, upper-cased and prefixed by the register they
 * live in (MSTATUS_MPRV is mstatus.MPRV). Sources:
 *   Unprivileged spec 20191213 ch. 9-11 (Zicsr, F, D: fcsr);
 *   Privileged spec v1.12: §2.2 (CSR listing), §3.1 (machine CSRs),
 *   §3.7 (PMP), §4.1 (supervisor CSRs), §4.3-4.5 (Sv39/48/57 PTEs);
 *   Sstc spec v1.0 (stimecmp, menvcfg.STCE).
 */
#ifndef TARGET_RISCV_CPU_BITS_H
#define TARGET_RISCV_CPU_BITS_H

/* --- CSR numbers (Privileged spec §2.2, tables 2.2-2.5) --- */

/* Unprivileged floating-point CSRs */
#define CSR_FFLAGS          0x001
#define CSR_FRM             0x002
#define CSR_FCSR            0x003
/* Unprivileged counters/timers */
#define CSR_CYCLE           0xc00
#define CSR_TIME            0xc01
#define CSR_INSTRET         0xc02
#define CSR_HPMCOUNTER3     0xc03
#define CSR_HPMCOUNTER31    0xc1f
/* Supervisor */
#define CSR_SSTATUS         0x100
#define CSR_SIE             0x104
#define CSR_STVEC           0x105
#define CSR_SCOUNTEREN      0x106
#define CSR_SENVCFG         0x10a
#define CSR_SSCRATCH        0x140
#define CSR_SEPC            0x141
#define CSR_SCAUSE          0x142
#define CSR_STVAL           0x143
#define CSR_SIP             0x144
#define CSR_STIMECMP        0x14d
#define CSR_SATP            0x180
/* Machine information */
#define CSR_MVENDORID       0xf11
#define CSR_MARCHID         0xf12
#define CSR_MIMPID          0xf13
#define CSR_MHARTID         0xf14
#define CSR_MCONFIGPTR      0xf15
/* Machine trap setup and handling */
#define CSR_MSTATUS         0x300
#define CSR_MISA            0x301
#define CSR_MEDELEG         0x302
#define CSR_MIDELEG         0x303
#define CSR_MIE             0x304
#define CSR_MTVEC           0x305
#define CSR_MCOUNTEREN      0x306
#define CSR_MENVCFG         0x30a
#define CSR_MCOUNTINHIBIT   0x320
#define CSR_MHPMEVENT3      0x323
#define CSR_MHPMEVENT31     0x33f
#define CSR_MSCRATCH        0x340
#define CSR_MEPC            0x341
#define CSR_MCAUSE          0x342
#define CSR_MTVAL           0x343
#define CSR_MIP             0x344
/* Machine memory protection */
#define CSR_PMPCFG0         0x3a0
#define CSR_PMPCFG2         0x3a2
#define CSR_PMPADDR0        0x3b0
#define CSR_PMPADDR15       0x3bf
/* Machine counters */
#define CSR_MCYCLE          0xb00
#define CSR_MINSTRET        0xb02
#define CSR_MHPMCOUNTER3    0xb03
#define CSR_MHPMCOUNTER31   0xb1f

/* --- mstatus / sstatus (§3.1.6, §4.1.1) --- */
#define MSTATUS_SIE         (1ULL << 1)
#define MSTATUS_MIE         (1ULL << 3)
#define MSTATUS_SPIE        (1ULL << 5)
#define MSTATUS_UBE         (1ULL << 6)
#define MSTATUS_MPIE        (1ULL << 7)
#define MSTATUS_SPP         (1ULL << 8)
#define MSTATUS_VS          (3ULL << 9)
#define MSTATUS_MPP         (3ULL << 11)
#define MSTATUS_FS          (3ULL << 13)
#define MSTATUS_XS          (3ULL << 15)
#define MSTATUS_MPRV        (1ULL << 17)
#define MSTATUS_SUM         (1ULL << 18)
#define MSTATUS_MXR         (1ULL << 19)
#define MSTATUS_TVM         (1ULL << 20)
#define MSTATUS_TW          (1ULL << 21)
#define MSTATUS_TSR         (1ULL << 22)
#define MSTATUS_UXL         (3ULL << 32)
#define MSTATUS_SXL         (3ULL << 34)
#define MSTATUS_SBE         (1ULL << 36)
#define MSTATUS_MBE         (1ULL << 37)
#define MSTATUS_SD          (1ULL << 63)

#define MSTATUS_MPP_SHIFT   11
#define MSTATUS_FS_SHIFT    13

/* The sstatus view of mstatus (§4.1.1). */
#define SSTATUS_MASK        (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | \
                             MSTATUS_SPP | MSTATUS_VS | MSTATUS_FS | \
                             MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | \
                             MSTATUS_UXL | MSTATUS_SD)

/* mstatus.FS / XS / VS encodings */
#define EXT_STATUS_OFF      0
#define EXT_STATUS_INITIAL  1
#define EXT_STATUS_CLEAN    2
#define EXT_STATUS_DIRTY    3

/* XLEN encoding in misa.MXL, mstatus.UXL/SXL */
#define MXL_RV64            2ULL

/* --- misa (§3.1.1): extension bits are 1 << (letter - 'A') --- */
#define MISA_EXT(letter)    (1ULL << ((letter) - 'A'))
#define RVA                 MISA_EXT('A')
#define RVC                 MISA_EXT('C')
#define RVD                 MISA_EXT('D')
#define RVF                 MISA_EXT('F')
#define RVI                 MISA_EXT('I')
#define RVM                 MISA_EXT('M')
#define RVS                 MISA_EXT('S')
#define RVU                 MISA_EXT('U')

/* --- privilege levels (§1.2) --- */
#define PRV_U               0
#define PRV_S               1
#define PRV_M               3

/* --- mip / mie bits (§3.1.9) --- */
#define IRQ_S_SOFT          1
#define IRQ_M_SOFT          3
#define IRQ_S_TIMER         5
#define IRQ_M_TIMER         7
#define IRQ_S_EXT           9
#define IRQ_M_EXT           11

#define MIP_SSIP            (1ULL << IRQ_S_SOFT)
#define MIP_MSIP            (1ULL << IRQ_M_SOFT)
#define MIP_STIP            (1ULL << IRQ_S_TIMER)
#define MIP_MTIP            (1ULL << IRQ_M_TIMER)
#define MIP_SEIP            (1ULL << IRQ_S_EXT)
#define MIP_MEIP            (1ULL << IRQ_M_EXT)

#define S_MODE_INTERRUPTS   (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define M_MODE_INTERRUPTS   (MIP_MSIP | MIP_MTIP | MIP_MEIP)
#define ALL_INTERRUPTS      (S_MODE_INTERRUPTS | M_MODE_INTERRUPTS)

/* --- mtvec / stvec MODE (§3.1.7) --- */
#define TVEC_MODE_DIRECT    0
#define TVEC_MODE_VECTORED  1

/* --- mcause / scause (§3.1.15, table 3.6) --- */
#define CAUSE_INTERRUPT     (1ULL << 63)

typedef enum RISCVException {
    RISCV_EXCP_INST_ADDR_MIS = 0,
    RISCV_EXCP_INST_ACCESS_FAULT = 1,
    RISCV_EXCP_ILLEGAL_INST = 2,
    RISCV_EXCP_BREAKPOINT = 3,
    RISCV_EXCP_LOAD_ADDR_MIS = 4,
    RISCV_EXCP_LOAD_ACCESS_FAULT = 5,
    RISCV_EXCP_STORE_AMO_ADDR_MIS = 6,
    RISCV_EXCP_STORE_AMO_ACCESS_FAULT = 7,
    RISCV_EXCP_U_ECALL = 8,
    RISCV_EXCP_S_ECALL = 9,
    RISCV_EXCP_M_ECALL = 11,
    RISCV_EXCP_INST_PAGE_FAULT = 12,
    RISCV_EXCP_LOAD_PAGE_FAULT = 13,
    RISCV_EXCP_STORE_PAGE_FAULT = 15,
    /*
     * Internal: an interrupt is being delivered; the cause number is in
     * RISCVCPU.pending_irq. Never visible to the guest as such.
     */
    RISCV_EXCP_INT_FLAG = 0x10000,
} RISCVException;

/* Exceptions medeleg may delegate (§3.1.8): not ecall from M. */
#define DELEGABLE_EXCPS     ((1ULL << RISCV_EXCP_INST_ADDR_MIS) | \
                             (1ULL << RISCV_EXCP_INST_ACCESS_FAULT) | \
                             (1ULL << RISCV_EXCP_ILLEGAL_INST) | \
                             (1ULL << RISCV_EXCP_BREAKPOINT) | \
                             (1ULL << RISCV_EXCP_LOAD_ADDR_MIS) | \
                             (1ULL << RISCV_EXCP_LOAD_ACCESS_FAULT) | \
                             (1ULL << RISCV_EXCP_STORE_AMO_ADDR_MIS) | \
                             (1ULL << RISCV_EXCP_STORE_AMO_ACCESS_FAULT) | \
                             (1ULL << RISCV_EXCP_U_ECALL) | \
                             (1ULL << RISCV_EXCP_S_ECALL) | \
                             (1ULL << RISCV_EXCP_INST_PAGE_FAULT) | \
                             (1ULL << RISCV_EXCP_LOAD_PAGE_FAULT) | \
                             (1ULL << RISCV_EXCP_STORE_PAGE_FAULT))

/* --- satp (§4.1.11) --- */
#define SATP_MODE_SHIFT     60
#define SATP_MODE           (0xfULL << 60)
#define SATP_ASID           (0xffffULL << 44)
#define SATP_PPN            ((1ULL << 44) - 1)
#define SATP_MODE_BARE      0
#define SATP_MODE_SV39      8
#define SATP_MODE_SV48      9
#define SATP_MODE_SV57      10

/* --- page-table entries (§4.3.1, §4.4.1, §4.5.1) --- */
#define PTE_V               (1ULL << 0)
#define PTE_R               (1ULL << 1)
#define PTE_W               (1ULL << 2)
#define PTE_X               (1ULL << 3)
#define PTE_U               (1ULL << 4)
#define PTE_G               (1ULL << 5)
#define PTE_A               (1ULL << 6)
#define PTE_D               (1ULL << 7)
#define PTE_PPN_SHIFT       10
#define PTE_PPN_MASK        (((1ULL << 44) - 1) << PTE_PPN_SHIFT)
/* Bits 60:54 are reserved; 62:61 PBMT (Svpbmt) and 63 N (Svnapot). */
#define PTE_RESERVED        (0x7fULL << 54)
#define PTE_PBMT            (3ULL << 61)
#define PTE_N               (1ULL << 63)

#define PGSHIFT             12
#define PTIDXBITS           9

/* --- menvcfg / senvcfg (§3.1.18, §4.1.10) --- */
#define MENVCFG_FIOM        (1ULL << 0)
#define MENVCFG_PBMTE       (1ULL << 62)
#define MENVCFG_STCE        (1ULL << 63)
#define SENVCFG_FIOM        (1ULL << 0)

/* --- mcounteren / scounteren / mcountinhibit (§3.1.11-12) --- */
#define COUNTEREN_CY        (1U << 0)
#define COUNTEREN_TM        (1U << 1)
#define COUNTEREN_IR        (1U << 2)
#define COUNTINHIBIT_CY     (1U << 0)
#define COUNTINHIBIT_IR     (1U << 2)

/* --- PMP configuration bytes (§3.7.1) --- */
#define PMP_R               0x01
#define PMP_W               0x02
#define PMP_X               0x04
#define PMP_A               0x18
#define PMP_A_SHIFT         3
#define PMP_L               0x80
#define PMP_A_OFF           0
#define PMP_A_TOR           1
#define PMP_A_NA4           2
#define PMP_A_NAPOT         3

/* --- fcsr (Unprivileged spec §11.2) --- */
#define FSR_FFLAGS          0x1f
#define FSR_FRM_SHIFT       5
#define FSR_FRM             (7U << FSR_FRM_SHIFT)
#define FFLAG_NX            0x01    /* inexact */
#define FFLAG_UF            0x02    /* underflow */
#define FFLAG_OF            0x04    /* overflow */
#define FFLAG_DZ            0x08    /* divide by zero */
#define FFLAG_NV            0x10    /* invalid operation */

/* Rounding modes (rm field and frm) */
#define RISCV_FRM_RNE       0
#define RISCV_FRM_RTZ       1
#define RISCV_FRM_RDN       2
#define RISCV_FRM_RUP       3
#define RISCV_FRM_RMM       4
#define RISCV_FRM_DYN       7

#endif /* TARGET_RISCV_CPU_BITS_H */
