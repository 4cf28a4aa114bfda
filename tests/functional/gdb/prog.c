/*
 * tests/functional/gdb/prog.c — a bare-metal program for the gdb tests
 * (tests/functional/test_gdb.py). Each piece gives gdb something to look
 * at: a call to break at, a branch to step through, a store to watch,
 * memory to read and write, a loop to interrupt, harts to list, and a
 * pending interrupt to single-step past.
 *
 * main() returns 0 only if gdb wrote 'V' into buffer[0]; untouched, the
 * program exits with status 3, so a test can tell that a memory write
 * reached the guest.
 */
#define FINISHER ((volatile unsigned int *)0x100000)    /* sifive_test */
#define MTIMECMP ((volatile unsigned long *)0x2004000)  /* hart 0's */

volatile unsigned long counter;
volatile unsigned long watched;
volatile unsigned long other;
volatile int spin_forever;              /* gdb sets it for Ctrl-C tests */
volatile int irq_mode;                  /* gdb sets it: run irq_loop() */
volatile unsigned long irq_count;
volatile unsigned long irq_spins;
volatile unsigned long hart_ticks[8];
char buffer[16] = "vireo-gdb-test";

void finish(int code);
void secondary(unsigned long hartid);
int add(int a, int b);
int branchy(int x);
int main(void);
void trap_entry(void) __attribute__((interrupt("machine"), aligned(4)));
void irq_loop(void);

void finish(int code)
{
    *FINISHER = code ? ((unsigned int)code << 16) | 0x3333 : 0x5555;
    for (;;) {
    }
}

void secondary(unsigned long hartid)
{
    for (;;) {
        hart_ticks[hartid & 7]++;
    }
}

int add(int a, int b)
{
    return a + b;
}

int branchy(int x)
{
    if (x > 5) {
        return x * 2;
    }
    return x - 1;
}

/* One machine timer interrupt, then the timer is disarmed. */
void trap_entry(void)
{
    irq_count++;
    *MTIMECMP = ~0ULL;
}

/*
 * A timer interrupt is pending (mtimecmp = 0) and enabled in mie, but
 * mstatus.MIE stays clear: the test sets it from gdb, then single-steps
 * the loop with and without interrupts.
 */
void irq_loop(void)
{
    __asm__ volatile("csrw mtvec, %0" : : "r"(trap_entry));
    *MTIMECMP = 0;
    __asm__ volatile("csrs mie, %0" : : "r"(1UL << 7));     /* MTIE */
    for (;;) {
        irq_spins++;
    }
}

int main(void)
{
    int r = add(2, 3);

    counter = r;
    r = branchy(r + 3);
    other = 1;
    watched = 42;
    other = 2;
    counter += r;
    while (spin_forever) {
        counter++;
    }
    if (irq_mode) {
        irq_loop();
    }
    return buffer[0] == 'V' ? 0 : 3;
}
