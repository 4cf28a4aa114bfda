/*
 * monitor/readline.c — the HMP line editor (see monitor/readline.h).
 *
 * The cursor model: the terminal's cursor sits after prompt + buf[0..pos).
 * Every edit prints what changed and backs up with '\b' to where the
 * cursor must be, so no terminal capabilities beyond BS are needed.
 */
#include "monitor/readline.h"

enum {
    ESC_NONE,
    ESC_ESC,        /* got ESC */
    ESC_CSI,        /* got ESC [ (parameters follow) */
    ESC_SS3,        /* got ESC O */
};

static void rl_puts(ReadLine *rl, const char *s)
{
    if (*s) {
        rl->out(rl->opaque, s);
    }
}

static void rl_putn(ReadLine *rl, const char *s, size_t n)
{
    char tmp[256];

    while (n) {
        size_t k = MIN(n, sizeof(tmp) - 1);

        memcpy(tmp, s, k);
        tmp[k] = '\0';
        rl_puts(rl, tmp);
        s += k;
        n -= k;
    }
}

static void rl_repeat(ReadLine *rl, char c, size_t n)
{
    char tmp[65];

    while (n) {
        size_t k = MIN(n, sizeof(tmp) - 1);

        memset(tmp, c, k);
        tmp[k] = '\0';
        rl_puts(rl, tmp);
        n -= k;
    }
}

void readline_init(ReadLine *rl, const char *prompt, ReadLineOutFn *out,
                   ReadLineLineFn *on_line, ReadLineCompleteFn *complete,
                   void *opaque)
{
    memset(rl, 0, sizeof(*rl));
    rl->prompt = prompt;
    rl->out = out;
    rl->on_line = on_line;
    rl->complete = complete;
    rl->opaque = opaque;
    rl->history_pos = -1;
}

void readline_free(ReadLine *rl)
{
    for (unsigned i = 0; i < rl->history_len; i++) {
        free(rl->history[i]);
    }
    rl->history_len = 0;
}

void readline_restart(ReadLine *rl)
{
    rl->len = rl->pos = 0;
    rl->esc_state = ESC_NONE;
    rl->history_pos = -1;
}

void readline_show_prompt(ReadLine *rl)
{
    rl_puts(rl, rl->prompt);
    rl_putn(rl, rl->buf, rl->len);
    rl_repeat(rl, '\b', rl->len - rl->pos);
}

/* Replace the whole line with @text (history recall). */
static void rl_set_line(ReadLine *rl, const char *text)
{
    size_t n = MIN(strlen(text), sizeof(rl->buf) - 1);

    rl_repeat(rl, '\b', rl->pos);
    rl_repeat(rl, ' ', rl->len);
    rl_repeat(rl, '\b', rl->len);
    memcpy(rl->buf, text, n);
    rl->len = rl->pos = n;
    rl_putn(rl, rl->buf, rl->len);
}

static void rl_insert(ReadLine *rl, const char *text, size_t n)
{
    n = MIN(n, sizeof(rl->buf) - 1 - rl->len);
    if (!n) {
        return;
    }
    memmove(rl->buf + rl->pos + n, rl->buf + rl->pos, rl->len - rl->pos);
    memcpy(rl->buf + rl->pos, text, n);
    rl->len += n;
    rl_putn(rl, rl->buf + rl->pos, rl->len - rl->pos);
    rl->pos += n;
    rl_repeat(rl, '\b', rl->len - rl->pos);
}

/* Delete @n characters before the cursor. */
static void rl_delete_back(ReadLine *rl, size_t n)
{
    n = MIN(n, rl->pos);
    if (!n) {
        return;
    }
    memmove(rl->buf + rl->pos - n, rl->buf + rl->pos, rl->len - rl->pos);
    rl_repeat(rl, '\b', n);
    rl->pos -= n;
    rl->len -= n;
    rl_putn(rl, rl->buf + rl->pos, rl->len - rl->pos);
    rl_repeat(rl, ' ', n);
    rl_repeat(rl, '\b', rl->len - rl->pos + n);
}

/* Delete @n characters at the cursor. */
static void rl_delete_fwd(ReadLine *rl, size_t n)
{
    n = MIN(n, rl->len - rl->pos);
    if (!n) {
        return;
    }
    memmove(rl->buf + rl->pos, rl->buf + rl->pos + n, rl->len - rl->pos - n);
    rl->len -= n;
    rl_putn(rl, rl->buf + rl->pos, rl->len - rl->pos);
    rl_repeat(rl, ' ', n);
    rl_repeat(rl, '\b', rl->len - rl->pos + n);
}

static void rl_move(ReadLine *rl, size_t to)
{
    if (to < rl->pos) {
        rl_repeat(rl, '\b', rl->pos - to);
    } else if (to > rl->pos) {
        rl_putn(rl, rl->buf + rl->pos, to - rl->pos);
    }
    rl->pos = to;
}

static void rl_history_add(ReadLine *rl, const char *line)
{
    if (!*line || (rl->history_len &&
                   !strcmp(rl->history[rl->history_len - 1], line))) {
        return;
    }
    if (rl->history_len == READLINE_HISTORY) {
        free(rl->history[0]);
        memmove(rl->history, rl->history + 1,
                (READLINE_HISTORY - 1) * sizeof(rl->history[0]));
        rl->history_len--;
    }
    rl->history[rl->history_len++] = xstrdup(line);
}

static void rl_history_step(ReadLine *rl, int dir)
{
    int pos = rl->history_pos;

    if (!rl->history_len) {
        return;
    }
    if (dir < 0) {
        pos = pos < 0 ? (int)rl->history_len - 1 : MAX(pos - 1, 0);
    } else {
        if (pos < 0) {
            return;
        }
        pos = pos + 1 >= (int)rl->history_len ? -1 : pos + 1;
    }
    rl->history_pos = pos;
    rl_set_line(rl, pos < 0 ? "" : rl->history[pos]);
}

static void rl_enter(ReadLine *rl)
{
    char line[READLINE_MAX_LINE];

    memcpy(line, rl->buf, rl->len);
    line[rl->len] = '\0';
    rl_history_add(rl, line);
    rl_puts(rl, "\n");
    readline_restart(rl);
    rl->on_line(rl->opaque, line);
}

static void rl_complete(ReadLine *rl)
{
    char prefix[READLINE_MAX_LINE];
    const char *word;
    char **cands;
    size_t n = 0, wlen, common;

    if (!rl->complete) {
        return;
    }
    memcpy(prefix, rl->buf, rl->pos);
    prefix[rl->pos] = '\0';
    cands = rl->complete(rl->opaque, prefix);
    if (!cands) {
        return;
    }
    word = strrchr(prefix, ' ');
    word = word ? word + 1 : prefix;
    wlen = strlen(word);
    while (cands[n]) {
        n++;
    }
    if (n) {
        /* Extend to the longest common prefix of the candidates. */
        common = strlen(cands[0]);
        for (size_t i = 1; i < n; i++) {
            size_t k = 0;

            while (k < common && cands[i][k] == cands[0][k]) {
                k++;
            }
            common = k;
        }
        if (n == 1) {
            rl_insert(rl, cands[0] + wlen, common - wlen);
            rl_insert(rl, " ", 1);
        } else if (common > wlen) {
            rl_insert(rl, cands[0] + wlen, common - wlen);
        } else {
            rl_puts(rl, "\n");
            for (size_t i = 0; i < n; i++) {
                rl_puts(rl, cands[i]);
                rl_puts(rl, i + 1 < n ? "  " : "\n");
            }
            readline_show_prompt(rl);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(cands[i]);
    }
    free(cands);
}

/* The final byte of ESC [ <param> <final> or ESC O <final>. */
static void rl_escape(ReadLine *rl, uint8_t final, int param)
{
    switch (final) {
    case 'A':
        rl_history_step(rl, -1);
        break;
    case 'B':
        rl_history_step(rl, 1);
        break;
    case 'C':
        rl_move(rl, MIN(rl->pos + 1, rl->len));
        break;
    case 'D':
        rl_move(rl, rl->pos ? rl->pos - 1 : 0);
        break;
    case 'H':
        rl_move(rl, 0);
        break;
    case 'F':
        rl_move(rl, rl->len);
        break;
    case '~':
        if (param == 1 || param == 7) {
            rl_move(rl, 0);
        } else if (param == 4 || param == 8) {
            rl_move(rl, rl->len);
        } else if (param == 3) {
            rl_delete_fwd(rl, 1);
        }
        break;
    default:
        break;
    }
}

void readline_feed(ReadLine *rl, uint8_t c)
{
    bool was_cr = rl->last_was_cr;

    rl->last_was_cr = false;
    switch (rl->esc_state) {
    case ESC_ESC:
        rl->esc_state = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        rl->esc_param = 0;
        return;
    case ESC_CSI:
        if (c >= '0' && c <= '9') {
            rl->esc_param = MIN(rl->esc_param * 10 + (c - '0'), 1000);
            return;
        }
        if (c == ';') {
            return;
        }
        rl->esc_state = ESC_NONE;
        rl_escape(rl, c, rl->esc_param);
        return;
    case ESC_SS3:
        rl->esc_state = ESC_NONE;
        rl_escape(rl, c, 0);
        return;
    default:
        break;
    }

    switch (c) {
    case '\r':
        rl->last_was_cr = true;
        rl_enter(rl);
        break;
    case '\n':
        if (!was_cr) {
            rl_enter(rl);
        }
        break;
    case 27:
        rl->esc_state = ESC_ESC;
        break;
    case 8:
    case 127:
        rl_delete_back(rl, 1);
        break;
    case 1:     /* Ctrl-A */
        rl_move(rl, 0);
        break;
    case 4:     /* Ctrl-D */
        rl_delete_fwd(rl, 1);
        break;
    case 5:     /* Ctrl-E */
        rl_move(rl, rl->len);
        break;
    case 9:     /* Tab */
        rl_complete(rl);
        break;
    case 11:    /* Ctrl-K */
        rl_delete_fwd(rl, rl->len - rl->pos);
        break;
    case 14:    /* Ctrl-N */
        rl_history_step(rl, 1);
        break;
    case 16:    /* Ctrl-P */
        rl_history_step(rl, -1);
        break;
    case 21:    /* Ctrl-U */
        rl_delete_back(rl, rl->pos);
        break;
    case 23: {  /* Ctrl-W: the word before the cursor */
        size_t p = rl->pos;

        while (p && rl->buf[p - 1] == ' ') {
            p--;
        }
        while (p && rl->buf[p - 1] != ' ') {
            p--;
        }
        rl_delete_back(rl, rl->pos - p);
        break;
    }
    default:
        if (c >= 32) {
            char ch = (char)c;

            rl_insert(rl, &ch, 1);
        }
        break;
    }
}
