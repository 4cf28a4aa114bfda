/*
 * hw/core/machine.c — assembling a machine from a VmConfig and running it
 * (see hw/core/machine.h for the order of assembly).
 *
 * Requests that arrive from vCPU threads or signal handlers (guest
 * power-off, reset, Ctrl-A x) only set an atomic field and schedule a
 * bottom half; the main loop does the actual work with the BQL held.
 */
#include "hw/core/machine.h"
#include "gdbstub/gdbstub.h"
#include "hw/core/cpu.h"
#include "block/block.h"
#include "chardev/chardev.h"
#include "core/main-loop.h"
#include "net/net.h"
#include "util/error.h"

typedef struct MachineBackend {
    PropType kind;
    char *id;
    void *object;
    struct MachineBackend *next;
} MachineBackend;

static const char *const shutdown_cause_names[] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
};

static const char *const run_state_names[] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_DEBUG] = "debug",
    [RUN_STATE_SHUTDOWN] = "shutdown",
};

const char *shutdown_cause_name(ShutdownCause cause)
{
    return (unsigned)cause < ARRAY_SIZE(shutdown_cause_names)
           ? shutdown_cause_names[cause] : "none";
}

const char *run_state_name(RunState state)
{
    return (unsigned)state < ARRAY_SIZE(run_state_names)
           ? run_state_names[state] : "unknown";
}

/* --- the binary's tables --- */

const DeviceType *const *const *machine_device_tables(const SystemTarget *t)
{
    return t->device_tables;
}

const MachineType *machine_type_find(const SystemTarget *t, const char *name)
{
    for (const MachineType *const *mt = t->machines; *mt; mt++) {
        if (!strcmp((*mt)->name, name)) {
            return *mt;
        }
    }
    return NULL;
}

const MachineType *machine_type_default(const SystemTarget *t)
{
    for (const MachineType *const *mt = t->machines; *mt; mt++) {
        if ((*mt)->is_default) {
            return *mt;
        }
    }
    return NULL;
}

const CPUModel *cpu_model_find(const SystemTarget *t, const char *name)
{
    for (const CPUModel *m = t->cpu_models; m && m->name; m++) {
        if (!strcmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

const AccelType *accel_type_find(const SystemTarget *t, const char *name)
{
    for (const AccelType *const *a = t->accels; *a; a++) {
        if (!strcmp((*a)->name, name)) {
            return *a;
        }
    }
    return NULL;
}

/* --- backends and link properties --- */

static const char *backend_kind_name(PropType kind)
{
    switch (kind) {
    case PROP_CHARDEV:
        return "Chardev";
    case PROP_DRIVE:
        return "Drive";
    default:
        return "Netdev";
    }
}

bool machine_add_backend(Machine *m, PropType kind, const char *id,
                         void *backend, Error **errp)
{
    MachineBackend *b;

    if (machine_find_backend(m, kind, id)) {
        error_setg(errp, "Duplicate ID '%s' for %s", id,
                   kind == PROP_CHARDEV ? "chardev"
                   : kind == PROP_DRIVE ? "drive" : "netdev");
        return false;
    }
    b = XNEW(MachineBackend);
    b->kind = kind;
    b->id = xstrdup(id);
    b->object = backend;
    b->next = m->backends;
    m->backends = b;
    return true;
}

void machine_foreach_backend(Machine *m, PropType kind,
                             void (*fn)(void *backend, const char *id,
                                        void *opaque),
                             void *opaque)
{
    size_t n = 0, i = 0;
    MachineBackend **list;

    /* The list is newest first; report in creation order. */
    for (MachineBackend *b = m->backends; b; b = b->next) {
        n++;
    }
    list = XNEW_ARRAY(MachineBackend *, n ? n : 1);
    for (MachineBackend *b = m->backends; b; b = b->next) {
        list[n - 1 - i++] = b;
    }
    for (i = 0; i < n; i++) {
        if (list[i]->kind == kind) {
            fn(list[i]->object, list[i]->id, opaque);
        }
    }
    free(list);
}

void *machine_find_backend(Machine *m, PropType kind, const char *id)
{
    for (MachineBackend *b = m->backends; b; b = b->next) {
        if (b->kind == kind && !strcmp(b->id, id)) {
            return b->object;
        }
    }
    return NULL;
}

static void *machine_resolve_link(void *opaque, PropType type,
                                  const char *id, Error **errp)
{
    Machine *m = opaque;
    void *obj = machine_find_backend(m, type, id);

    if (!obj) {
        error_setg(errp, "%s '%s' not found", backend_kind_name(type), id);
    }
    return obj;
}

Chardev *machine_serial_hd(Machine *m, unsigned index)
{
    return index < m->nr_serial_hds ? m->serial_hds[index] : NULL;
}

/* --- devices --- */

void machine_add_bus(Machine *m, DeviceBus *bus)
{
    DeviceBus **p = &m->buses;

    while (*p) {
        p = &(*p)->next;
    }
    bus->next = NULL;
    *p = bus;
}

static bool machine_plug_device(Machine *m, DeviceState *dev, Error **errp)
{
    Error *last = NULL;

    if (dev->type->bus == DEVICE_BUS_NONE ||
        dev->type->bus == DEVICE_BUS_SYSTEM) {
        return m->type->plug && dev->type->bus == DEVICE_BUS_SYSTEM
               ? m->type->plug(m, dev, errp) : true;
    }
    for (DeviceBus *bus = m->buses; bus; bus = bus->next) {
        if (bus->kind != dev->type->bus) {
            continue;
        }
        error_free(last);
        last = NULL;
        if (bus->plug(bus, dev, &last)) {
            return true;
        }
    }
    if (last) {
        error_propagate(errp, last);
    } else {
        error_setg(errp, "No '%s' bus found for device '%s'",
                   dev->type->bus == DEVICE_BUS_VIRTIO ? "virtio-bus"
                   : "virtio-serial-bus", dev->type->name);
    }
    return false;
}

bool machine_realize_device(Machine *m, DeviceState *dev, Error **errp)
{
    if (!device_realize(dev, errp)) {
        return false;
    }
    *m->devices_tail = dev;
    m->devices_tail = &dev->next;
    return true;
}

DeviceState *machine_new_device(Machine *m, const char *type_name)
{
    const DeviceType *type =
        device_type_find(machine_device_tables(m->target), type_name);

    return type ? device_new(m, type) : NULL;
}

DeviceState *machine_add_device(Machine *m, OptList *opts, Error **errp)
{
    static const char *const skip[] = { "driver", "id", NULL };
    const char *driver = opts_get(opts, "driver");
    const char *id = opts_get(opts, "id");
    const DeviceType *type;
    DeviceState *dev;

    if (!driver) {
        error_setg(errp, "%s: Parameter 'driver' is missing", opts->origin);
        return NULL;
    }
    type = device_type_find(machine_device_tables(m->target), driver);
    if (!type) {
        error_setg(errp, "%s: '%s' is not a valid device model name",
                   opts->origin, driver);
        return NULL;
    }
    if (!type->user_creatable) {
        error_setg(errp, "%s: Parameter 'driver' expects a pluggable device "
                   "type ('%s' is not)", opts->origin, driver);
        return NULL;
    }
    dev = device_new(m, type);
    if (id) {
        dev->id = xstrdup(id);
    }
    if (!props_apply_opts(dev, type->props, opts, skip, &m->links,
                          type->name, errp) ||
        !machine_plug_device(m, dev, errp) ||
        !machine_realize_device(m, dev, errp)) {
        if (errp && *errp && !strstr(error_get_pretty(*errp), opts->origin)) {
            error_prepend(errp, "%s: ", opts->origin);
        }
        device_free(dev);
        return NULL;
    }
    return dev;
}

/* --- assembly --- */

static void machine_handle_requests(void *opaque);

static bool machine_init_ram(Machine *m, Error **errp)
{
    if (!m->ram_size) {
        return true;
    }
    if (m->type->max_ram_size && m->ram_size > m->type->max_ram_size) {
        error_setg(errp, "-m %" PRIu64 "M: machine '%s' supports at most "
                   "%" PRIu64 "M of RAM", m->ram_size / MiB, m->type->name,
                   m->type->max_ram_size / MiB);
        return false;
    }
    if (!memory_region_init_ram(&m->ram, "ram", m->ram_size, errp)) {
        error_prepend(errp, "-m %" PRIu64 "M: ", m->ram_size / MiB);
        return false;
    }
    return true;
}

Machine *machine_create(const SystemTarget *target, const VmConfig *config,
                        Error **errp)
{
    const MachineType *type = config->machine_type;
    Machine *m = xzalloc(MAX(type->instance_size, sizeof(Machine)));
    static const char *const machine_skip[] = { "type", NULL };

    m->type = type;
    m->target = target;
    m->config = config;
    m->devices_tail = &m->devices;
    m->links.resolve = machine_resolve_link;
    m->links.opaque = m;
    m->run_state = RUN_STATE_PRELAUNCH;
    log_init(&m->log);
    m->log.mask = config->log_mask;
    if (config->log_file && !log_set_file(&m->log, config->log_file, errp)) {
        goto fail;
    }

    m->loop = main_loop_new(errp);
    if (!m->loop) {
        goto fail;
    }
    m->request_bh = bh_new(m->loop, machine_handle_requests, m);

    props_set_defaults(m, type->props);
    if (!props_apply_opts(m, type->props, (OptList *)&config->machine,
                          machine_skip, NULL, type->name, errp)) {
        goto fail;
    }

    m->ram_size = config->ram_size ? config->ram_size : type->default_ram_size;
    m->nr_cpus = config->smp.cpus ? config->smp.cpus : 1;
    if (type->max_cpus && m->nr_cpus > type->max_cpus) {
        error_setg(errp, "-smp %u: Invalid SMP CPUs %u. The max CPUs "
                   "supported by machine '%s' is %u", m->nr_cpus, m->nr_cpus,
                   type->name, type->max_cpus);
        goto fail;
    }

    memory_region_init_container(&m->system_memory, "system", UINT64_MAX);
    address_space_init(&m->address_space, &m->system_memory, "memory");
    if (!machine_init_ram(m, errp)) {
        goto fail;
    }
    return m;

fail:
    machine_destroy(m);
    return NULL;
}

void machine_reset(Machine *m)
{
    /* CPUs first, so devices such as the generic loader can then set a
     * CPU's entry point. */
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        if (m->cpus && m->cpus[i] && m->cpus[i]->ops->reset) {
            m->cpus[i]->ops->reset(m->cpus[i]);
        }
    }
    for (DeviceState *dev = m->devices; dev; dev = dev->next) {
        device_reset(dev);
    }
    if (m->type->reset) {
        m->type->reset(m);
    }
}

bool machine_start(Machine *m, Error **errp)
{
    machine_reset(m);
    if (m->config->start_stopped) {
        /* -S: "prelaunch" until the first cont, as QEMU reports it. */
        m->run_state = RUN_STATE_PRELAUNCH;
        clock_virtual_pause(m->loop);
    } else {
        m->run_state = RUN_STATE_RUNNING;
    }
    if (m->accel && m->accel->start_vcpus && m->nr_cpus && m->cpus &&
        !m->accel->start_vcpus(m, errp)) {
        return false;
    }
    return true;
}

/* --- run-state notifiers --- */

void machine_add_notifier(Machine *m, MachineNotifier *n)
{
    MachineNotifier **p = &m->notifiers;

    while (*p) {
        p = &(*p)->next;
    }
    n->next = NULL;
    *p = n;
}

void machine_remove_notifier(Machine *m, MachineNotifier *n)
{
    for (MachineNotifier **p = &m->notifiers; *p; p = &(*p)->next) {
        if (*p == n) {
            *p = n->next;
            return;
        }
    }
}

static void machine_notify(Machine *m, MachineEvent event,
                           ShutdownCause cause)
{
    MachineNotifier *n = m->notifiers;

    while (n) {
        MachineNotifier *next = n->next;    /* @n may remove itself */

        n->notify(n, event, cause);
        n = next;
    }
}

void machine_request_powerdown(Machine *m)
{
    machine_notify(m, MACHINE_EVENT_POWERDOWN, SHUTDOWN_CAUSE_NONE);
}

/*
 * Pause/resume without telling anyone: a reset stops the vCPUs around
 * machine_reset() and QEMU sends no STOP/RESUME for that, and a shutdown
 * sends SHUTDOWN rather than STOP.
 */
static bool machine_pause(Machine *m, RunState state)
{
    if (m->run_state != RUN_STATE_RUNNING) {
        m->run_state = state == RUN_STATE_RUNNING ? m->run_state : state;
        return false;
    }
    if (m->accel && m->accel->pause_vcpus) {
        m->accel->pause_vcpus(m);
    }
    clock_virtual_pause(m->loop);
    m->run_state = state;
    return true;
}

static bool machine_resume(Machine *m)
{
    if (m->run_state == RUN_STATE_RUNNING ||
        m->run_state == RUN_STATE_SHUTDOWN) {
        return false;
    }
    clock_virtual_resume(m->loop);
    m->run_state = RUN_STATE_RUNNING;
    if (m->accel && m->accel->resume_vcpus) {
        m->accel->resume_vcpus(m);
    }
    return true;
}

void vm_stop(Machine *m, RunState state)
{
    if (machine_pause(m, state) && state != RUN_STATE_SHUTDOWN) {
        machine_notify(m, MACHINE_EVENT_STOP, SHUTDOWN_CAUSE_NONE);
    }
}

void vm_start(Machine *m)
{
    if (machine_resume(m)) {
        machine_notify(m, MACHINE_EVENT_RESUME, SHUTDOWN_CAUSE_NONE);
    }
}

void machine_request_shutdown(Machine *m, ShutdownCause cause,
                              int exit_status)
{
    atomic_store(&m->exit_status, exit_status);
    atomic_store(&m->shutdown_request, cause ? cause
                                             : SHUTDOWN_CAUSE_HOST_ERROR);
    bh_schedule(m->request_bh);
}

void machine_request_reset(Machine *m, ShutdownCause cause)
{
    atomic_store(&m->reset_request, cause ? cause : SHUTDOWN_CAUSE_HOST_ERROR);
    bh_schedule(m->request_bh);
}

/* Main loop, BQL held: carry out shutdown and reset requests. */
static void machine_handle_requests(void *opaque)
{
    Machine *m = opaque;
    int reset = atomic_exchange(&m->reset_request, 0);
    int shutdown;

    if (reset && m->config->no_reboot) {
        /* -no-reboot: a guest reset ends the process instead. */
        machine_request_shutdown(m, reset, 0);
        reset = 0;
    }
    shutdown = atomic_load(&m->shutdown_request);
    if (shutdown) {
        if (m->run_state != RUN_STATE_SHUTDOWN) {
            machine_pause(m, RUN_STATE_SHUTDOWN);
            m->run_state = RUN_STATE_SHUTDOWN;
            machine_notify(m, MACHINE_EVENT_SHUTDOWN, shutdown);
        }
        main_loop_quit(m->loop);
        return;
    }
    if (reset) {
        bool was_running = m->run_state == RUN_STATE_RUNNING;

        machine_pause(m, RUN_STATE_PAUSED);
        machine_reset(m);
        machine_notify(m, MACHINE_EVENT_RESET, reset);
        if (was_running) {
            machine_resume(m);
        }
    }
}

int machine_run(Machine *m)
{
    bql_lock(m->loop);
    while (!main_loop_should_quit(m->loop)) {
        main_loop_wait(m->loop, -1);
    }
    if (m->run_state != RUN_STATE_SHUTDOWN) {
        machine_pause(m, RUN_STATE_SHUTDOWN);
    }
    bql_unlock(m->loop);
    return atomic_load(&m->exit_status);
}

void machine_destroy(Machine *m)
{
    if (!m) {
        return;
    }
    /* First, while the CPUs exist: gdb learns the exit status. */
    gdbserver_stop(m, atomic_load(&m->exit_status));
    if (m->accel && m->accel->destroy) {
        m->accel->destroy(m);
    }
    for (unsigned i = 0; m->cpus && i < m->nr_cpus; i++) {
        if (m->cpus[i]) {
            if (m->cpus[i]->ops->finalize) {
                m->cpus[i]->ops->finalize(m->cpus[i]);
            }
            cpu_common_finalize(m->cpus[i]);
            free(m->cpus[i]);   /* the CPUState starts the target's struct */
        }
    }
    free(m->cpus);
    m->cpus = NULL;
    while (m->devices) {
        DeviceState *dev = m->devices;
        m->devices = dev->next;
        device_free(dev);
    }
    while (m->backends) {
        MachineBackend *b = m->backends;
        m->backends = b->next;
        if (b->kind == PROP_CHARDEV) {
            chardev_free(b->object);
        } else if (b->kind == PROP_DRIVE) {
            blk_unref(b->object);
        }
        free(b->id);
        free(b);
    }
    /* Netdevs were registered above but are owned by the network. */
    net_state_free(m->net);
    m->net = NULL;
    free(m->serial_hds);
    if (m->address_space.root) {
        address_space_destroy(&m->address_space);
        memory_region_finalize(&m->system_memory);
    }
    if (m->ram.name) {
        memory_region_finalize(&m->ram);
    }
    if (m->type->finalize) {
        m->type->finalize(m);
    }
    if (m->request_bh) {
        bh_delete(m->request_bh);
    }
    if (m->loop) {
        main_loop_free(m->loop);
    }
    props_release(m, m->type->props);
    free(m->accel_state);
    log_close(&m->log);
    free(m);
}
