/*
 * tests/decode/csr-names-stub.c — riscv_csr_name() for the decode driver.
 *
 * The real one lives in target/riscv/csr.c with the CPU; the driver links
 * only the disassembler, so it carries the few names insns.S uses (spelled
 * as in Privileged ISA v1.12 Tables 2.2-2.5 and Unprivileged ISA Ch. 25).
 */
#include <stddef.h>

#include "target/riscv/disas.h"

static const struct {
    unsigned number;
    const char *name;
} csr_names[] = {
    { 0x001, "fflags" }, { 0x002, "frm" }, { 0x003, "fcsr" },
    { 0x100, "sstatus" }, { 0x180, "satp" },
    { 0x300, "mstatus" }, { 0x304, "mie" }, { 0x305, "mtvec" },
    { 0xc00, "cycle" }, { 0xc01, "time" }, { 0xc02, "instret" },
    { 0xf14, "mhartid" },
};

const char *riscv_csr_name(unsigned csrno)
{
    for (size_t i = 0; i < sizeof(csr_names) / sizeof(csr_names[0]); i++) {
        if (csr_names[i].number == csrno) {
            return csr_names[i].name;
        }
    }
    return NULL;
}
