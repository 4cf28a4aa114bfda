/*
 * hw/char/serial.c — the NS16550A UART (see serial.h for the register
 * map). Behaviour follows the National Semiconductor PC16550D datasheet
 * (June 1995) as far as Linux's 8250 driver probes and uses it:
 *
 * - Interrupts (datasheet Table IV): one identification in IIR, by
 *   priority: receiver line status (LSR errors/break, IER.RLSI), received
 *   data (IER.RDI: FIFO at its trigger level, or any data with FIFOs
 *   off), character timeout (data below the trigger level and nothing
 *   moved for four character times), THR empty (IER.THRI), modem status
 *   (MSR delta bits, IER.MSI). The THRE interrupt is raised when THR
 *   empties or when IER.THRI is set while it is empty, and cleared by
 *   reading IIR while it is the one reported, or by writing THR — Linux
 *   checks exactly this at port start-up.
 * - Loopback (MCR.LOOP): transmitted bytes come back into the receiver,
 *   and the modem inputs follow the outputs (DTR→DSR, RTS→CTS, OUT1→RI,
 *   OUT2→DCD), which is how Linux's autoconfig confirms a real UART.
 *   Host input waits while loopback is on.
 * - Reading LSR clears its error bits; reading MSR clears its delta bits.
 *
 * Outside loopback the modem inputs read as a connected peer (CTS, DSR
 * and DCD set), as QEMU does. Registers beyond SCR read as zero and
 * ignore writes (logged as guest errors). Any access width from 1 to 4
 * bytes reaches the addressed register with its low byte, so drivers
 * using reg-io-width = 4 work too.
 */
#include "hw/char/serial.h"
#include "hw/core/machine.h"
#include "chardev/chardev.h"
#include "core/main-loop.h"
#include "util/error.h"
#include "util/log.h"

typedef struct SerialState {
    DeviceState parent;
    /* properties */
    Chardev *chr;
    uint32_t clock_hz;
    uint8_t regshift;
    uint64_t size;

    MemoryRegion mmio;
    IRQLine irq;
    int irq_level;
    Timer *timeout_timer;

    uint16_t divisor;
    uint8_t ier;
    uint8_t fcr;                /* last FCR value (FIFO enable, trigger) */
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;
    uint8_t scr;
    bool thr_ipending;          /* THRE interrupt condition latched */
    bool timeout_ipending;      /* character timeout reached */
    bool rx_throttled;          /* told the backend we were full */

    uint8_t rx_fifo[UART_FIFO_SIZE];
    unsigned rx_head;
    unsigned rx_count;
} SerialState;

static SerialState *serial_from_dev(DeviceState *dev)
{
    return container_of(dev, SerialState, parent);
}

static Log *serial_log(SerialState *s)
{
    return s->parent.machine ? &s->parent.machine->log : NULL;
}

static bool serial_fifo_enabled(const SerialState *s)
{
    return s->fcr & UART_FCR_ENABLE_FIFO;
}

static unsigned serial_rx_trigger(const SerialState *s)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };

    return serial_fifo_enabled(s) ? levels[s->fcr >> 6] : 1;
}

static unsigned serial_rx_capacity(const SerialState *s)
{
    return serial_fifo_enabled(s) ? UART_FIFO_SIZE : 1;
}

/* The interrupt identification the guest would read now (bits 3:0). */
static uint8_t serial_iir_id(const SerialState *s)
{
    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_INT_ANY)) {
        return UART_IIR_RLSI;
    }
    if ((s->ier & UART_IER_RDI) && s->rx_count >= serial_rx_trigger(s)) {
        return UART_IIR_RDI;
    }
    if ((s->ier & UART_IER_RDI) && s->timeout_ipending) {
        return UART_IIR_CTI;
    }
    if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        return UART_IIR_THRI;
    }
    if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA)) {
        return UART_IIR_MSI;
    }
    return UART_IIR_NO_INT;
}

static void serial_update_irq(SerialState *s)
{
    int level = serial_iir_id(s) != UART_IIR_NO_INT;

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

/* Nanoseconds one character takes on the line with the current LCR and
 * divisor: start bit, data bits, parity, stop bits. */
static int64_t serial_char_ns(const SerialState *s)
{
    unsigned bits = 1 + 5 + (s->lcr & UART_LCR_WLEN_MASK) +
                    ((s->lcr & UART_LCR_PARITY) ? 1 : 0) +
                    ((s->lcr & UART_LCR_STOP) ? 2 : 1);
    uint64_t divisor = s->divisor ? s->divisor : 0x10000;

    return (int64_t)(bits * 16 * divisor * (uint64_t)NS_PER_SEC /
                     s->clock_hz);
}

/* Restart the character-timeout countdown (datasheet: 4 char times
 * without a byte received or read while data sits below the trigger). */
static void serial_restart_timeout(SerialState *s)
{
    s->timeout_ipending = false;
    if (!s->timeout_timer) {
        return;
    }
    if (serial_fifo_enabled(s) && s->rx_count) {
        MainLoop *ml = s->parent.machine->loop;

        timer_mod_ns(s->timeout_timer,
                     clock_get_ns(ml, CLOCK_TYPE_VIRTUAL) +
                     4 * serial_char_ns(s));
    } else {
        timer_del(s->timeout_timer);
    }
}

static void serial_timeout_cb(void *opaque)
{
    SerialState *s = opaque;

    if (serial_fifo_enabled(s) && s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

/* Put one byte into the receiver; a full receiver means overrun. */
static void serial_rx_push(SerialState *s, uint8_t byte)
{
    if (s->rx_count >= serial_rx_capacity(s)) {
        s->lsr |= UART_LSR_OE;
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = byte;
    s->rx_count++;
    s->lsr |= UART_LSR_DR;
}

static void serial_rx_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->lsr &= ~(UART_LSR_DR | UART_LSR_FIFOE);
    s->timeout_ipending = false;
    if (s->timeout_timer) {
        timer_del(s->timeout_timer);
    }
}

/* The backend may deliver input again (after can_read said 0). */
static void serial_accept_input(SerialState *s)
{
    if (s->rx_throttled && s->chr) {
        s->rx_throttled = false;
        chardev_accept_input(s->chr);
    }
}

/* MSR as the modem inputs currently stand, without the delta bits. */
static uint8_t serial_modem_inputs(const SerialState *s)
{
    uint8_t in = 0;

    if (!(s->mcr & UART_MCR_LOOP)) {
        return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    }
    in |= (s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0;
    in |= (s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0;
    in |= (s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0;
    in |= (s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0;
    return in;
}

/* Recompute MSR after MCR changed, accumulating the delta bits. */
static void serial_update_msr(SerialState *s)
{
    uint8_t old = s->msr;
    uint8_t in = serial_modem_inputs(s);
    uint8_t delta = old & UART_MSR_ANY_DELTA;

    delta |= ((old ^ in) & UART_MSR_CTS) ? UART_MSR_DCTS : 0;
    delta |= ((old ^ in) & UART_MSR_DSR) ? UART_MSR_DDSR : 0;
    delta |= ((old & UART_MSR_RI) && !(in & UART_MSR_RI)) ? UART_MSR_TERI : 0;
    delta |= ((old ^ in) & UART_MSR_DCD) ? UART_MSR_DDCD : 0;
    s->msr = in | delta;
}

static void serial_transmit(SerialState *s, uint8_t byte)
{
    if (s->mcr & UART_MCR_LOOP) {
        serial_rx_push(s, byte);
        serial_restart_timeout(s);
    } else if (s->chr) {
        chardev_write_all(s->chr, &byte, 1);
    }
    /* Sent at once: THR and the shift register are empty again. */
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
}

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    bool was_enabled = serial_fifo_enabled(s);

    if ((val & UART_FCR_ENABLE_FIFO) != was_enabled) {
        /* Switching FIFO mode empties both FIFOs. */
        serial_rx_clear(s);
    }
    if (val & UART_FCR_CLEAR_RCVR) {
        serial_rx_clear(s);
    }
    /* UART_FCR_CLEAR_XMIT: the transmitter never holds data. */
    s->fcr = val & (UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_MASK);
    if (!serial_fifo_enabled(s)) {
        s->fcr = 0;
    }
    serial_accept_input(s);
}

static uint64_t serial_read(void *opaque, uint64_t addr, unsigned size)
{
    SerialState *s = opaque;
    uint64_t reg = addr >> s->regshift;
    uint8_t val = 0;

    if (addr & ((1u << s->regshift) - 1)) {
        reg = 8;    /* between registers: reserved */
    }
    switch (reg) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divisor & 0xff;
        }
        if (s->rx_count) {
            val = s->rx_fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
            s->rx_count--;
        }
        if (!s->rx_count) {
            s->lsr &= ~(UART_LSR_DR | UART_LSR_FIFOE);
        }
        serial_restart_timeout(s);
        serial_update_irq(s);
        serial_accept_input(s);
        return val;
    case UART_IER:
        return (s->lcr & UART_LCR_DLAB) ? s->divisor >> 8 : s->ier;
    case UART_IIR:
        val = serial_iir_id(s);
        if (val == UART_IIR_THRI) {
            /* Reading IIR while THRE is the source clears it. */
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        return val | (serial_fifo_enabled(s) ? UART_IIR_FIFO_ENABLED : 0);
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        val = s->lsr;
        s->lsr &= ~(UART_LSR_INT_ANY | UART_LSR_FIFOE);
        serial_update_irq(s);
        return val;
    case UART_MSR:
        val = s->msr;
        s->msr &= ~UART_MSR_ANY_DELTA;
        serial_update_irq(s);
        return val;
    case UART_SCR:
        return s->scr;
    default:
        log_guest(serial_log(s), LOG_GUEST_ERROR,
                  "serial: read of reserved offset 0x%" PRIx64 "\n", addr);
        return 0;
    }
}

static void serial_write(void *opaque, uint64_t addr, uint64_t value,
                         unsigned size)
{
    SerialState *s = opaque;
    uint64_t reg = addr >> s->regshift;
    uint8_t val = (uint8_t)value;
    uint8_t old;

    if (addr & ((1u << s->regshift) - 1)) {
        reg = 8;
    }
    switch (reg) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | val;
            serial_restart_timeout(s);
            return;
        }
        s->thr_ipending = false;
        serial_transmit(s, val);
        serial_update_irq(s);
        return;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | (val << 8);
            serial_restart_timeout(s);
            return;
        }
        old = s->ier;
        s->ier = val & 0x0f;
        if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI) &&
            (s->lsr & UART_LSR_THRE)) {
            /* Enabling the interrupt with THR empty raises it. */
            s->thr_ipending = true;
        }
        serial_update_irq(s);
        return;
    case UART_FCR:
        serial_write_fcr(s, val);
        serial_update_irq(s);
        return;
    case UART_LCR:
        s->lcr = val;
        return;
    case UART_MCR:
        old = s->mcr;
        s->mcr = val & 0x1f;
        serial_update_msr(s);
        if ((old & UART_MCR_LOOP) && !(s->mcr & UART_MCR_LOOP)) {
            serial_accept_input(s);
        }
        serial_update_irq(s);
        return;
    case UART_LSR:
    case UART_MSR:
        /* Read-only on the 16550A (factory test registers on some). */
        log_guest(serial_log(s), LOG_GUEST_ERROR,
                  "serial: write of 0x%02x to read-only %s\n", val,
                  reg == UART_LSR ? "LSR" : "MSR");
        return;
    case UART_SCR:
        s->scr = val;
        return;
    default:
        log_guest(serial_log(s), LOG_GUEST_ERROR,
                  "serial: write of 0x%02x to reserved offset 0x%" PRIx64
                  "\n", val, addr);
        return;
    }
}

static const MemoryRegionOps serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* --- the backend side --- */

static int serial_can_read(void *opaque)
{
    SerialState *s = opaque;
    int room;

    if (s->mcr & UART_MCR_LOOP) {
        room = 0;
    } else {
        room = (int)(serial_rx_capacity(s) - MIN(s->rx_count,
                                                 serial_rx_capacity(s)));
    }
    if (!room) {
        s->rx_throttled = true;
    }
    return room;
}

static void serial_receive(void *opaque, const uint8_t *buf, size_t len)
{
    SerialState *s = opaque;

    for (size_t i = 0; i < len; i++) {
        serial_rx_push(s, buf[i]);
    }
    serial_restart_timeout(s);
    serial_update_irq(s);
}

static void serial_event(void *opaque, ChardevEvent event)
{
    SerialState *s = opaque;

    if (event == CHR_EVENT_BREAK) {
        /* A break arrives as a zero character flagged with BI. */
        serial_rx_push(s, 0);
        s->lsr |= UART_LSR_BI | (serial_fifo_enabled(s) ? UART_LSR_FIFOE
                                                         : 0);
        serial_restart_timeout(s);
        serial_update_irq(s);
    }
}

/* --- lifecycle --- */

static void serial_reset(DeviceState *dev);

static bool serial_realize(DeviceState *dev, Error **errp)
{
    SerialState *s = serial_from_dev(dev);
    Machine *m = dev->machine;

    if (s->regshift > 2) {
        error_setg(errp, "regshift must be 0, 1 or 2");
        return false;
    }
    if (!s->clock_hz) {
        error_setg(errp, "clock-frequency must not be 0");
        return false;
    }
    if (!s->size) {
        s->size = 8u << s->regshift;
    }
    if (s->chr) {
        ChardevFrontend fe = {
            .can_read = serial_can_read,
            .read = serial_receive,
            .event = serial_event,
            .opaque = s,
        };
        if (!chardev_attach(s->chr, &fe, errp)) {
            return false;
        }
    }
    if (m && m->loop) {
        s->timeout_timer = timer_new_ns(m->loop, CLOCK_TYPE_VIRTUAL,
                                        serial_timeout_cb, s);
    }
    memory_region_init_io(&s->mmio, "serial", &serial_ops, s, s->size);
    serial_reset(dev);
    return true;
}

static void serial_unrealize(DeviceState *dev)
{
    SerialState *s = serial_from_dev(dev);

    if (s->chr) {
        chardev_detach(s->chr);
    }
    if (s->timeout_timer) {
        timer_free(s->timeout_timer);
    }
    if (s->mmio.container) {
        memory_region_del_subregion(s->mmio.container, &s->mmio);
    }
    memory_region_finalize(&s->mmio);
}

static void serial_reset(DeviceState *dev)
{
    SerialState *s = serial_from_dev(dev);

    s->divisor = 0x0c;          /* 9600 baud from 1.8432 MHz, as QEMU */
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = UART_MCR_OUT2;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = serial_modem_inputs(s);
    s->scr = 0;
    s->thr_ipending = false;
    serial_rx_clear(s);
    serial_update_irq(s);
    serial_accept_input(s);
}

static const Property serial_props[] = {
    DEFINE_PROP_CHARDEV("chardev", SerialState, chr, "backend"),
    DEFINE_PROP_UINT32("clock-frequency", SerialState, clock_hz, 3686400,
                       "input clock (Hz); baud = clock / (16 * divisor)"),
    DEFINE_PROP_UINT8("regshift", SerialState, regshift, 0,
                      "log2 of the distance between registers"),
    DEFINE_PROP_SIZE("size", SerialState, size, 0,
                     "register window (0: 8 registers)"),
    DEFINE_PROP_END,
};

const DeviceType serial_type = {
    .name = "ns16550a",
    .desc = "NS16550A UART (memory-mapped)",
    .category = "Input/output",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(SerialState),
    .props = serial_props,
    .realize = serial_realize,
    .unrealize = serial_unrealize,
    .reset = serial_reset,
};

DeviceState *serial_create(Machine *m, uint64_t addr, uint64_t size,
                           unsigned regshift, uint32_t clock_hz,
                           Chardev *chr, Error **errp)
{
    DeviceState *dev = device_new(m, &serial_type);
    SerialState *s = serial_from_dev(dev);

    s->size = size;
    s->regshift = (uint8_t)regshift;
    s->clock_hz = clock_hz;
    s->chr = chr;
    if (!machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    memory_region_add_subregion(&m->system_memory, addr, &s->mmio);
    return dev;
}

void serial_connect_irq(DeviceState *dev, IRQLine irq)
{
    SerialState *s = serial_from_dev(dev);

    s->irq = irq;
    irq_set(&s->irq, s->irq_level);
}
