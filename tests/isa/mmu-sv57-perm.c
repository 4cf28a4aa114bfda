/*
 * mmu-sv57-perm.c — Sv57 permission checks: R/W/X/U, SUM, MXR, reserved
 * and invalid PTEs, misaligned superpages (see common/mmu-cases.h).
 */
#define LEVELS 5
#define MMU_PERM
#include "mmu-cases.h"
