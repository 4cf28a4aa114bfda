/*
 * accel/tcg/debug.c — what binary translation does for a debugger:
 * breakpoints, single-step and watchpoints (the gdb stub sets them through
 * hw/core/cpu.h; this file makes the CPU loop honour them).
 *
 * Breakpoints are matched by virtual PC when code is translated, as QEMU
 * does, so they work in ROM, in pages the guest cannot write and before
 * the MMU is on, without patching guest memory. A TB never runs past a
 * breakpoint: translation ends the TB before an instruction with a
 * breakpoint, and a TB that starts at one consists of a single helper call
 * that stops the CPU with EXCP_DEBUG before the instruction executes.
 * Breakpoint changes bump CPUState.debug_gen, and the CPU loop then
 * flushes the translation cache before running anything else.
 *
 * Single-step translates TBs of one instruction (CF_SINGLE_STEP, which
 * also forbids chaining: no goto_tb, and a backend's goto_ptr must return
 * to the loop after a CF_NO_GOTO_TB TB, as interp.c does); after such a
 * TB the CPU loop returns EXCP_DEBUG,
 * also when the instruction trapped (the stop is then at the handler, as
 * on hardware). With SSTEP_NOIRQ, interrupts are not taken while stepping,
 * so "stepi" does not wander into an interrupt handler.
 *
 * Watchpoints mark the TLB entries of watched pages with TLB_WATCHPOINT,
 * which sends every access to them to the slow path. A hit there restores
 * the state of the accessing instruction and leaves the TB. With
 * BP_STOP_BEFORE_ACCESS the CPU stops right there, before the access:
 * that is what gdb expects on RISC-V, where it treats watchpoints as
 * non-steppable and steps over the instruction itself before showing the
 * new value. Otherwise the CPU loop re-executes that one instruction
 * alone, with interrupts held off, lets the access happen, and stops
 * after it. Either way the stop is exactly at the accessing instruction
 * (GDB manual, "Setting Watchpoints"; Remote Serial Protocol, "Stop Reply
 * Packets": watch/rwatch/awatch).
 *
 * All of this runs on the vCPU thread; the lists only change while the
 * vCPUs are paused.
 */
#include "accel/tcg/tcg-internal.h"
#include "accel/tcg/tcg-op.h"
#include "accel/tcg/translator.h"

/* --- breakpoints --- */

/* Stop before the instruction at @pc (a TB that starts at a breakpoint). */
static void helper_debug_breakpoint(CPUState *cpu, uint64_t pc)
{
    cpu->ops->set_pc(cpu, pc);
    cpu->exception_index = EXCP_DEBUG;
    cpu_loop_exit(cpu);
}

static const TCGHelperInfo helper_info_debug_breakpoint = {
    .name = "debug_breakpoint",
    .func = (void *)helper_debug_breakpoint,
    .flags = TCG_CALL_MAY_RAISE | TCG_CALL_WRITES_GLOBALS,
    .nargs = 2,
    .ret = TCG_HARG_VOID,
    .args = { TCG_HARG_ENV, TCG_HARG_I64 },
};

bool translator_breakpoint_check(DisasContextBase *db)
{
    CPUState *cpu = db->cpu;

    if (db->single_step || !cpu->nr_breakpoints ||
        !cpu_breakpoint_test(cpu, db->pc_next, BP_GDB)) {
        return false;
    }
    if (db->num_insns > 0) {
        /* End the TB here: the next one starts at the breakpoint. */
        db->is_jmp = DISAS_TOO_MANY;
        return true;
    }
    tcg_gen_call1(db->tcg, &helper_info_debug_breakpoint, 0,
                  tcg_constant_i64(db->tcg, (int64_t)db->pc_next).idx);
    db->is_jmp = DISAS_NORETURN;
    /* The TB must cover the breakpoint address (size > 0). */
    db->pc_next += 1;
    return true;
}

/* --- the CPU loop --- */

void tcg_debug_sync(CPUState *cpu)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    unsigned gen = atomic_load(&cpu->debug_gen);

    if (gen != tc->debug_gen) {
        tc->debug_gen = gen;
        /* Breakpoints are compiled into TBs, watchpoints into the TLB. */
        atomic_store(&tc->accel->flush_requested, true);
        tlb_flush(cpu);
    }
}

uint32_t tcg_debug_cflags(CPUState *cpu)
{
    uint32_t cflags = tcg_cpu(cpu)->cflags_next_tb;

    if (cpu->singlestep_enabled) {
        cflags |= CF_SINGLE_STEP | CF_NO_GOTO_TB | 1;
    }
    return cflags;
}

bool tcg_debug_irq_blocked(CPUState *cpu)
{
    return (cpu->singlestep_enabled & SSTEP_NOIRQ) ||
           tcg_cpu(cpu)->cflags_next_tb != 0;
}

void tcg_debug_tb_begin(CPUState *cpu, uint32_t cflags)
{
    TCGCPUState *tc = tcg_cpu(cpu);

    /* Set before translation: a fault fetching the instruction also
     * ends the step (at the trap handler). */
    tc->step_active = (cflags & CF_SINGLE_STEP) != 0;
    tc->replay_active = tc->cflags_next_tb != 0;
}

void tcg_debug_tb_skipped(CPUState *cpu)
{
    TCGCPUState *tc = tcg_cpu(cpu);

    tc->step_active = false;
    tc->replay_active = false;
}

bool tcg_debug_stop_pending(CPUState *cpu)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    bool stop = false;

    if (tc->replay_active) {
        tc->replay_active = false;
        tc->cflags_next_tb = 0;
        if (tc->watch_stop) {
            tc->watch_stop = false;
            stop = true;
        } else {
            /* The instruction trapped before it reached the access. */
            cpu->watchpoint_hit.active = false;
        }
    }
    if (tc->step_active) {
        tc->step_active = false;
        stop = true;
    }
    return stop;
}

void tcg_debug_stop(TCGAccel *accel, CPUState *cpu)
{
    /* Park every vCPU now (all-stop); the debugger's bottom half then
     * makes it official with vm_stop(). */
    if (cpu_debug_notify(cpu)) {
        accel->pause_requested = true;
        return;
    }
    /* Nobody listens (the debugger left): forget its requests rather
     * than stopping here again and again. */
    cpu_breakpoint_remove_all(cpu, BP_GDB);
    cpu_watchpoint_remove_all(cpu, BP_GDB);
    cpu_single_step(cpu, 0);
}

/* --- watchpoints --- */

int tcg_debug_tlb_flags(CPUState *cpu, uint64_t vpage)
{
    if (!cpu->nr_watchpoints) {
        return 0;
    }
    return cpu_watchpoint_page_flags(cpu, vpage, TCG_PAGE_SIZE);
}

void tcg_debug_check_watchpoint(CPUState *cpu, uint64_t addr, unsigned size,
                                MMUAccessType access, uintptr_t ra)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    int kind = access == MMU_DATA_STORE ? BP_MEM_WRITE : BP_MEM_READ;
    const CPUWatchpoint *wp = cpu_watchpoint_match(cpu, addr, size, kind);

    if (!wp) {
        return;
    }
    if (tc->replay_active) {
        /* The re-execution: let the access happen, stop after it. */
        tc->watch_stop = true;
        return;
    }
    cpu->watchpoint_hit = (CPUWatchpointHit) {
        .active = true, .wp = *wp, .hitaddr = addr,
    };
    if ((wp->flags & BP_STOP_BEFORE_ACCESS) && cpu_restore_state(cpu, ra)) {
        /* Stop at the accessing instruction, before it does anything. */
        tc->step_active = false;
        cpu->exception_index = EXCP_DEBUG;
        cpu_loop_exit(cpu);
    }
    if (!cpu_restore_state(cpu, ra)) {
        /* Not from translated code: no instruction to replay, so stop
         * at the end of the current TB. */
        tc->replay_active = true;
        tc->watch_stop = true;
        return;
    }
    /* Replay the instruction alone (a step in progress is replayed too). */
    tc->step_active = false;
    tc->cflags_next_tb = CF_NO_GOTO_TB | 1;
    cpu_loop_exit_noexc(cpu);
}
