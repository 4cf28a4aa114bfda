/*
 * mmu-sv39-perm.c — Sv39 permission checks: R/W/X/U, SUM, MXR, reserved
 * and invalid PTEs, misaligned superpages (see common/mmu-cases.h).
 */
#define LEVELS 3
#define MMU_PERM
#include "mmu-cases.h"
