/*
 * chardev/char-stdio.c — the "stdio" backend: the terminal Vireo was
 * started from.
 *
 * When stdin is a terminal it is put in raw mode (no echo, no line
 * buffering; with signal=off also no Ctrl-C → SIGINT, so the guest gets
 * it), and the saved mode is restored on every exit path: normal exit
 * (atexit), fatal signals (a handler restores, then re-raises), and
 * chardev_free(). A stdin that is not a terminal, or /dev/null as in CI,
 * simply produces input until EOF, after which it is no longer watched.
 *
 * The saved terminal mode is the one piece of process-wide mutable state
 * in Vireo: atexit and signal handlers receive no context pointer, and
 * there is only one controlling terminal. It is written once, before the
 * handlers are installed. For the same reason (one stdin) a second stdio
 * chardev is refused while one is open, with QEMU's message.
 */
#include "chardev/chardev-internal.h"
#include "core/main-loop.h"
#include "util/error.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

typedef struct StdioChardev {
    Chardev chr;
    bool signal;        /* keep ISIG: Ctrl-C interrupts Vireo itself */
    bool watching;      /* stdin is registered with the main loop */
    bool eof;
} StdioChardev;

static struct termios stdio_saved_termios;
static volatile sig_atomic_t stdio_termios_saved;
static bool stdio_in_use;

static void stdio_restore_terminal(void)
{
    if (stdio_termios_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved_termios);
    }
}

static void stdio_fatal_signal(int sig)
{
    stdio_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void stdio_enter_raw_mode(bool keep_signals)
{
    static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
                                         SIGILL, SIGQUIT };
    struct termios tty;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &tty) < 0) {
        return;
    }
    if (!stdio_termios_saved) {
        stdio_saved_termios = tty;
        stdio_termios_saved = 1;
        atexit(stdio_restore_terminal);
        for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++) {
            signal(fatal_signals[i], stdio_fatal_signal);
        }
    }
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                     ICRNL | IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!keep_signals) {
        tty.c_lflag &= ~ISIG;
    }
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &tty);
}

static void stdio_update_watch(StdioChardev *s);

static void stdio_on_readable(void *opaque)
{
    StdioChardev *s = opaque;
    uint8_t buf[256];
    int room = chardev_fe_can_read(&s->chr);
    ssize_t n;

    if (room <= 0) {
        stdio_update_watch(s);
        return;
    }
    n = read(STDIN_FILENO, buf, MIN((size_t)room, sizeof(buf)));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        s->eof = true;
        stdio_update_watch(s);
        return;
    }
    if (n > 0) {
        chardev_fe_read(&s->chr, buf, n);
    }
}

/* Watch stdin only while the front end has room, so input waits in the
 * terminal's buffer instead of being dropped. */
static void stdio_update_watch(StdioChardev *s)
{
    bool want = !s->eof && chardev_fe_can_read(&s->chr) > 0;

    if (want == s->watching) {
        return;
    }
    s->watching = want;
    main_loop_set_fd_handler(s->chr.loop, STDIN_FILENO,
                             want ? stdio_on_readable : NULL, NULL, s, NULL);
}

static bool stdio_open(Chardev *chr, Error **errp)
{
    StdioChardev *s = container_of(chr, StdioChardev, chr);

    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    stdio_in_use = true;
    stdio_enter_raw_mode(s->signal);
    return true;
}

static int stdio_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    return chardev_fd_write(STDOUT_FILENO, buf, len);
}

static void stdio_accept_input(Chardev *chr)
{
    stdio_update_watch(container_of(chr, StdioChardev, chr));
}

static void stdio_close(Chardev *chr)
{
    StdioChardev *s = container_of(chr, StdioChardev, chr);

    if (s->watching) {
        main_loop_set_fd_handler(chr->loop, STDIN_FILENO, NULL, NULL, NULL,
                                 NULL);
        s->watching = false;
    }
    stdio_restore_terminal();
    stdio_in_use = false;
}

static const Property stdio_props[] = {
    DEFINE_PROP_BOOL("signal", StdioChardev, signal, true,
                     "let Ctrl-C interrupt Vireo instead of reaching the guest"),
    DEFINE_PROP_END,
};

const ChardevType chardev_stdio_type = {
    .name = "stdio",
    .desc = "the terminal Vireo runs in (raw mode, restored on exit)",
    .instance_size = sizeof(StdioChardev),
    .props = stdio_props,
    .open = stdio_open,
    .write = stdio_write,
    .accept_input = stdio_accept_input,
    .close = stdio_close,
};
