/*
 * target/riscv/csr.h — the control and status register table.
 *
 * One const row per CSR: spec name, number, an access predicate (the
 * extension or mode that makes it exist, counter-enable and TVM rules),
 * and read/write functions. The CSR instructions (through helpers), the
 * register dump and the gdb register description all walk this table,
 * so a CSR is added in exactly one place.
 *
 * Access rules applied before the row's own predicate (Privileged spec
 * v1.12 §2.1): csr[9:8] is the lowest privilege that may access it;
 * csr[11:10] == 3 marks it read-only, and any instruction that would write
 * it is illegal.
 */
#ifndef TARGET_RISCV_CSR_H
#define TARGET_RISCV_CSR_H

#include "target/riscv/cpu.h"

/* Does @csrno exist for an access from privilege @priv? */
typedef bool RISCVCSRPredicate(RISCVCPU *cpu, int csrno, int priv);
typedef uint64_t RISCVCSRRead(RISCVCPU *cpu, int csrno);
/* Store @val (already merged with the old value under the write mask).
 * Returns false if the write is illegal. */
typedef bool RISCVCSRWrite(RISCVCPU *cpu, int csrno, uint64_t val);

typedef struct RISCVCSR {
    const char *name;
    uint16_t number;
    RISCVCSRPredicate *predicate;   /* NULL: always present */
    RISCVCSRRead *read;
    RISCVCSRWrite *write;           /* NULL: writes ignored (WARL 0) */
} RISCVCSR;

/* The table, sorted by number. */
extern const RISCVCSR riscv_csr_table[];
extern const size_t riscv_csr_table_size;

/* The row for @csrno, or NULL. */
const RISCVCSR *riscv_csr_find(int csrno);

/*
 * Perform a CSR instruction's access from the hart's current privilege:
 * read (unless !@do_read), then, if @do_write, write
 * (old & ~@mask) | (@val & @mask). Returns false for an illegal access
 * (logged under -d guest_errors or unimp); *old gets the value read.
 */
bool riscv_csr_access(RISCVCPU *cpu, int csrno, uint64_t *old, uint64_t val,
                      uint64_t mask, bool do_read, bool do_write);

/* Debugger/monitor read: no privilege check, but the CSR must exist for
 * this hart's configuration. */
bool riscv_csr_read_debug(RISCVCPU *cpu, int csrno, uint64_t *val);

/* Debugger write: as M-mode would, without the privilege and read-only
 * checks of an instruction; false if the CSR does not exist here or
 * cannot be written at all. */
bool riscv_csr_write_debug(RISCVCPU *cpu, int csrno, uint64_t val);

#endif /* TARGET_RISCV_CSR_H */
