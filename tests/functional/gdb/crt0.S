/*
 * tests/functional/gdb/crt0.S — entry of the gdb test program on
 * "-M virt -bios none": every hart arrives at 0x80000000 with a0 = its
 * hart id (the boot ROM's reset vector). Each gets a 4 KiB stack; hart 0
 * runs main() and exits through the test finisher with its result, the
 * others count in secondary() until the machine stops.
 */
    .section .text.init
    .globl _start
_start:
    la      sp, stack_top
    slli    t0, a0, 12
    sub     sp, sp, t0
    bnez    a0, 1f
    call    main
    call    finish
1:  call    secondary
2:  j       2b

    .bss
    .align  12
    .space  8 * 4096
stack_top:
