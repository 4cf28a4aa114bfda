/*
 * hw/rtc/goldfish-rtc.c — the Goldfish RTC (register map in
 * goldfish-rtc.h; Android emulator's GOLDFISH-VIRTUAL-HARDWARE.TXT,
 * "Goldfish real-time clock", plus the IRQ_ENABLED/CLEAR_ALARM/
 * ALARM_STATUS registers Linux's rtc-goldfish driver uses).
 *
 * The time is the host's wall clock (CLOCK_HOST, nanoseconds since the
 * epoch) plus an offset the guest changes by writing the time; it keeps
 * running while the VM is stopped, as a battery-backed clock would, and
 * the offset survives a guest reset. Reading TIME_LOW latches the high
 * half so that TIME_LOW then TIME_HIGH is one consistent 64-bit value.
 * Setting the time is the mirror image: Linux writes TIME_HIGH, then
 * TIME_LOW, and the TIME_LOW write applies both halves at once.
 *
 * An armed alarm is a host-clock timer; when the time reaches it the
 * alarm disarms and the interrupt becomes pending, and the line is high
 * while pending and IRQ_ENABLED. An alarm set in the past fires at once.
 */
#include "hw/rtc/goldfish-rtc.h"
#include "hw/core/machine.h"
#include "core/main-loop.h"
#include "util/error.h"
#include "util/log.h"

typedef struct GoldfishRtcState {
    DeviceState parent;
    uint64_t size;              /* property */

    MemoryRegion mmio;
    IRQLine irq;
    Timer *alarm_timer;

    int64_t offset;             /* guest time = host wall clock + offset */
    uint32_t time_high_read;    /* latched by a TIME_LOW read */
    uint32_t time_high_write;   /* latched by a TIME_HIGH write */
    bool time_high_written;
    uint64_t alarm_next;
    bool alarm_armed;
    bool irq_pending;
    bool irq_enabled;
} GoldfishRtcState;

static GoldfishRtcState *goldfish_rtc_from_dev(DeviceState *dev)
{
    return container_of(dev, GoldfishRtcState, parent);
}

static MainLoop *goldfish_rtc_loop(GoldfishRtcState *s)
{
    return s->parent.machine->loop;
}

static uint64_t goldfish_rtc_now(GoldfishRtcState *s)
{
    return (uint64_t)(clock_get_ns(goldfish_rtc_loop(s), CLOCK_TYPE_HOST) +
                      s->offset);
}

static void goldfish_rtc_update_irq(GoldfishRtcState *s)
{
    irq_set(&s->irq, s->irq_pending && s->irq_enabled);
}

static void goldfish_rtc_disarm(GoldfishRtcState *s)
{
    timer_del(s->alarm_timer);
    s->alarm_armed = false;
}

static void goldfish_rtc_fire(GoldfishRtcState *s)
{
    goldfish_rtc_disarm(s);
    s->irq_pending = true;
    goldfish_rtc_update_irq(s);
}

static void goldfish_rtc_timer_cb(void *opaque)
{
    GoldfishRtcState *s = opaque;

    /* The timer runs on host time; re-check against guest time in case
     * the guest moved its clock since arming. */
    if (s->alarm_armed && goldfish_rtc_now(s) >= s->alarm_next) {
        goldfish_rtc_fire(s);
    } else if (s->alarm_armed) {
        timer_mod_ns(s->alarm_timer, (int64_t)(s->alarm_next - s->offset));
    }
}

static void goldfish_rtc_arm(GoldfishRtcState *s)
{
    if (s->alarm_next <= goldfish_rtc_now(s)) {
        goldfish_rtc_fire(s);
        return;
    }
    s->alarm_armed = true;
    /* Host time at which the guest time reaches the alarm. */
    timer_mod_ns(s->alarm_timer, (int64_t)(s->alarm_next - s->offset));
}

static void goldfish_rtc_set_time(GoldfishRtcState *s, uint64_t t)
{
    s->offset = (int64_t)(t - (uint64_t)clock_get_ns(goldfish_rtc_loop(s),
                                                     CLOCK_TYPE_HOST));
    if (s->alarm_armed) {
        goldfish_rtc_arm(s);
    }
}

static uint64_t goldfish_rtc_read(void *opaque, uint64_t addr,
                                  unsigned size)
{
    GoldfishRtcState *s = opaque;
    uint64_t now;

    switch (addr) {
    case GOLDFISH_RTC_TIME_LOW:
        now = goldfish_rtc_now(s);
        s->time_high_read = (uint32_t)(now >> 32);
        return (uint32_t)now;
    case GOLDFISH_RTC_TIME_HIGH:
        return s->time_high_read;
    case GOLDFISH_RTC_ALARM_LOW:
        return (uint32_t)s->alarm_next;
    case GOLDFISH_RTC_ALARM_HIGH:
        return (uint32_t)(s->alarm_next >> 32);
    case GOLDFISH_RTC_IRQ_ENABLED:
        return s->irq_enabled;
    case GOLDFISH_RTC_ALARM_STATUS:
        return s->alarm_armed;
    default:
        log_guest(&s->parent.machine->log, LOG_GUEST_ERROR,
                  "goldfish-rtc: read of %s offset 0x%" PRIx64 "\n",
                  addr < GOLDFISH_RTC_REG_SIZE ? "write-only" : "reserved",
                  addr);
        return 0;
    }
}

static void goldfish_rtc_write(void *opaque, uint64_t addr, uint64_t value,
                               unsigned size)
{
    GoldfishRtcState *s = opaque;
    uint32_t val = (uint32_t)value;
    uint64_t high;

    switch (addr) {
    case GOLDFISH_RTC_TIME_LOW:
        high = s->time_high_written ? s->time_high_write
                                    : goldfish_rtc_now(s) >> 32;
        s->time_high_written = false;
        goldfish_rtc_set_time(s, (high << 32) | val);
        return;
    case GOLDFISH_RTC_TIME_HIGH:
        s->time_high_write = val;
        s->time_high_written = true;
        return;
    case GOLDFISH_RTC_ALARM_LOW:
        s->alarm_next = (s->alarm_next & ~0xffffffffULL) | val;
        goldfish_rtc_arm(s);
        return;
    case GOLDFISH_RTC_ALARM_HIGH:
        s->alarm_next = (s->alarm_next & 0xffffffffULL) |
                        ((uint64_t)val << 32);
        return;
    case GOLDFISH_RTC_IRQ_ENABLED:
        s->irq_enabled = val & 1;
        goldfish_rtc_update_irq(s);
        return;
    case GOLDFISH_RTC_CLEAR_ALARM:
        goldfish_rtc_disarm(s);
        return;
    case GOLDFISH_RTC_CLEAR_INTERRUPT:
        s->irq_pending = false;
        goldfish_rtc_update_irq(s);
        return;
    default:
        log_guest(&s->parent.machine->log, LOG_GUEST_ERROR,
                  "goldfish-rtc: write of 0x%" PRIx32 " to %s offset 0x%"
                  PRIx64 "\n", val,
                  addr < GOLDFISH_RTC_REG_SIZE ? "read-only" : "reserved",
                  addr);
        return;
    }
}

static const MemoryRegionOps goldfish_rtc_ops = {
    .read = goldfish_rtc_read,
    .write = goldfish_rtc_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static bool goldfish_rtc_realize(DeviceState *dev, Error **errp)
{
    GoldfishRtcState *s = goldfish_rtc_from_dev(dev);

    if (!dev->machine || !dev->machine->loop) {
        error_setg(errp, "needs a machine with a main loop");
        return false;
    }
    if (!s->size) {
        s->size = GOLDFISH_RTC_REG_SIZE;
    }
    s->alarm_timer = timer_new_ns(dev->machine->loop, CLOCK_TYPE_HOST,
                                  goldfish_rtc_timer_cb, s);
    memory_region_init_io(&s->mmio, "goldfish_rtc", &goldfish_rtc_ops, s,
                          s->size);
    return true;
}

static void goldfish_rtc_unrealize(DeviceState *dev)
{
    GoldfishRtcState *s = goldfish_rtc_from_dev(dev);

    timer_free(s->alarm_timer);
    if (s->mmio.container) {
        memory_region_del_subregion(s->mmio.container, &s->mmio);
    }
    memory_region_finalize(&s->mmio);
}

/* Reset disarms and acknowledges; the time itself keeps going. */
static void goldfish_rtc_reset(DeviceState *dev)
{
    GoldfishRtcState *s = goldfish_rtc_from_dev(dev);

    goldfish_rtc_disarm(s);
    s->alarm_next = 0;
    s->irq_pending = false;
    s->irq_enabled = false;
    s->time_high_written = false;
    goldfish_rtc_update_irq(s);
}

static const Property goldfish_rtc_props[] = {
    DEFINE_PROP_SIZE("size", GoldfishRtcState, size, 0,
                     "register window (0: the 8 registers)"),
    DEFINE_PROP_END,
};

const DeviceType goldfish_rtc_type = {
    .name = "goldfish_rtc",
    .desc = "Goldfish real-time clock",
    .category = "Misc devices",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(GoldfishRtcState),
    .props = goldfish_rtc_props,
    .realize = goldfish_rtc_realize,
    .unrealize = goldfish_rtc_unrealize,
    .reset = goldfish_rtc_reset,
};

DeviceState *goldfish_rtc_create(Machine *m, uint64_t addr, uint64_t size,
                                 Error **errp)
{
    DeviceState *dev = device_new(m, &goldfish_rtc_type);
    GoldfishRtcState *s = goldfish_rtc_from_dev(dev);

    s->size = size;
    if (!machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    memory_region_add_subregion(&m->system_memory, addr, &s->mmio);
    return dev;
}

void goldfish_rtc_connect_irq(DeviceState *dev, IRQLine irq)
{
    GoldfishRtcState *s = goldfish_rtc_from_dev(dev);

    s->irq = irq;
    goldfish_rtc_update_irq(s);
}
