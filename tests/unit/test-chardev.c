/*
 * tests/unit/test-chardev.c — the chardev backends in-process on a real
 * main loop (the machine fixture's): the short forms -serial/-qmp take,
 * socket servers serving several clients in turn, a client that
 * reconnects, output discarded without a peer and write watches when the
 * peer is slow, named pipes, a pty, the ring buffer, the mux's Ctrl-A
 * escapes, and the one-stdio rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "chardev/char-mux.h"
#include "chardev/char-ringbuf.h"
#include "chardev/chardev.h"
#include "core/main-loop.h"
#include "util/error.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A front end that records what reaches it. */
typedef struct Recorder {
    char data[8192];
    size_t len;
    unsigned opened, closed, mux_in, mux_out, breaks, write_ready;
    int room;
} Recorder;

static int rec_can_read(void *opaque)
{
    Recorder *r = opaque;

    return MIN(r->room, (int)(sizeof(r->data) - 1 - r->len));
}

static void rec_read(void *opaque, const uint8_t *buf, size_t len)
{
    Recorder *r = opaque;

    assert_true(len <= (size_t)rec_can_read(r));
    memcpy(r->data + r->len, buf, len);
    r->len += len;
    r->data[r->len] = '\0';
}

static void rec_event(void *opaque, ChardevEvent ev)
{
    Recorder *r = opaque;

    switch (ev) {
    case CHR_EVENT_OPENED:
        r->opened++;
        break;
    case CHR_EVENT_CLOSED:
        r->closed++;
        break;
    case CHR_EVENT_MUX_IN:
        r->mux_in++;
        break;
    case CHR_EVENT_MUX_OUT:
        r->mux_out++;
        break;
    case CHR_EVENT_BREAK:
        r->breaks++;
        break;
    }
}

static void rec_write_ready(void *opaque)
{
    ((Recorder *)opaque)->write_ready++;
}

static void rec_attach(Chardev *chr, Recorder *r)
{
    ChardevFrontend fe = {
        .can_read = rec_can_read,
        .read = rec_read,
        .event = rec_event,
        .write_ready = rec_write_ready,
        .opaque = r,
    };
    Error *err = NULL;

    r->room = 4096;
    assert_true(chardev_attach(chr, &fe, &err));
}

typedef struct Wait {
    unsigned *counter;
    unsigned target;
} Wait;

static bool counter_reached(void *opaque)
{
    Wait *w = opaque;

    return *w->counter >= w->target;
}

static void wait_count(Machine *m, unsigned *counter, unsigned target)
{
    Wait w = { counter, target };

    assert_true(fixture_run_until(m, counter_reached, &w, 5000));
}

typedef struct WaitData {
    Recorder *r;
    const char *text;
} WaitData;

static bool data_arrived(void *opaque)
{
    WaitData *w = opaque;

    return strstr(w->r->data, w->text) != NULL;
}

static void wait_data(Machine *m, Recorder *r, const char *text)
{
    WaitData w = { r, text };

    if (!fixture_run_until(m, data_arrived, &w, 5000)) {
        fail_msg("'%s' never arrived (have '%s')", text, r->data);
    }
}

static bool never(void *opaque)
{
    return false;
}

/* Let the main loop run for @ms. */
static void run_for(Machine *m, int ms)
{
    fixture_run_until(m, never, NULL, ms);
}

static Chardev *spec_new(Machine *m, const char *id, const char *spec)
{
    Error *err = NULL;
    Chardev *chr = chardev_new_from_spec(m->loop, id, spec, &err);

    if (!chr) {
        fail_msg("%s: %s", spec, error_get_pretty(err));
    }
    return chr;
}

static void spec_fails(Machine *m, const char *spec, const char *needle)
{
    Error *err = NULL;
    Chardev *chr = chardev_new_from_spec(m->loop, "x", spec, &err);

    assert_null(chr);
    if (!strstr(error_get_pretty(err), needle)) {
        fail_msg("%s: '%s' lacks '%s'", spec, error_get_pretty(err), needle);
    }
    error_free(err);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(sun.sun_path, path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    return fd;
}

/* Read @len bytes from @fd, letting the main loop run meanwhile. */
static void read_exact(Machine *m, int fd, char *buf, size_t len)
{
    size_t got = 0;

    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (int tries = 0; got < len; tries++) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n > 0) {
            got += n;
            continue;
        }
        if (tries > 500) {
            buf[got] = '\0';
            fail_msg("read_exact: only %zu of %zu bytes: '%s'", got, len, buf);
        }
        run_for(m, 10);
    }
    buf[got] = '\0';
}

static char tmpdir[64];

static int setup(void **state)
{
    strcpy(tmpdir, "/tmp/vireo-test-chardev-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    *state = fixture_machine_new(0, 0);
    return 0;
}

static int teardown(void **state)
{
    char *cmd = xasprintf("rm -rf %s", tmpdir);

    fixture_machine_free(*state);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static void test_short_forms(void **state)
{
    Machine *m = *state;
    Chardev *chr;
    char *name;

    chr = spec_new(m, "s0", "tcp:127.0.0.1:0,server=on,wait=off");
    assert_true(chardev_is_type(chr, "socket"));
    name = chardev_filename(chr);
    assert_true(!strncmp(name, "disconnected:tcp:127.0.0.1:", 27));
    assert_non_null(strstr(name, ",server=on"));
    free(name);
    chardev_free(chr);

    /* QEMU's legacy flags: "server,nowait". */
    name = xasprintf("unix:%s/a.sock,server,nowait", tmpdir);
    chr = spec_new(m, "s1", name);
    free(name);
    name = chardev_filename(chr);
    assert_true(!strncmp(name, "disconnected:unix:", 18));
    free(name);
    chardev_free(chr);

    chr = spec_new(m, "n0", "null");
    assert_true(chardev_is_type(chr, "null"));
    chardev_free(chr);
    name = xasprintf("file:%s/out.txt,append=on", tmpdir);
    chr = spec_new(m, "f0", name);
    free(name);
    assert_int_equal(chardev_write_all(chr, (const uint8_t *)"hi\n", 3), 3);
    chardev_free(chr);
    chr = spec_new(m, "r0", "ringbuf,size=4096");
    assert_true(chardev_is_ringbuf(chr));
    chardev_free(chr);

    spec_fails(m, "tcp:127.0.0.1", "host and/or port");
    spec_fails(m, "bogus:1", "not a valid char driver");
    spec_fails(m, "file:", "path is missing");
    spec_fails(m, "ringbuf,size=1000", "power of two");
    spec_fails(m, "tcp:127.0.0.1:1,reconnect=1,server=on",
               "incompatible with socket in server listen mode");
    spec_fails(m, "unix:/nonexistent-dir/x.sock", "Failed to connect");
}

static void test_socket_server_clients_in_turn(void **state)
{
    Machine *m = *state;
    char *spec = xasprintf("unix:%s/s.sock,server=on,wait=off", tmpdir);
    char *path = xasprintf("%s/s.sock", tmpdir);
    Chardev *chr = spec_new(m, "s0", spec);
    Recorder r = { 0 };
    char buf[64];
    int a, b;

    rec_attach(chr, &r);
    assert_int_equal(r.opened, 0);      /* no client yet */
    /* Without a peer output is discarded, not an error. */
    assert_int_equal(chardev_write(chr, (const uint8_t *)"lost", 4), 4);

    a = unix_connect(path);
    wait_count(m, &r.opened, 1);
    assert_true(chr->fe_open);
    assert_int_equal(write(a, "from-a", 6), 6);
    wait_data(m, &r, "from-a");
    assert_int_equal(chardev_write_all(chr, (const uint8_t *)"to-a", 4), 4);
    read_exact(m, a, buf, 4);
    assert_string_equal(buf, "to-a");

    /* A second client waits in the backlog while the first is served. */
    b = unix_connect(path);
    assert_int_equal(write(b, "from-b", 6), 6);
    run_for(m, 200);
    assert_int_equal(r.opened, 1);
    assert_null(strstr(r.data, "from-b"));
    {
        char *name = chardev_filename(chr);

        assert_true(!strncmp(name, "unix:", 5));
        free(name);
    }

    close(a);
    wait_count(m, &r.closed, 1);
    assert_false(chr->fe_open);
    wait_count(m, &r.opened, 2);
    wait_data(m, &r, "from-b");
    assert_int_equal(chardev_write_all(chr, (const uint8_t *)"to-b", 4), 4);
    read_exact(m, b, buf, 4);
    assert_string_equal(buf, "to-b");
    close(b);
    wait_count(m, &r.closed, 2);

    chardev_free(chr);
    /* The server removes its socket file. */
    assert_int_equal(access(path, F_OK), -1);
    free(spec);
    free(path);
}

static void test_socket_write_watch(void **state)
{
    Machine *m = *state;
    char *spec = xasprintf("unix:%s/w.sock,server=on,wait=off", tmpdir);
    char *path = xasprintf("%s/w.sock", tmpdir);
    Chardev *chr = spec_new(m, "w0", spec);
    Recorder r = { 0 };
    static uint8_t block[65536];
    size_t sent = 0, got = 0;
    int fd, n;

    rec_attach(chr, &r);
    fd = unix_connect(path);
    wait_count(m, &r.opened, 1);
    /* The client does not read: writes stop with -EAGAIN... */
    do {
        n = chardev_write(chr, block, sizeof(block));
        if (n > 0) {
            sent += n;
        }
    } while (n > 0 && sent < (64u << 20));
    assert_int_equal(n, -EAGAIN);
    /* ...and the watch fires once it reads. */
    assert_true(chardev_add_write_watch(chr));
    assert_int_equal(r.write_ready, 0);
    while (got < sent && !r.write_ready) {
        ssize_t k = recv(fd, block, sizeof(block), MSG_DONTWAIT);

        if (k > 0) {
            got += k;
        }
        run_for(m, 1);
    }
    assert_int_equal(r.write_ready, 1);
    close(fd);
    chardev_free(chr);
    free(spec);
    free(path);
}

static void test_socket_client_reconnect(void **state)
{
    Machine *m = *state;
    struct sockaddr_in sin = { .sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sin);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    Recorder r = { 0 };
    Chardev *chr;
    char *spec, buf[16];
    int c1, c2;

    assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(listen(lfd, 4), 0);
    getsockname(lfd, (struct sockaddr *)&sin, &len);
    spec = xasprintf("tcp:127.0.0.1:%d,reconnect=1", ntohs(sin.sin_port));
    chr = spec_new(m, "c0", spec);
    rec_attach(chr, &r);
    assert_int_equal(r.opened, 1);      /* connected at creation */
    c1 = accept(lfd, NULL, NULL);
    assert_true(c1 >= 0);
    assert_int_equal(chardev_write_all(chr, (const uint8_t *)"one", 3), 3);
    read_exact(m, c1, buf, 3);
    assert_string_equal(buf, "one");
    close(c1);
    wait_count(m, &r.closed, 1);
    /* Reconnects after about a second. */
    wait_count(m, &r.opened, 2);
    c2 = accept(lfd, NULL, NULL);
    assert_true(c2 >= 0);
    assert_int_equal(write(c2, "two", 3), 3);
    wait_data(m, &r, "two");
    close(c2);
    chardev_free(chr);
    close(lfd);
    free(spec);
}

static void test_pipe(void **state)
{
    Machine *m = *state;
    char *base = xasprintf("%s/p", tmpdir);
    char *in = xasprintf("%s.in", base), *out = xasprintf("%s.out", base);
    char *spec = xasprintf("pipe:%s", base);
    Recorder r = { 0 };
    Chardev *chr;
    char buf[16];
    int fin, fout;

    assert_int_equal(mkfifo(in, 0600), 0);
    assert_int_equal(mkfifo(out, 0600), 0);
    chr = spec_new(m, "p0", spec);
    rec_attach(chr, &r);
    fin = open(in, O_WRONLY);
    fout = open(out, O_RDONLY);
    assert_int_equal(write(fin, "ping", 4), 4);
    wait_data(m, &r, "ping");
    assert_int_equal(chardev_write_all(chr, (const uint8_t *)"pong", 4), 4);
    read_exact(m, fout, buf, 4);
    assert_string_equal(buf, "pong");
    close(fin);
    close(fout);
    chardev_free(chr);
    free(base);
    free(in);
    free(out);
    free(spec);
}

static void test_pty(void **state)
{
    Machine *m = *state;
    Recorder r = { 0 };
    Chardev *chr = spec_new(m, "pty0", "pty");
    char *name = chardev_filename(chr);
    char buf[16];
    int fd;

    assert_true(!strncmp(name, "pty:/dev/pts/", 13));
    rec_attach(chr, &r);
    assert_int_equal(r.opened, 0);
    /* Nobody listens: output vanishes instead of blocking. */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(chardev_write(chr, (const uint8_t *)"x", 1), 1);
    }
    fd = open(name + 4, O_RDWR | O_NOCTTY);
    assert_true(fd >= 0);
    wait_count(m, &r.opened, 1);
    assert_int_equal(write(fd, "abc", 3), 3);
    wait_data(m, &r, "abc");
    assert_int_equal(chardev_write_all(chr, (const uint8_t *)"xyz", 3), 3);
    read_exact(m, fd, buf, 3);
    assert_string_equal(buf, "xyz");
    close(fd);
    wait_count(m, &r.closed, 1);
    chardev_free(chr);
    free(name);
}

static void test_ringbuf(void **state)
{
    Machine *m = *state;
    Chardev *chr = spec_new(m, "rb", "ringbuf,size=8");
    uint8_t buf[16];
    size_t n;

    chardev_write_all(chr, (const uint8_t *)"0123456789", 10);
    assert_int_equal(chardev_ringbuf_count(chr), 8);
    n = chardev_ringbuf_read(chr, buf, 3);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "234", 3);
    n = chardev_ringbuf_read(chr, buf, sizeof(buf));
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "56789", 5);
    assert_int_equal(chardev_ringbuf_count(chr), 0);
    chardev_free(chr);
}

static void mux_quit(void *opaque)
{
    (*(int *)opaque)++;
}

static const MuxHostOps mux_ops = { .quit = mux_quit };

static void test_mux_escapes(void **state)
{
    Machine *m = *state;
    char *spec = xasprintf("unix:%s/m.sock,server=on,wait=off", tmpdir);
    char *path = xasprintf("%s/m.sock", tmpdir);
    Chardev *base = spec_new(m, "m0-base", spec);
    int quits = 0;
    Chardev *mux = chardev_mux_new(m->loop, "m0", base, &mux_ops, &quits);
    Recorder console = { 0 }, monitor = { 0 };
    char buf[512];
    int fd;

    rec_attach(mux, &console);
    rec_attach(mux, &monitor);
    /* The socket has no peer yet: nobody was told it is open. */
    assert_int_equal(console.opened, 0);
    assert_int_equal(console.mux_in, 1);
    fd = unix_connect(path);
    wait_count(m, &monitor.opened, 1);
    assert_int_equal(console.opened, 1);

    assert_int_equal(write(fd, "ab\x01\x01" "c", 5), 5);
    wait_data(m, &console, "ab\x01" "c");
    /* Ctrl-A c: the monitor gets the input from now on. */
    assert_int_equal(write(fd, "\x01" "cmon", 5), 5);
    wait_data(m, &monitor, "mon");
    assert_int_equal(console.mux_out, 1);
    assert_int_equal(monitor.mux_in, 1);
    assert_null(strstr(console.data, "mon"));
    /* Ctrl-A b: a break for whoever has the focus. */
    assert_int_equal(write(fd, "\x01" "b", 2), 2);
    wait_count(m, &monitor.breaks, 1);
    /* Ctrl-A h: the help goes to the terminal. */
    assert_int_equal(write(fd, "\x01" "h", 2), 2);
    read_exact(m, fd, buf, 32);
    assert_non_null(strstr(buf, "C-a h    print this help"));
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
        /* the rest of the help */
    }
    /* Output from every front end reaches the terminal. */
    chardev_write_all(mux, (const uint8_t *)"out", 3);
    read_exact(m, fd, buf, 3);
    assert_string_equal(buf, "out");
    /* Ctrl-A x: quit. */
    assert_int_equal(write(fd, "\x01x", 2), 2);
    wait_count(m, (unsigned *)&quits, 1);
    close(fd);
    chardev_free(mux);
    free(spec);
    free(path);
}

static void test_one_stdio(void **state)
{
    Machine *m = *state;
    Chardev *a = spec_new(m, "io0", "stdio");

    spec_fails(m, "stdio", "cannot use stdio by multiple character devices");
    chardev_free(a);
    a = spec_new(m, "io1", "stdio");
    chardev_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_short_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_server_clients_in_turn,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_write_watch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_socket_client_reconnect, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ringbuf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mux_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_stdio, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
