/*
 * hw/riscv/plic.c — the Platform-Level Interrupt Controller (see plic.h
 * for the register map; RISC-V PLIC Specification v1.0.0 for the rules).
 *
 * State per source: priority, the gateway's input level, the pending bit
 * (IP) and an in-service bit that is set by a claim and cleared by the
 * matching completion. State per context: enable bits and a threshold.
 *
 * Gateways are level-triggered (spec "Interrupt Gateways"): while a
 * source's input is high and no request of it is outstanding (neither
 * pending nor in service), the gateway forwards one request, which sets
 * IP. A claim clears IP and marks the source in service; the completion
 * ends that, and a still-high input then forwards a new request at once.
 * A request already forwarded stays pending if the device drops its line
 * before the claim ("the interrupt request remains present in the IP
 * bit"), so a handler may see a source with nothing to do; drivers cope.
 *
 * A context's output (its hart's MEIP or SEIP) is high while some source
 * is pending, enabled for it and of priority above its threshold. Claims
 * pick, among those, the highest priority, ties going to the lowest ID.
 * Priority 0 means "never interrupt". Priorities and thresholds are WARL
 * fields of priority-bits bits.
 *
 * Guest mistakes (writes to read-only or non-existent registers, bad
 * completion IDs) are ignored and reported under -d guest_errors.
 */
#include "hw/riscv/plic.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/log.h"

typedef struct PlicState {
    DeviceState parent;
    /* properties */
    uint32_t num_sources;       /* including the reserved source 0 */
    uint32_t priority_bits;
    uint32_t num_harts;
    uint64_t size;              /* register window mapped by the board */

    MemoryRegion mmio;
    uint32_t nr_contexts;
    uint32_t nr_words;          /* 32-bit words in a source bitmap */
    uint32_t priority_mask;
    uint32_t *priority;         /* [num_sources] */
    uint32_t *level;            /* bitmaps of nr_words words */
    uint32_t *pending;
    uint32_t *in_service;
    uint32_t *enable;           /* [nr_contexts][nr_words] */
    uint32_t *threshold;        /* [nr_contexts] */
    IRQLine *outputs;           /* [nr_contexts] */
    uint8_t *output_level;      /* [nr_contexts], last level driven */
} PlicState;

static PlicState *plic_from_dev(DeviceState *dev)
{
    return container_of(dev, PlicState, parent);
}

static Log *plic_log(PlicState *s)
{
    return s->parent.machine ? &s->parent.machine->log : NULL;
}

static bool bit_get(const uint32_t *map, unsigned n)
{
    return (map[n / 32] >> (n % 32)) & 1;
}

static void bit_set(uint32_t *map, unsigned n, bool v)
{
    if (v) {
        map[n / 32] |= 1u << (n % 32);
    } else {
        map[n / 32] &= ~(1u << (n % 32));
    }
}

static uint32_t *plic_enable_words(PlicState *s, unsigned ctx)
{
    return &s->enable[(size_t)ctx * s->nr_words];
}

/*
 * The best source context @ctx could claim now: the highest priority
 * above the threshold among pending, enabled sources (lowest ID on a
 * tie), or 0 if there is none.
 */
static unsigned plic_best_source(PlicState *s, unsigned ctx)
{
    const uint32_t *en = plic_enable_words(s, ctx);
    uint32_t best_prio = s->threshold[ctx];
    unsigned best = 0;

    for (unsigned w = 0; w < s->nr_words; w++) {
        uint32_t cand = s->pending[w] & en[w];

        while (cand) {
            unsigned src = w * 32 + __builtin_ctz(cand);

            cand &= cand - 1;
            if (s->priority[src] > best_prio) {
                best_prio = s->priority[src];
                best = src;
            }
        }
    }
    return best;
}

/* Re-evaluate every context's output line. */
static void plic_update(PlicState *s)
{
    for (unsigned ctx = 0; ctx < s->nr_contexts; ctx++) {
        uint8_t level = plic_best_source(s, ctx) != 0;

        if (level != s->output_level[ctx]) {
            s->output_level[ctx] = level;
            irq_set(&s->outputs[ctx], level);
        }
    }
}

/* The gateway: forward a request if the input is high and none is
 * outstanding. */
static void plic_gateway(PlicState *s, unsigned src)
{
    if (bit_get(s->level, src) && !bit_get(s->pending, src) &&
        !bit_get(s->in_service, src)) {
        bit_set(s->pending, src, true);
    }
}

/* IRQHandler for input @n (what devices drive). */
static void plic_set_irq(void *opaque, int n, int level)
{
    PlicState *s = opaque;

    if (n <= 0 || (unsigned)n >= s->num_sources) {
        return;
    }
    bit_set(s->level, n, level != 0);
    plic_gateway(s, n);
    plic_update(s);
}

static uint32_t plic_claim(PlicState *s, unsigned ctx)
{
    unsigned src = plic_best_source(s, ctx);

    if (src) {
        bit_set(s->pending, src, false);
        bit_set(s->in_service, src, true);
        plic_update(s);
    }
    return src;
}

static void plic_complete(PlicState *s, unsigned ctx, uint32_t src)
{
    if (src == 0 || src >= s->num_sources) {
        log_guest(plic_log(s), LOG_GUEST_ERROR,
                  "plic: context %u completes invalid source %" PRIu32 "\n",
                  ctx, src);
        return;
    }
    /* Spec: a completion for a source not enabled for this target is
     * silently ignored (the source stays in service). */
    if (!bit_get(plic_enable_words(s, ctx), src)) {
        return;
    }
    bit_set(s->in_service, src, false);
    plic_gateway(s, src);
    plic_update(s);
}

static uint64_t plic_read(void *opaque, uint64_t addr, unsigned size)
{
    PlicState *s = opaque;

    if (addr < PLIC_PENDING_BASE) {
        uint64_t src = addr / 4;
        return src > 0 && src < s->num_sources ? s->priority[src] : 0;
    }
    if (addr < PLIC_ENABLE_BASE) {
        uint64_t w = (addr - PLIC_PENDING_BASE) / 4;
        return w < s->nr_words ? s->pending[w] : 0;
    }
    if (addr < PLIC_CONTEXT_BASE) {
        uint64_t ctx = (addr - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        uint64_t w = (addr - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;

        if (ctx < s->nr_contexts && w < s->nr_words) {
            return plic_enable_words(s, ctx)[w];
        }
        return 0;
    }
    {
        uint64_t ctx = (addr - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        uint64_t reg = (addr - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;

        if (ctx < s->nr_contexts) {
            if (reg == PLIC_CONTEXT_THRESHOLD) {
                return s->threshold[ctx];
            }
            if (reg == PLIC_CONTEXT_CLAIM) {
                return plic_claim(s, ctx);
            }
        }
    }
    log_guest(plic_log(s), LOG_GUEST_ERROR,
              "plic: read of reserved register 0x%" PRIx64 "\n", addr);
    return 0;
}

static void plic_write(void *opaque, uint64_t addr, uint64_t value,
                       unsigned size)
{
    PlicState *s = opaque;
    uint32_t val = (uint32_t)value;

    if (addr < PLIC_PENDING_BASE) {
        uint64_t src = addr / 4;

        if (src > 0 && src < s->num_sources) {
            s->priority[src] = val & s->priority_mask;
            plic_update(s);
            return;
        }
    } else if (addr < PLIC_ENABLE_BASE) {
        /* Pending bits are read-only: only gateways and claims move
         * them. */
    } else if (addr < PLIC_CONTEXT_BASE) {
        uint64_t ctx = (addr - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        uint64_t w = (addr - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;

        if (ctx < s->nr_contexts && w < s->nr_words) {
            uint32_t valid = ~0u;

            if (w == 0) {
                valid &= ~1u;       /* source 0 does not exist */
            }
            if (w == s->nr_words - 1 && s->num_sources % 32) {
                valid &= (1u << (s->num_sources % 32)) - 1;
            }
            plic_enable_words(s, ctx)[w] = val & valid;
            plic_update(s);
            return;
        }
    } else {
        uint64_t ctx = (addr - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        uint64_t reg = (addr - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;

        if (ctx < s->nr_contexts && reg == PLIC_CONTEXT_THRESHOLD) {
            s->threshold[ctx] = val & s->priority_mask;
            plic_update(s);
            return;
        }
        if (ctx < s->nr_contexts && reg == PLIC_CONTEXT_CLAIM) {
            plic_complete(s, ctx, val);
            return;
        }
    }
    log_guest(plic_log(s), LOG_GUEST_ERROR,
              "plic: write of 0x%" PRIx32 " to %s register 0x%" PRIx64 "\n",
              val, addr >= PLIC_PENDING_BASE && addr < PLIC_ENABLE_BASE
                   ? "read-only" : "reserved", addr);
}

static const MemoryRegionOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static bool plic_realize(DeviceState *dev, Error **errp)
{
    PlicState *s = plic_from_dev(dev);

    if (s->num_sources < 2 || s->num_sources > PLIC_MAX_SOURCES) {
        error_setg(errp, "num-sources must be between 2 and %u",
                   PLIC_MAX_SOURCES);
        return false;
    }
    if (s->priority_bits < 1 || s->priority_bits > 32) {
        error_setg(errp, "priority-bits must be between 1 and 32");
        return false;
    }
    if (s->num_harts < 1 || 2 * s->num_harts > PLIC_MAX_CONTEXTS) {
        error_setg(errp, "num-harts must be between 1 and %u",
                   PLIC_MAX_CONTEXTS / 2);
        return false;
    }
    s->nr_contexts = 2 * s->num_harts;
    if (!s->size) {
        s->size = PLIC_SIZE(s->nr_contexts);
    }
    if (s->size < PLIC_SIZE(s->nr_contexts)) {
        error_setg(errp, "size 0x%" PRIx64 " cannot hold %u contexts",
                   s->size, s->nr_contexts);
        return false;
    }
    s->nr_words = (s->num_sources + 31) / 32;
    s->priority_mask = s->priority_bits == 32
                       ? UINT32_MAX : (1u << s->priority_bits) - 1;
    s->priority = XNEW_ARRAY(uint32_t, s->num_sources);
    s->level = XNEW_ARRAY(uint32_t, s->nr_words);
    s->pending = XNEW_ARRAY(uint32_t, s->nr_words);
    s->in_service = XNEW_ARRAY(uint32_t, s->nr_words);
    s->enable = XNEW_ARRAY(uint32_t, (size_t)s->nr_contexts * s->nr_words);
    s->threshold = XNEW_ARRAY(uint32_t, s->nr_contexts);
    s->outputs = XNEW_ARRAY(IRQLine, s->nr_contexts);
    s->output_level = XNEW_ARRAY(uint8_t, s->nr_contexts);
    memory_region_init_io(&s->mmio, "riscv.sifive.plic", &plic_ops, s,
                          s->size);
    return true;
}

static void plic_unrealize(DeviceState *dev)
{
    PlicState *s = plic_from_dev(dev);

    if (s->mmio.container) {
        memory_region_del_subregion(s->mmio.container, &s->mmio);
    }
    memory_region_finalize(&s->mmio);
    free(s->priority);
    free(s->level);
    free(s->pending);
    free(s->in_service);
    free(s->enable);
    free(s->threshold);
    free(s->outputs);
    free(s->output_level);
}

/*
 * Reset clears programming and requests, but not the input levels: they
 * belong to the devices, which may hold a line high across the reset.
 */
static void plic_reset(DeviceState *dev)
{
    PlicState *s = plic_from_dev(dev);

    memset(s->priority, 0, s->num_sources * sizeof(*s->priority));
    memset(s->pending, 0, s->nr_words * sizeof(*s->pending));
    memset(s->in_service, 0, s->nr_words * sizeof(*s->in_service));
    memset(s->enable, 0,
           (size_t)s->nr_contexts * s->nr_words * sizeof(*s->enable));
    memset(s->threshold, 0, s->nr_contexts * sizeof(*s->threshold));
    for (unsigned src = 1; src < s->num_sources; src++) {
        plic_gateway(s, src);
    }
    plic_update(s);
}

static const Property plic_props[] = {
    DEFINE_PROP_UINT32("num-sources", PlicState, num_sources, 96,
                       "interrupt sources, counting the reserved source 0"),
    DEFINE_PROP_UINT32("priority-bits", PlicState, priority_bits, 3,
                       "width of priority and threshold registers"),
    DEFINE_PROP_UINT32("num-harts", PlicState, num_harts, 1,
                       "harts served (an M and an S context each)"),
    DEFINE_PROP_SIZE("size", PlicState, size, 0,
                     "register window (0: just what the contexts need)"),
    DEFINE_PROP_END,
};

const DeviceType plic_type = {
    .name = "riscv.sifive.plic",
    .desc = "RISC-V Platform-Level Interrupt Controller",
    .category = "Interrupt controllers",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(PlicState),
    .props = plic_props,
    .realize = plic_realize,
    .unrealize = plic_unrealize,
    .reset = plic_reset,
};

DeviceState *plic_create(Machine *m, uint64_t addr, uint64_t size,
                         unsigned num_harts, unsigned num_sources,
                         unsigned priority_bits, Error **errp)
{
    DeviceState *dev = device_new(m, &plic_type);
    PlicState *s = plic_from_dev(dev);

    s->num_harts = num_harts;
    s->num_sources = num_sources;
    s->priority_bits = priority_bits;
    s->size = size;
    if (!machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    memory_region_add_subregion(&m->system_memory, addr, &s->mmio);
    return dev;
}

IRQLine plic_input(DeviceState *dev, unsigned source)
{
    return irq_line(plic_set_irq, plic_from_dev(dev), (int)source);
}

void plic_connect_context(DeviceState *dev, unsigned context, IRQLine out)
{
    PlicState *s = plic_from_dev(dev);

    if (context < s->nr_contexts) {
        s->outputs[context] = out;
        irq_set(&s->outputs[context], s->output_level[context]);
    }
}
