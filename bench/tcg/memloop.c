/*
 * bench/tcg/memloop.c — memory-heavy guest work: a pointer chase through
 * a random cycle over 8 MiB (more pages than the softmmu TLB holds, so
 * misses and refills too), a sieve of Eratosthenes over 4 MiB of bytes,
 * and block copies of 1 MiB. Prints a checksum.
 */
#include "vireo.h"

#define CHASE_N (1u << 20)          /* 8-byte slots: 8 MiB */
#define SIEVE_N (4u << 20)
#define COPY_N (1u << 17)           /* 8-byte words: 1 MiB */

static uint64_t chase[CHASE_N] __attribute__((aligned(4096)));
static uint8_t sieve[SIEVE_N] __attribute__((aligned(4096)));
static uint64_t src[COPY_N] __attribute__((aligned(4096)));
static uint64_t dst[COPY_N] __attribute__((aligned(4096)));

/* State in a register, not in .data: on -M spike the page holding the
 * HTIF registers (and the small data after them) is device memory. */
static uint64_t next_rand(uint64_t *rng)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return *rng;
}

int main(void)
{
    uint64_t sum = 0, at = 0, rng = 0x9e3779b97f4a7c15ull;

    /* One random cycle through every slot (Sattolo's shuffle). */
    for (uint32_t i = 0; i < CHASE_N; i++) {
        chase[i] = i;
    }
    for (uint32_t i = CHASE_N - 1; i > 0; i--) {
        uint32_t j = next_rand(&rng) % i;
        uint64_t t = chase[i];
        chase[i] = chase[j];
        chase[j] = t;
    }
    for (uint32_t k = 0; k < CHASE_N; k++) {
        at = chase[at];
        sum += at;
    }

    for (int round = 0; round < 2; round++) {
        uint32_t primes = 0;
        for (uint32_t i = 0; i < SIEVE_N; i++) {
            sieve[i] = 1;
        }
        for (uint32_t i = 2; i * i < SIEVE_N; i++) {
            if (sieve[i]) {
                for (uint32_t j = i * i; j < SIEVE_N; j += i) {
                    sieve[j] = 0;
                }
            }
        }
        for (uint32_t i = 2; i < SIEVE_N; i++) {
            primes += sieve[i];
        }
        sum = sum * 3 + primes;
    }

    for (uint32_t i = 0; i < COPY_N; i++) {
        src[i] = next_rand(&rng);
    }
    for (int round = 0; round < 16; round++) {
        for (uint32_t i = 0; i < COPY_N; i++) {
            dst[i] = src[(i + round) & (COPY_N - 1)] + round;
        }
        sum += dst[round * 1000];
    }
    vireo_printf("memloop: checksum %lx\n", (unsigned long)sum);
    return 0;
}
