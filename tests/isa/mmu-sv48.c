/*
 * mmu-sv48.c — Sv48 translation: a leaf at every level, canonical and
 * non-canonical addresses, unsupported satp modes, MPRV (see
 * common/mmu-cases.h).
 */
#define LEVELS 4
#define MMU_TRANSLATE
#include "mmu-cases.h"
