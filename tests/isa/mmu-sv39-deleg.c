/*
 * mmu-sv39-deleg.c — Sv39 page faults delegated to S-mode: scause,
 * stval = the virtual address, sepc; faults of M-mode accesses (MPRV)
 * stay in M (see common/mmu-cases.h).
 */
#define LEVELS 3
#define MMU_DELEG
#include "mmu-cases.h"
