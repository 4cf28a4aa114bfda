/*
 * mmu-sv57.c — Sv57 translation: a leaf at every level, canonical and
 * non-canonical addresses, unsupported satp modes, MPRV (see
 * common/mmu-cases.h).
 */
#define LEVELS 5
#define MMU_TRANSLATE
#include "mmu-cases.h"
