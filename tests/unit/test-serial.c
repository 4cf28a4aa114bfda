/*
 * tests/unit/test-serial.c — the NS16550A UART through a machine
 * fixture, with a test chardev as its backend: reset values, transmit
 * and the THRE interrupt (including the sequence Linux's 8250 driver
 * uses to check THRE re-assertion), the RX FIFO with trigger levels,
 * character timeout and flow control towards the backend, line status
 * (overrun, break), the divisor latch, loopback with the modem-status
 * mapping Linux's autoconfig expects, and guest writes to registers
 * that are read-only or do not exist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "hw/char/serial.h"
#include "chardev/chardev.h"

#define BASE 0x10000000ULL

/* A chardev that records what the UART sends. */
typedef struct TestChardev {
    Chardev parent;
    uint8_t out[256];
    size_t out_len;
    unsigned accept_calls;
} TestChardev;

static int test_chr_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    TestChardev *t = container_of(chr, TestChardev, parent);
    size_t n = MIN(len, sizeof(t->out) - t->out_len);

    memcpy(t->out + t->out_len, buf, n);
    t->out_len += n;
    return (int)len;
}

static void test_chr_accept_input(Chardev *chr)
{
    container_of(chr, TestChardev, parent)->accept_calls++;
}

static const ChardevType test_chardev_type = {
    .name = "test",
    .desc = "records output",
    .instance_size = sizeof(TestChardev),
    .write = test_chr_write,
    .accept_input = test_chr_accept_input,
};

typedef struct SerialTest {
    Machine *m;
    TestChardev *chr;
    FixtureIRQ irq;
} SerialTest;

static int setup(void **state)
{
    SerialTest *t = XNEW(SerialTest);
    Error *err = NULL;
    DeviceState *dev;

    t->m = fixture_machine_new(1, 0);
    t->chr = XNEW(TestChardev);
    t->chr->parent.type = &test_chardev_type;
    t->chr->parent.id = xstrdup("test0");
    t->chr->parent.loop = t->m->loop;
    dev = serial_create(t->m, BASE, 0x100, 0, 3686400, &t->chr->parent,
                        &err);
    assert_non_null(dev);
    serial_connect_irq(dev, fixture_irq_line(&t->irq));
    fixture_machine_reset(t->m);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    SerialTest *t = *state;

    fixture_machine_free(t->m);
    chardev_free(&t->chr->parent);
    free(t);
    return 0;
}

static uint8_t rd(SerialTest *t, unsigned reg)
{
    return fixture_readb(t->m, BASE + reg);
}

static void wr(SerialTest *t, unsigned reg, uint8_t val)
{
    fixture_writeb(t->m, BASE + reg, val);
}

static void feed(SerialTest *t, const char *s)
{
    chardev_fe_read(&t->chr->parent, (const uint8_t *)s, strlen(s));
}

static void test_reset_state(void **state)
{
    SerialTest *t = *state;

    assert_int_equal(rd(t, UART_IER), 0);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_NO_INT);
    assert_int_equal(rd(t, UART_LCR), 0);
    assert_int_equal(rd(t, UART_MCR), UART_MCR_OUT2);
    assert_int_equal(rd(t, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    assert_int_equal(rd(t, UART_MSR),
                     UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
    assert_int_equal(t->irq.level, 0);
}

static void test_transmit(void **state)
{
    SerialTest *t = *state;

    wr(t, UART_THR, 'h');
    wr(t, UART_THR, 'i');
    assert_int_equal(t->chr->out_len, 2);
    assert_memory_equal(t->chr->out, "hi", 2);
    assert_int_equal(rd(t, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
                     UART_LSR_THRE | UART_LSR_TEMT);
    /* A 32-bit store reaches THR with its low byte. */
    fixture_writel(t->m, BASE + UART_THR, 0x12345621);
    assert_int_equal(t->chr->out[2], '!');
}

static void test_thre_interrupt(void **state)
{
    SerialTest *t = *state;

    /* Enabling THRI while THR is empty raises the interrupt. */
    wr(t, UART_IER, UART_IER_THRI);
    assert_int_equal(t->irq.level, 1);
    /* Reading IIR reports THRE and clears it. */
    assert_int_equal(rd(t, UART_IIR), UART_IIR_THRI);
    assert_int_equal(t->irq.level, 0);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_NO_INT);

    /* Linux's check (serial8250_do_startup): IER=0 then IER=THRI must
     * raise it again. */
    wr(t, UART_IER, 0);
    wr(t, UART_IER, UART_IER_THRI);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_THRI);

    /* Each transmitted byte empties THR again: interrupt. */
    wr(t, UART_THR, 'x');
    assert_int_equal(t->irq.level, 1);
    /* Disabling the source lowers the line. */
    wr(t, UART_IER, 0);
    assert_int_equal(t->irq.level, 0);
}

static void test_rx_no_fifo(void **state)
{
    SerialTest *t = *state;

    wr(t, UART_IER, UART_IER_RDI);
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 1);
    feed(t, "a");
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 0);
    assert_int_equal(t->irq.level, 1);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_RDI);
    assert_true(rd(t, UART_LSR) & UART_LSR_DR);
    assert_int_equal(rd(t, UART_RBR), 'a');
    assert_false(rd(t, UART_LSR) & UART_LSR_DR);
    assert_int_equal(t->irq.level, 0);
    /* The backend was told it may deliver again. */
    assert_true(t->chr->accept_calls > 0);
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 1);
}

static bool irq_is_high(void *opaque)
{
    return ((FixtureIRQ *)opaque)->level;
}

static void test_rx_fifo_trigger_and_timeout(void **state)
{
    SerialTest *t = *state;
    unsigned calls;

    /* FIFO on, trigger level 8 (what Linux sets for a 16550A). */
    wr(t, UART_FCR, UART_FCR_ENABLE_FIFO | 0x80);
    wr(t, UART_IER, UART_IER_RDI);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_NO_INT | UART_IIR_FIFO_ENABLED);
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), UART_FIFO_SIZE);

    /* Below the trigger: data ready, but no interrupt yet... */
    feed(t, "abc");
    assert_true(rd(t, UART_LSR) & UART_LSR_DR);
    assert_int_equal(t->irq.level, 0);
    /* ...until four character times pass: character timeout. */
    assert_true(fixture_run_until(t->m, irq_is_high, &t->irq, 2000));
    assert_int_equal(rd(t, UART_IIR), UART_IIR_CTI | UART_IIR_FIFO_ENABLED);
    assert_int_equal(rd(t, UART_RBR), 'a');
    assert_int_equal(rd(t, UART_RBR), 'b');
    assert_int_equal(rd(t, UART_RBR), 'c');
    assert_int_equal(t->irq.level, 0);
    assert_false(rd(t, UART_LSR) & UART_LSR_DR);

    /* At the trigger level: received-data interrupt at once. */
    feed(t, "01234567");
    assert_int_equal(t->irq.level, 1);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_RDI | UART_IIR_FIFO_ENABLED);

    /* Flow control: the backend may fill the FIFO, not more. */
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 8);
    feed(t, "89abcdef");
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 0);
    calls = t->chr->accept_calls;
    for (int i = 0; i < 16; i++) {
        assert_int_equal(rd(t, UART_RBR), "0123456789abcdef"[i]);
    }
    assert_true(t->chr->accept_calls > calls);
    assert_false(rd(t, UART_LSR) & UART_LSR_OE);
    assert_int_equal(t->irq.level, 0);

    /* FCR "clear receiver" empties the FIFO. */
    feed(t, "zz");
    wr(t, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
    assert_false(rd(t, UART_LSR) & UART_LSR_DR);
}

static void test_overrun_and_break(void **state)
{
    SerialTest *t = *state;
    uint8_t lsr;

    wr(t, UART_IER, UART_IER_RLSI);
    /* A backend ignoring can_read overruns the holding register. */
    feed(t, "xy");
    assert_int_equal(t->irq.level, 1);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_RLSI);
    lsr = rd(t, UART_LSR);
    assert_true(lsr & UART_LSR_OE);
    assert_true(lsr & UART_LSR_DR);
    /* Reading LSR clears the error and the interrupt. */
    assert_false(rd(t, UART_LSR) & UART_LSR_OE);
    assert_int_equal(t->irq.level, 0);
    assert_int_equal(rd(t, UART_RBR), 'x');

    /* A break arrives as a NUL flagged BI. */
    chardev_fe_event(&t->chr->parent, CHR_EVENT_BREAK);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_RLSI);
    lsr = rd(t, UART_LSR);
    assert_true(lsr & UART_LSR_BI);
    assert_true(lsr & UART_LSR_DR);
    assert_int_equal(rd(t, UART_RBR), 0);
}

static void test_divisor_latch(void **state)
{
    SerialTest *t = *state;

    wr(t, UART_IER, UART_IER_RLSI);
    wr(t, UART_LCR, UART_LCR_DLAB | 0x03);
    wr(t, UART_DLL, 0x02);
    wr(t, UART_DLM, 0x01);
    assert_int_equal(rd(t, UART_DLL), 0x02);
    assert_int_equal(rd(t, UART_DLM), 0x01);
    /* DLAB set: THR writes go to DLL and transmit nothing. */
    assert_int_equal(t->chr->out_len, 0);
    wr(t, UART_LCR, 0x03);
    assert_int_equal(rd(t, UART_LCR), 0x03);
    assert_int_equal(rd(t, UART_IER), UART_IER_RLSI);
    wr(t, UART_THR, 'k');
    assert_int_equal(t->chr->out_len, 1);
    wr(t, UART_LCR, UART_LCR_DLAB);
    assert_int_equal(rd(t, UART_DLL), 0x02);
    assert_int_equal(rd(t, UART_DLM), 0x01);
}

static void test_loopback(void **state)
{
    SerialTest *t = *state;
    uint8_t msr;

    /* Linux autoconfig: MCR = LOOP | OUT2 | RTS, expect DCD | CTS. */
    wr(t, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
    msr = rd(t, UART_MSR);
    assert_int_equal(msr & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
    /* DSR went away: delta bit, cleared by the read. */
    assert_true(msr & UART_MSR_DDSR);
    assert_int_equal(rd(t, UART_MSR) & UART_MSR_ANY_DELTA, 0);

    /* RI follows OUT1; its falling edge sets TERI. */
    wr(t, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1 | UART_MCR_DTR);
    msr = rd(t, UART_MSR);
    assert_int_equal(msr & 0xf0, UART_MSR_RI | UART_MSR_DSR);
    wr(t, UART_MCR, UART_MCR_LOOP);
    msr = rd(t, UART_MSR);
    assert_int_equal(msr & 0xf0, 0);
    assert_true(msr & UART_MSR_TERI);

    /* Modem-status interrupt for delta bits. */
    wr(t, UART_IER, UART_IER_MSI);
    wr(t, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
    assert_int_equal(t->irq.level, 1);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_MSI);
    rd(t, UART_MSR);
    assert_int_equal(t->irq.level, 0);
    wr(t, UART_IER, 0);

    /* Transmitted bytes come back; the backend sees nothing; host input
     * waits. */
    wr(t, UART_THR, 'L');
    assert_int_equal(t->chr->out_len, 0);
    assert_true(rd(t, UART_LSR) & UART_LSR_DR);
    assert_int_equal(rd(t, UART_RBR), 'L');
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 0);

    /* Leaving loopback: modem inputs read as a connected peer again. */
    wr(t, UART_MCR, UART_MCR_OUT2);
    assert_int_equal(rd(t, UART_MSR) & 0xf0,
                     UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 1);
    wr(t, UART_THR, 'O');
    assert_int_equal(t->chr->out_len, 1);
}

static void test_weird_registers(void **state)
{
    SerialTest *t = *state;
    uint64_t v;
    char *log;

    wr(t, UART_SCR, 0x5a);
    assert_int_equal(rd(t, UART_SCR), 0x5a);

    fixture_log_clear(t->m);
    /* LSR and MSR are read-only. */
    wr(t, UART_LSR, 0x00);
    assert_int_equal(rd(t, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    wr(t, UART_MSR, 0x00);
    /* Past SCR: nothing there, reads as zero. */
    wr(t, 0x10, 0xff);
    assert_int_equal(rd(t, 0x10), 0);
    assert_int_equal(rd(t, 0xff), 0);
    log = fixture_log(t->m);
    assert_non_null(strstr(log, "read-only LSR"));
    assert_non_null(strstr(log, "read-only MSR"));
    assert_non_null(strstr(log, "reserved offset 0x10"));
    free(log);

    /* 8-byte accesses are not allowed; the UART keeps working. */
    assert_int_not_equal(fixture_read_try(t->m, BASE, 8, &v), MEMTX_OK);
    assert_int_not_equal(fixture_write_try(t->m, BASE, 8, 0x41), MEMTX_OK);
    assert_int_equal(t->chr->out_len, 0);
    /* IER reserved bits read back as zero. */
    wr(t, UART_IER, 0xf0);
    assert_int_equal(rd(t, UART_IER), 0);
    assert_int_equal(t->irq.level, 0);
}

static void test_reset_clears(void **state)
{
    SerialTest *t = *state;

    wr(t, UART_FCR, UART_FCR_ENABLE_FIFO);
    wr(t, UART_IER, UART_IER_RDI | UART_IER_THRI);
    feed(t, "q");
    assert_int_equal(t->irq.level, 1);
    fixture_machine_reset(t->m);
    assert_int_equal(t->irq.level, 0);
    assert_false(rd(t, UART_LSR) & UART_LSR_DR);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_NO_INT);
    assert_int_equal(chardev_fe_can_read(&t->chr->parent), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thre_interrupt, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rx_no_fifo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_fifo_trigger_and_timeout,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_overrun_and_break, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_divisor_latch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weird_registers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reset_clears, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
