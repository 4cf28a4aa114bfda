/*
 * bench/tcg/intmix.c — CPU-bound integer work in the spirit of Dhrystone
 * (not its code): record copies through pointers, short string compares
 * and copies, a switch, small calls, multiply/divide/shift arithmetic and
 * data-dependent branches, on a working set that fits the cache. Prints a
 * checksum, so every emulator's run can be compared.
 */
#include "vireo.h"

#define ROUNDS 5000000

struct rec {
    struct rec *next;
    int kind;
    int ival;
    char str[32];
};

/* Hot data, constants too, on pages of their own: on -M spike the page
 * holding the HTIF registers (and .rodata after them) is device memory,
 * which every emulator reaches through its slow path. */
static struct rec recs[16] __attribute__((aligned(4096)));
static int table[256] __attribute__((aligned(4096)));
static char strings[3][32] __attribute__((aligned(4096))) = {
    "VIREO, 1ST STRING", "VIREO, 2ND STRING", "VIREO, 3RD STRING",
};

static void __attribute__((noinline)) str_copy(char *d, const char *s)
{
    while ((*d++ = *s++)) {
    }
}

static int __attribute__((noinline)) str_cmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++, b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static int __attribute__((noinline)) classify(int v)
{
    switch (v & 7) {
    case 0: return v + 3;
    case 1: return v * 5;
    case 2: return v ^ 0x55;
    case 3: return v >> 2;
    case 4: return -v;
    case 5: return v / 3;
    case 6: return v % 7;
    default: return v << 1;
    }
}

static unsigned long __attribute__((noinline)) round_(int i)
{
    struct rec *a = &recs[i & 15], *b = a->next;
    unsigned long sum = 0;

    *b = *a;                            /* a 48-byte record copy */
    b->next = &recs[(i * 7 + 3) & 15];
    b->ival = classify(a->ival + i);
    b->kind = table[(b->ival ^ i) & 255];
    if (str_cmp(a->str, strings[1]) > 0) {
        str_copy(b->str, strings[0]);
    } else {
        str_copy(b->str, strings[2]);
    }
    for (int k = 0; k < 4; k++) {
        int x = table[(i + k) & 255];
        sum += (unsigned long)(x * 17 + k) / (unsigned long)(k + 3);
        table[(i + k * 31) & 255] = x + (int)(sum & 0xff);
    }
    return sum + (unsigned long)b->ival + (unsigned long)b->kind +
           (unsigned char)b->str[7];
}

int main(void)
{
    unsigned long sum = 0;

    for (int i = 0; i < 16; i++) {
        recs[i].next = &recs[(i + 1) & 15];
        recs[i].ival = i * 1000 + 7;
        str_copy(recs[i].str, strings[i & 1 ? 0 : 2]);
    }
    for (int i = 0; i < 256; i++) {
        table[i] = i * 2654435761u >> 8;
    }
    for (int i = 0; i < ROUNDS; i++) {
        sum = sum * 31 + round_(i);
    }
    vireo_printf("intmix: checksum %lx\n", sum);
    return 0;
}
