/*
 * accel/tcg/cpu-exec.c — the CPU loop: find or translate the TB for the
 * current state, run it, chain it to the next one, and handle what makes
 * execution leave translated code (exceptions, interrupts, exit
 * requests, WFI).
 *
 * Guest exceptions raised inside TBs longjmp back here through
 * cpu_loop_exit*(): the only way out of translated code besides a TB
 * exit. The loop then asks the target to deliver the trap.
 */
#include "accel/tcg/tcg-internal.h"
#include "core/main-loop.h"
#include "util/log.h"

void cpu_loop_exit(CPUState *cpu)
{
    TCGCPUState *tc = tcg_cpu(cpu);

    tc->interp_tb = NULL;
    siglongjmp(tc->jmp_env, 1);
}

bool cpu_restore_state(CPUState *cpu, uintptr_t ra)
{
    TCGAccel *accel = tcg_cpu(cpu)->accel;
    TranslationBlock *tb;
    uint32_t pos;
    const TBInsnStart *found = NULL;

    if (!accel->backend->fault_position(cpu, ra, &tb, &pos)) {
        return false;
    }
    /* The instruction whose ops contain @pos: the last one starting at or
     * before it. */
    for (uint32_t i = 0; i < tb->nb_insn_starts; i++) {
        if (tb->insn_starts[i].pos > pos) {
            break;
        }
        found = &tb->insn_starts[i];
    }
    if (!found) {
        return false;
    }
    cpu->ops->tcg_ops->restore_state_to_opc(cpu, tb, found->data);
    return true;
}

void cpu_loop_exit_restore(CPUState *cpu, uintptr_t ra)
{
    if (ra) {
        cpu_restore_state(cpu, ra);
    }
    cpu_loop_exit(cpu);
}

void cpu_loop_exit_noexc(CPUState *cpu)
{
    cpu->exception_index = EXCP_NONE;
    cpu_loop_exit(cpu);
}

int64_t cpu_clock_ns(CPUState *cpu)
{
    return clock_get_ns(cpu->machine->loop, CLOCK_TYPE_VIRTUAL);
}

static void log_exec(CPUState *cpu, TranslationBlock *tb)
{
    if (log_enabled(cpu->log, LOG_CPU)) {
        log_lock(cpu->log);
        cpu->ops->dump_state(cpu, cpu->log->file, 0);
        log_unlock(cpu->log);
    }
    log_mask(cpu->log, LOG_EXEC, "Trace %u: %p [%016" PRIx64 "/%08x/%08x]\n",
             cpu->index, (void *)tb, tb->pc, tb->flags, tb->cflags);
}

/* Deliver a pending exception; returns a loop exit code or 0 to go on. */
static int handle_exception(CPUState *cpu)
{
    int excp = cpu->exception_index;

    if (excp == EXCP_NONE) {
        return 0;
    }
    if (excp >= 0) {
        cpu->ops->tcg_ops->do_exception(cpu);
        cpu->exception_index = EXCP_NONE;
        return 0;
    }
    cpu->exception_index = EXCP_NONE;
    if (excp == EXCP_HLT) {
        cpu->halted = true;
    }
    return excp;
}

int cpu_exec(CPUState *cpu)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    TCGAccel *accel = tc->accel;
    const TCGCPUOps *ops = cpu->ops->tcg_ops;
    TranslationBlock *volatile last_tb = NULL;
    volatile TBExit last_exit = TB_EXIT_NOCHAIN;
    MainLoop *loop = cpu->machine->loop;

    if (cpu->halted) {
        if (!cpu->ops->has_work(cpu)) {
            return EXCP_HLT;
        }
        cpu->halted = false;
    }
    if (sigsetjmp(tc->jmp_env, 0) != 0) {
        /* Back from cpu_loop_exit(): translated code was abandoned. */
        tc->interp_tb = NULL;
        last_tb = NULL;
        if (bql_held_by_me(loop)) {
            bql_unlock(loop);
        }
    }
    for (;;) {
        TranslationBlock *tb;
        uint64_t pc, flushes;
        uint32_t flags, cflags = 0;
        int ret;

        ret = handle_exception(cpu);
        if (tcg_debug_stop_pending(cpu)) {
            return EXCP_DEBUG;      /* a step or watched access is done */
        }
        if (ret) {
            return ret;
        }
        if (!tcg_debug_irq_blocked(cpu) && ops->exec_interrupt(cpu)) {
            if (cpu->singlestep_enabled) {
                return EXCP_DEBUG;  /* a step stops at the handler */
            }
            last_tb = NULL;
            continue;       /* the trap may be followed by another */
        }
        if (atomic_exchange(&cpu->exit_request, 0)) {
            return EXCP_INTERRUPT;
        }
        tcg_debug_sync(cpu);
        if (atomic_load(&accel->flush_requested)) {
            tb_flush_now(accel);
            last_tb = NULL;
        }
        if (log_enabled(cpu->log, LOG_NOCHAIN) ||
            accel->backend->no_chaining) {
            cflags |= CF_NO_GOTO_TB;
        }
        cflags |= tcg_debug_cflags(cpu);
        tcg_debug_tb_begin(cpu, cflags);
        ops->get_tb_cpu_state(cpu, &pc, &flags);
        tb = tb_lookup(cpu, pc, flags, cflags);
        if (!tb) {
            flushes = accel->nb_flushes;
            tb = tb_gen_code(cpu, pc, flags, cflags);
            if (accel->nb_flushes != flushes) {
                last_tb = NULL;     /* it was flushed away */
            }
            tc->jmp_cache[tb_jmp_cache_index(pc)] = tb;
        }
        if (last_tb && (last_exit == TB_EXIT_IDX0 ||
                        last_exit == TB_EXIT_IDX1) &&
            !(cflags & CF_NO_GOTO_TB)) {
            tb_link_jump(accel, last_tb, last_exit - TB_EXIT_IDX0, tb);
        }
        if (log_enabled(cpu->log, LOG_EXEC | LOG_CPU)) {
            log_exec(cpu, tb);
        }
        {
            TranslationBlock *exited = NULL;
            last_exit = accel->backend->exec(cpu, tb, &exited);
            last_tb = exited;
        }
        if (last_exit == TB_EXIT_REQUESTED) {
            /* Left at a TB's entry check: the PC is that TB's start. */
            ops->synchronize_from_tb(cpu, last_tb);
            if (last_tb == tb) {
                tcg_debug_tb_skipped(cpu);
            }
            last_tb = NULL;
        }
    }
}
