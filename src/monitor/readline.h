/*
 * monitor/readline.h — the HMP line editor.
 *
 * A small readline over a byte stream, like QEMU's util/readline.c: it
 * echoes what is typed (the terminal is raw), edits in place (Left/Right,
 * Home/End, Backspace, Delete, Ctrl-A/E/K/U/W), recalls history (Up/Down,
 * Ctrl-P/N) and completes words with Tab through a callback. Keys arrive
 * as VT100/xterm escape sequences (ESC [ A, ESC [ 3 ~, ESC O H ...).
 * Enter (CR, LF or CR LF) hands the line to on_line().
 *
 * Output (echo, redraws) goes through out(); "\n" is left for the
 * monitor to turn into "\r\n".
 */
#ifndef MONITOR_READLINE_H
#define MONITOR_READLINE_H

#include "util/osdep.h"

#define READLINE_MAX_LINE 4096
#define READLINE_HISTORY 64

typedef void ReadLineOutFn(void *opaque, const char *text);
typedef void ReadLineLineFn(void *opaque, const char *line);
/*
 * Candidates for completing the word that ends @line (the text before the
 * cursor): a malloc'ed NULL-terminated array of malloc'ed full words, or
 * NULL.
 */
typedef char **ReadLineCompleteFn(void *opaque, const char *line);

typedef struct ReadLine {
    char buf[READLINE_MAX_LINE];
    size_t len;
    size_t pos;
    const char *prompt;
    int esc_state;
    int esc_param;
    bool last_was_cr;
    char *history[READLINE_HISTORY];
    unsigned history_len;
    int history_pos;        /* -1: editing a new line */
    ReadLineOutFn *out;
    ReadLineLineFn *on_line;
    ReadLineCompleteFn *complete;
    void *opaque;
} ReadLine;

void readline_init(ReadLine *rl, const char *prompt, ReadLineOutFn *out,
                   ReadLineLineFn *on_line, ReadLineCompleteFn *complete,
                   void *opaque);
void readline_free(ReadLine *rl);
void readline_feed(ReadLine *rl, uint8_t byte);
/* Print the prompt and the line being edited. */
void readline_show_prompt(ReadLine *rl);
/* Forget the line being edited. */
void readline_restart(ReadLine *rl);

#endif /* MONITOR_READLINE_H */
