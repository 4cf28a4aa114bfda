/*
 * priv-epc-align.c — "mepc[0] is always zero" and "sepc[0] is always
 * zero" (priv spec v1.12 §3.1.14, §4.1.7); with C (IALIGN = 16) bit 1 is
 * kept.  QEMU 7.2 stores and returns bit 0, so this file is in
 * peer-known-bad.
 */
#include "vireo.h"

int main(void)
{
    csr_write(mepc, 0x80001236);
    CHECK_EQ(1, csr_read(mepc), 0x80001236);   /* bit 1 kept with C */
    csr_write(mepc, 0x80001235);
    CHECK_EQ(2, csr_read(mepc), 0x80001234);
    csr_write(mepc, ~0UL);
    CHECK_EQ(3, csr_read(mepc) & 1, 0);
    csr_write(sepc, 0x80001236);
    CHECK_EQ(4, csr_read(sepc), 0x80001236);
    csr_write(sepc, 0x80001237);
    CHECK_EQ(5, csr_read(sepc), 0x80001236);
    return 0;
}
