/*
 * main/options.c — the system emulator's option table and handlers
 * (see main/options.h).
 *
 * Spelling follows QEMU: options start with one or two dashes; values use
 * "key=value,..." with an implied first key; "help" works wherever a type
 * name is expected and is answered from the registries.
 */
#include "main/options.h"
#include "chardev/chardev.h"
#include "net/net.h"
#include "util/error.h"
#include "util/log.h"
#include "util/opts.h"

typedef OptionsOutcome (*OptionHandler)(const SystemTarget *t, VmConfig *c,
                                        const char *arg, Error **errp);

typedef struct SystemOption {
    const char *name;
    const char *arg;        /* argument placeholder; NULL: takes none */
    const char *help;
    OptionHandler handle;
} SystemOption;

static OptionsOutcome usage(const SystemTarget *t, VmConfig *c,
                            const char *arg, Error **errp);

/* --- helpers --- */

static char *option_origin(const char *opt, const char *arg)
{
    return arg ? xasprintf("-%s %s", opt, arg) : xasprintf("-%s", opt);
}

static bool parse_into(OptList *list, const char *opt, const char *arg,
                       const char *implied, Error **errp)
{
    char *origin = option_origin(opt, arg);
    bool ok = opts_parse(list, origin, arg, implied, errp);

    free(origin);
    return ok;
}

static OptList *optlist_append(OptListArray *arr)
{
    arr->items = xrealloc(arr->items, (arr->count + 1) * sizeof(OptList));
    memset(&arr->items[arr->count], 0, sizeof(OptList));
    return &arr->items[arr->count++];
}

static void strv_append(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof(char *));
    (*v)[(*n)++] = xstrdup(s);
}

static void set_string(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

/* --- machine, memory, CPUs --- */

static void print_machines(const SystemTarget *t)
{
    printf("Supported machines are:\n");
    for (const MachineType *const *mt = t->machines; *mt; mt++) {
        printf("%-20s %s%s\n", (*mt)->name, (*mt)->desc,
               (*mt)->is_default ? " (default)" : "");
    }
}

static OptionsOutcome opt_machine(const SystemTarget *t, VmConfig *c,
                                  const char *arg, Error **errp)
{
    const char *type;

    opts_free(&c->machine);
    if (!parse_into(&c->machine, "machine", arg, "type", errp)) {
        return OPTIONS_ERROR;
    }
    type = opts_get(&c->machine, "type");
    if (!type && c->machine.help) {
        print_machines(t);
        return OPTIONS_EXIT_OK;
    }
    if (type && !strcmp(type, "?")) {
        print_machines(t);
        return OPTIONS_EXIT_OK;
    }
    if (type) {
        c->machine_type = machine_type_find(t, type);
        if (!c->machine_type) {
            error_setg(errp, "-machine %s: unsupported machine type '%s' "
                       "(use -machine help to list supported machines)",
                       arg, type);
            return OPTIONS_ERROR;
        }
    }
    if (c->machine.help) {
        const MachineType *mt = c->machine_type ? c->machine_type
                                                : machine_type_default(t);
        char *what = xasprintf("%s-machine", mt->name);
        props_print_help(stdout, what, mt->props);
        free(what);
        return OPTIONS_EXIT_OK;
    }
    return OPTIONS_RUN;
}

static OptionsOutcome opt_memory(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    OptList opts;
    const char *size;
    OptionsOutcome ret = OPTIONS_ERROR;

    if (!parse_into(&opts, "m", arg, "size", errp)) {
        return OPTIONS_ERROR;
    }
    size = opts_get(&opts, "size");
    if (opts.help) {
        printf("-m options:\n  size=<size>  - initial amount of guest memory "
               "(a bare number is in MiB; suffixes k, M, G, T)\n");
        ret = OPTIONS_EXIT_OK;
    } else if (!size) {
        error_setg(errp, "-m %s: missing 'size' parameter value", arg);
    } else if (!parse_size(size, MiB, &c->ram_size)) {
        error_setg(errp, "-m %s: Parameter 'size' expects a size (a "
                   "non-negative number with optional suffix k, M, G, T, P "
                   "or E; a bare number is in MiB)", arg);
    } else if (c->ram_size && c->ram_size < RAM_PAGE_SIZE) {
        error_setg(errp, "-m %s: RAM size must be at least 4 KiB", arg);
    } else if (opts_check_unused(&opts, errp)) {
        ret = OPTIONS_RUN;
    }
    opts_free(&opts);
    return ret;
}

static bool smp_get(OptList *opts, const char *key, unsigned *out,
                    Error **errp)
{
    uint64_t v;

    if (!opts_get_uint(opts, key, 0, &v, errp)) {
        return false;
    }
    if (v > 4096) {
        error_setg(errp, "%s: '%s' must be at most 4096", opts->origin, key);
        return false;
    }
    *out = v;
    return true;
}

static OptionsOutcome opt_smp(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    OptList opts;
    SmpConfig *s = &c->smp;
    bool explicit_cpus;
    OptionsOutcome ret = OPTIONS_ERROR;

    if (!parse_into(&opts, "smp", arg, "cpus", errp)) {
        return OPTIONS_ERROR;
    }
    memset(s, 0, sizeof(*s));
    explicit_cpus = opts_has(&opts, "cpus");
    if (!smp_get(&opts, "cpus", &s->cpus, errp) ||
        !smp_get(&opts, "sockets", &s->sockets, errp) ||
        !smp_get(&opts, "cores", &s->cores, errp) ||
        !smp_get(&opts, "threads", &s->threads, errp) ||
        !smp_get(&opts, "maxcpus", &s->maxcpus, errp) ||
        !opts_check_unused(&opts, errp)) {
        goto out;
    }
    if (explicit_cpus && s->cpus == 0) {
        error_setg(errp, "-smp %s: Invalid SMP CPUs 0. The min CPUs "
                   "supported is 1", arg);
        goto out;
    }
    /* Fill in what was left out, preferring sockets, as QEMU does. */
    if (!s->threads) {
        s->threads = 1;
    }
    if (!s->cores) {
        s->cores = 1;
    }
    if (!s->sockets) {
        unsigned want = s->maxcpus ? s->maxcpus : MAX(s->cpus, 1u);
        s->sockets = MAX(want / (s->cores * s->threads), 1u);
    }
    if (!s->maxcpus) {
        s->maxcpus = s->sockets * s->cores * s->threads;
    }
    if (!s->cpus) {
        s->cpus = s->maxcpus;
    }
    if (s->sockets * s->cores * s->threads != s->maxcpus) {
        error_setg(errp, "-smp %s: Invalid CPU topology: product of the "
                   "hierarchy must match maxcpus: sockets (%u) * cores (%u) "
                   "* threads (%u) != maxcpus (%u)", arg, s->sockets,
                   s->cores, s->threads, s->maxcpus);
        goto out;
    }
    if (s->maxcpus < s->cpus) {
        error_setg(errp, "-smp %s: Invalid CPU topology: maxcpus must be "
                   "equal to or greater than smp", arg);
        goto out;
    }
    ret = OPTIONS_RUN;
out:
    opts_free(&opts);
    return ret;
}

static void print_cpus(const SystemTarget *t)
{
    printf("Available CPUs:\n");
    for (const CPUModel *m = t->cpu_models; m && m->name; m++) {
        printf("  %-16s %s\n", m->name, m->desc ? m->desc : "");
    }
}

static OptionsOutcome opt_cpu(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    const char *model;
    const CPUModel *cm;

    opts_free(&c->cpu);
    if (!parse_into(&c->cpu, "cpu", arg, "model", errp)) {
        return OPTIONS_ERROR;
    }
    model = opts_get(&c->cpu, "model");
    if (!model || !strcmp(model, "?")) {
        print_cpus(t);
        return OPTIONS_EXIT_OK;
    }
    cm = cpu_model_find(t, model);
    if (!cm) {
        error_setg(errp, "-cpu %s: unable to find CPU model '%s' "
                   "(try -cpu help)", arg, model);
        return OPTIONS_ERROR;
    }
    if (c->cpu.help) {
        char *what = xasprintf("%s-cpu", cm->name);
        props_print_help(stdout, what, cm->props);
        free(what);
        return OPTIONS_EXIT_OK;
    }
    return OPTIONS_RUN;
}

static OptionsOutcome opt_accel(const SystemTarget *t, VmConfig *c,
                                const char *arg, Error **errp)
{
    OptList *opts = optlist_append(&c->accels);
    const char *name;
    const AccelType *at;

    if (!parse_into(opts, "accel", arg, "accel", errp)) {
        return OPTIONS_ERROR;
    }
    name = opts_get(opts, "accel");
    if (!name || !strcmp(name, "?")) {
        printf("Accelerators supported in this binary:\n");
        for (const AccelType *const *a = t->accels; *a; a++) {
            printf("%-8s %s\n", (*a)->name, (*a)->desc);
        }
        return OPTIONS_EXIT_OK;
    }
    at = accel_type_find(t, name);
    if (!at) {
        error_setg(errp, "-accel %s: invalid accelerator '%s' "
                   "(try -accel help)", arg, name);
        return OPTIONS_ERROR;
    }
    if (opts->help) {
        props_print_help(stdout, at->name, at->props);
        return OPTIONS_EXIT_OK;
    }
    return OPTIONS_RUN;
}

/* --- boot --- */

static OptionsOutcome opt_file_arg(char **field, const char *opt,
                                   const char *arg, Error **errp)
{
    if (!*arg) {
        error_setg(errp, "-%s: file name must not be empty", opt);
        return OPTIONS_ERROR;
    }
    set_string(field, arg);
    return OPTIONS_RUN;
}

static OptionsOutcome opt_bios(const SystemTarget *t, VmConfig *c,
                               const char *arg, Error **errp)
{
    return opt_file_arg(&c->bios, "bios", arg, errp);
}

static OptionsOutcome opt_kernel(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    return opt_file_arg(&c->kernel, "kernel", arg, errp);
}

static OptionsOutcome opt_initrd(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    return opt_file_arg(&c->initrd, "initrd", arg, errp);
}

static OptionsOutcome opt_dtb(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    return opt_file_arg(&c->dtb, "dtb", arg, errp);
}

static OptionsOutcome opt_append(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    set_string(&c->append, arg);
    return OPTIONS_RUN;
}

/* --- devices and backends --- */

static OptionsOutcome opt_drive(const SystemTarget *t, VmConfig *c,
                                const char *arg, Error **errp)
{
    OptList *opts = optlist_append(&c->drives);
    const char *file;

    if (!parse_into(opts, "drive", arg, NULL, errp)) {
        return OPTIONS_ERROR;
    }
    file = opts_get(opts, "file");
    if (file && !*file) {
        error_setg(errp, "-drive %s: A block device must be specified for "
                   "\"file\"", arg);
        return OPTIONS_ERROR;
    }
    opts_get(opts, "id");
    return OPTIONS_RUN;
}

/*
 * -blockdev rides in VmConfig.drives: block/drive.c recognises it by the
 * "-blockdev" origin and builds the node graph from the dotted keys.
 */
static OptionsOutcome opt_blockdev(const SystemTarget *t, VmConfig *c,
                                   const char *arg, Error **errp)
{
    OptList *opts = optlist_append(&c->drives);

    if (!parse_into(opts, "blockdev", arg, NULL, errp)) {
        return OPTIONS_ERROR;
    }
    if (opts->help) {
        printf("-blockdev driver=qcow2|raw|file,node-name=NAME,"
               "file.driver=file,file.filename=PATH[,backing=NODE|null]"
               "[,read-only=on|off][,cache.direct=on|off]"
               "[,cache.no-flush=on|off][,discard=ignore|unmap]"
               "[,detect-zeroes=off|on|unmap][,force-share=on|off]"
               "[,file.locking=auto|on|off][,file.aio=threads|io_uring]\n");
        return OPTIONS_EXIT_OK;
    }
    return OPTIONS_RUN;
}

static OptionsOutcome opt_device(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    const DeviceType *const *const *tables = machine_device_tables(t);
    OptList *opts = optlist_append(&c->devices);
    const char *driver;
    const DeviceType *type;

    if (!parse_into(opts, "device", arg, "driver", errp)) {
        return OPTIONS_ERROR;
    }
    driver = opts_get(opts, "driver");
    if (!driver || !strcmp(driver, "?")) {
        device_print_types(stdout, tables);
        return OPTIONS_EXIT_OK;
    }
    type = device_type_find(tables, driver);
    if (!type) {
        error_setg(errp, "-device %s: '%s' is not a valid device model name "
                   "(try -device help)", arg, driver);
        return OPTIONS_ERROR;
    }
    if (opts->help) {
        props_print_help(stdout, type->name, type->props);
        return OPTIONS_EXIT_OK;
    }
    /* Properties are checked when the device is created: values like
     * drive=ID refer to backends that do not exist yet. */
    for (size_t i = 0; i < opts->count; i++) {
        const char *key = opts->items[i].key;
        if (strcmp(key, "driver") && strcmp(key, "id") &&
            !props_find(type->props, key)) {
            error_setg(errp, "-device %s: Property '%s.%s' not found",
                       arg, type->name, key);
            return OPTIONS_ERROR;
        }
    }
    return OPTIONS_RUN;
}

/*
 * -global DRIVER.PROP=VALUE (or driver=D,property=P,value=V): a default
 * for a property of every device of that type, including the ones boards
 * create. Checked now against the type's property table.
 */
static OptionsOutcome opt_global(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    OptList *opts = optlist_append(&c->globals);
    const char *driver, *prop, *value;
    const DeviceType *type;
    const Property *p;
    void *scratch;
    bool ok;

    if (strncmp(arg, "driver=", 7)) {
        /* The short form: everything up to the first '=' is DRIVER.PROP. */
        const char *eq = strchr(arg, '=');
        const char *dot = eq ? memchr(arg, '.', eq - arg) : NULL;
        char *d, *pr;

        opts->origin = xasprintf("-global %s", arg);
        if (!eq || !dot || dot == arg || dot + 1 == eq) {
            error_setg(errp, "-global %s: expected DRIVER.PROPERTY=VALUE",
                       arg);
            return OPTIONS_ERROR;
        }
        d = xstrndup(arg, dot - arg);
        pr = xstrndup(dot + 1, eq - dot - 1);
        opts_set(opts, "driver", d);
        opts_set(opts, "property", pr);
        opts_set(opts, "value", eq + 1);
        free(d);
        free(pr);
    } else if (!parse_into(opts, "global", arg, NULL, errp)) {
        return OPTIONS_ERROR;
    }
    driver = opts_get(opts, "driver");
    prop = opts_get(opts, "property");
    value = opts_get(opts, "value");
    if (!driver || !prop || !value) {
        error_setg(errp, "-global %s: needs driver, property and value", arg);
        return OPTIONS_ERROR;
    }
    if (!opts_check_unused(opts, errp)) {
        return OPTIONS_ERROR;
    }
    type = device_type_find(machine_device_tables(t), driver);
    if (!type) {
        error_setg(errp, "-global %s: '%s' is not a valid device model name",
                   arg, driver);
        return OPTIONS_ERROR;
    }
    p = props_find(type->props, prop);
    if (!p) {
        error_setg(errp, "-global %s: Property '%s.%s' not found", arg,
                   driver, prop);
        return OPTIONS_ERROR;
    }
    if (p->type == PROP_CHARDEV || p->type == PROP_DRIVE ||
        p->type == PROP_NETDEV) {
        error_setg(errp, "-global %s: '%s' links a backend and cannot be a "
                   "global default", arg, prop);
        return OPTIONS_ERROR;
    }
    /* Parse the value once now, so a bad one fails before anything runs. */
    scratch = xzalloc(MAX(type->instance_size, sizeof(DeviceState)));
    ok = prop_set(scratch, p, value, NULL, errp);
    props_release(scratch, type->props);
    free(scratch);
    if (!ok) {
        error_prepend(errp, "-global %s: ", arg);
        return OPTIONS_ERROR;
    }
    return OPTIONS_RUN;
}

static OptionsOutcome opt_chardev(const SystemTarget *t, VmConfig *c,
                                  const char *arg, Error **errp)
{
    OptList *opts = optlist_append(&c->chardevs);
    const char *backend;
    const ChardevType *type;

    if (!parse_into(opts, "chardev", arg, "backend", errp)) {
        return OPTIONS_ERROR;
    }
    backend = opts_get(opts, "backend");
    if (!backend || !strcmp(backend, "?")) {
        chardev_print_types(stdout);
        return OPTIONS_EXIT_OK;
    }
    type = chardev_type_find(backend);
    if (!type) {
        error_setg(errp, "-chardev %s: '%s' is not a valid char driver name "
                   "(try -chardev help)", arg, backend);
        return OPTIONS_ERROR;
    }
    if (opts->help) {
        props_print_help(stdout, type->name, type->props);
        return OPTIONS_EXIT_OK;
    }
    if (!opts_get(opts, "id")) {
        error_setg(errp, "-chardev %s: chardev: no id specified", arg);
        return OPTIONS_ERROR;
    }
    return OPTIONS_RUN;
}

/* "model=help" on -nic / -net nic: the NIC models of this binary. */
static bool nic_model_help(const SystemTarget *t, OptList *opts)
{
    const char *model = opts_get(opts, "model");

    if (model && (!strcmp(model, "help") || !strcmp(model, "?"))) {
        net_print_nic_models(stdout, machine_device_tables(t));
        return true;
    }
    return false;
}

static OptionsOutcome netdev_common(const SystemTarget *t, const char *opt,
                                    OptListArray *arr, const char *arg,
                                    Error **errp)
{
    OptList *opts = optlist_append(arr);
    const NetdevType *nt;
    const char *type;

    if (!parse_into(opts, opt, arg, "type", errp)) {
        return OPTIONS_ERROR;
    }
    if (strcmp(opt, "netdev") && nic_model_help(t, opts)) {
        return OPTIONS_EXIT_OK;
    }
    type = opts_get(opts, "type");
    if (!type || !strcmp(type, "?") || (!strcmp(type, "help"))) {
        netdev_print_types(stdout);
        return OPTIONS_EXIT_OK;
    }
    if (strcmp(opt, "netdev") && !strcmp(type, "none")) {
        return OPTIONS_RUN;
    }
    nt = netdev_type_find(type);
    if (!nt) {
        error_setg(errp, "-%s %s: network backend '%s' is not available in "
                   "this build (try -%s help)", opt, arg, type, opt);
        return OPTIONS_ERROR;
    }
    if (opts->help) {
        props_print_help(stdout, nt->name, nt->props);
        return OPTIONS_EXIT_OK;
    }
    return OPTIONS_RUN;
}

static OptionsOutcome opt_netdev(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    return netdev_common(t, "netdev", &c->netdevs, arg, errp);
}

static OptionsOutcome opt_nic(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    return netdev_common(t, "nic", &c->nics, arg, errp);
}

/* -net nic,... (a NIC on hub 0) or -net TYPE,... (a back end on hub 0). */
static OptionsOutcome opt_net(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    OptList probe;
    const char *type;
    bool nic;

    if (!parse_into(&probe, "net", arg, "type", errp)) {
        return OPTIONS_ERROR;
    }
    type = opts_get(&probe, "type");
    nic = type && !strcmp(type, "nic");
    opts_free(&probe);
    if (!nic) {
        return netdev_common(t, "net", &c->nets, arg, errp);
    }
    if (!parse_into(optlist_append(&c->nets), "net", arg, "type", errp)) {
        return OPTIONS_ERROR;
    }
    return nic_model_help(t, &c->nets.items[c->nets.count - 1])
           ? OPTIONS_EXIT_OK : OPTIONS_RUN;
}

/* -object TYPE,id=ID,...: the object types are the network filters. */
static OptionsOutcome opt_object(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    OptList *opts = optlist_append(&c->objects);
    const NetFilterType *ft;
    const char *type;

    if (!parse_into(opts, "object", arg, "qom-type", errp)) {
        return OPTIONS_ERROR;
    }
    type = opts_get(opts, "qom-type");
    if (!type || !strcmp(type, "?") || !strcmp(type, "help")) {
        net_print_object_types(stdout);
        return OPTIONS_EXIT_OK;
    }
    ft = net_filter_type_find(type);
    if (!ft) {
        error_setg(errp, "-object %s: invalid object type: %s", arg, type);
        return OPTIONS_ERROR;
    }
    if (opts->help) {
        props_print_help(stdout, ft->name, ft->props);
        return OPTIONS_EXIT_OK;
    }
    return OPTIONS_RUN;
}

static OptionsOutcome opt_serial(const SystemTarget *t, VmConfig *c,
                                 const char *arg, Error **errp)
{
    strv_append(&c->serials, &c->nr_serials, arg);
    return OPTIONS_RUN;
}

static OptionsOutcome opt_monitor(const SystemTarget *t, VmConfig *c,
                                  const char *arg, Error **errp)
{
    strv_append(&c->monitors, &c->nr_monitors, arg);
    return OPTIONS_RUN;
}

static OptionsOutcome qmp_common(VmConfig *c, const char *arg, bool pretty)
{
    strv_append(&c->qmps, &c->nr_qmps, arg);
    c->qmp_pretty = xrealloc(c->qmp_pretty, c->nr_qmps * sizeof(bool));
    c->qmp_pretty[c->nr_qmps - 1] = pretty;
    return OPTIONS_RUN;
}

static OptionsOutcome opt_qmp(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    return qmp_common(c, arg, false);
}

static OptionsOutcome opt_qmp_pretty(const SystemTarget *t, VmConfig *c,
                                     const char *arg, Error **errp)
{
    return qmp_common(c, arg, true);
}

/*
 * -mon chardev=ID[,mode=readline|control][,pretty=on|off]: recorded as
 * "chardev:ID" among the -monitor or -qmp specs, which is what it means.
 */
static OptionsOutcome opt_mon(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    OptList opts;
    const char *chardev, *mode;
    bool pretty = false;
    char *spec;
    OptionsOutcome ret = OPTIONS_ERROR;

    if (!parse_into(&opts, "mon", arg, "chardev", errp)) {
        return OPTIONS_ERROR;
    }
    chardev = opts_get(&opts, "chardev");
    mode = opts_get(&opts, "mode");
    if (!opts_get_bool(&opts, "pretty", false, &pretty, errp) ||
        !opts_check_unused(&opts, errp)) {
        error_prepend(errp, "-mon %s: ", arg);
        goto out;
    }
    if (!chardev || !*chardev) {
        error_setg(errp, "-mon %s: Parameter 'chardev' is missing", arg);
        goto out;
    }
    spec = xasprintf("chardev:%s", chardev);
    if (!mode || !strcmp(mode, "readline")) {
        strv_append(&c->monitors, &c->nr_monitors, spec);
        ret = OPTIONS_RUN;
    } else if (!strcmp(mode, "control")) {
        qmp_common(c, spec, pretty);
        ret = OPTIONS_RUN;
    } else {
        error_setg(errp, "-mon %s: Parameter 'mode' expects 'readline' or "
                   "'control'", arg);
    }
    free(spec);
out:
    opts_free(&opts);
    return ret;
}

/* --- display, debugging, misc --- */

static OptionsOutcome opt_nographic(const SystemTarget *t, VmConfig *c,
                                    const char *arg, Error **errp)
{
    c->nographic = true;
    return OPTIONS_RUN;
}

static OptionsOutcome opt_display(const SystemTarget *t, VmConfig *c,
                                  const char *arg, Error **errp)
{
    size_t len = strcspn(arg, ",");

    if (!strcmp(arg, "help")) {
        printf("Available display backend types:\nnone\n");
        return OPTIONS_EXIT_OK;
    }
    if (strncmp(arg, "none", len) || len != 4) {
        error_setg(errp, "-display %s: Display '%.*s' is not available "
                   "(Vireo has no graphical display; use -display none or "
                   "-nographic)", arg, (int)len, arg);
        return OPTIONS_ERROR;
    }
    set_string(&c->display, "none");
    return OPTIONS_RUN;
}

static OptionsOutcome opt_stopped(const SystemTarget *t, VmConfig *c,
                                  const char *arg, Error **errp)
{
    c->start_stopped = true;
    return OPTIONS_RUN;
}

static OptionsOutcome opt_gdb_default(const SystemTarget *t, VmConfig *c,
                                      const char *arg, Error **errp)
{
    set_string(&c->gdb, "tcp::1234");
    return OPTIONS_RUN;
}

static OptionsOutcome opt_gdb(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    if (!*arg) {
        error_setg(errp, "-gdb: device specification must not be empty");
        return OPTIONS_ERROR;
    }
    set_string(&c->gdb, arg);
    return OPTIONS_RUN;
}

static OptionsOutcome opt_log(const SystemTarget *t, VmConfig *c,
                              const char *arg, Error **errp)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        log_print_help(stdout);
        return OPTIONS_EXIT_OK;
    }
    if (!log_parse_mask(arg, &c->log_mask, errp)) {
        error_prepend(errp, "-d %s: ", arg);
        return OPTIONS_ERROR;
    }
    return OPTIONS_RUN;
}

static OptionsOutcome opt_log_file(const SystemTarget *t, VmConfig *c,
                                   const char *arg, Error **errp)
{
    return opt_file_arg(&c->log_file, "D", arg, errp);
}

static OptionsOutcome opt_trace(const SystemTarget *t, VmConfig *c,
                                const char *arg, Error **errp)
{
    OptList opts;
    OptionsOutcome ret = OPTIONS_RUN;

    if (!parse_into(&opts, "trace", arg, "enable", errp)) {
        return OPTIONS_ERROR;
    }
    if (opts.help) {
        /* Tracing is done with -d categories; there are no trace events. */
        printf("This build has no trace events; use -d (see -d help).\n");
        ret = OPTIONS_EXIT_OK;
    } else {
        opts_get(&opts, "enable");
        opts_get(&opts, "events");
        opts_get(&opts, "file");
        if (!opts_check_unused(&opts, errp)) {
            ret = OPTIONS_ERROR;
        } else {
            strv_append(&c->traces, &c->nr_traces, arg);
        }
    }
    opts_free(&opts);
    return ret;
}

static OptionsOutcome opt_snapshot(const SystemTarget *t, VmConfig *c,
                                   const char *arg, Error **errp)
{
    c->snapshot = true;
    return OPTIONS_RUN;
}

static OptionsOutcome opt_no_reboot(const SystemTarget *t, VmConfig *c,
                                    const char *arg, Error **errp)
{
    c->no_reboot = true;
    return OPTIONS_RUN;
}

static OptionsOutcome opt_name(const SystemTarget *t, VmConfig *c,
                               const char *arg, Error **errp)
{
    OptList opts;
    const char *guest;
    OptionsOutcome ret = OPTIONS_ERROR;

    if (!parse_into(&opts, "name", arg, "guest", errp)) {
        return OPTIONS_ERROR;
    }
    guest = opts_get(&opts, "guest");
    opts_get(&opts, "process");
    opts_get(&opts, "debug-threads");
    if (opts_check_unused(&opts, errp)) {
        set_string(&c->name, guest ? guest : "");
        ret = OPTIONS_RUN;
    }
    opts_free(&opts);
    return ret;
}

static OptionsOutcome opt_version(const SystemTarget *t, VmConfig *c,
                                  const char *arg, Error **errp)
{
    printf("Vireo emulator version %s (%s)\n", VIREO_VERSION, t->arch);
    return OPTIONS_EXIT_OK;
}

static const SystemOption system_options[] = {
    /* Standard options */
    { "h", NULL, "display this help and exit", usage },
    { "help", NULL, "display this help and exit", usage },
    { "version", NULL, "display version information and exit", opt_version },
    { "machine", "[type=]name[,prop=value...]",
      "select the emulated machine (-machine help lists them)", opt_machine },
    { "M", "[type=]name[,prop=value...]", "same as -machine", opt_machine },
    { "cpu", "model[,ext=on|off...]",
      "select the CPU model (-cpu help lists them)", opt_cpu },
    { "accel", "[accel=]name[,prop=value...]",
      "select the accelerator (-accel help lists them)", opt_accel },
    { "smp", "[cpus=]n[,maxcpus=m][,sockets=s][,cores=c][,threads=t]",
      "set the number of CPUs and their topology", opt_smp },
    { "m", "[size=]megs",
      "guest RAM size (a bare number is in MiB; suffixes k, M, G, T)",
      opt_memory },
    { "name", "[guest=]name", "set the name of the guest", opt_name },
    /* Block devices */
    { "drive", "[file=file][,if=type][,format=f][,id=name][,...]",
      "define a drive and its block backend", opt_drive },
    { "blockdev", "driver=fmt,node-name=name[,file.filename=file][,...]",
      "define a block node graph (-device ...,drive=node-name uses it)",
      opt_blockdev },
    { "snapshot", NULL,
      "write to temporary overlays instead of the disk images", opt_snapshot },
    /* Devices and backends */
    { "device", "driver[,prop=value...]",
      "add a device (-device help lists them; -device NAME,help its "
      "properties)", opt_device },
    { "global", "driver.prop=value",
      "set a default for a device property (also for on-board devices)",
      opt_global },
    { "chardev", "backend,id=id[,prop=value...]",
      "define a character device backend (-chardev help lists them)",
      opt_chardev },
    { "serial", "dev", "redirect the next serial port to a chardev spec "
      "(stdio, null, file:PATH, mon:stdio, ...)", opt_serial },
    { "monitor", "dev", "redirect the HMP monitor to a chardev spec",
      opt_monitor },
    { "qmp", "dev", "start a QMP monitor on a chardev spec "
      "(unix:PATH,server=on,wait=off)", opt_qmp },
    { "qmp-pretty", "dev", "like -qmp with pretty-printed JSON",
      opt_qmp_pretty },
    { "mon", "[chardev=]id[,mode=readline|control][,pretty=on|off]",
      "start a monitor (HMP or QMP) on a -chardev", opt_mon },
    { "netdev", "type,id=id[,prop=value...]",
      "define a network backend (-netdev help lists them)", opt_netdev },
    { "nic", "type[,model=m][,mac=addr][,prop=value...]",
      "define a NIC and its network backend at once (model=help lists "
      "NIC models)", opt_nic },
    { "net", "nic[,model=m][,macaddr=addr]|type[,prop=value...]",
      "legacy: a NIC or a network backend on hub 0", opt_net },
    { "object", "type,id=id[,prop=value...]",
      "create an object, e.g. filter-dump (-object help lists them)",
      opt_object },
    /* Display */
    { "nographic", NULL,
      "no graphics: the serial port and monitor share the terminal",
      opt_nographic },
    { "display", "none", "select the display backend", opt_display },
    /* Boot */
    { "bios", "file", "set the firmware ('default', 'none' or a file)",
      opt_bios },
    { "kernel", "file", "load a kernel (Linux Image or ELF)", opt_kernel },
    { "initrd", "file", "use 'file' as the initial ram disk", opt_initrd },
    { "append", "cmdline", "kernel command line", opt_append },
    { "dtb", "file", "use 'file' as the device tree instead of generating "
      "one", opt_dtb },
    /* Debugging */
    { "S", NULL, "do not start the CPUs at startup ('cont' starts them)",
      opt_stopped },
    { "s", NULL, "shorthand for -gdb tcp::1234", opt_gdb_default },
    { "gdb", "dev", "accept a gdb connection on dev (tcp::PORT, unix:PATH)",
      opt_gdb },
    { "d", "item1[,...]", "enable logging of the given items (-d help)",
      opt_log },
    { "D", "logfile", "write the log to logfile instead of stderr",
      opt_log_file },
    { "trace", "[enable=]pattern", "enable trace events (see -trace help)",
      opt_trace },
    { "no-reboot", NULL, "exit instead of rebooting", opt_no_reboot },
};

static OptionsOutcome usage(const SystemTarget *t, VmConfig *c,
                            const char *arg, Error **errp)
{
    printf("Vireo emulator version %s\n"
           "usage: %s [options] [disk_image]\n\n"
           "'disk_image' is a raw hard disk image for the first drive\n\n",
           VIREO_VERSION, program_invocation_short_name);
    for (size_t i = 0; i < ARRAY_SIZE(system_options); i++) {
        const SystemOption *o = &system_options[i];
        char *left = xasprintf("-%s%s%s", o->name, o->arg ? " " : "",
                               o->arg ? o->arg : "");
        if (strlen(left) > 30) {
            printf("%s\n%-32s%s\n", left, "", o->help);
        } else {
            printf("%-32s%s\n", left, o->help);
        }
        free(left);
    }
    printf("\nDuring emulation on a terminal (-nographic), Ctrl-a h lists "
           "the escape keys.\n");
    return OPTIONS_EXIT_OK;
}

static const SystemOption *option_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(system_options); i++) {
        if (!strcmp(system_options[i].name, name)) {
            return &system_options[i];
        }
    }
    return NULL;
}

OptionsOutcome options_parse(const SystemTarget *target, int argc,
                             char **argv, VmConfig *config, Error **errp)
{
    memset(config, 0, sizeof(*config));

    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];
        const SystemOption *opt;
        const char *arg = NULL;
        OptionsOutcome out;

        if (word[0] != '-' || word[1] == '\0') {
            /* A bare argument is the first disk, as in QEMU. */
            char *spec = xasprintf("file=%s,media=disk", word);
            OptList *opts = optlist_append(&config->drives);
            bool ok = opts_parse(opts, word, spec, NULL, errp);
            free(spec);
            if (!ok) {
                return OPTIONS_ERROR;
            }
            continue;
        }
        opt = option_find(word + (word[1] == '-' ? 2 : 1));
        if (!opt) {
            error_setg(errp, "%s: invalid option", word);
            return OPTIONS_ERROR;
        }
        if (opt->arg) {
            if (i + 1 >= argc) {
                error_setg(errp, "%s: requires an argument", word);
                return OPTIONS_ERROR;
            }
            arg = argv[++i];
        }
        out = opt->handle(target, config, arg, errp);
        if (out != OPTIONS_RUN) {
            return out;
        }
    }

    if (!config->machine_type) {
        config->machine_type = machine_type_default(target);
        if (!config->machine_type) {
            error_setg(errp, "No machine specified, and there is no default "
                       "(use -machine help to list supported machines)");
            return OPTIONS_ERROR;
        }
    }
    return OPTIONS_RUN;
}

static void optlist_array_free(OptListArray *arr)
{
    for (size_t i = 0; i < arr->count; i++) {
        opts_free(&arr->items[i]);
    }
    free(arr->items);
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

void vm_config_free(VmConfig *c)
{
    opts_free(&c->machine);
    opts_free(&c->cpu);
    optlist_array_free(&c->accels);
    optlist_array_free(&c->drives);
    optlist_array_free(&c->devices);
    optlist_array_free(&c->chardevs);
    optlist_array_free(&c->netdevs);
    optlist_array_free(&c->nics);
    optlist_array_free(&c->nets);
    optlist_array_free(&c->objects);
    optlist_array_free(&c->globals);
    strv_free(c->serials, c->nr_serials);
    strv_free(c->monitors, c->nr_monitors);
    strv_free(c->qmps, c->nr_qmps);
    strv_free(c->traces, c->nr_traces);
    free(c->qmp_pretty);
    free(c->bios);
    free(c->kernel);
    free(c->initrd);
    free(c->append);
    free(c->dtb);
    free(c->display);
    free(c->gdb);
    free(c->log_file);
    free(c->name);
    memset(c, 0, sizeof(*c));
}
