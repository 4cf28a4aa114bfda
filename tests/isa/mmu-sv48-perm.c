/*
 * mmu-sv48-perm.c — Sv48 permission checks: R/W/X/U, SUM, MXR, reserved
 * and invalid PTEs, misaligned superpages (see common/mmu-cases.h).
 */
#define LEVELS 4
#define MMU_PERM
#include "mmu-cases.h"
