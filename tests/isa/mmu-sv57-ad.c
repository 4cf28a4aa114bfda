/*
 * mmu-sv57-ad.c — Sv57 accessed/dirty bits set by hardware, and
 * sfence.vma (see common/mmu-cases.h).
 */
#define LEVELS 5
#define MMU_AD
#include "mmu-cases.h"
