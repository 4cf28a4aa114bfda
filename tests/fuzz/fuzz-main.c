/*
 * tests/fuzz/fuzz-main.c — the fuzz target as a plain program, for the
 * short deterministic run of "make check" (no libFuzzer needed):
 *
 *   fuzz-qcow2 --generate DIR          write seed images into DIR
 *   fuzz-qcow2 [--mutate N] [--seed S] [--save DIR] FILE|DIR...
 *
 * Each input (and, with --mutate, N mutants of each made by a seeded
 * xorshift generator: bit flips, header fields set to boundary values,
 * metadata words overwritten, truncation) runs in a child process, so a
 * crash or sanitizer abort is counted against that input and the run
 * goes on. Output: "FAIL name" per failing input, then "N passed, N
 * failed". Exit status 0 only without failures.
 */
#include "block/block.h"
#include "util/error.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seconds an input may take before it counts as a hang. */
#define FUZZ_TIMEOUT 20

typedef struct Stats {
    unsigned passed, failed;
    const char *save_dir;       /* --save: failing inputs are kept here */
} Stats;

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static void run_one(Stats *st, const char *name, const uint8_t *data,
                    size_t size)
{
    pid_t pid;
    int status;

    if (getenv("FUZZ_NOFORK")) {        /* for debuggers */
        LLVMFuzzerTestOneInput(data, size);
        st->passed++;
        return;
    }
    pid = fork();
    if (pid == 0) {
        alarm(FUZZ_TIMEOUT);
        LLVMFuzzerTestOneInput(data, size);
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0) {
        printf("FAIL %s (could not run)\n", name);
        st->failed++;
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        st->passed++;
        return;
    }
    if (WIFSIGNALED(status)) {
        printf("FAIL %s (signal %d%s)\n", name, WTERMSIG(status),
               WTERMSIG(status) == SIGALRM ? ": hang" : "");
    } else {
        printf("FAIL %s (exit %d)\n", name, WEXITSTATUS(status));
    }
    fflush(stdout);
    st->failed++;
    if (st->save_dir) {
        char *path = xasprintf("%s/failed-%u", st->save_dir, st->failed);
        FILE *f = fopen(path, "wb");

        if (f) {
            fwrite(data, 1, size, f);
            fclose(f);
            printf("     saved as %s\n", path);
        }
        free(path);
    }
}

/* Values that tend to break size and offset arithmetic. */
static const uint64_t interesting[] = {
    0, 1, 2, 7, 8, 9, 16, 21, 22, 63, 64, 104, 112, 511, 512, 513, 4096,
    65536, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX,
    0x00fffffffffffe00ull, 0x4000000000000000ull,
};

static void mutate(uint8_t *buf, size_t *size, uint64_t *rng)
{
    unsigned kind = rng_next(rng) % 100;
    size_t n = *size;

    if (!n) {
        return;
    }
    if (kind < 30) {                    /* a bit in the header */
        size_t at = rng_next(rng) % MIN(n, 512);

        buf[at] ^= 1u << (rng_next(rng) % 8);
    } else if (kind < 50) {             /* a bit anywhere */
        size_t at = rng_next(rng) % n;

        buf[at] ^= 1u << (rng_next(rng) % 8);
    } else if (kind < 75) {             /* a header field */
        size_t at = (rng_next(rng) % 28) * 4;
        uint64_t v = interesting[rng_next(rng) % ARRAY_SIZE(interesting)];

        if (at + 8 <= n && rng_next(rng) % 2) {
            v = __builtin_bswap64(v);
            memcpy(buf + at, &v, 8);
        } else if (at + 4 <= n) {
            uint32_t w = __builtin_bswap32((uint32_t)v);

            memcpy(buf + at, &w, 4);
        }
    } else if (kind < 92) {             /* a metadata word */
        size_t at = (rng_next(rng) % (n / 8 ? n / 8 : 1)) * 8;
        uint64_t v = interesting[rng_next(rng) % ARRAY_SIZE(interesting)];

        if (at + 8 <= n) {
            v = __builtin_bswap64(v | (rng_next(rng) % 2 ? 1ull << 63 : 0));
            memcpy(buf + at, &v, 8);
        }
    } else {                            /* truncation */
        *size = rng_next(rng) % n;
    }
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;

    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(len > 0 ? len : 1);
    *size = len > 0 && fread(buf, 1, len, f) == (size_t)len ? len : 0;
    fclose(f);
    return buf;
}

static void run_file(Stats *st, const char *path, unsigned mutants,
                     uint64_t seed, unsigned index)
{
    size_t size;
    uint8_t *orig = read_file(path, &size), *buf;
    uint64_t rng = seed * 0x9e3779b97f4a7c15ull + index + 1;

    if (!orig) {
        printf("FAIL %s (unreadable)\n", path);
        st->failed++;
        return;
    }
    run_one(st, path, orig, size);
    buf = malloc(size ? size : 1);
    for (unsigned m = 0; m < mutants; m++) {
        size_t n = size;
        unsigned edits = 1 + rng_next(&rng) % 4;
        char name[512];

        memcpy(buf, orig, size);
        for (unsigned e = 0; e < edits; e++) {
            mutate(buf, &n, &rng);
        }
        snprintf(name, sizeof(name), "%s#mutant%u(seed %" PRIu64 ")", path,
                 m, seed);
        run_one(st, name, buf, n);
    }
    free(buf);
    free(orig);
}

/* Seed images in the shapes worth mutating, each with some data. */
static int generate(const char *dir)
{
    static const struct {
        const char *name, *opts;
        uint64_t size;
        bool compressed, snapshot;
    } seeds[] = {
        { "default.qcow2", NULL, 1 * MiB, false, true },
        { "small-clusters.qcow2", "cluster_size=512", 256 * KiB, true, true },
        { "refcount1.qcow2", "cluster_size=512,refcount_bits=1", 64 * KiB,
          false, false },
        { "refcount64.qcow2", "cluster_size=1024,refcount_bits=64",
          128 * KiB, true, true },
        { "zstd.qcow2", "cluster_size=4096,compression_type=zstd",
          256 * KiB, true, true },
        { "zlib.qcow2", "cluster_size=4096", 256 * KiB, true, false },
        { "v2.qcow2", "compat=0.10,cluster_size=4096", 256 * KiB, true,
          true },
        { "lazy.qcow2", "lazy_refcounts=on,cluster_size=4096", 256 * KiB,
          false, true },
        { "backing.qcow2", "cluster_size=4096,backing_file=base.raw,"
          "backing_fmt=raw", 256 * KiB, false, false },
    };
    uint8_t buf[8192];

    mkdir(dir, 0755);
    for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
        char *path = xasprintf("%s/%s", dir, seeds[i].name);
        BlockCreateOptions o;
        BlockDriverState *bs;
        BlockSnapshotInfo sn = { .name = "s1", .icount = UINT64_MAX };
        Error *err = NULL;

        bdrv_create_options_init(&o);
        o.size = seeds[i].size;
        o.has_size = true;
        if ((seeds[i].opts &&
             !bdrv_create_options_parse(&o, "qcow2", seeds[i].opts, &err)) ||
            !bdrv_create("qcow2", path, &o, &err)) {
            fprintf(stderr, "%s: %s\n", path, error_get_pretty(err));
            return 1;
        }
        bdrv_create_options_free(&o);
        bs = bdrv_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_NO_BACKING, &err);
        if (!bs) {
            fprintf(stderr, "%s: %s\n", path, error_get_pretty(err));
            return 1;
        }
        for (size_t j = 0; j < sizeof(buf); j++) {
            buf[j] = j / 5;
        }
        bdrv_pwrite(bs, 700, buf, sizeof(buf));
        if (seeds[i].compressed) {
            BlockDriverInfo bdi;

            bdrv_get_info(bs, &bdi);
            bdrv_pwrite_compressed(bs, 8 * bdi.cluster_size, buf,
                                   bdi.cluster_size);
        }
        if (seeds[i].snapshot) {
            bdrv_snapshot_create(bs, &sn);
        }
        bdrv_pwrite(bs, seeds[i].size - 3000, buf, 3000);
        bdrv_pwrite_zeroes(bs, 32768, 32768, 0);
        bdrv_unref(bs);
        free(path);
    }
    return 0;
}

int main(int argc, char **argv)
{
    Stats st = { 0 };
    unsigned mutants = 0, index = 0;
    uint64_t seed = 1;
    int i = 1;

    if (argc == 3 && !strcmp(argv[1], "--generate")) {
        return generate(argv[2]);
    }
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc) {
            break;
        }
        if (!strcmp(argv[i], "--mutate")) {
            mutants = strtoul(argv[i + 1], NULL, 0);
        } else if (!strcmp(argv[i], "--seed")) {
            seed = strtoull(argv[i + 1], NULL, 0);
        } else if (!strcmp(argv[i], "--save")) {
            st.save_dir = argv[i + 1];
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    /* The driver reports corruption on stderr; thousands of times here. */
    if (!getenv("FUZZ_VERBOSE") && !freopen("/dev/null", "w", stderr)) {
        return 2;
    }
    for (; i < argc; i++) {
        struct stat stt;

        if (stat(argv[i], &stt) == 0 && S_ISDIR(stt.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            char **names = NULL;
            size_t n = 0;

            while (d && (e = readdir(d))) {
                if (e->d_name[0] != '.') {
                    names = realloc(names, (n + 1) * sizeof(*names));
                    names[n++] = xasprintf("%s/%s", argv[i], e->d_name);
                }
            }
            if (d) {
                closedir(d);
            }
            /* Sorted: the same run every time. */
            for (size_t a = 0; a < n; a++) {
                for (size_t b = a + 1; b < n; b++) {
                    if (strcmp(names[a], names[b]) > 0) {
                        char *t = names[a];

                        names[a] = names[b];
                        names[b] = t;
                    }
                }
            }
            for (size_t a = 0; a < n; a++) {
                run_file(&st, names[a], mutants, seed, index++);
                free(names[a]);
            }
            free(names);
        } else {
            run_file(&st, argv[i], mutants, seed, index++);
        }
    }
    printf("%u passed, %u failed\n", st.passed, st.failed);
    return st.failed ? 1 : 0;
}
