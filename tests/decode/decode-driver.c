/*
 * tests/decode/decode-driver.c — command-line access to the generated
 * disassembler table for tests/decode/run.
 *
 *   decode-driver disas       stdin "PC HEXWORD" lines -> "PC<TAB>text"
 *   decode-driver patterns    one line per pattern: id width mask match
 *                             group trans name where
 *   decode-driver selfcheck   for every pattern, find an encoding inside
 *                             its mask/match that decodes back to it
 *                             ("ok NAME" / "FAIL NAME: why")
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/riscv/disas.h"
#include "target/riscv/riscv-decode.h"

static int cmd_disas(void)
{
    char line[256];

    while (fgets(line, sizeof(line), stdin)) {
        uint64_t pc;
        unsigned insn;
        char text[128];

        if (sscanf(line, "%" SCNx64 " %x", &pc, &insn) != 2) {
            continue;
        }
        riscv_disas_insn(pc, insn, text, sizeof(text));
        printf("%" PRIx64 "\t%s\n", pc, text);
    }
    return 0;
}

static int cmd_patterns(void)
{
    for (unsigned i = 0; i < riscv_decode_pattern_count; i++) {
        const DecodePatternInfo *p = &riscv_decode_patterns[i];

        printf("%u %u 0x%08x 0x%08x %u %u %s %s\n", i, p->width, p->mask,
               p->match, p->group, p->trans, p->name, p->where);
    }
    return 0;
}

/* Candidate encodings for pattern @p: fixed bits from match, free bits
 * all-zero, all-one, then pseudo-random. */
static uint32_t candidate(const DecodePatternInfo *p, unsigned k, uint32_t *seed)
{
    uint32_t width_mask = p->width == 16 ? 0xffffu : 0xffffffffu;
    uint32_t free_bits = ~p->mask & width_mask;
    uint32_t fill;

    if (k == 0) {
        fill = 0;
    } else if (k == 1) {
        fill = free_bits;
    } else {
        *seed = *seed * 1103515245u + 12345u;
        fill = (*seed >> 8) ^ (*seed << 13);
    }
    return (p->match & p->mask) | (fill & free_bits);
}

static int cmd_selfcheck(void)
{
    int failed = 0;

    for (unsigned i = 0; i < riscv_decode_pattern_count; i++) {
        const DecodePatternInfo *p = &riscv_decode_patterns[i];
        uint32_t seed = 0x9e3779b9u ^ i;
        int found = 0, last = -2;
        uint32_t insn = 0;

        if ((p->match & ~p->mask) != 0) {
            printf("FAIL %s: match 0x%08x has bits outside mask 0x%08x\n",
                   p->name, p->match, p->mask);
            failed++;
            continue;
        }
        if ((p->width == 32) != ((p->match & 3) == 3) || (p->mask & 3) != 3) {
            printf("FAIL %s: low bits do not say %u-bit\n", p->name, p->width);
            failed++;
            continue;
        }
        for (unsigned k = 0; k < 4096 && !found; k++) {
            insn = candidate(p, k, &seed);
            last = riscv_disas_pattern_id(insn);
            found = last == (int)i;
        }
        if (found) {
            printf("ok %s 0x%0*x\n", p->name, p->width / 4, insn);
        } else {
            printf("FAIL %s: no encoding decodes to it (0x%08x -> %s)\n", p->name,
                   insn, last >= 0 ? riscv_decode_patterns[last].name : "none");
            failed++;
        }
    }
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "disas")) {
        return cmd_disas();
    }
    if (argc == 2 && !strcmp(argv[1], "patterns")) {
        return cmd_patterns();
    }
    if (argc == 2 && !strcmp(argv[1], "selfcheck")) {
        return cmd_selfcheck();
    }
    fprintf(stderr, "usage: %s disas|patterns|selfcheck\n", argv[0]);
    return 2;
}
