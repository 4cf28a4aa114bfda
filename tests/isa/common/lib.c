/*
 * lib.c — trap dispatch, failure reporting and HTIF console for the ISA
 * tests (the C half of the runtime; crt0.S is the other half).
 *
 * The HTIF console (device 1, command 1 = putchar, as implemented by spike
 * and QEMU's -M spike) is best effort: if the host never answers in
 * fromhost, output is switched off instead of hanging.  Built for -M virt
 * (VIREO_MACHINE_VIRT), the console is the ns16550 UART instead.
 */
#include <stdarg.h>
#include "vireo.h"

extern volatile uint64_t tohost, fromhost;

struct vireo_trap_rec vireo_mtrap, vireo_strap;
vireo_hook_fn vireo_mtrap_hook, vireo_strap_hook;
volatile unsigned long vireo_testnum;
static int console_dead;
static int mtrap_depth;

void *memset(void *d, int c, unsigned long n)
{
    volatile unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    volatile unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void vireo_putc(char c)
{
    if (console_dead)
        return;
#ifdef VIREO_MACHINE_VIRT
    /* ns16550: wait for THR empty (LSR bit 5), then write THR. */
    volatile uint8_t *uart = (volatile uint8_t *)VIRT_UART0;
    for (long i = 0; i < 1000000 && !(uart[5] & 0x20); i++)
        ;
    uart[0] = (uint8_t)c;
    return;
#endif
    tohost = (1ULL << 56) | (1ULL << 48) | (unsigned char)c;
    for (long i = 0; i < 10000000; i++) {
        if (fromhost != 0) {
            fromhost = 0;
            return;
        }
    }
    console_dead = 1;
}

static void put_str(const char *s)
{
    while (*s)
        vireo_putc(*s++);
}

static void put_num(unsigned long v, unsigned base, int width, char pad)
{
    char buf[24];
    int i = 0;
    do {
        unsigned d = v % base;
        buf[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (i < width && i < (int)sizeof(buf))
        buf[i++] = pad;
    while (i)
        vireo_putc(buf[--i]);
}

/* Minimal printf: %s %c %d %u %x %p with optional 0, width and l/ll. */
void vireo_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            vireo_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': put_str(va_arg(ap, const char *)); break;
        case 'c': vireo_putc((char)va_arg(ap, int)); break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                vireo_putc('-');
                v = -v;
            }
            put_num((unsigned long)v, 10, width, pad);
            break;
        }
        case 'u':
            put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned),
                    10, width, pad);
            break;
        case 'x':
            put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned),
                    16, width, pad);
            break;
        case 'p':
            put_str("0x");
            put_num((unsigned long)va_arg(ap, void *), 16, 0, ' ');
            break;
        case '%': vireo_putc('%'); break;
        default: vireo_putc('?'); break;
        }
    }
    va_end(ap);
}

void vireo_fail(unsigned long n, int line, const char *what,
                int has_vals, unsigned long got, unsigned long expect)
{
    vireo_printf("FAIL test %lu (line %d): %s", n, line, what);
    if (has_vals)
        vireo_printf(": got 0x%lx expected 0x%lx", got, expect);
    vireo_printf("\n");
    vireo_exit(n ? n : 255);
}

/* Called by crt0's vireo_fail_asm*: kind 0 = value, 1 = fflags, 2 = plain. */
void vireo_fail_report(unsigned long n, unsigned long got, unsigned long expect,
                       int kind)
{
    if (kind == 2)
        vireo_printf("FAIL test %lu\n", n);
    else
        vireo_printf("FAIL test %lu: %s 0x%lx expected 0x%lx\n", n,
                     kind ? "fflags" : "got", got, expect);
}

unsigned long vireo_insn_len(unsigned long addr)
{
    uint16_t h = *(volatile uint16_t *)addr;
    return (h & 3) == 3 ? 4 : 2;
}

static const char *cause_name(unsigned long cause)
{
    static const char *const exc[] = {
        "instruction address misaligned", "instruction access fault",
        "illegal instruction", "breakpoint", "load address misaligned",
        "load access fault", "store/AMO address misaligned",
        "store/AMO access fault", "ecall from U", "ecall from S", "?",
        "ecall from M", "instruction page fault", "load page fault", "?",
        "store/AMO page fault",
    };
    if (cause & CAUSE_INTERRUPT)
        return "interrupt";
    return cause < 16 ? exc[cause] : "?";
}

static void unexpected(const char *mode, struct vireo_frame *f)
{
    unsigned long n = f->x[3] ? f->x[3] : vireo_testnum;
    vireo_printf("FAIL test %lu: unexpected %s-mode trap: cause 0x%lx (%s) "
                 "epc 0x%lx tval 0x%lx\n", n, mode, f->cause,
                 cause_name(f->cause), f->epc, f->tval);
    vireo_exit(n ? n : 255);
}

/* Shared "armed record" policy; ie_clear clears an interrupt enable bit. */
static void record(struct vireo_trap_rec *r, struct vireo_frame *f, int smode)
{
    r->count++;
    r->cause = f->cause;
    r->epc = f->epc;
    r->tval = f->tval;
    r->status = f->status;
    if (f->cause & CAUSE_INTERRUPT) {
        unsigned long bit = 1UL << (f->cause & 63);
        if (smode)
            csr_clear(sie, bit);
        else
            csr_clear(mie, bit);
    } else if (r->resume) {
        f->epc = r->resume;
        r->resume = 0;
    } else if (f->cause == CAUSE_FETCH_ACCESS ||
               f->cause == CAUSE_FETCH_PAGE_FAULT) {
        f->epc = f->x[1];
    } else {
        f->epc += vireo_insn_len(f->epc);
    }
}

/* Returns 1 to end a vireo_run() (crt0 then returns to its caller). */
int vireo_trap_m(struct vireo_frame *f)
{
    int ret = 0;
    if (++mtrap_depth > 1) {
        vireo_printf("FAIL: nested M-mode trap, cause 0x%lx epc 0x%lx\n",
                     f->cause, f->epc);
        vireo_exit(vireo_testnum ? vireo_testnum : 255);
    }
    if ((f->cause == CAUSE_USER_ECALL || f->cause == CAUSE_SUPERVISOR_ECALL ||
         f->cause == CAUSE_MACHINE_ECALL) && f->x[17] == VIREO_ECALL_RETURN) {
        ret = 1;
    } else if (vireo_mtrap_hook && vireo_mtrap_hook(f)) {
        /* handled by the test */
    } else if (vireo_mtrap.armed) {
        record(&vireo_mtrap, f, 0);
    } else {
        unexpected("M", f);
    }
    mtrap_depth--;
    return ret;
}

void vireo_trap_s(struct vireo_frame *f)
{
    if ((f->cause == CAUSE_USER_ECALL || f->cause == CAUSE_SUPERVISOR_ECALL) &&
        f->x[17] == VIREO_ECALL_RETURN) {
        /* An ecall meant for M-mode was delegated: pass it on from S. */
        register unsigned long a0 asm("a0") = f->x[10];
        register unsigned long a7 asm("a7") = f->x[17];
        asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
        return;
    }
    if (vireo_strap_hook && vireo_strap_hook(f))
        return;
    if (vireo_strap.armed) {
        record(&vireo_strap, f, 1);
        return;
    }
    unexpected("S", f);
}
