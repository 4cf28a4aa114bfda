/*
 * target/riscv/cpu.c — the rv64 CPU model: its -cpu switches, hart
 * creation, architectural reset (Privileged spec v1.12 §3.4) and the
 * register dump behind "info registers" and -d cpu.
 *
 * misa reflects the switches: I, M, A, F, D, C, S, U with MXL = 64. misa
 * is read-only at run time (extensions are chosen when the hart is
 * created), so translation can rely on it. D requires F, and F/D need
 * Zicsr (fcsr); inconsistent choices are refused with an error.
 */
#include "target/riscv/cpu-internal.h"
#include "target/riscv/csr.h"
#include "target/riscv/disas.h"
#include "core/main-loop.h"
#include "target/riscv/gdbstub.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/opts.h"

#define CFG(f) offsetof(RISCVCPU, cfg.f)
#define EXT_PROP(n, f, d, h) \
    { .name = (n), .type = PROP_BOOL, .offset = CFG(f), .def.u = (d), .help = (h) }

static const Property riscv_rv64_props[] = {
    EXT_PROP("m", ext_m, true, "M: integer multiply/divide"),
    EXT_PROP("a", ext_a, true, "A: atomics"),
    EXT_PROP("f", ext_f, true, "F: single-precision floating point"),
    EXT_PROP("d", ext_d, true, "D: double-precision floating point"),
    EXT_PROP("c", ext_c, true, "C: compressed instructions"),
    EXT_PROP("zicsr", ext_zicsr, true, "Zicsr: CSR instructions"),
    EXT_PROP("zifencei", ext_zifencei, true, "Zifencei: fence.i"),
    EXT_PROP("zihintpause", ext_zihintpause, true, "Zihintpause: pause"),
    EXT_PROP("zba", ext_zba, true, "Zba: address generation"),
    EXT_PROP("zbb", ext_zbb, true, "Zbb: basic bit manipulation"),
    EXT_PROP("zbc", ext_zbc, true, "Zbc: carry-less multiply"),
    EXT_PROP("zbs", ext_zbs, true, "Zbs: single-bit instructions"),
    EXT_PROP("sstc", ext_sstc, true, "Sstc: stimecmp"),
    EXT_PROP("mmu", mmu, true, "Sv39/Sv48/Sv57 address translation"),
    EXT_PROP("pmp", pmp, true, "16 PMP entries"),
    /* QEMU 7.2's spellings, so its command lines carry over. */
    EXT_PROP("Zicsr", ext_zicsr, true, "same as zicsr"),
    EXT_PROP("Zifencei", ext_zifencei, true, "same as zifencei"),
    EXT_PROP("Zihintpause", ext_zihintpause, true, "same as zihintpause"),
    DEFINE_PROP_END,
};

const CPUModel riscv_cpu_models[] = {
    { "rv64", "RV64GC + Zba/Zbb/Zbc/Zbs, Zihintpause, Sstc; M/S/U, "
      "Sv39/48/57, PMP", riscv_rv64_props },
    { NULL },
};

static const char *const gpr_abi[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const fpr_abi[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
    "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/* CSRs shown by every dump, in QEMU's order. */
static const uint16_t dump_csrs[] = {
    CSR_MHARTID, CSR_MSTATUS, CSR_MISA, CSR_MIP, CSR_MIE, CSR_MIDELEG,
    CSR_MEDELEG, CSR_MTVEC, CSR_STVEC, CSR_MEPC, CSR_SEPC, CSR_MCAUSE,
    CSR_SCAUSE, CSR_MTVAL, CSR_STVAL, CSR_MSCRATCH, CSR_SSCRATCH, CSR_SATP,
    CSR_MENVCFG, CSR_MCOUNTEREN, CSR_SCOUNTEREN,
};

static void riscv_cpu_dump_state(CPUState *cs, FILE *f, int flags)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    static const char prv[4] = { 'U', 'S', '?', 'M' };
    uint64_t val;

    fprintf(f, " %-10s %016" PRIx64 "\n", "pc", cpu->pc);
    fprintf(f, " %-10s %c\n", "priv", prv[cpu->priv & 3]);
    for (size_t i = 0; i < ARRAY_SIZE(dump_csrs); i++) {
        const RISCVCSR *csr = riscv_csr_find(dump_csrs[i]);

        if (csr && riscv_csr_read_debug(cpu, csr->number, &val)) {
            fprintf(f, " %-10s %016" PRIx64 "\n", csr->name, val);
        }
    }
    if (flags & CPU_DUMP_CSR) {
        for (size_t i = 0; i < riscv_csr_table_size; i++) {
            const RISCVCSR *csr = &riscv_csr_table[i];

            if (riscv_csr_read_debug(cpu, csr->number, &val)) {
                fprintf(f, " %-13s %016" PRIx64 "\n", csr->name, val);
            }
        }
    }
    for (int i = 0; i < 32; i++) {
        char name[16];

        snprintf(name, sizeof(name), "x%d/%s", i, gpr_abi[i]);
        fprintf(f, " %-8s %016" PRIx64 "%s", name, cpu->gpr[i],
                (i & 3) == 3 ? "\n" : " ");
    }
    if (flags & CPU_DUMP_FPU) {
        for (int i = 0; i < 32; i++) {
            char name[16];

            snprintf(name, sizeof(name), "f%d/%s", i, fpr_abi[i]);
            fprintf(f, " %-8s %016" PRIx64 "%s", name, cpu->fpr[i],
                    (i & 3) == 3 ? "\n" : " ");
        }
        fprintf(f, " %-8s %08x\n", "fcsr",
                (cpu->frm << FSR_FRM_SHIFT) | cpu->fflags);
    }
}

static uint64_t riscv_cpu_get_pc(CPUState *cs)
{
    return riscv_cpu(cs)->pc;
}

static void riscv_cpu_set_pc(CPUState *cs, uint64_t pc)
{
    riscv_cpu(cs)->pc = pc;
}

/* Architectural reset (§3.4): M-mode, MIE = MPRV = 0, mcause = 0, PMP
 * off, pc = the reset vector; everything else zero here, as QEMU. */
void riscv_cpu_reset(CPUState *cs)
{
    RISCVCPU *cpu = riscv_cpu(cs);

    memset(cpu->gpr, 0, sizeof(cpu->gpr));
    memset(cpu->fpr, 0, sizeof(cpu->fpr));
    cpu->pc = cpu->reset_pc;
    cpu->load_res = -1;
    cpu->load_val = 0;
    cpu->priv = PRV_M;
    cpu->mstatus = (MXL_RV64 << 32) | (MXL_RV64 << 34);
    cpu->frm = 0;
    cpu->fflags = 0;
    __atomic_store_n(&cpu->mip, 0, __ATOMIC_RELEASE);
    cpu->mie = cpu->mideleg = cpu->medeleg = 0;
    cpu->mtvec = cpu->stvec = 0;
    cpu->mscratch = cpu->sscratch = 0;
    cpu->mepc = cpu->sepc = 0;
    cpu->mcause = cpu->scause = 0;
    cpu->mtval = cpu->stval = 0;
    cpu->satp = 0;
    cpu->mcounteren = cpu->scounteren = 0;
    cpu->mcountinhibit = 0;
    cpu->mcycle_delta = cpu->minstret_delta = 0;
    cpu->menvcfg = cpu->senvcfg = 0;
    cpu->stimecmp = UINT64_MAX;
    cpu->bins = 0;
    riscv_pmp_reset(cpu);
    riscv_timer_update_stimecmp(cpu);
    cs->exception_index = EXCP_NONE;
    cs->halted = false;
    tlb_flush(cs);
}

static int riscv_tcg_mmu_index(CPUState *cs, bool ifetch)
{
    return riscv_cpu_mmu_index(riscv_cpu(cs), ifetch);
}

static void riscv_cpu_finalize(CPUState *cs)
{
    RISCVCPU *cpu = riscv_cpu(cs);

    if (cpu->stimer) {
        timer_free(cpu->stimer);
        cpu->stimer = NULL;
    }
}

static unsigned riscv_cpu_disas_insn(CPUState *cs, uint64_t pc,
                                     const uint8_t *bytes, size_t avail,
                                     char *buf, size_t size)
{
    uint32_t insn;
    unsigned len;

    if (avail < 2) {
        return 0;
    }
    insn = bytes[0] | bytes[1] << 8;
    len = riscv_insn_length(insn);
    if (avail < len) {
        return 0;
    }
    if (len == 4) {
        insn |= (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    }
    return riscv_disas_insn(pc, insn, buf, size);
}

/* Firmware with interrupts off: M-mode and mstatus.MIE clear (§3.1.6.1). */
static bool riscv_cpu_in_atomic_section(CPUState *cs)
{
    RISCVCPU *cpu = riscv_cpu(cs);

    return __atomic_load_n(&cpu->priv, __ATOMIC_RELAXED) == PRV_M &&
           !(__atomic_load_n(&cpu->mstatus, __ATOMIC_RELAXED) & MSTATUS_MIE);
}

static const CPUOps riscv_cpu_ops = {
    .disas_insn = riscv_cpu_disas_insn,
    .arch = "riscv64",
    .finalize = riscv_cpu_finalize,
    .reset = riscv_cpu_reset,
    .dump_state = riscv_cpu_dump_state,
    .get_pc = riscv_cpu_get_pc,
    .set_pc = riscv_cpu_set_pc,
    .has_work = riscv_cpu_has_work,
    .in_atomic_section = riscv_cpu_in_atomic_section,
    .get_phys_page_debug = riscv_cpu_get_phys_page_debug,
    .gdb = &riscv_gdb_ops,
    .tcg_ops = &riscv_tcg_ops,
};

const TCGCPUOps riscv_tcg_ops = {
    .tcg_init = riscv_tcg_init,
    .translate_code = riscv_translate_code,
    .mmu_index = riscv_tcg_mmu_index,
    .get_tb_cpu_state = riscv_cpu_get_tb_cpu_state,
    .synchronize_from_tb = riscv_cpu_synchronize_from_tb,
    .restore_state_to_opc = riscv_cpu_restore_state_to_opc,
    .exec_interrupt = riscv_cpu_exec_interrupt,
    .do_exception = riscv_cpu_do_interrupt,
    .tlb_fill = riscv_cpu_tlb_fill,
    .do_unaligned_access = riscv_cpu_do_unaligned_access,
    .do_transaction_failed = riscv_cpu_do_transaction_failed,
    .nb_mmu_modes = RISCV_MMU_MODES,
    /* Everything from the GPRs to the pending trap, except mip. */
    .arch_state = {
        { offsetof(RISCVCPU, gpr),
          offsetof(RISCVCPU, mip) - offsetof(RISCVCPU, gpr) },
        { offsetof(RISCVCPU, mie),
          offsetof(RISCVCPU, rdtime) - offsetof(RISCVCPU, mie) },
    },
};

static bool riscv_cpu_check_config(const RISCVCPUConfig *cfg, Error **errp)
{
    if (cfg->ext_d && !cfg->ext_f) {
        error_setg(errp, "-cpu rv64: D extension requires F extension");
        return false;
    }
    if (cfg->ext_f && !cfg->ext_zicsr) {
        error_setg(errp, "-cpu rv64: F extension requires Zicsr");
        return false;
    }
    return true;
}

CPUState *riscv_cpu_create(Machine *m, const CPUModel *model, OptList *opts,
                           unsigned index, Error **errp)
{
    static const char *const skip[] = { "model", NULL };
    RISCVCPU *cpu = xzalloc(sizeof(*cpu));
    const RISCVCPUConfig *cfg = &cpu->cfg;

    props_set_defaults(cpu, model->props);
    if (opts && !props_apply_opts(cpu, model->props, opts, skip, NULL,
                                  "-cpu", errp)) {
        free(cpu);
        return NULL;
    }
    if (!riscv_cpu_check_config(cfg, errp)) {
        free(cpu);
        return NULL;
    }
    cpu->misa = (MXL_RV64 << 62) | RVI | RVS | RVU |
                (cfg->ext_m ? RVM : 0) | (cfg->ext_a ? RVA : 0) |
                (cfg->ext_f ? RVF : 0) | (cfg->ext_d ? RVD : 0) |
                (cfg->ext_c ? RVC : 0);
    cpu->reset_pc = 0x1000;
    cpu->stimecmp = UINT64_MAX;
    cpu_common_init(&cpu->parent, &riscv_cpu_ops, m, index);
    riscv_timer_init(cpu);
    riscv_cpu_reset(&cpu->parent);
    return &cpu->parent;
}

bool riscv_create_harts(Machine *m, uint64_t reset_pc, Error **errp)
{
    const char *name = opts_get((OptList *)&m->config->cpu, "model");
    const CPUModel *model;

    if (!name) {
        name = m->type->default_cpu ? m->type->default_cpu : "rv64";
    }
    model = cpu_model_find(m->target, name);
    if (!model) {
        error_setg(errp, "-cpu %s: unable to find CPU model", name);
        return false;
    }
    m->cpu_model = model;
    m->cpu_opts = (OptList *)&m->config->cpu;
    m->cpus = xzalloc(sizeof(CPUState *) * m->nr_cpus);
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        m->cpus[i] = m->target->cpu_create(m, model, m->cpu_opts, i, errp);
        if (!m->cpus[i]) {
            return false;
        }
        riscv_cpu(m->cpus[i])->reset_pc = reset_pc;
        riscv_cpu(m->cpus[i])->pc = reset_pc;
    }
    return true;
}
