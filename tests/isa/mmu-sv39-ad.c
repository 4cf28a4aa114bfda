/*
 * mmu-sv39-ad.c — Sv39 accessed/dirty bits set by hardware, and
 * sfence.vma (see common/mmu-cases.h).
 */
#define LEVELS 3
#define MMU_AD
#include "mmu-cases.h"
