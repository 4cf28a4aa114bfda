/*
 * hw/core/machine.h — what a system emulator binary is made of, and the
 * running machine.
 *
 * A binary (vireo-system-riscv64, vireo-system-x86_64) links exactly one
 * SystemTarget: its const tables of machine types, CPU models, devices and
 * accelerators. The command line is parsed into a VmConfig, checked
 * against those tables, and then assembled into a Machine: backends
 * first (chardevs, drives, netdevs), then the board (MachineType.init
 * creates RAM, CPUs and on-board devices), then -device devices, then
 * reset, then the accelerator's vCPU threads start.
 *
 * All mutable state of a running VM hangs off the Machine: its log, main
 * loop, memory map, CPUs, devices and backends.
 */
#ifndef HW_CORE_MACHINE_H
#define HW_CORE_MACHINE_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "util/log.h"
#include "util/opts.h"
#include "core/device.h"
#include "core/property.h"
#include "exec/memory.h"

#include <pthread.h>
#include <stdatomic.h>

/* -smp cpus=N,sockets=S,cores=C,threads=T,maxcpus=M */
typedef struct SmpConfig {
    unsigned cpus;
    unsigned sockets;
    unsigned cores;
    unsigned threads;
    unsigned maxcpus;
} SmpConfig;

/* A list of parsed option values, in command-line order. */
typedef struct OptListArray {
    OptList *items;
    size_t count;
} OptListArray;

/* Everything the command line asked for, validated for syntax only. */
struct VmConfig {
    OptList machine;            /* -M/-machine; "type" holds the name */
    const MachineType *machine_type;
    uint64_t ram_size;          /* 0: the machine's default */
    SmpConfig smp;
    OptList cpu;                /* -cpu; "model" holds the name */
    OptListArray accels;        /* -accel; "accel" holds the name */
    char *bios;
    char *kernel;
    char *initrd;
    char *append;
    char *dtb;
    OptListArray drives;
    OptListArray devices;
    OptListArray chardevs;
    OptListArray netdevs;
    OptListArray nics;
    OptListArray nets;          /* -net (legacy: NICs and back ends on hub 0) */
    OptListArray objects;       /* -object; "qom-type" holds the type */
    /* -global: each list has keys driver, property, value. */
    OptListArray globals;
    char **serials;             /* -serial values, in order */
    size_t nr_serials;
    char **monitors;            /* -monitor values */
    size_t nr_monitors;
    char **qmps;                /* -qmp values */
    size_t nr_qmps;
    bool *qmp_pretty;           /* parallel to qmps */
    bool nographic;
    char *display;
    bool start_stopped;         /* -S */
    char *gdb;                  /* -gdb / -s */
    uint32_t log_mask;
    char *log_file;
    char **traces;
    size_t nr_traces;
    bool snapshot;
    bool no_reboot;
    char *name;
};

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_DEBUG,
    RUN_STATE_SHUTDOWN,
} RunState;

/* Why the VM shut down or reset (QMP SHUTDOWN/RESET "reason"). */
typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
} ShutdownCause;

const char *shutdown_cause_name(ShutdownCause cause);
const char *run_state_name(RunState state);

/*
 * Run-state changes others want to hear about (the monitor turns them
 * into QMP events; a board with a power button would listen for
 * POWERDOWN). Delivered on the thread that caused them, with the BQL held.
 */
typedef enum MachineEvent {
    MACHINE_EVENT_STOP,         /* vm_stop() stopped a running VM */
    MACHINE_EVENT_RESUME,       /* vm_start() resumed it */
    MACHINE_EVENT_RESET,        /* the machine was reset (cause: why) */
    MACHINE_EVENT_SHUTDOWN,     /* the VM is shutting down (cause: why) */
    MACHINE_EVENT_POWERDOWN,    /* machine_request_powerdown() */
} MachineEvent;

typedef struct MachineNotifier {
    void (*notify)(struct MachineNotifier *n, MachineEvent event,
                   ShutdownCause cause);
    struct MachineNotifier *next;
} MachineNotifier;

struct MachineType {
    const char *name;
    const char *desc;
    bool is_default;
    size_t instance_size;       /* >= sizeof(Machine); board state follows */
    const Property *props;      /* -machine NAME,key=value */
    unsigned max_cpus;
    uint64_t default_ram_size;
    uint64_t max_ram_size;      /* 0: no limit beyond the host's */
    const char *default_cpu;
    /* Build the board: RAM, CPUs, on-board devices, firmware/kernel. */
    bool (*init)(Machine *m, Error **errp);
    /* Board-level reset work after every device was reset (optional). */
    void (*reset)(Machine *m);
    /* Free board state at exit, after the devices (optional). */
    void (*finalize)(Machine *m);
    /* Place a bus device (virtio, ...) created by -device (optional). */
    bool (*plug)(Machine *m, DeviceState *dev, Error **errp);
};

/* A CPU model for -cpu: name, description, and its -cpu properties. */
typedef struct CPUModel {
    const char *name;
    const char *desc;
    const Property *props;      /* "-cpu rv64,zba=off" */
} CPUModel;

typedef struct AccelType {
    const char *name;
    const char *desc;
    const Property *props;      /* -accel NAME,key=value */
    size_t state_size;          /* accelerator state allocated per machine */
    /* Explain why this accelerator cannot run here, or return true. */
    bool (*probe)(Machine *m, Error **errp);
    bool (*init)(Machine *m, Error **errp);
    /* Per-CPU set-up, called when a CPU is created (before any reset). */
    void (*init_vcpu)(CPUState *cpu);
    /* Create and start the vCPU threads (parked if the VM is stopped). */
    bool (*start_vcpus)(Machine *m, Error **errp);
    /* Ask every vCPU to leave guest code and park; wait until they have. */
    void (*pause_vcpus)(Machine *m);
    void (*resume_vcpus)(Machine *m);
    /* Make @cpu leave guest code soon (interrupt raised, exit request). */
    void (*kick_vcpu)(CPUState *cpu);
    /* Stop and join the vCPU threads. */
    void (*destroy)(Machine *m);
} AccelType;

typedef struct SystemTarget {
    const char *arch;                       /* "riscv64" */
    const MachineType *const *machines;     /* NULL-terminated */
    const CPUModel *cpu_models;             /* terminated by name == NULL */
    /* Device tables, NULL-terminated: usually common_device_types
     * followed by the target's own table. */
    const DeviceType *const *const *device_tables;
    const AccelType *const *accels;         /* first is the default */
    /* Allocate a CPU (in reset state) for hart @index of @m. */
    CPUState *(*cpu_create)(Machine *m, const CPUModel *model,
                            OptList *cpu_opts, unsigned index,
                            Error **errp);
} SystemTarget;

/* Defined once per binary (hw/ARCH/target.c). */
extern const SystemTarget system_target;

/* Device types every binary offers (hw/device-table.c), NULL-terminated. */
extern const DeviceType *const common_device_types[];

/* A bus slot provider: the machine asks each in turn to take a device. */
typedef struct DeviceBus {
    DeviceBusKind kind;
    const char *name;
    bool (*plug)(struct DeviceBus *bus, DeviceState *dev, Error **errp);
    void *opaque;
    struct DeviceBus *next;
} DeviceBus;

struct Machine {
    const MachineType *type;
    const SystemTarget *target;
    const VmConfig *config;
    Log log;
    MainLoop *loop;

    MemoryRegion system_memory;     /* root container of the memory map */
    AddressSpace address_space;     /* the CPUs' and DMA's view of it */
    MemoryRegion ram;               /* -m; the board maps it */
    uint64_t ram_size;

    const CPUModel *cpu_model;
    OptList *cpu_opts;
    CPUState **cpus;
    unsigned nr_cpus;

    const AccelType *accel;
    OptList *accel_opts;
    void *accel_state;

    DeviceState *devices;           /* creation order */
    DeviceState **devices_tail;
    DeviceBus *buses;
    PropLinkResolver links;

    /* Backends by id (filled from -chardev/-drive/-netdev). */
    struct MachineBackend *backends;
    /* -serial chardevs, in order: boards attach UARTs to these. */
    Chardev **serial_hds;
    unsigned nr_serial_hds;

    /* Run state, written under the BQL. */
    RunState run_state;
    /* Requests from any thread, handled by the main loop. */
    atomic_int shutdown_request;    /* ShutdownCause, 0 = none */
    atomic_int reset_request;       /* ShutdownCause, 0 = none */
    atomic_int exit_status;         /* process exit status on shutdown */
    BottomHalf *request_bh;
    /* Listeners for run-state changes (machine_add_notifier). */
    MachineNotifier *notifiers;

    /* The gdb server (gdbstub/gdbstub.h), or NULL. */
    struct GDBServer *gdbserver;

    /* NICs, network back ends, hubs and filters (net/net.h), or NULL. */
    struct NetState *net;
};

/* -device NAME help / -device help helpers: the tables of this binary. */
const DeviceType *const *const *machine_device_tables(const SystemTarget *t);

const MachineType *machine_type_find(const SystemTarget *t, const char *name);
const MachineType *machine_type_default(const SystemTarget *t);
const CPUModel *cpu_model_find(const SystemTarget *t, const char *name);
const AccelType *accel_type_find(const SystemTarget *t, const char *name);

/* Build the machine the config describes (does not start the vCPUs). */
Machine *machine_create(const SystemTarget *target, const VmConfig *config,
                        Error **errp);
/* Start: reset, then run the vCPUs (or stay paused with -S). */
bool machine_start(Machine *m, Error **errp);
/* Main-loop run until shutdown; returns the process exit status. */
int machine_run(Machine *m);
void machine_destroy(Machine *m);

/* Register @bus as a slot provider for its kind of devices. */
void machine_add_bus(Machine *m, DeviceBus *bus);
/* Create, configure, plug and realize a device from "-device" options. */
DeviceState *machine_add_device(Machine *m, OptList *opts, Error **errp);
/* Create an on-board device by type name (machine init uses this). */
DeviceState *machine_new_device(Machine *m, const char *type_name);
/* Add @dev to the machine's list and realize it. */
bool machine_realize_device(Machine *m, DeviceState *dev, Error **errp);

/* Register a backend object under @id (chardev/drive/netdev). */
bool machine_add_backend(Machine *m, PropType kind, const char *id,
                         void *backend, Error **errp);
void *machine_find_backend(Machine *m, PropType kind, const char *id);

/* The chardev for serial port @index, or NULL if there is none. */
Chardev *machine_serial_hd(Machine *m, unsigned index);

/* Reset every device and CPU (BQL held, vCPUs paused). */
void machine_reset(Machine *m);

/* Any thread: ask the main loop to shut down / reset the VM. */
void machine_request_shutdown(Machine *m, ShutdownCause cause,
                              int exit_status);
void machine_request_reset(Machine *m, ShutdownCause cause);

/* Stop/continue the VM (BQL held). */
void vm_stop(Machine *m, RunState state);
void vm_start(Machine *m);

/* Listen for run-state changes; @n stays owned by the caller. */
void machine_add_notifier(Machine *m, MachineNotifier *n);
void machine_remove_notifier(Machine *m, MachineNotifier *n);
/*
 * Press the power button (BQL held): notifies MACHINE_EVENT_POWERDOWN.
 * Boards without one (riscv virt, as in QEMU) ignore it.
 */
void machine_request_powerdown(Machine *m);

/* Call @fn for every backend of @kind, oldest first (query-chardev,
 * query-block). */
void machine_foreach_backend(Machine *m, PropType kind,
                             void (*fn)(void *backend, const char *id,
                                        void *opaque),
                             void *opaque);

#endif /* HW_CORE_MACHINE_H */
