/*
 * tools/img/progress.c — the "-p" progress line of convert, compare and
 * commit, as qemu-img draws it: "    (42.00/100%)" followed by a carriage
 * return, so each update overwrites the last, and a newline at the end.
 *
 * Updates are printed only when the percentage has moved by more than
 * the step given at init (qemu-img uses 1 point for convert, 2 for
 * compare), and at 100%, so a long run prints about a hundred updates.
 * Finishing only ends the line: commands that complete print their own
 * final 100% first, and one that stops early leaves its last figure.
 */
#include "tools/img/img-internal.h"

static void img_progress_print(ImgProgress *p)
{
    printf("    (%3.2f/100%%)\r", p->current);
    fflush(stdout);
    p->last_printed = p->current;
}

void img_progress_init(ImgProgress *p, bool enabled, float min_step)
{
    p->enabled = enabled;
    p->min_step = min_step;
    p->last_printed = -1;
    p->current = 0;
    if (enabled) {
        img_progress_print(p);
    }
}

void img_progress_update(ImgProgress *p, uint64_t done, uint64_t total)
{
    float pct;

    if (!p->enabled) {
        return;
    }
    pct = total ? (float)((double)MIN(done, total) * 100.0 / (double)total)
                : 100.0f;
    p->current = pct;
    /* As qemu: past the step in either direction, and every time at 100. */
    if (pct > p->last_printed + p->min_step ||
        pct < p->last_printed - p->min_step || pct >= 100.0f) {
        img_progress_print(p);
    }
}

void img_progress_finish(ImgProgress *p)
{
    if (!p->enabled) {
        return;
    }
    printf("\n");
    fflush(stdout);
}

void img_progress_cb(void *opaque, uint64_t done, uint64_t total)
{
    img_progress_update(opaque, done, total);
}
