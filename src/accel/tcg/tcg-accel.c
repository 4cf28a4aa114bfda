/*
 * accel/tcg/tcg-accel.c — the "tcg" accelerator: binary translation, with
 * every vCPU run round-robin on one vCPU thread (never the main-loop
 * thread, so the monitor, timers and I/O keep running while the guest
 * computes).
 *
 * Scheduling. The vCPU thread runs one CPU at a time until it leaves its
 * CPU loop: an exit request (a kick: interrupt, pause, or the time-slice
 * timer when there are several CPUs) or WFI. The turn passes to the next
 * CPU when the slice is over, on WFI or PAUSE, and when the running CPU
 * sends another one an interrupt (so an IPI is answered at once, not a
 * slice later: senders of remote fences spin until they are). A kick
 * that merely delivers an interrupt to the running CPU (a timer tick
 * arriving while it runs M-mode firmware with interrupts off, say) lets
 * it go on. That
 * matters for correctness, not just speed: firmware such as OpenSBI 1.1
 * publishes a hart's START_PENDING state a few instructions before its
 * start address, and a secondary hart that runs in between jumps to the
 * stale address (fixed upstream in OpenSBI 1.3, commit e8e9ed37). On
 * hardware the window is a few instructions; here it also holds the
 * translation of code run for the first time, so a slice boundary could
 * land in it. Hence also: a slice that ends while the CPU runs firmware
 * with interrupts off (CPUOps.in_atomic_section) is extended once, by
 * TCG_RR_GRACE_NS, which such a window never outlasts. Halted CPUs are
 * skipped until they have work; when none can run, the thread sleeps on a
 * condition variable that kicks signal.
 *
 * Pausing (vm_stop, with the BQL held): set pause_requested, kick every
 * CPU, and wait on paused_cond with the BQL released (a vCPU may need
 * the BQL to finish an MMIO access before it can notice). The vCPU
 * thread acknowledges under the BQL and sleeps until resumed.
 *
 * Lock order: BQL before accel->lock; the vCPU thread never holds
 * accel->lock while running guest code.
 */
#include "accel/tcg/tcg-accel.h"
#include "accel/tcg/tcg-internal.h"
#include "core/main-loop.h"
#include "util/error.h"

/* Round-robin time slice when several CPUs share the thread. */
#define TCG_RR_SLICE_NS (2 * 1000 * 1000)
/* Extra time for a CPU whose slice ends inside an atomic section. */
#define TCG_RR_GRACE_NS (500 * 1000)

/* The "backend" property: the JIT where there is one (x86-64 hosts). */
enum { TCG_BACKEND_INTERP, TCG_BACKEND_JIT };
static const char *const tcg_backend_names[] = { "interp", "jit", NULL };
#if defined(__x86_64__)
#define TCG_BACKEND_DEFAULT TCG_BACKEND_JIT
#else
#define TCG_BACKEND_DEFAULT TCG_BACKEND_INTERP
#endif
static const char *const tcg_thread_names[] = { "single", NULL };

typedef struct TCGAccelOptions {
    TCGAccel accel;
    int thread;
} TCGAccelOptions;

static const Property tcg_accel_props[] = {
    DEFINE_PROP_ENUM("backend", TCGAccelOptions, accel.backend_choice,
                     TCG_BACKEND_DEFAULT, tcg_backend_names,
                     "how translated code runs: the IR interpreter, or "
                     "x86-64 host code"),
    DEFINE_PROP_BOOL("check", TCGAccelOptions, accel.check, false,
                     "backend=jit: run every TB on the JIT and the "
                     "interpreter and report the first difference (debug)"),
    DEFINE_PROP_SIZE("tb-size", TCGAccelOptions, accel.tb_size, 256 * MiB,
                     "size of the translation cache (bytes; suffixes k, M, G)"),
    DEFINE_PROP_BOOL("one-insn-per-tb", TCGAccelOptions, accel.one_insn_per_tb,
                     false, "translate one guest instruction per TB (debug)"),
    DEFINE_PROP_ENUM("thread", TCGAccelOptions, thread, 0, tcg_thread_names,
                     "vCPU threading: all vCPUs round-robin on one thread"),
    DEFINE_PROP_END,
};

static TCGAccel *tcg_accel(Machine *m)
{
    return m->accel_state;
}

static bool tcg_accel_init(Machine *m, Error **errp)
{
    TCGAccel *accel = tcg_accel(m);

    accel->machine = m;
    accel->backend = &tcg_backend_interp;
    if (accel->backend_choice == TCG_BACKEND_JIT) {
#if defined(__x86_64__)
        accel->backend = accel->check ? &tcg_backend_check : &tcg_backend_jit;
#else
        error_setg(errp, "backend=jit: no JIT for this host (x86-64 only)");
        return false;
#endif
    } else if (accel->check) {
        error_setg(errp, "check=on needs backend=jit");
        return false;
    }
    if (accel->tb_size < 1 * MiB) {
        error_setg(errp, "tb-size must be at least 1M");
        return false;
    }
    pthread_mutex_init(&accel->lock, NULL);
    pthread_cond_init(&accel->cond, NULL);
    pthread_cond_init(&accel->paused_cond, NULL);
    if (!tb_maint_init(accel, errp)) {
        return false;
    }
    return !accel->backend->init || accel->backend->init(accel, errp);
}

static void tcg_init_vcpu(CPUState *cpu)
{
    TCGCPUState *tc = XNEW(TCGCPUState);

    tc->accel = tcg_accel(cpu->machine);
    cpu->accel_cpu = tc;
    tlb_init_cpu(cpu);
}

static void tcg_kick_vcpu(CPUState *cpu)
{
    TCGAccel *accel = tcg_accel(cpu->machine);
    Machine *m = cpu->machine;

    atomic_store(&cpu->exit_request, 1);
    /*
     * The running CPU raised an interrupt for another one (an IPI, a
     * remote fence): hand the turn over at once. The sender usually
     * spins until the target answers (OpenSBI's remote fences wait in
     * M-mode), so waiting for the slice to end would cost a slice per
     * message.
     */
    if (accel->thread_started && pthread_equal(pthread_self(),
                                               accel->thread)) {
        CPUState *running = m->cpus[accel->rr_current % m->nr_cpus];

        if (running != cpu) {
            atomic_store(&accel->turn_over, true);
            atomic_store(&running->exit_request, 1);
        }
    }
    pthread_mutex_lock(&accel->lock);
    pthread_cond_broadcast(&accel->cond);
    pthread_mutex_unlock(&accel->lock);
}

static void tcg_kick_all(TCGAccel *accel)
{
    Machine *m = accel->machine;

    for (unsigned i = 0; m->cpus && i < m->nr_cpus; i++) {
        atomic_store(&m->cpus[i]->exit_request, 1);
    }
    pthread_cond_broadcast(&accel->cond);
}

static bool cpu_can_run(CPUState *cpu)
{
    if (cpu->stop || cpu->powered_off) {
        return false;
    }
    return !cpu->halted || cpu->ops->has_work(cpu);
}

/* accel->lock held: the next runnable CPU after the current one. */
static CPUState *rr_pick(TCGAccel *accel)
{
    Machine *m = accel->machine;

    for (unsigned n = 0; n < m->nr_cpus; n++) {
        unsigned i = (accel->rr_current + n) % m->nr_cpus;
        if (cpu_can_run(m->cpus[i])) {
            accel->rr_current = i;
            return m->cpus[i];
        }
    }
    return NULL;
}

/* accel->lock held on entry and exit. */
static void rr_park(TCGAccel *accel)
{
    MainLoop *loop = accel->machine->loop;

    pthread_mutex_unlock(&accel->lock);
    bql_lock(loop);
    accel->paused = true;
    pthread_cond_broadcast(&accel->paused_cond);
    bql_unlock(loop);
    pthread_mutex_lock(&accel->lock);
    while (accel->pause_requested && !accel->quit) {
        pthread_cond_wait(&accel->cond, &accel->lock);
    }
    pthread_mutex_unlock(&accel->lock);
    bql_lock(loop);
    accel->paused = accel->pause_requested;
    bql_unlock(loop);
    pthread_mutex_lock(&accel->lock);
}

static void *tcg_rr_thread(void *opaque)
{
    TCGAccel *accel = opaque;
    Machine *m = accel->machine;

    pthread_mutex_lock(&accel->lock);
    while (!accel->quit) {
        CPUState *cpu;
        int ret;

        if (accel->pause_requested) {
            rr_park(accel);
            continue;
        }
        cpu = rr_pick(accel);
        if (!cpu) {
            pthread_cond_wait(&accel->cond, &accel->lock);
            continue;
        }
        pthread_mutex_unlock(&accel->lock);
        ret = cpu_exec(cpu);
        pthread_mutex_lock(&accel->lock);
        if (ret == EXCP_DEBUG) {
            tcg_debug_stop(accel, cpu);     /* all-stop for the debugger */
        }
        if (ret == EXCP_HLT || ret == EXCP_YIELD ||
            (ret == EXCP_INTERRUPT &&
             atomic_exchange(&accel->turn_over, false))) {
            accel->rr_current = (accel->rr_current + 1) % m->nr_cpus;
            atomic_store(&accel->turn_over, false);
        }
    }
    pthread_mutex_unlock(&accel->lock);
    return NULL;
}

/* Main loop: end the current CPU's time slice. */
static void tcg_rr_kick_timer(void *opaque)
{
    TCGAccel *accel = opaque;
    Machine *m = accel->machine;
    CPUState *cpu = m->cpus[accel->rr_current % m->nr_cpus];
    int64_t now = clock_get_ns(m->loop, CLOCK_TYPE_REALTIME);

    /* Once per slice, firmware running with interrupts off may finish
     * what it is doing (see the header: a hart started by OpenSBI 1.1). */
    if (!accel->slice_extended && cpu->ops->in_atomic_section &&
        cpu->ops->in_atomic_section(cpu)) {
        accel->slice_extended = true;
        timer_mod_ns(accel->kick_timer, now + TCG_RR_GRACE_NS);
        return;
    }
    accel->slice_extended = false;
    atomic_store(&accel->turn_over, true);
    atomic_store(&cpu->exit_request, 1);
    timer_mod_ns(accel->kick_timer, now + TCG_RR_SLICE_NS);
}

static bool tcg_start_vcpus(Machine *m, Error **errp)
{
    TCGAccel *accel = tcg_accel(m);
    CPUState *cpu0 = m->cpus[0];
    int err;

    accel->ctx = tcg_context_new(&m->log);
    accel->ctx->frontend = cpu0->ops->tcg_ops->tcg_init(accel->ctx);
    if (m->run_state != RUN_STATE_RUNNING) {
        accel->pause_requested = true;
    }
    err = pthread_create(&accel->thread, NULL, tcg_rr_thread, accel);
    if (err) {
        error_setg_errno(errp, err, "cannot create the vCPU thread");
        return false;
    }
    accel->thread_started = true;
    if (m->nr_cpus > 1) {
        accel->kick_timer = timer_new_ns(m->loop, CLOCK_TYPE_REALTIME,
                                         tcg_rr_kick_timer, accel);
        timer_mod_ns(accel->kick_timer,
                     clock_get_ns(m->loop, CLOCK_TYPE_REALTIME) +
                     TCG_RR_SLICE_NS);
    }
    return true;
}

static void tcg_pause_vcpus(Machine *m)
{
    TCGAccel *accel = tcg_accel(m);

    pthread_mutex_lock(&accel->lock);
    accel->pause_requested = true;
    tcg_kick_all(accel);
    pthread_mutex_unlock(&accel->lock);
    while (accel->thread_started && !accel->paused) {
        bql_cond_wait(m->loop, &accel->paused_cond);
    }
}

static void tcg_resume_vcpus(Machine *m)
{
    TCGAccel *accel = tcg_accel(m);

    pthread_mutex_lock(&accel->lock);
    accel->pause_requested = false;
    pthread_cond_broadcast(&accel->cond);
    pthread_mutex_unlock(&accel->lock);
}

static void tcg_destroy(Machine *m)
{
    TCGAccel *accel = tcg_accel(m);

    if (accel->thread_started) {
        pthread_mutex_lock(&accel->lock);
        accel->quit = true;
        tcg_kick_all(accel);
        pthread_mutex_unlock(&accel->lock);
        pthread_join(accel->thread, NULL);
        accel->thread_started = false;
    }
    if (accel->kick_timer) {
        timer_free(accel->kick_timer);
        accel->kick_timer = NULL;
    }
    if (log_enabled(&m->log, LOG_TB_STATS)) {
        log_printf(&m->log, "tb: %" PRIu64 " TBs, %" PRIu64 " invalidated, "
                   "%" PRIu64 " flushes, %zu KiB of region in use\n",
                   accel->nb_tbs, accel->nb_invalidations, accel->nb_flushes,
                   accel->region_used / 1024);
    }
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        if (m->cpus && m->cpus[i] && m->cpus[i]->accel_cpu) {
            tlb_destroy_cpu(m->cpus[i]);
            free(m->cpus[i]->accel_cpu);
            m->cpus[i]->accel_cpu = NULL;
        }
    }
    tcg_context_free(accel->ctx);
    accel->ctx = NULL;
    if (accel->backend && accel->backend->destroy) {
        accel->backend->destroy(accel);
    }
    tb_maint_destroy(accel);
}

const AccelType tcg_accel_type = {
    .name = "tcg",
    .desc = "binary translation (any guest on any host)",
    .props = tcg_accel_props,
    .state_size = sizeof(TCGAccelOptions),
    .init = tcg_accel_init,
    .init_vcpu = tcg_init_vcpu,
    .start_vcpus = tcg_start_vcpus,
    .pause_vcpus = tcg_pause_vcpus,
    .resume_vcpus = tcg_resume_vcpus,
    .kick_vcpu = tcg_kick_vcpu,
    .destroy = tcg_destroy,
};
