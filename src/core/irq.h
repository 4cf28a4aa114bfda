/*
 * core/irq.h — interrupt lines between devices and CPUs.
 *
 * A line is a callback plus its opaque and line number, held by value in
 * the device that drives it and wired by the board: a UART's output line
 * goes to a PLIC input, a PLIC context's output to a hart's external
 * interrupt input. irq_set() delivers a level (0 or 1); lines are level-
 * triggered. Everything runs with the big lock held.
 */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include "util/osdep.h"

typedef void IRQHandler(void *opaque, int n, int level);

typedef struct IRQLine {
    IRQHandler *handler;
    void *opaque;
    int n;
} IRQLine;

static inline IRQLine irq_line(IRQHandler *handler, void *opaque, int n)
{
    return (IRQLine){ .handler = handler, .opaque = opaque, .n = n };
}

/* Drive @line to @level; an unconnected line ignores it. */
static inline void irq_set(const IRQLine *line, int level)
{
    if (line && line->handler) {
        line->handler(line->opaque, line->n, level);
    }
}

static inline void irq_raise(const IRQLine *line)
{
    irq_set(line, 1);
}

static inline void irq_lower(const IRQLine *line)
{
    irq_set(line, 0);
}

#endif /* CORE_IRQ_H */
