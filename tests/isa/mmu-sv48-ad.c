/*
 * mmu-sv48-ad.c — Sv48 accessed/dirty bits set by hardware, and
 * sfence.vma (see common/mmu-cases.h).
 */
#define LEVELS 4
#define MMU_AD
#include "mmu-cases.h"
