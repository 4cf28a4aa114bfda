/*
 * chardev/char-mux.c — QEMU's character multiplexer and its Ctrl-A
 * escapes.
 *
 * Input from the backend goes to the front end that has the focus, except
 * escape sequences, which the mux interprets (as QEMU does):
 *   Ctrl-A h    print this help
 *   Ctrl-A x    exit the emulator
 *   Ctrl-A s    save disk data back to file (if -snapshot)
 *   Ctrl-A t    toggle console timestamps
 *   Ctrl-A b    send a break to the front end
 *   Ctrl-A c    switch between console and monitor
 *   Ctrl-A Ctrl-A  send Ctrl-A itself
 * Output from every front end goes to the backend (with an optional
 * timestamp at the start of each line). Input the focused front end cannot
 * take yet stays in a small ring and is delivered when it asks for more,
 * so nothing typed is lost.
 */
#include "chardev/char-mux.h"
#include "chardev/chardev-internal.h"
#include "core/main-loop.h"
#include "util/error.h"

#include <time.h>

#define MUX_ESCAPE 0x01     /* Ctrl-A */
#define MUX_BUF_SIZE 256

typedef struct MuxChardev {
    Chardev chr;
    Chardev *backend;
    ChardevFrontend fes[MUX_MAX_FRONTENDS];
    unsigned nr_fes;
    unsigned focus;
    bool escape_pending;
    bool timestamps;
    bool line_start;
    int64_t start_ns;
    const MuxHostOps *host;
    void *host_opaque;
    /* Input waiting for the focused front end (a ring). */
    uint8_t buf[MUX_BUF_SIZE];
    unsigned head, count;
} MuxChardev;

static MuxChardev *mux_of(Chardev *chr)
{
    return container_of(chr, MuxChardev, chr);
}

static void mux_print(MuxChardev *mux, const char *text)
{
    chardev_write_all(mux->backend, (const uint8_t *)text, strlen(text));
}

static void mux_print_help(MuxChardev *mux)
{
    static const char *const lines[] = {
        "\r\n",
        "C-a h    print this help\r\n",
        "C-a x    exit emulator\r\n",
        "C-a s    save disk data back to file (if -snapshot)\r\n",
        "C-a t    toggle console timestamps\r\n",
        "C-a b    send break (magic sysrq)\r\n",
        "C-a c    switch between console and monitor\r\n",
        "C-a C-a  sends C-a\r\n",
    };

    for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
        mux_print(mux, lines[i]);
    }
}

static void mux_fe_event(MuxChardev *mux, unsigned i, ChardevEvent ev)
{
    if (i < mux->nr_fes && mux->fes[i].event) {
        mux->fes[i].event(mux->fes[i].opaque, ev);
    }
}

static int mux_fe_room(MuxChardev *mux)
{
    ChardevFrontend *fe;

    if (mux->focus >= mux->nr_fes) {
        return 0;
    }
    fe = &mux->fes[mux->focus];
    return fe->can_read ? fe->can_read(fe->opaque) : 0;
}

/* Hand buffered input to the focused front end while it has room. */
static void mux_drain(MuxChardev *mux)
{
    while (mux->count) {
        ChardevFrontend *fe = &mux->fes[mux->focus];
        int room = mux_fe_room(mux);
        unsigned n;

        if (room <= 0) {
            return;
        }
        n = MIN((unsigned)room, mux->count);
        n = MIN(n, MUX_BUF_SIZE - mux->head);
        fe->read(fe->opaque, mux->buf + mux->head, n);
        mux->head = (mux->head + n) % MUX_BUF_SIZE;
        mux->count -= n;
    }
}

static void mux_queue(MuxChardev *mux, uint8_t ch)
{
    if (mux->count < MUX_BUF_SIZE) {
        mux->buf[(mux->head + mux->count) % MUX_BUF_SIZE] = ch;
        mux->count++;
    }
}

static void mux_switch_focus(MuxChardev *mux)
{
    if (mux->nr_fes == 0) {
        return;
    }
    mux_fe_event(mux, mux->focus, CHR_EVENT_MUX_OUT);
    mux->focus = (mux->focus + 1) % mux->nr_fes;
    mux_fe_event(mux, mux->focus, CHR_EVENT_MUX_IN);
}

/* Interpret the character after Ctrl-A. */
static void mux_escape(MuxChardev *mux, uint8_t ch)
{
    switch (ch) {
    case 'h':
    case '?':
        mux_print_help(mux);
        break;
    case 'x':
        mux_print(mux, "QEMU: Terminated\r\n");
        if (mux->host && mux->host->quit) {
            mux->host->quit(mux->host_opaque);
        }
        break;
    case 's':
        if (mux->host && mux->host->commit_snapshot) {
            mux->host->commit_snapshot(mux->host_opaque);
        }
        break;
    case 'b':
        mux_fe_event(mux, mux->focus, CHR_EVENT_BREAK);
        break;
    case 'c':
        mux_switch_focus(mux);
        break;
    case 't':
        mux->timestamps = !mux->timestamps;
        mux->start_ns = -1;
        mux->line_start = true;
        break;
    case MUX_ESCAPE:
        mux_queue(mux, MUX_ESCAPE);
        break;
    default:
        break;  /* unknown escapes are dropped, as in QEMU */
    }
}

/* --- the backend side: we are its single front end --- */

static int mux_backend_can_read(void *opaque)
{
    MuxChardev *mux = opaque;

    /* Always accept while the ring has room: escapes must get through
     * even when the guest is not reading. */
    return MUX_BUF_SIZE - mux->count;
}

static void mux_backend_read(void *opaque, const uint8_t *buf, size_t len)
{
    MuxChardev *mux = opaque;

    for (size_t i = 0; i < len; i++) {
        if (mux->escape_pending) {
            mux->escape_pending = false;
            mux_escape(mux, buf[i]);
        } else if (buf[i] == MUX_ESCAPE) {
            mux->escape_pending = true;
        } else {
            mux_queue(mux, buf[i]);
        }
    }
    mux_drain(mux);
}

static void mux_backend_event(void *opaque, ChardevEvent ev)
{
    MuxChardev *mux = opaque;

    for (unsigned i = 0; i < mux->nr_fes; i++) {
        mux_fe_event(mux, i, ev);
    }
}

/* --- the front-end side --- */

static int mux_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    MuxChardev *mux = mux_of(chr);

    if (!mux->timestamps) {
        return chardev_write_all(mux->backend, buf, len);
    }
    for (size_t i = 0; i < len; i++) {
        if (mux->line_start) {
            struct timespec ts;
            int64_t now, ms;
            char stamp[32];

            clock_gettime(CLOCK_MONOTONIC, &ts);
            now = ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
            if (mux->start_ns < 0) {
                mux->start_ns = now;
            }
            ms = (now - mux->start_ns) / 1000000;
            snprintf(stamp, sizeof(stamp), "[%02d:%02d:%02d.%03d] ",
                     (int)(ms / 3600000), (int)(ms / 60000 % 60),
                     (int)(ms / 1000 % 60), (int)(ms % 1000));
            mux_print(mux, stamp);
            mux->line_start = false;
        }
        chardev_write_all(mux->backend, &buf[i], 1);
        if (buf[i] == '\n') {
            mux->line_start = true;
        }
    }
    return len;
}

static void mux_accept_input(Chardev *chr)
{
    MuxChardev *mux = mux_of(chr);

    mux_drain(mux);
    chardev_accept_input(mux->backend);
}

static bool mux_attach(Chardev *chr, const ChardevFrontend *fe, Error **errp)
{
    MuxChardev *mux = mux_of(chr);

    if (mux->nr_fes == MUX_MAX_FRONTENDS) {
        error_setg(errp, "chardev '%s': too many front ends on the mux",
                   chr->id);
        return false;
    }
    mux->fes[mux->nr_fes++] = *fe;
    chr->fe_open = true;
    if (fe->event) {
        /* A socket or pty backend without a peer opens later (its
         * OPENED reaches every front end through mux_backend_event). */
        if (!mux->backend->be_closed) {
            fe->event(fe->opaque, CHR_EVENT_OPENED);
        }
        if (mux->nr_fes - 1 == mux->focus) {
            fe->event(fe->opaque, CHR_EVENT_MUX_IN);
        }
    }
    return true;
}

static void mux_detach(Chardev *chr, void *fe_opaque)
{
    MuxChardev *mux = mux_of(chr);

    for (unsigned i = 0; i < mux->nr_fes; i++) {
        if (mux->fes[i].opaque != fe_opaque) {
            continue;
        }
        memmove(&mux->fes[i], &mux->fes[i + 1],
                (mux->nr_fes - i - 1) * sizeof(mux->fes[0]));
        mux->nr_fes--;
        if (mux->focus > i || mux->focus >= mux->nr_fes) {
            mux->focus = mux->focus ? mux->focus - 1 : 0;
        }
        chr->fe_open = mux->nr_fes > 0;
        return;
    }
}

static void mux_close(Chardev *chr)
{
    MuxChardev *mux = mux_of(chr);

    chardev_free(mux->backend);
    mux->backend = NULL;
}

static char *mux_filename(Chardev *chr)
{
    return xstrdup("mux");
}

const ChardevType chardev_mux_type = {
    .name = "mux",
    .desc = "multiplexer: several front ends on one backend (Ctrl-A c)",
    .instance_size = sizeof(MuxChardev),
    .write = mux_write,
    .accept_input = mux_accept_input,
    .attach = mux_attach,
    .detach = mux_detach,
    .filename = mux_filename,
    .close = mux_close,
};

Chardev *chardev_mux_new(MainLoop *loop, const char *id, Chardev *backend,
                         const MuxHostOps *host, void *host_opaque)
{
    MuxChardev *mux = XNEW(MuxChardev);
    ChardevFrontend fe = {
        .can_read = mux_backend_can_read,
        .read = mux_backend_read,
        .event = mux_backend_event,
        .opaque = mux,
    };

    mux->chr.type = &chardev_mux_type;
    mux->chr.id = xstrdup(id);
    mux->chr.loop = loop;
    mux->backend = backend;
    mux->host = host;
    mux->host_opaque = host_opaque;
    mux->start_ns = -1;
    mux->line_start = true;
    chardev_attach(backend, &fe, NULL);
    return &mux->chr;
}

bool chardev_is_mux(const Chardev *chr)
{
    return chr->type == &chardev_mux_type;
}

Chardev *chardev_mux_backend(Chardev *chr)
{
    return mux_of(chr)->backend;
}
