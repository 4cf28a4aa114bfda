/*
 * target/riscv/gdbstub.c — the hart as gdb sees it: register numbers,
 * register access, and the target description, generated from the same
 * tables as the rest of the CPU (the CSR table in csr.c), never kept by
 * hand.
 *
 * Register numbers (the "regnum"s of our target description):
 *   0..31   x0..x31            org.gnu.gdb.riscv.cpu (with pc)
 *   32      pc                 ('g' packets carry 0..32, as in QEMU)
 *   33..64  f0..f31            org.gnu.gdb.riscv.fpu, if F is present,
 *   65..67  fflags, frm, fcsr  as GDB wants them there
 *   then    every CSR of csr.c that exists for this hart's configuration,
 *           in table order     org.gnu.gdb.riscv.csr
 *   last    priv               org.gnu.gdb.riscv.virtual
 * (GDB manual, "RISC-V Features"; "Target Description Format".)
 *
 * The debugger sees every register whatever the privilege: CSRs are read
 * and written as M-mode would without the permission check (csr.c's debug
 * accessors), FP registers whatever mstatus.FS says. Writing priv changes
 * the privilege as a trap would, which is how gdb users move a hart
 * between modes.
 */
#include "target/riscv/gdbstub.h"
#include "target/riscv/cpu-internal.h"
#include "target/riscv/csr.h"

enum {
    GDB_PC = 32,
    GDB_CORE_REGS = 33,
    GDB_FPR0 = 33,
    GDB_FFLAGS = 65,
    GDB_FRM = 66,
    GDB_FCSR = 67,
    GDB_FPU_END = 68,
};

/* The FP CSRs live in the fpu feature, not in the csr one. */
static bool csr_is_fp(int csrno)
{
    return csrno == CSR_FFLAGS || csrno == CSR_FRM || csrno == CSR_FCSR;
}

static bool has_fpu(const RISCVCPU *cpu)
{
    return riscv_has_ext(cpu, RVF);
}

/*
 * Does gdb get CSR row @csr? It must exist for this hart's configuration
 * (asked as M-mode would). The predicates that depend on run-time state
 * (FS, counter enables for lower modes) only guard the FP CSRs, which
 * the fpu feature carries, and lower-privilege accesses, so the answer is
 * fixed once the board has set the hart up.
 */
static bool csr_listed(RISCVCPU *cpu, const RISCVCSR *csr)
{
    if (!cpu->cfg.ext_zicsr || csr_is_fp(csr->number)) {
        return false;
    }
    return !csr->predicate || csr->predicate(cpu, csr->number, PRV_M);
}

static unsigned csr_base(const RISCVCPU *cpu)
{
    return has_fpu(cpu) ? GDB_FPU_END : GDB_CORE_REGS;
}

static unsigned csr_count(RISCVCPU *cpu)
{
    unsigned n = 0;

    for (size_t i = 0; i < riscv_csr_table_size; i++) {
        n += csr_listed(cpu, &riscv_csr_table[i]);
    }
    return n;
}

/* The CSR row behind gdb register @n, or NULL. */
static const RISCVCSR *csr_for_reg(RISCVCPU *cpu, unsigned n)
{
    unsigned base = csr_base(cpu);

    if (n < base) {
        return NULL;
    }
    n -= base;
    for (size_t i = 0; i < riscv_csr_table_size; i++) {
        if (csr_listed(cpu, &riscv_csr_table[i]) && n-- == 0) {
            return &riscv_csr_table[i];
        }
    }
    return NULL;
}

static unsigned priv_reg(RISCVCPU *cpu)
{
    return csr_base(cpu) + csr_count(cpu);
}

static unsigned riscv_gdb_num_regs(CPUState *cs)
{
    return priv_reg(riscv_cpu(cs)) + 1;
}

static void put64(uint8_t *buf, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        buf[i] = v >> (8 * i);
    }
}

static uint64_t get64(const uint8_t *buf, size_t len)
{
    uint64_t v = 0;

    for (size_t i = 0; i < len && i < 8; i++) {
        v |= (uint64_t)buf[i] << (8 * i);
    }
    return v;
}

/* Every register is 64 bits wide on RV64. */
static bool riscv_gdb_get(RISCVCPU *cpu, unsigned n, uint64_t *val,
                          bool *available)
{
    const RISCVCSR *csr;

    *available = true;
    if (n < 32) {
        *val = cpu->gpr[n];
    } else if (n == GDB_PC) {
        *val = cpu->pc;
    } else if (has_fpu(cpu) && n < GDB_FPU_END) {
        switch (n) {
        case GDB_FFLAGS:
            *val = cpu->fflags;
            break;
        case GDB_FRM:
            *val = cpu->frm;
            break;
        case GDB_FCSR:
            *val = (cpu->frm << FSR_FRM_SHIFT) | cpu->fflags;
            break;
        default:
            *val = cpu->fpr[n - GDB_FPR0];
            break;
        }
    } else if ((csr = csr_for_reg(cpu, n)) != NULL) {
        *available = riscv_csr_read_debug(cpu, csr->number, val);
    } else if (n == priv_reg(cpu)) {
        *val = cpu->priv;
    } else {
        return false;
    }
    return true;
}

static int riscv_gdb_read_register(CPUState *cs, unsigned n, uint8_t *buf,
                                   bool *available)
{
    uint64_t val = 0;

    if (!riscv_gdb_get(riscv_cpu(cs), n, &val, available)) {
        return 0;
    }
    put64(buf, *available ? val : 0);
    return 8;
}

static bool riscv_gdb_write_register(CPUState *cs, unsigned n,
                                     const uint8_t *buf, size_t len)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    uint64_t val = get64(buf, len);
    const RISCVCSR *csr;

    if (len != 8) {
        return false;
    }
    if (n < 32) {
        if (n) {
            cpu->gpr[n] = val;      /* x0 stays zero */
        }
    } else if (n == GDB_PC) {
        cpu->pc = val;
    } else if (has_fpu(cpu) && n < GDB_FPU_END) {
        switch (n) {
        case GDB_FFLAGS:
            cpu->fflags = val & FSR_FFLAGS;
            break;
        case GDB_FRM:
            cpu->frm = val & 7;
            break;
        case GDB_FCSR:
            cpu->frm = (val & FSR_FRM) >> FSR_FRM_SHIFT;
            cpu->fflags = val & FSR_FFLAGS;
            break;
        default:
            cpu->fpr[n - GDB_FPR0] = val;
            break;
        }
    } else if ((csr = csr_for_reg(cpu, n)) != NULL) {
        return riscv_csr_write_debug(cpu, csr->number, val);
    } else if (n == priv_reg(cpu)) {
        if (val != PRV_U && val != PRV_S && val != PRV_M) {
            return false;
        }
        riscv_cpu_set_mode(cpu, val);
    } else {
        return false;
    }
    return true;
}

/* --- the target description --- */

static void xml_reg(FILE *f, const char *name, unsigned regnum,
                    const char *type, const char *group)
{
    fprintf(f, "<reg name=\"%s\" bitsize=\"64\" regnum=\"%u\" type=\"%s\"",
            name, regnum, type);
    if (group) {
        fprintf(f, " group=\"%s\"", group);
    }
    fputs("/>\n", f);
}

static void xml_cpu_feature(FILE *f)
{
    char name[8];

    fputs("<feature name=\"org.gnu.gdb.riscv.cpu\">\n", f);
    for (unsigned i = 0; i < 32; i++) {
        /* ra and the pc are code pointers, sp/gp/tp/fp data pointers. */
        const char *type = i == 1 ? "code_ptr"
                         : (i >= 2 && i <= 4) || i == 8 ? "data_ptr" : "int";
        snprintf(name, sizeof(name), "x%u", i);
        xml_reg(f, name, i, type, NULL);
    }
    xml_reg(f, "pc", GDB_PC, "code_ptr", NULL);
    fputs("</feature>\n", f);
}

static void xml_fpu_feature(FILE *f)
{
    char name[8];

    fputs("<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
          "<union id=\"riscv_double\">"
          "<field name=\"float\" type=\"ieee_single\"/>"
          "<field name=\"double\" type=\"ieee_double\"/>"
          "</union>\n", f);
    for (unsigned i = 0; i < 32; i++) {
        snprintf(name, sizeof(name), "f%u", i);
        xml_reg(f, name, GDB_FPR0 + i, "riscv_double", NULL);
    }
    xml_reg(f, "fflags", GDB_FFLAGS, "int", "float");
    xml_reg(f, "frm", GDB_FRM, "int", "float");
    xml_reg(f, "fcsr", GDB_FCSR, "int", "float");
    fputs("</feature>\n", f);
}

static void xml_csr_feature(FILE *f, RISCVCPU *cpu)
{
    unsigned n = csr_base(cpu);

    fputs("<feature name=\"org.gnu.gdb.riscv.csr\">\n", f);
    for (size_t i = 0; i < riscv_csr_table_size; i++) {
        const RISCVCSR *csr = &riscv_csr_table[i];

        if (csr_listed(cpu, csr)) {
            xml_reg(f, csr->name, n++, "int", "csr");
        }
    }
    fputs("</feature>\n", f);
}

static char *riscv_gdb_target_xml(CPUState *cs)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    char *xml = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&xml, &size);

    if (!f) {
        return NULL;
    }
    fputs("<?xml version=\"1.0\"?>\n"
          "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
          "<target version=\"1.0\">\n"
          "<architecture>riscv:rv64</architecture>\n", f);
    xml_cpu_feature(f);
    if (has_fpu(cpu)) {
        xml_fpu_feature(f);
    }
    xml_csr_feature(f, cpu);
    fputs("<feature name=\"org.gnu.gdb.riscv.virtual\">\n", f);
    xml_reg(f, "priv", priv_reg(cpu), "int", "system");
    fputs("</feature>\n</target>\n", f);
    fclose(f);
    return xml;
}

const CPUGDBOps riscv_gdb_ops = {
    .g_regs = GDB_CORE_REGS,
    .num_regs = riscv_gdb_num_regs,
    .read_register = riscv_gdb_read_register,
    .write_register = riscv_gdb_write_register,
    .target_xml = riscv_gdb_target_xml,
    /* GDB's RISC-V port has "non-steppable" watchpoints (as the debug
     * spec's triggers fire before the access): it wants the stop before
     * the access and single-steps over it itself. */
    .stop_before_watchpoint = true,
};
