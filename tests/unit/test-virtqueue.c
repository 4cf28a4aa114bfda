/*
 * tests/unit/test-virtqueue.c — the virtio core (hw/virtio/virtio.c)
 * driven by a scripted "driver" over real guest memory: an AddressSpace
 * with RAM, a second adjacent RAM block, a ROM and an MMIO region built
 * with the memory API.
 *
 *   - normal chains, buffers split across RAM blocks, indirect tables,
 *     direct descriptors followed by an indirect one;
 *   - notification suppression: NO_INTERRUPT / NO_NOTIFY, and EVENT_IDX
 *     both as pure arithmetic (wrap-around) and on a queue whose indexes
 *     wrap past 65535;
 *   - hostile drivers: descriptor loops, buffers outside RAM or in MMIO
 *     or ROM, wrapping addresses, bad indirect tables, out-of-range
 *     indexes, zero/odd queue sizes, misaligned rings, readable after
 *     writable... each must mark the device broken (NEEDS_RESET plus a
 *     config interrupt for a 1.x driver) and log a guest error, without
 *     crashing, hanging, or touching the MMIO region;
 *   - feature negotiation and the config-space bounds;
 *   - the virtio-mmio transport, virtio-blk (on a temporary raw image),
 *     virtio-rng and virtio-serial + virtconsole, driven through the
 *     transport's registers like a guest would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-devices.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-serial.h"
#include "hw/core/machine.h"
#include "block/block.h"
#include "chardev/chardev.h"
#include "exec/memory.h"
#include "util/error.h"
#include "util/log.h"
#include "util/opts.h"

#include <unistd.h>

#define RAM_BASE    0x80000000ULL
#define RAM_SIZE    (1 * MiB)
#define RAM2_BASE   (RAM_BASE + RAM_SIZE)   /* adjacent second block */
#define RAM2_SIZE   (64 * KiB)
#define ROM_BASE    0x1000ULL
#define ROM_SIZE    0x1000ULL
#define MMIO_BASE   0x20000000ULL

#define DESC        (RAM_BASE + 0x0000)
#define AVAIL       (RAM_BASE + 0x1000)
#define USED        (RAM_BASE + 0x2000)
#define TABLE       (RAM_BASE + 0x3000)
#define DATA        (RAM_BASE + 0x10000)

#define QSIZE       16

/* --- the fixture: a bare Machine with memory, and a test device --- */

typedef struct Fixture {
    Machine *m;
    MemoryRegion ram2, rom, mmio;
    unsigned mmio_accesses;
    /* the test device and its fake transport */
    VirtioDevice *vdev;
    VirtioBus bus;
    int irq_level;
    unsigned irq_raises;
    unsigned handled;
} Fixture;

typedef struct TestDev {
    VirtioDevice vdev;
    Fixture *f;
} TestDev;

static const DeviceType test_dev_type = {
    .name = "virtio-test-device",
    .bus = DEVICE_BUS_VIRTIO,
    .instance_size = sizeof(TestDev),
};

static uint64_t mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    ((Fixture *)opaque)->mmio_accesses++;
    return 0;
}

static void mmio_write(void *opaque, uint64_t addr, uint64_t v,
                       unsigned size)
{
    ((Fixture *)opaque)->mmio_accesses++;
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static Machine *machine_new_bare(Fixture *f)
{
    Machine *m = xzalloc(sizeof(Machine));

    log_init(&m->log);
    m->log.mask = LOG_GUEST_ERROR;
    m->log.file = tmpfile();
    m->log.owns_file = true;
    m->devices_tail = &m->devices;
    memory_region_init_container(&m->system_memory, "system", UINT64_MAX);
    address_space_init(&m->address_space, &m->system_memory, "memory");
    assert_true(memory_region_init_ram(&m->ram, "ram", RAM_SIZE, NULL));
    memory_region_add_subregion(&m->system_memory, RAM_BASE, &m->ram);
    assert_true(memory_region_init_ram(&f->ram2, "ram2", RAM2_SIZE, NULL));
    memory_region_add_subregion(&m->system_memory, RAM2_BASE, &f->ram2);
    assert_true(memory_region_init_rom(&f->rom, "rom", ROM_SIZE, NULL));
    memory_region_add_subregion(&m->system_memory, ROM_BASE, &f->rom);
    memory_region_init_io(&f->mmio, "mmio", &mmio_ops, f, 0x1000);
    memory_region_add_subregion(&m->system_memory, MMIO_BASE, &f->mmio);
    return m;
}

static void machine_free_bare(Fixture *f)
{
    Machine *m = f->m;

    while (m->devices) {
        DeviceState *dev = m->devices;

        m->devices = dev->next;
        device_free(dev);
    }
    address_space_destroy(&m->address_space);
    memory_region_finalize(&m->ram);
    memory_region_finalize(&f->ram2);
    memory_region_finalize(&f->rom);
    memory_region_finalize(&f->mmio);
    memory_region_finalize(&m->system_memory);
    log_close(&m->log);
    free(m);
}

/* Everything logged so far (the caller frees). */
static char *log_text(Fixture *f)
{
    FILE *fp = f->m->log.file;
    long n;
    char *s;

    fflush(fp);
    n = ftell(fp);
    s = xzalloc(n + 1);
    rewind(fp);
    assert_int_equal(fread(s, 1, n, fp), (size_t)n);
    return s;
}

static void assert_logged(Fixture *f, const char *needle)
{
    char *s = log_text(f);

    if (!strstr(s, needle)) {
        fail_msg("expected \"%s\" in the guest_errors log, got:\n%s", needle,
                 s);
    }
    free(s);
}

static void fake_update_irq(VirtioBus *bus)
{
    Fixture *f = container_of(bus, Fixture, bus);
    int level = bus->vdev && bus->vdev->isr;

    if (level && !f->irq_level) {
        f->irq_raises++;
    }
    f->irq_level = level;
}

static const VirtioBusOps fake_bus_ops = { .update_irq = fake_update_irq };

static void test_handler(VirtioDevice *vdev, VirtQueue *vq)
{
    container_of(vdev, TestDev, vdev)->f->handled++;
}

static const VirtioDeviceOps test_dev_ops = { 0 };

static int setup(void **state)
{
    Fixture *f = xzalloc(sizeof(*f));
    TestDev *t;

    f->m = machine_new_bare(f);
    t = (TestDev *)device_new(f->m, &test_dev_type);
    t->f = f;
    f->vdev = &t->vdev;
    f->bus.ops = &fake_bus_ops;
    f->vdev->bus = &f->bus;
    virtio_init(f->vdev, &test_dev_ops, 42, 8);
    virtio_add_queue(f->vdev, QSIZE, test_handler);
    virtio_add_queue(f->vdev, QSIZE, test_handler);
    assert_true(virtio_attach(f->vdev, NULL));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    DeviceState *dev = &f->vdev->dev;

    virtio_cleanup(f->vdev);
    free(dev);
    machine_free_bare(f);
    free(f);
    return 0;
}

/* --- a scripted driver --- */

static void gw(Fixture *f, uint64_t addr, const void *buf, size_t len)
{
    assert_int_equal(address_space_write(&f->m->address_space, addr, buf,
                                         len), MEMTX_OK);
}

static void gr(Fixture *f, uint64_t addr, void *buf, size_t len)
{
    assert_int_equal(address_space_read(&f->m->address_space, addr, buf,
                                        len), MEMTX_OK);
}

static void gw16(Fixture *f, uint64_t addr, uint16_t v)
{
    gw(f, addr, &v, 2);
}

static uint16_t gr16(Fixture *f, uint64_t addr)
{
    uint16_t v;

    gr(f, addr, &v, 2);
    return v;
}

static uint32_t gr32(Fixture *f, uint64_t addr)
{
    uint32_t v;

    gr(f, addr, &v, 4);
    return v;
}

static void put_desc_at(Fixture *f, uint64_t table, unsigned i,
                        uint64_t addr, uint32_t len, uint16_t flags,
                        uint16_t next)
{
    uint8_t d[16];

    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    gw(f, table + 16ULL * i, d, 16);
}

static void put_desc(Fixture *f, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    put_desc_at(f, DESC, i, addr, len, flags, next);
}

/* Make chain @head available (driver side: ring entry, then idx). */
static void avail_add(Fixture *f, unsigned num, uint16_t head)
{
    uint16_t idx = gr16(f, AVAIL + 2);

    gw16(f, AVAIL + 4 + 2 * (idx % num), head);
    gw16(f, AVAIL + 2, idx + 1);
}

static uint16_t used_idx(Fixture *f)
{
    return gr16(f, USED + 2);
}

static void used_elem(Fixture *f, unsigned num, unsigned i, uint32_t *id,
                      uint32_t *len)
{
    *id = gr32(f, USED + 4 + 8 * (i % num));
    *len = gr32(f, USED + 8 + 8 * (i % num));
}

static void driver_start(Fixture *f, uint64_t features, unsigned num)
{
    VirtioDevice *vdev = f->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, 0);

    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE, 0);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER, 0);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK,
                      features);
    assert_true(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_queue_set_num(vq, num);
    virtio_queue_set_rings(vq, DESC, AVAIL, USED);
    virtio_queue_set_ready(vq, true);
    assert_true(vq->ready);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK, 0);
}

static const uint64_t F_V1 = 1ULL << VIRTIO_F_VERSION_1;
static const uint64_t F_INDIRECT = 1ULL << VIRTIO_F_RING_INDIRECT_DESC;
static const uint64_t F_EVENT_IDX = 1ULL << VIRTIO_F_RING_EVENT_IDX;

static VirtQueue *q0(Fixture *f)
{
    return virtio_get_queue(f->vdev, 0);
}

/* The device must now be broken, flagged to a 1.x driver, and logged. */
static void assert_broken(Fixture *f, const char *log_needle)
{
    assert_true(f->vdev->broken);
    assert_true(f->vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    assert_true(f->vdev->isr & VIRTIO_ISR_CONFIG);
    assert_int_equal(f->irq_level, 1);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_int_equal(f->mmio_accesses, 0);
    if (log_needle) {
        assert_logged(f, log_needle);
    }
}

/* --- normal operation --- */

static void test_simple_chain(void **state)
{
    Fixture *f = *state;
    VirtQueueElement *e;
    uint8_t hdr[16] = "header-bytes-16", data[100], out[200];
    uint32_t id, len;

    driver_start(f, F_V1, QSIZE);
    memset(data, 0xab, sizeof(data));
    gw(f, DATA, hdr, sizeof(hdr));
    gw(f, DATA + 0x100, data, sizeof(data));
    put_desc(f, 3, DATA, 16, VIRTQ_DESC_F_NEXT, 7);
    put_desc(f, 7, DATA + 0x100, 100, VIRTQ_DESC_F_NEXT, 1);
    put_desc(f, 1, DATA + 0x1000, 200, VIRTQ_DESC_F_WRITE, 0);
    assert_true(virtqueue_empty(q0(f)));
    avail_add(f, QSIZE, 3);
    assert_false(virtqueue_empty(q0(f)));

    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);
    assert_int_equal(e->index, 3);
    assert_int_equal(e->out_num, 2);
    assert_int_equal(e->in_num, 1);
    assert_int_equal(e->out_len, 116);
    assert_int_equal(e->in_len, 200);
    assert_memory_equal(e->out_sg[0].iov_base, hdr, 16);
    assert_memory_equal(e->out_sg[1].iov_base, data, 100);
    /* The device writes straight into guest RAM through the iovec. */
    memset(e->in_sg[0].iov_base, 0x5a, 50);
    assert_null(virtqueue_pop(q0(f), sizeof(*e)));

    virtqueue_push(q0(f), e, 50);
    free(e);
    assert_int_equal(used_idx(f), 1);
    used_elem(f, QSIZE, 0, &id, &len);
    assert_int_equal(id, 3);
    assert_int_equal(len, 50);
    gr(f, DATA + 0x1000, out, 50);
    assert_true(out[0] == 0x5a && out[49] == 0x5a);

    assert_int_equal(f->irq_level, 0);
    virtio_notify(f->vdev, q0(f));
    assert_int_equal(f->irq_level, 1);
    assert_int_equal(f->vdev->isr, VIRTIO_ISR_QUEUE);
    virtio_isr_ack(f->vdev, VIRTIO_ISR_QUEUE);
    assert_int_equal(f->irq_level, 0);
    assert_false(f->vdev->broken);
}

static void test_many_and_order(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    for (unsigned i = 0; i < QSIZE; i++) {
        put_desc(f, i, DATA + i * 64, 64, i & 1 ? VIRTQ_DESC_F_WRITE : 0, 0);
        avail_add(f, QSIZE, (uint16_t)(QSIZE - 1 - i));
    }
    for (unsigned i = 0; i < QSIZE; i++) {
        VirtQueueElement *e = virtqueue_pop(q0(f), sizeof(*e));

        assert_non_null(e);
        assert_int_equal(e->index, QSIZE - 1 - i);
        virtqueue_push(q0(f), e, 0);
        free(e);
    }
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_int_equal(used_idx(f), QSIZE);
}

static void test_zero_length_and_full_length_chain(void **state)
{
    Fixture *f = *state;
    VirtQueueElement *e;

    driver_start(f, F_V1, QSIZE);
    /* A chain exactly Queue Size long is the longest allowed. */
    for (unsigned i = 0; i < QSIZE; i++) {
        put_desc(f, i, DATA + i * 8, i == 5 ? 0 : 8,
                 i == QSIZE - 1 ? 0 : VIRTQ_DESC_F_NEXT, i + 1);
    }
    avail_add(f, QSIZE, 0);
    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);
    /* The zero-length descriptor adds nothing. */
    assert_int_equal(e->out_num, QSIZE - 1);
    assert_int_equal(e->out_len, 8 * (QSIZE - 1));
    free(e);
    assert_false(f->vdev->broken);
}

static void test_buffer_across_ram_blocks(void **state)
{
    Fixture *f = *state;
    VirtQueueElement *e;

    driver_start(f, F_V1, QSIZE);
    /* 0x100 bytes at the end of RAM and 0x100 in the next block. */
    put_desc(f, 0, RAM2_BASE - 0x100, 0x200, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, QSIZE, 0);
    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);
    assert_int_equal(e->in_num, 2);
    assert_int_equal(e->in_sg[0].iov_len, 0x100);
    assert_int_equal(e->in_sg[1].iov_len, 0x100);
    assert_int_equal(e->in_len, 0x200);
    assert_ptr_equal(e->in_sg[1].iov_base,
                     memory_region_get_ram_ptr(&f->ram2));
    free(e);
}

static void test_readable_rom_buffer(void **state)
{
    Fixture *f = *state;
    VirtQueueElement *e;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, ROM_BASE, 64, 0, 0);
    avail_add(f, QSIZE, 0);
    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);     /* the device may read ROM */
    free(e);
}

static void test_indirect(void **state)
{
    Fixture *f = *state;
    VirtQueueElement *e;

    driver_start(f, F_V1 | F_INDIRECT, QSIZE);
    put_desc_at(f, TABLE, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
    put_desc_at(f, TABLE, 2, DATA + 0x100, 32, VIRTQ_DESC_F_NEXT, 1);
    put_desc_at(f, TABLE, 1, DATA + 0x200, 64, VIRTQ_DESC_F_WRITE, 0);
    /* The WRITE flag of the descriptor naming the table is ignored. */
    put_desc(f, 5, TABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE,
             0);
    avail_add(f, QSIZE, 5);
    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);
    assert_int_equal(e->index, 5);
    assert_int_equal(e->out_num, 2);
    assert_int_equal(e->in_num, 1);
    assert_int_equal(e->out_len, 48);
    assert_int_equal(e->in_len, 64);
    virtqueue_push(q0(f), e, 64);
    free(e);

    /* Direct descriptors followed by one indirect (§2.7.5.3.2). */
    put_desc(f, 8, DATA + 0x300, 10, VIRTQ_DESC_F_NEXT, 9);
    put_desc(f, 9, TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
    put_desc_at(f, TABLE + 0x100, 0, DATA + 0x400, 20, VIRTQ_DESC_F_WRITE,
                0);
    avail_add(f, QSIZE, 8);
    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);
    assert_int_equal(e->out_len, 10);
    assert_int_equal(e->in_len, 20);
    free(e);
    assert_false(f->vdev->broken);
}

/* --- notification suppression --- */

static void test_event_idx_arithmetic(void **state)
{
    /* Notify iff event_idx is in [old, new) modulo 2^16. */
    assert_true(virtio_ring_need_event(4, 5, 4));
    assert_false(virtio_ring_need_event(5, 5, 4));
    assert_false(virtio_ring_need_event(3, 5, 4));
    assert_true(virtio_ring_need_event(0, 10, 0));
    assert_true(virtio_ring_need_event(9, 10, 0));
    assert_false(virtio_ring_need_event(10, 10, 0));
    /* Across the wrap: old 0xfffe, new 2. */
    assert_true(virtio_ring_need_event(0xfffe, 2, 0xfffe));
    assert_true(virtio_ring_need_event(0xffff, 2, 0xfffe));
    assert_true(virtio_ring_need_event(0, 2, 0xfffe));
    assert_true(virtio_ring_need_event(1, 2, 0xfffe));
    assert_false(virtio_ring_need_event(2, 2, 0xfffe));
    assert_false(virtio_ring_need_event(0xfffd, 2, 0xfffe));
    assert_false(virtio_ring_need_event(0x8000, 2, 0xfffe));
    /* No movement never notifies. */
    assert_false(virtio_ring_need_event(7, 7, 7));
}

static void push_one(Fixture *f, uint16_t head)
{
    VirtQueueElement *e;

    avail_add(f, QSIZE, head);
    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);
    virtqueue_push(q0(f), e, 0);
    free(e);
}

static void test_event_idx_device(void **state)
{
    Fixture *f = *state;
    uint16_t used_event_addr = 4 + 2 * QSIZE;

    driver_start(f, F_V1 | F_EVENT_IDX, QSIZE);
    put_desc(f, 0, DATA, 8, 0, 0);

    /* The device publishes avail_event = next index it will look at. */
    push_one(f, 0);
    assert_int_equal(gr16(f, USED + 4 + 8 * QSIZE), 1);
    /* First interrupt is always sent. */
    assert_true(virtio_should_notify(q0(f)));
    /* used_event 0: the driver already saw entry 0, no interrupt for 1. */
    gw16(f, AVAIL + used_event_addr, 0);
    push_one(f, 0);
    assert_false(virtio_should_notify(q0(f)));
    /* used_event 2: interrupt when entry 2 is used. */
    gw16(f, AVAIL + used_event_addr, 2);
    push_one(f, 0);
    assert_true(virtio_should_notify(q0(f)));
    /* A batch that jumps over used_event still interrupts. */
    gw16(f, AVAIL + used_event_addr, 4);
    push_one(f, 0);
    push_one(f, 0);
    push_one(f, 0);
    assert_true(virtio_should_notify(q0(f)));

    /* Notification enable writes avail_event = current avail index. */
    virtio_queue_set_notification(q0(f), false);
    avail_add(f, QSIZE, 0);
    virtio_queue_set_notification(q0(f), true);
    assert_int_equal(gr16(f, USED + 4 + 8 * QSIZE), gr16(f, AVAIL + 2));
}

/* Indexes are free-running 16-bit counters: run them past 65535. */
static void test_event_idx_wraparound(void **state)
{
    Fixture *f = *state;
    unsigned interrupts = 0;
    uint16_t used_event_addr = 4 + 2 * QSIZE;

    driver_start(f, F_V1 | F_EVENT_IDX, QSIZE);
    put_desc(f, 0, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
    for (unsigned i = 0; i < 70000; i++) {
        /* Ask for an interrupt on every 4th completion. */
        if (i % 4 == 0) {
            gw16(f, AVAIL + used_event_addr, (uint16_t)(i + 3));
        }
        push_one(f, 0);
        assert_int_equal(used_idx(f), (uint16_t)(i + 1));
        if (virtio_should_notify(q0(f))) {
            interrupts++;
        }
    }
    /* The first one, then one per group of four. */
    assert_int_equal(interrupts, 1 + 70000 / 4);
    assert_false(f->vdev->broken);
}

static void test_no_interrupt_flag(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, DATA, 8, 0, 0);
    gw16(f, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
    push_one(f, 0);
    virtio_notify(f->vdev, q0(f));
    assert_int_equal(f->irq_level, 0);
    gw16(f, AVAIL, 0);
    push_one(f, 0);
    virtio_notify(f->vdev, q0(f));
    assert_int_equal(f->irq_level, 1);

    /* Without EVENT_IDX the device uses used->flags NO_NOTIFY. */
    virtio_queue_set_notification(q0(f), false);
    assert_int_equal(gr16(f, USED), VIRTQ_USED_F_NO_NOTIFY);
    virtio_queue_set_notification(q0(f), true);
    assert_int_equal(gr16(f, USED), 0);
}

/* --- hostile drivers --- */

static void test_loop(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
    put_desc(f, 1, DATA, 8, VIRTQ_DESC_F_NEXT, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "loop in descriptor chain");
    /* A broken device ignores kicks until reset... */
    virtio_queue_notify(f->vdev, 0);
    assert_int_equal(f->handled, 0);
    /* ...and a reset brings it back. */
    virtio_set_status(f->vdev, 0, 0);
    assert_false(f->vdev->broken);
    assert_int_equal(f->vdev->status, 0);
    assert_int_equal(f->irq_level, 0);
    memset(memory_region_get_ram_ptr(&f->m->ram), 0, 0x3000);
    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, DATA, 8, 0, 0);
    push_one(f, 0);
    virtio_queue_notify(f->vdev, 0);
    assert_int_equal(f->handled, 1);
}

static void test_self_loop(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 4, DATA, 8, VIRTQ_DESC_F_NEXT, 4);
    avail_add(f, QSIZE, 4);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "loop");
}

static void test_out_of_ram(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, 0xdead0000ULL, 8, 0, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "is not in RAM");
}

static void test_buffer_runs_off_ram(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    /* Starts in the second RAM block, ends past it. */
    put_desc(f, 0, RAM2_BASE + RAM2_SIZE - 16, 64, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "is not in RAM");
}

static void test_mmio_buffer(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, MMIO_BASE, 8, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "is not in RAM");
}

static void test_writable_rom_buffer(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, ROM_BASE, 8, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "writable buffer");
}

static void test_wrapping_address(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, UINT64_MAX - 10, 100, 0, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "wraps around");
}

static void test_bad_head(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    avail_add(f, QSIZE, QSIZE);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "names descriptor 16");
}

static void test_bad_next(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 0xffff);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "out of range");
}

static void test_huge_avail_idx(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    gw16(f, AVAIL + 2, 0x8000);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "available index moved from 0 to 32768");
}

static void test_avail_idx_jump_by_one_too_many(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, DATA, 8, 0, 0);
    gw16(f, AVAIL + 2, QSIZE);      /* exactly full: fine */
    assert_false(virtqueue_empty(q0(f)));
    for (unsigned i = 0; i < QSIZE; i++) {
        VirtQueueElement *e = virtqueue_pop(q0(f), sizeof(*e));

        assert_non_null(e);
        free(e);
    }
    gw16(f, AVAIL + 2, 2 * QSIZE + 1);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "available index moved");
}

static void test_write_then_read(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    put_desc(f, 1, DATA + 8, 8, 0, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, "device-readable descriptor after");
}

static void indirect_case(Fixture *f, uint64_t features, uint64_t table,
                          uint32_t len, uint16_t flags, const char *needle)
{
    driver_start(f, F_V1 | features, QSIZE);
    put_desc(f, 0, table, len, VIRTQ_DESC_F_INDIRECT | flags, 1);
    put_desc(f, 1, DATA, 8, 0, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(q0(f), sizeof(VirtQueueElement)));
    assert_broken(f, needle);
}

static void test_indirect_not_negotiated(void **state)
{
    Fixture *f = *state;

    put_desc_at(f, TABLE, 0, DATA, 8, 0, 0);
    indirect_case(f, 0, TABLE, 16, 0, "without VIRTIO_F_INDIRECT_DESC");
}

static void test_indirect_zero_len(void **state)
{
    indirect_case(*state, F_INDIRECT, TABLE, 0, 0, "indirect table size 0");
}

static void test_indirect_odd_len(void **state)
{
    indirect_case(*state, F_INDIRECT, TABLE, 17, 0,
                  "indirect table size 17");
}

static void test_indirect_huge_len(void **state)
{
    indirect_case(*state, F_INDIRECT, TABLE, 0xfffffff0u, 0,
                  "invalid indirect table size");
}

static void test_indirect_with_next(void **state)
{
    Fixture *f = *state;

    put_desc_at(f, TABLE, 0, DATA, 8, 0, 0);
    indirect_case(f, F_INDIRECT, TABLE, 16, VIRTQ_DESC_F_NEXT,
                  "both INDIRECT and NEXT");
}

static void test_indirect_out_of_ram(void **state)
{
    indirect_case(*state, F_INDIRECT, MMIO_BASE, 64, 0,
                  "indirect table at 0x20000000 is not in RAM");
}

static void test_indirect_nested(void **state)
{
    Fixture *f = *state;

    put_desc_at(f, TABLE, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
    put_desc_at(f, TABLE, 1, TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
    indirect_case(f, F_INDIRECT, TABLE, 32, 0, "nested indirect");
}

static void test_indirect_loop(void **state)
{
    Fixture *f = *state;

    put_desc_at(f, TABLE, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
    put_desc_at(f, TABLE, 1, DATA, 8, VIRTQ_DESC_F_NEXT, 0);
    indirect_case(f, F_INDIRECT, TABLE, 32, 0, "loop in indirect");
}

static void test_indirect_bad_next(void **state)
{
    Fixture *f = *state;

    put_desc_at(f, TABLE, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 2);
    indirect_case(f, F_INDIRECT, TABLE, 32, 0,
                  "indirect descriptor index 2 out of range");
}

static void ready_case(Fixture *f, unsigned num, uint64_t desc,
                       uint64_t avail, uint64_t used, const char *needle)
{
    VirtQueue *vq = q0(f);

    virtio_set_status(f->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK,
                      F_V1);
    virtio_set_status(f->vdev, f->vdev->status | VIRTIO_CONFIG_S_DRIVER_OK,
                      0);
    virtio_queue_set_num(vq, num);
    virtio_queue_set_rings(vq, desc, avail, used);
    virtio_queue_set_ready(vq, true);
    assert_broken(f, needle);
    assert_true(virtqueue_empty(vq));
    virtio_queue_notify(f->vdev, 0);
    assert_int_equal(f->handled, 0);
}

static void test_zero_size_queue(void **state)
{
    ready_case(*state, 0, DESC, AVAIL, USED, "invalid size 0");
}

static void test_odd_size_queue(void **state)
{
    ready_case(*state, 12, DESC, AVAIL, USED, "invalid size 12");
}

static void test_oversized_queue(void **state)
{
    ready_case(*state, 4096, DESC, AVAIL, USED, "invalid size 4096");
}

static void test_misaligned_ring(void **state)
{
    ready_case(*state, QSIZE, DESC + 8, AVAIL, USED, "misaligned ring");
}

static void test_ring_outside_ram(void **state)
{
    ready_case(*state, QSIZE, DESC, AVAIL, MMIO_BASE, "ring outside RAM");
}

static void test_ring_crossing_ram_end(void **state)
{
    /* The used ring would run off the end of the second block. */
    ready_case(*state, QSIZE, DESC, AVAIL, RAM2_BASE + RAM2_SIZE - 64,
               "ring outside RAM");
}

static void test_notify_bad_queue(void **state)
{
    Fixture *f = *state;

    driver_start(f, F_V1, QSIZE);
    virtio_queue_notify(f->vdev, 1);        /* exists, not ready: ignored */
    assert_false(f->vdev->broken);
    virtio_queue_notify(f->vdev, 0xffff);
    assert_broken(f, "nonexistent queue 65535");
}

static void test_legacy_broken_no_needs_reset(void **state)
{
    Fixture *f = *state;
    VirtQueue *vq = q0(f);

    f->bus.legacy = true;
    /* A legacy driver: features set directly, no FEATURES_OK check. */
    virtio_set_features(f->vdev, 0);
    virtio_set_status(f->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK, 0);
    virtio_queue_set_num(vq, QSIZE);
    virtio_queue_set_rings(vq, DESC, AVAIL, USED);
    virtio_queue_set_ready(vq, true);
    put_desc(f, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 0);
    avail_add(f, QSIZE, 0);
    assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_true(f->vdev->broken);
    /* Legacy drivers know no NEEDS_RESET: the status is left alone. */
    assert_false(f->vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    assert_logged(f, "loop");
}

static void test_stale_push_after_reset(void **state)
{
    Fixture *f = *state;
    VirtQueueElement *e;

    driver_start(f, F_V1, QSIZE);
    put_desc(f, 0, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, QSIZE, 0);
    e = virtqueue_pop(q0(f), sizeof(*e));
    assert_non_null(e);
    virtio_reset(f->vdev);
    driver_start(f, F_V1, QSIZE);
    gw16(f, USED + 2, 0);
    virtqueue_push(q0(f), e, 8);    /* from before the reset: dropped */
    free(e);
    assert_int_equal(used_idx(f), 0);
}

/* --- negotiation and config --- */

static void test_feature_negotiation(void **state)
{
    Fixture *f = *state;
    uint8_t base = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    assert_true(virtio_host_features(f->vdev) & F_V1);
    /* A feature never offered: FEATURES_OK does not stick. */
    virtio_set_status(f->vdev, base | VIRTIO_CONFIG_S_FEATURES_OK,
                      F_V1 | (1ULL << 40));
    assert_false(f->vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    assert_logged(f, "were not offered");
    /* A modern transport needs VERSION_1. */
    virtio_set_status(f->vdev, 0, 0);
    virtio_set_status(f->vdev, base | VIRTIO_CONFIG_S_FEATURES_OK,
                      F_INDIRECT);
    assert_false(f->vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    /* A valid set is kept. */
    virtio_set_status(f->vdev, 0, 0);
    virtio_set_status(f->vdev, base | VIRTIO_CONFIG_S_FEATURES_OK,
                      F_V1 | F_EVENT_IDX);
    assert_true(f->vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    assert_true(virtio_has_feature(f->vdev, VIRTIO_F_RING_EVENT_IDX));
    assert_false(virtio_has_feature(f->vdev, VIRTIO_F_RING_INDIRECT_DESC));
    /* Legacy transports offer no bit above 31. */
    f->bus.legacy = true;
    assert_false(virtio_host_features(f->vdev) & F_V1);
}

static void test_config_bounds(void **state)
{
    Fixture *f = *state;

    virtio_config_write(f->vdev, 4, 0x11223344, 4);
    assert_int_equal(virtio_config_read(f->vdev, 4, 4), 0x11223344);
    assert_int_equal(virtio_config_read(f->vdev, 6, 2), 0x1122);
    assert_int_equal(virtio_config_read(f->vdev, 7, 1), 0x11);
    assert_int_equal(virtio_config_read(f->vdev, 5, 4), UINT32_MAX);
    assert_int_equal(virtio_config_read(f->vdev, 8, 1), UINT32_MAX);
    assert_int_equal(virtio_config_read(f->vdev, 0xfffffffc, 4), UINT32_MAX);
    virtio_config_write(f->vdev, 6, 0xffffffff, 4);     /* ignored */
    assert_int_equal(virtio_config_read(f->vdev, 4, 4), 0x11223344);
}

static void test_iov_helpers(void **state)
{
    uint8_t a[3] = { 1, 2, 3 }, b[5] = { 4, 5, 6, 7, 8 }, out[8];
    struct iovec iov[2] = { { a, 3 }, { b, 5 } }, sl[2];
    unsigned n;

    assert_int_equal(virtio_iov_size(iov, 2), 8);
    assert_int_equal(virtio_iov_to_buf(iov, 2, 2, out, 4), 4);
    assert_memory_equal(out, ((uint8_t[]){ 3, 4, 5, 6 }), 4);
    assert_int_equal(virtio_iov_to_buf(iov, 2, 6, out, 10), 2);
    assert_int_equal(virtio_iov_from_buf(iov, 2, 7, "\x99\x98", 2), 1);
    assert_int_equal(b[4], 0x99);
    n = virtio_iov_slice(sl, 2, iov, 2, 1, 5);
    assert_int_equal(n, 2);
    assert_ptr_equal(sl[0].iov_base, a + 1);
    assert_int_equal(sl[0].iov_len, 2);
    assert_int_equal(sl[1].iov_len, 3);
}

/* ===================================================================
 * Transport and devices, through the virtio-mmio registers.
 * =================================================================== */

#define SLOT_BASE(n)    (0x10001000ULL + (n) * 0x1000ULL)
#define NR_SLOTS        4

typedef struct MmioFixture {
    Fixture f;                  /* memory and log, no test device */
    DeviceState *slots[NR_SLOTS];
    int irq[NR_SLOTS + 1];
    BlockBackend *blk;
    Chardev *chr;
    char img[64];
} MmioFixture;

static void mmio_set_irq(void *opaque, int n, int level)
{
    ((MmioFixture *)opaque)->irq[n] = level;
}

static void *mmio_resolve(void *opaque, PropType type, const char *id,
                          Error **errp)
{
    MmioFixture *mf = opaque;

    if (type == PROP_DRIVE && !strcmp(id, "d0") && mf->blk) {
        return mf->blk;
    }
    if (type == PROP_CHARDEV && !strcmp(id, "c0") && mf->chr) {
        return mf->chr;
    }
    error_setg(errp, "'%s' not found", id);
    return NULL;
}

static MmioFixture *mmio_fixture_new(bool legacy)
{
    MmioFixture *mf = xzalloc(sizeof(*mf));
    Machine *m;

    mf->f.m = m = machine_new_bare(&mf->f);
    m->links.resolve = mmio_resolve;
    m->links.opaque = mf;
    for (unsigned i = 0; i < NR_SLOTS; i++) {
        mf->slots[i] = virtio_mmio_create(m, SLOT_BASE(i),
                                          irq_line(mmio_set_irq, mf, i + 1),
                                          legacy ? VIRTIO_MMIO_LEGACY
                                                 : VIRTIO_MMIO_MODERN, NULL);
        assert_non_null(mf->slots[i]);
    }
    return mf;
}

static void mmio_fixture_free(MmioFixture *mf)
{
    machine_free_bare(&mf->f);
    if (mf->blk) {
        blk_unref(mf->blk);
        unlink(mf->img);
    }
    free(mf);
}

/* -device: plug into the first free slot, then realize. */
static DeviceState *add_device(MmioFixture *mf, const DeviceType *type,
                               const char *key, const char *value,
                               Error **errp)
{
    Machine *m = mf->f.m;
    DeviceState *dev = device_new(m, type);
    bool ok = !key || device_set_prop(dev, key, value, errp);

    if (ok) {
        ok = false;
        for (DeviceBus *b = m->buses; b && !ok; b = b->next) {
            if (b->kind == type->bus) {
                ok = b->plug(b, dev, errp);
            }
        }
    }
    if (!ok || !machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

static uint32_t mr32(MmioFixture *mf, unsigned slot, uint64_t off)
{
    uint64_t v;

    assert_int_equal(address_space_load(&mf->f.m->address_space,
                                        SLOT_BASE(slot) + off, 4, &v),
                     MEMTX_OK);
    return v;
}

static void mw32(MmioFixture *mf, unsigned slot, uint64_t off, uint32_t v)
{
    assert_int_equal(address_space_store(&mf->f.m->address_space,
                                         SLOT_BASE(slot) + off, 4, v),
                     MEMTX_OK);
}

/*
 * Bring up queue 0..nq-1 of the device in @slot like Linux does, modern
 * or legacy. Queue q's rings sit at DESC + q * 0x4000.
 */
static void mmio_driver_init(MmioFixture *mf, unsigned slot, bool legacy,
                             uint64_t want, unsigned nq, unsigned num)
{
    uint64_t feat;

    /* Linux sets GuestPageSize once at probe, before resetting the
     * device: the reset must keep it. */
    if (legacy) {
        mw32(mf, slot, 0x28, 4096);
    }
    mw32(mf, slot, 0x70, 0);
    mw32(mf, slot, 0x70, 1);
    mw32(mf, slot, 0x70, 3);
    mw32(mf, slot, 0x14, 0);
    feat = mr32(mf, slot, 0x10);
    mw32(mf, slot, 0x14, 1);
    feat |= (uint64_t)mr32(mf, slot, 0x10) << 32;
    want &= feat;
    mw32(mf, slot, 0x24, 0);
    mw32(mf, slot, 0x20, (uint32_t)want);
    mw32(mf, slot, 0x24, 1);
    mw32(mf, slot, 0x20, want >> 32);
    if (!legacy) {
        mw32(mf, slot, 0x70, 0xb);
        assert_int_equal(mr32(mf, slot, 0x70), 0xb);
    }
    for (unsigned q = 0; q < nq; q++) {
        uint64_t desc = DESC + q * 0x4000ULL;

        mw32(mf, slot, 0x30, q);
        assert_true(mr32(mf, slot, 0x34) >= num);
        mw32(mf, slot, 0x38, num);
        if (legacy) {
            assert_int_equal(mr32(mf, slot, 0x40), 0);
            mw32(mf, slot, 0x3c, 4096);
            mw32(mf, slot, 0x40, desc >> 12);
        } else {
            uint64_t avail = desc + 16 * num;
            uint64_t used = ALIGN_UP(avail + 6 + 2 * num, 4096);

            mw32(mf, slot, 0x80, (uint32_t)desc);
            mw32(mf, slot, 0x84, desc >> 32);
            mw32(mf, slot, 0x90, (uint32_t)avail);
            mw32(mf, slot, 0x94, avail >> 32);
            mw32(mf, slot, 0xa0, (uint32_t)used);
            mw32(mf, slot, 0xa4, used >> 32);
            mw32(mf, slot, 0x44, 1);
            assert_int_equal(mr32(mf, slot, 0x44), 1);
        }
    }
    mw32(mf, slot, 0x70, legacy ? 7 : 0xf);
}

/* Both layouts put the rings the same way for 4 KiB-aligned queues. */
static uint64_t q_avail(unsigned q, unsigned num)
{
    return DESC + q * 0x4000ULL + 16 * num;
}

static uint64_t q_used(unsigned q, unsigned num)
{
    return ALIGN_UP(q_avail(q, num) + 6 + 2 * num, 4096);
}

static void q_put_desc(Fixture *f, unsigned q, unsigned i, uint64_t addr,
                       uint32_t len, uint16_t flags, uint16_t next)
{
    put_desc_at(f, DESC + q * 0x4000ULL, i, addr, len, flags, next);
}

static void q_avail_add(Fixture *f, unsigned q, unsigned num, uint16_t head)
{
    uint64_t avail = q_avail(q, num);
    uint16_t idx = gr16(f, avail + 2);

    gw16(f, avail + 4 + 2 * (idx % num), head);
    gw16(f, avail + 2, idx + 1);
}

static uint16_t q_used_idx(Fixture *f, unsigned q, unsigned num)
{
    return gr16(f, q_used(q, num) + 2);
}

static void test_mmio_empty_slots(void **state)
{
    MmioFixture *mf = mmio_fixture_new(true);

    for (unsigned i = 0; i < NR_SLOTS; i++) {
        assert_int_equal(mr32(mf, i, 0x000), 0x74726976);
        assert_int_equal(mr32(mf, i, 0x004), 1);
        assert_int_equal(mr32(mf, i, 0x008), 0);    /* no device */
        assert_int_equal(mr32(mf, i, 0x00c), 0x554d4551);
        assert_int_equal(mr32(mf, i, 0x034), 0);
        mw32(mf, i, 0x070, 0xf);                    /* ignored */
        assert_int_equal(mr32(mf, i, 0x070), 0);
    }
    mmio_fixture_free(mf);
}

static void test_mmio_fill_order(void **state)
{
    MmioFixture *mf = mmio_fixture_new(false);

    /* As in QEMU, the last transport created takes the first device. */
    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    assert_int_equal(mr32(mf, NR_SLOTS - 1, 0x008), VIRTIO_ID_RNG);
    assert_int_equal(mr32(mf, 0, 0x008), 0);
    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    assert_int_equal(mr32(mf, NR_SLOTS - 2, 0x008), VIRTIO_ID_RNG);
    assert_int_equal(virtio_mmio_device_id(mf->slots[NR_SLOTS - 2]),
                     VIRTIO_ID_RNG);
    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    assert_int_equal(mr32(mf, 0, 0x008), VIRTIO_ID_RNG);
    /* Full: the machine would report "No 'virtio-bus' bus found". */
    assert_null(add_device(mf, &virtio_rng_device_type, NULL, NULL, NULL));
    mmio_fixture_free(mf);
}

static void test_mmio_registers(void **state)
{
    MmioFixture *mf = mmio_fixture_new(false);
    unsigned s = NR_SLOTS - 1;
    uint64_t v;

    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    assert_int_equal(mr32(mf, s, 0x004), 2);
    mw32(mf, s, 0x14, 1);
    assert_int_equal(mr32(mf, s, 0x10) & 1, 1);     /* VERSION_1 */
    mw32(mf, s, 0x14, 7);
    assert_int_equal(mr32(mf, s, 0x10), 0);
    /* No shared memory regions: length reads as -1. */
    assert_int_equal(mr32(mf, s, 0xb0), UINT32_MAX);
    assert_int_equal(mr32(mf, s, 0xb4), UINT32_MAX);
    /* Legacy-only register in the modern layout: logged, reads 0. */
    assert_int_equal(mr32(mf, s, 0x40), 0);
    assert_logged(&mf->f, "does not exist in the version 2 layout");
    /* A 16-bit access to a 32-bit register: logged, reads 0. */
    assert_int_equal(address_space_load(&mf->f.m->address_space,
                                        SLOT_BASE(s), 2, &v), MEMTX_OK);
    assert_int_equal(v, 0);
    assert_logged(&mf->f, "2-byte read");
    /* 8-byte accesses are refused by the bus. */
    assert_int_not_equal(address_space_load(&mf->f.m->address_space,
                                            SLOT_BASE(s), 8, &v), MEMTX_OK);
    /* Queue 1 of a 1-queue device does not exist. */
    mw32(mf, s, 0x30, 1);
    assert_int_equal(mr32(mf, s, 0x34), 0);
    mmio_fixture_free(mf);
}

static void rng_roundtrip(bool legacy)
{
    MmioFixture *mf = mmio_fixture_new(legacy);
    Fixture *f = &mf->f;
    unsigned s = NR_SLOTS - 1, num = 8;
    uint8_t buf[64], zero[64] = { 0 };
    uint32_t len;

    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    mmio_driver_init(mf, s, legacy, F_V1 | F_EVENT_IDX, 1, num);
    q_put_desc(f, 0, 0, DATA, sizeof(buf), VIRTQ_DESC_F_WRITE, 0);
    q_avail_add(f, 0, num, 0);
    mw32(mf, s, 0x50, 0);           /* QueueNotify */
    assert_int_equal(q_used_idx(f, 0, num), 1);
    len = gr32(f, q_used(0, num) + 8);
    assert_int_equal(len, sizeof(buf));
    gr(f, DATA, buf, sizeof(buf));
    assert_memory_not_equal(buf, zero, sizeof(buf));
    assert_int_equal(mf->irq[s + 1], 1);
    assert_int_equal(mr32(mf, s, 0x60), 1);
    mw32(mf, s, 0x64, 1);           /* InterruptACK */
    assert_int_equal(mf->irq[s + 1], 0);
    /* Guest reset through the status register. */
    mw32(mf, s, 0x70, 0);
    assert_int_equal(mr32(mf, s, 0x70), 0);
    mmio_fixture_free(mf);
}

static void test_mmio_rng_modern(void **state)
{
    rng_roundtrip(false);
}

static void test_mmio_rng_legacy(void **state)
{
    rng_roundtrip(true);
}

static void test_mmio_bad_guest_page_size(void **state)
{
    MmioFixture *mf = mmio_fixture_new(true);
    unsigned s = NR_SLOTS - 1;

    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    mw32(mf, s, 0x28, 3000);
    assert_logged(&mf->f, "GuestPageSize 3000");
    /* QueueAlign not a power of two: the device breaks on QueuePFN. */
    mw32(mf, s, 0x28, 4096);
    mw32(mf, s, 0x30, 0);
    mw32(mf, s, 0x38, 8);
    mw32(mf, s, 0x3c, 100);
    mw32(mf, s, 0x40, DESC >> 12);
    assert_logged(&mf->f, "QueueAlign 100");
    mmio_fixture_free(mf);
}

/* --- virtio-blk --- */

typedef struct BlkHdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
} BlkHdr;

static MmioFixture *blk_fixture(bool legacy, int flags, uint64_t size)
{
    MmioFixture *mf = mmio_fixture_new(legacy);
    Error *err = NULL;
    int fd;

    snprintf(mf->img, sizeof(mf->img), "/tmp/vireo-vq-XXXXXX");
    fd = mkstemp(mf->img);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
    mf->blk = blk_new_open(mf->img, "raw", flags, &err);
    assert_non_null(mf->blk);
    return mf;
}

/*
 * One virtio-blk request: header, optional data, status; completes it
 * (draining the backend as the main loop would) and returns the status.
 */
static int blk_request(MmioFixture *mf, unsigned slot, uint32_t type,
                       uint64_t sector, void *data, uint32_t len,
                       bool data_in)
{
    Fixture *f = &mf->f;
    unsigned num = 16;
    BlkHdr hdr = { .type = type, .sector = sector };
    uint16_t before = q_used_idx(f, 0, num);
    uint8_t status = 0xee;
    unsigned d = 0;

    gw(f, DATA, &hdr, sizeof(hdr));
    gw(f, DATA + 0x2000, &status, 1);
    if (data && !data_in) {
        gw(f, DATA + 0x1000, data, len);
    }
    q_put_desc(f, 0, d, DATA, sizeof(hdr), VIRTQ_DESC_F_NEXT, d + 1);
    d++;
    if (len) {
        q_put_desc(f, 0, d, DATA + 0x1000, len,
                   VIRTQ_DESC_F_NEXT | (data_in ? VIRTQ_DESC_F_WRITE : 0),
                   d + 1);
        d++;
    }
    q_put_desc(f, 0, d, DATA + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
    q_avail_add(f, 0, num, 0);
    mw32(mf, slot, 0x50, 0);
    blk_drain(mf->blk);
    assert_int_equal(q_used_idx(f, 0, num), (uint16_t)(before + 1));
    gr(f, DATA + 0x2000, &status, 1);
    if (data && data_in) {
        gr(f, DATA + 0x1000, data, len);
    }
    return status;
}

static uint8_t blk_cfg8(MmioFixture *mf, unsigned slot, unsigned off)
{
    uint64_t v;

    address_space_load(&mf->f.m->address_space, SLOT_BASE(slot) + 0x100 +
                       off, 1, &v);
    return v;
}

static void test_virtio_blk(void **state)
{
    MmioFixture *mf = blk_fixture(false, BDRV_O_RDWR | BDRV_O_UNMAP, 64 * KiB);
    unsigned s = NR_SLOTS - 1;
    uint8_t wbuf[1024], rbuf[1024], id[20];
    uint64_t feat;

    assert_non_null(add_device(mf, &virtio_blk_device_type, "drive", "d0",
                               NULL));
    assert_int_equal(mr32(mf, s, 0x008), VIRTIO_ID_BLOCK);
    assert_int_equal(mr32(mf, s, 0x100), 128);      /* capacity, sectors */
    assert_int_equal(mr32(mf, s, 0x104), 0);
    assert_int_equal(mr32(mf, s, 0x10c), 254);      /* seg_max */
    assert_int_equal(mr32(mf, s, 0x114), 512);      /* blk_size */
    mw32(mf, s, 0x14, 0);
    feat = mr32(mf, s, 0x10);
    assert_false(feat & (1u << 5));                 /* not read-only */
    assert_true(feat & (1u << 9));                  /* FLUSH */
    mmio_driver_init(mf, s, false, ~0ULL, 1, 16);
    assert_int_equal(blk_cfg8(mf, s, 32), 1);       /* writeback */

    for (unsigned i = 0; i < sizeof(wbuf); i++) {
        wbuf[i] = i * 13 + 1;
    }
    assert_int_equal(blk_request(mf, s, 1, 3, wbuf, sizeof(wbuf), false), 0);
    memset(rbuf, 0, sizeof(rbuf));
    assert_int_equal(blk_request(mf, s, 0, 3, rbuf, sizeof(rbuf), true), 0);
    assert_memory_equal(rbuf, wbuf, sizeof(rbuf));
    /* The bytes are in the image at sector 3. */
    assert_int_equal(blk_pread(mf->blk, 3 * 512, rbuf, sizeof(rbuf)), 0);
    assert_memory_equal(rbuf, wbuf, sizeof(rbuf));

    assert_int_equal(blk_request(mf, s, 4, 0, NULL, 0, false), 0); /* flush */
    /* Past the end, and straddling it: IOERR. */
    assert_int_equal(blk_request(mf, s, 0, 128, rbuf, 512, true), 1);
    assert_int_equal(blk_request(mf, s, 1, 127, wbuf, 1024, false), 1);
    assert_int_equal(blk_request(mf, s, 0, UINT64_MAX / 512, rbuf, 512,
                                 true), 1);
    /* Not a whole number of sectors: IOERR. */
    assert_int_equal(blk_request(mf, s, 0, 0, rbuf, 100, true), 1);
    /* Unknown request type: UNSUPP. */
    assert_int_equal(blk_request(mf, s, 0x77, 0, NULL, 0, false), 2);
    /* GET_ID: no serial set, zeros. */
    memset(id, 0xff, sizeof(id));
    assert_int_equal(blk_request(mf, s, 8, 0, id, sizeof(id), true), 0);
    assert_true(id[0] == 0 && id[19] == 0);

    /* WRITE_ZEROES over the data written above. */
    {
        struct {
            uint64_t sector;
            uint32_t num;
            uint32_t flags;
        } seg = { 3, 2, 0 };

        assert_int_equal(blk_request(mf, s, 13, 0, &seg, sizeof(seg),
                                     false), 0);
        assert_int_equal(blk_pread(mf->blk, 3 * 512, rbuf, sizeof(rbuf)), 0);
        for (unsigned i = 0; i < sizeof(rbuf); i++) {
            assert_int_equal(rbuf[i], 0);
        }
        /* DISCARD with the unmap flag is not allowed: UNSUPP. */
        seg.flags = 1;
        assert_int_equal(blk_request(mf, s, 11, 0, &seg, sizeof(seg),
                                     false), 2);
        seg.flags = 0;
        assert_int_equal(blk_request(mf, s, 11, 0, &seg, sizeof(seg),
                                     false), 0);
        seg.sector = 127;
        assert_int_equal(blk_request(mf, s, 11, 0, &seg, sizeof(seg),
                                     false), 1);
    }
    assert_false(mr32(mf, s, 0x70) & VIRTIO_CONFIG_S_NEEDS_RESET);

    /* A request with no status byte breaks the device. */
    {
        Fixture *f = &mf->f;
        BlkHdr hdr = { 0 };

        gw(f, DATA, &hdr, sizeof(hdr));
        q_put_desc(f, 0, 0, DATA, sizeof(hdr), 0, 0);
        q_avail_add(f, 0, 16, 0);
        mw32(mf, s, 0x50, 0);
        assert_true(mr32(mf, s, 0x70) & VIRTIO_CONFIG_S_NEEDS_RESET);
        assert_true(mr32(mf, s, 0x60) & VIRTIO_ISR_CONFIG);
        assert_logged(f, "request without header or status byte");
    }
    mmio_fixture_free(mf);
}

static void test_virtio_blk_read_only(void **state)
{
    MmioFixture *mf = blk_fixture(true, 0, 64 * KiB);
    unsigned s = NR_SLOTS - 1;
    uint8_t buf[512] = { 1 };

    assert_non_null(add_device(mf, &virtio_blk_device_type, "drive", "d0",
                               NULL));
    mw32(mf, s, 0x14, 0);
    assert_true(mr32(mf, s, 0x10) & (1u << 5));     /* VIRTIO_BLK_F_RO */
    mmio_driver_init(mf, s, true, ~0ULL, 1, 16);    /* legacy this time */
    assert_int_equal(blk_request(mf, s, 1, 0, buf, sizeof(buf), false), 1);
    assert_int_equal(blk_request(mf, s, 0, 0, buf, sizeof(buf), true), 0);
    mmio_fixture_free(mf);
}

static void test_virtio_blk_needs_drive(void **state)
{
    MmioFixture *mf = mmio_fixture_new(false);
    Error *err = NULL;

    assert_null(add_device(mf, &virtio_blk_device_type, NULL, NULL, &err));
    assert_non_null(strstr(error_get_pretty(err), "drive property not set"));
    error_free(err);
    /* The failed device left its slot free. */
    assert_non_null(add_device(mf, &virtio_rng_device_type, NULL, NULL,
                               NULL));
    assert_int_equal(mr32(mf, NR_SLOTS - 1, 0x008), VIRTIO_ID_RNG);
    mmio_fixture_free(mf);
}

/* --- virtio-serial + virtconsole over a fake chardev --- */

typedef struct FakeChr {
    Chardev chr;
    char out[256];
    size_t out_len;
    unsigned accept_calls;
} FakeChr;

static int fake_chr_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    FakeChr *c = container_of(chr, FakeChr, chr);
    size_t n = MIN(len, sizeof(c->out) - c->out_len);

    memcpy(c->out + c->out_len, buf, n);
    c->out_len += n;
    return len;
}

static void fake_chr_accept(Chardev *chr)
{
    container_of(chr, FakeChr, chr)->accept_calls++;
}

static const ChardevType fake_chr_type = {
    .name = "fake",
    .instance_size = sizeof(FakeChr),
    .write = fake_chr_write,
    .accept_input = fake_chr_accept,
};

/* Queue numbers: port0 rx 0, tx 1; control rx 2, tx 3. */
static void ctrl_send(MmioFixture *mf, unsigned s, uint32_t id,
                      uint16_t event, uint16_t value)
{
    Fixture *f = &mf->f;
    uint8_t msg[8];

    memcpy(msg, &id, 4);
    memcpy(msg + 4, &event, 2);
    memcpy(msg + 6, &value, 2);
    gw(f, DATA + 0x3000, msg, 8);
    q_put_desc(f, 3, 0, DATA + 0x3000, 8, 0, 0);
    q_avail_add(f, 3, 8, 0);
    mw32(mf, s, 0x50, 3);
}

/* Control messages the device sent (queue 2, buffers at DATA+0x4000+). */
static unsigned ctrl_received(MmioFixture *mf, unsigned from,
                              uint16_t *events, uint32_t *ids, unsigned max)
{
    Fixture *f = &mf->f;
    unsigned n = 0;
    uint16_t used = q_used_idx(f, 2, 8);

    for (unsigned i = from; i < used && n < max; i++, n++) {
        uint32_t head = gr32(f, q_used(2, 8) + 4 + 8 * (i % 8));

        ids[n] = gr32(f, DATA + 0x4000 + head * 64);
        events[n] = gr16(f, DATA + 0x4000 + head * 64 + 4);
    }
    return n;
}

static void test_virtio_console(void **state)
{
    MmioFixture *mf = mmio_fixture_new(false);
    Fixture *f = &mf->f;
    FakeChr *chr = xzalloc(sizeof(*chr));
    unsigned s = NR_SLOTS - 1;
    uint16_t events[16];
    uint32_t ids[16];
    unsigned n;

    chr->chr.type = &fake_chr_type;
    chr->chr.id = "c0";
    mf->chr = &chr->chr;
    assert_non_null(add_device(mf, &virtio_serial_device_type, NULL, NULL,
                               NULL));
    assert_non_null(add_device(mf, &virtconsole_type, "chardev", "c0",
                               NULL));
    assert_int_equal(mr32(mf, s, 0x008), VIRTIO_ID_CONSOLE);
    mw32(mf, s, 0x14, 0);
    assert_true(mr32(mf, s, 0x10) & 2);             /* MULTIPORT */
    assert_int_equal(mr32(mf, s, 0x104), 31);       /* max_nr_ports */
    mmio_driver_init(mf, s, false, ~0ULL, 4, 8);

    /* Control receive buffers, then DEVICE_READY. */
    for (unsigned i = 0; i < 8; i++) {
        q_put_desc(f, 2, i, DATA + 0x4000 + i * 64, 64, VIRTQ_DESC_F_WRITE,
                   0);
        q_avail_add(f, 2, 8, i);
    }
    mw32(mf, s, 0x50, 2);
    ctrl_send(mf, s, 0, 0 /* DEVICE_READY */, 1);
    n = ctrl_received(mf, 0, events, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(events[0], 1);                 /* DEVICE_ADD */
    assert_int_equal(ids[0], 0);
    /* PORT_READY → CONSOLE_PORT, PORT_OPEN (the chardev is open). */
    ctrl_send(mf, s, 0, 3 /* PORT_READY */, 1);
    n = ctrl_received(mf, 1, events, ids, 16);
    assert_int_equal(n, 2);
    assert_int_equal(events[0], 4);
    assert_int_equal(events[1], 6);

    /* Input before the guest opens the port is not accepted. */
    assert_int_equal(chardev_fe_can_read(&chr->chr), 0);
    ctrl_send(mf, s, 0, 6 /* PORT_OPEN */, 1);
    assert_true(chardev_fe_can_read(&chr->chr) > 0);

    /* Guest output reaches the chardev. */
    gw(f, DATA + 0x5000, "hello", 5);
    q_put_desc(f, 1, 0, DATA + 0x5000, 5, 0, 0);
    q_avail_add(f, 1, 8, 0);
    mw32(mf, s, 0x50, 1);
    assert_int_equal(chr->out_len, 5);
    assert_memory_equal(chr->out, "hello", 5);

    /* Input with no receive buffer waits; none is lost. */
    chardev_fe_read(&chr->chr, (const uint8_t *)"abcdef", 6);
    assert_int_equal(q_used_idx(f, 0, 8), 0);
    assert_int_equal(chardev_fe_can_read(&chr->chr), 4096 - 6);
    /* A 4-byte buffer takes "abcd"; the next one gets "ef". */
    q_put_desc(f, 0, 0, DATA + 0x6000, 4, VIRTQ_DESC_F_WRITE, 0);
    q_avail_add(f, 0, 8, 0);
    mw32(mf, s, 0x50, 0);
    assert_int_equal(q_used_idx(f, 0, 8), 1);
    q_put_desc(f, 0, 1, DATA + 0x6010, 16, VIRTQ_DESC_F_WRITE, 0);
    q_avail_add(f, 0, 8, 1);
    mw32(mf, s, 0x50, 0);
    assert_int_equal(q_used_idx(f, 0, 8), 2);
    {
        char got[8] = { 0 };

        gr(f, DATA + 0x6000, got, 4);
        gr(f, DATA + 0x6010, got + 4, 2);
        assert_memory_equal(got, "abcdef", 6);
        assert_int_equal(gr32(f, q_used(0, 8) + 8 + 8), 2);
    }
    assert_int_equal(chardev_fe_can_read(&chr->chr), 4096);
    assert_true(chr->accept_calls > 0);

    /* Control event for a port that does not exist: logged only. */
    ctrl_send(mf, s, 9, 3, 1);
    assert_logged(f, "nonexistent port 9");
    assert_false(mr32(mf, s, 0x70) & VIRTIO_CONFIG_S_NEEDS_RESET);

    mmio_fixture_free(mf);
    free(chr);
}

/* --- the "-device" path: machine_add_device() with option strings --- */

static const DeviceType *const *const test_device_tables[] = {
    virtio_device_types,
    NULL,
};

static const SystemTarget test_target = {
    .arch = "test",
    .device_tables = test_device_tables,
};

static DeviceState *cli_device(MmioFixture *mf, const char *spec,
                               Error **errp)
{
    DeviceState *dev = NULL;
    OptList opts;

    if (opts_parse(&opts, "-device", spec, "driver", errp)) {
        dev = machine_add_device(mf->f.m, &opts, errp);
    }
    opts_free(&opts);
    return dev;
}

static void cli_expect_error(MmioFixture *mf, const char *spec,
                             const char *needle)
{
    Error *err = NULL;

    assert_null(cli_device(mf, spec, &err));
    if (!err || !strstr(error_get_pretty(err), needle)) {
        fail_msg("-device %s: expected \"%s\", got \"%s\"", spec, needle,
                 err ? error_get_pretty(err) : "success");
    }
    error_free(err);
}

static void test_cli_devices(void **state)
{
    MmioFixture *mf = blk_fixture(true, BDRV_O_RDWR, 64 * KiB);
    FakeChr *chr = xzalloc(sizeof(*chr));
    Error *err = NULL;

    chr->chr.type = &fake_chr_type;
    chr->chr.id = "c0";
    mf->chr = &chr->chr;
    mf->f.m->target = &test_target;
    blk_set_name(mf->blk, "d0");

    /* -drive if=virtio: the board's helper plugs a virtio-blk-device. */
    assert_non_null(virtio_blk_add_for_drive(mf->f.m, mf->blk, &err));
    assert_int_equal(mr32(mf, NR_SLOTS - 1, 0x008), VIRTIO_ID_BLOCK);
    cli_expect_error(mf, "virtio-blk-device,drive=d0", "it's in use");
    cli_expect_error(mf, "virtio-blk-device,drive=nope", "'nope' not found");
    cli_expect_error(mf, "virtio-blk-device,drive=d0,queue-size=100",
                     "queue-size");

    /* Ports need a virtio-serial device first. */
    cli_expect_error(mf, "virtconsole,chardev=c0",
                     "No 'virtio-serial-bus' bus found");
    assert_non_null(cli_device(mf, "virtio-serial-device", NULL));
    assert_int_equal(mr32(mf, NR_SLOTS - 2, 0x008), VIRTIO_ID_CONSOLE);
    cli_expect_error(mf, "virtserialport,nr=0",
                     "reserved for virtconsole devices");
    assert_non_null(cli_device(mf, "virtconsole,chardev=c0", NULL));
    cli_expect_error(mf, "virtconsole,chardev=c0", "already in use");
    cli_expect_error(mf, "virtserialport,nr=0", "A port already exists");
    cli_expect_error(mf, "virtserialport,nr=31", "Out-of-range port id");
    assert_non_null(cli_device(mf, "virtserialport,name=org.test.0",
                               NULL));
    assert_non_null(cli_device(mf, "virtserialport,nr=5", NULL));
    cli_expect_error(mf, "virtserialport,nr=5", "A port already exists");
    assert_non_null(cli_device(mf, "virtio-rng-device", NULL));
    cli_expect_error(mf, "virtio-mmio", "not");

    mmio_fixture_free(mf);
    free(chr);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_simple_chain),
        T(test_many_and_order),
        T(test_zero_length_and_full_length_chain),
        T(test_buffer_across_ram_blocks),
        T(test_readable_rom_buffer),
        T(test_indirect),
        cmocka_unit_test(test_event_idx_arithmetic),
        T(test_event_idx_device),
        T(test_event_idx_wraparound),
        T(test_no_interrupt_flag),
        T(test_loop),
        T(test_self_loop),
        T(test_out_of_ram),
        T(test_buffer_runs_off_ram),
        T(test_mmio_buffer),
        T(test_writable_rom_buffer),
        T(test_wrapping_address),
        T(test_bad_head),
        T(test_bad_next),
        T(test_huge_avail_idx),
        T(test_avail_idx_jump_by_one_too_many),
        T(test_write_then_read),
        T(test_indirect_not_negotiated),
        T(test_indirect_zero_len),
        T(test_indirect_odd_len),
        T(test_indirect_huge_len),
        T(test_indirect_with_next),
        T(test_indirect_out_of_ram),
        T(test_indirect_nested),
        T(test_indirect_loop),
        T(test_indirect_bad_next),
        T(test_zero_size_queue),
        T(test_odd_size_queue),
        T(test_oversized_queue),
        T(test_misaligned_ring),
        T(test_ring_outside_ram),
        T(test_ring_crossing_ram_end),
        T(test_notify_bad_queue),
        T(test_legacy_broken_no_needs_reset),
        T(test_stale_push_after_reset),
        T(test_feature_negotiation),
        T(test_config_bounds),
        cmocka_unit_test(test_iov_helpers),
        cmocka_unit_test(test_mmio_empty_slots),
        cmocka_unit_test(test_mmio_fill_order),
        cmocka_unit_test(test_mmio_registers),
        cmocka_unit_test(test_mmio_rng_modern),
        cmocka_unit_test(test_mmio_rng_legacy),
        cmocka_unit_test(test_mmio_bad_guest_page_size),
        cmocka_unit_test(test_virtio_blk),
        cmocka_unit_test(test_virtio_blk_read_only),
        cmocka_unit_test(test_virtio_blk_needs_drive),
        cmocka_unit_test(test_virtio_console),
        cmocka_unit_test(test_cli_devices),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
