/*
 * tests/unit/test-qmp.c — the QMP and HMP monitors in-process, on a
 * machine fixture (RAM, no CPUs), talking through ringbuf chardevs: what
 * the monitor writes lands in the ring, what a client sends is handed to
 * it with chardev_fe_read().
 *
 * Covered: the greeting and negotiation, "id" echo, error classes,
 * argument validation (missing, unexpected, wrong type, bad enum value),
 * malformed input (not JSON, not an object, bad members, stray closers,
 * oversize) with the session surviving, a client vanishing mid-message,
 * events (STOP/RESUME/RESET/SHUTDOWN/POWERDOWN) reaching only negotiated
 * monitors, pretty output, human-monitor-command with HMP parsing errors,
 * xp and pmemsave on RAM, ringbuf-read/-write in both formats, and the
 * HMP line editor (echo, backspace, history).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "chardev/char-ringbuf.h"
#include "chardev/chardev.h"
#include "core/main-loop.h"
#include "monitor/monitor.h"
#include "util/error.h"

#include <jansson.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ULL

typedef struct QmpTest {
    Machine *m;
    MonitorSet *set;
    Chardev *chr;       /* the QMP monitor's ring */
    Chardev *rb;        /* a spare ringbuf for ringbuf-read/-write */
} QmpTest;

static Chardev *new_ring(Machine *m, const char *id, const char *spec)
{
    Error *err = NULL;
    Chardev *chr = chardev_new_from_spec(m->loop, id, spec, &err);

    assert_non_null(chr);
    assert_true(machine_add_backend(m, PROP_CHARDEV, id, chr, &err));
    return chr;
}

/* Everything the monitor wrote since last time, as a string. */
static char *drain(Chardev *chr)
{
    size_t n = chardev_ringbuf_count(chr);
    char *s = xmalloc(n + 1);

    n = chardev_ringbuf_read(chr, (uint8_t *)s, n);
    s[n] = '\0';
    return s;
}

/* Parse the next line of @text (advancing it) as JSON. */
static json_t *next_json(char **text)
{
    char *nl = strstr(*text, "\r\n");
    json_error_t jerr;
    json_t *j;

    assert_non_null(nl);
    *nl = '\0';
    j = json_loads(*text, 0, &jerr);
    if (!j) {
        fail_msg("not JSON: '%s' (%s)", *text, jerr.text);
    }
    *text = nl + 2;
    return j;
}

static void send_str(Chardev *chr, const char *s)
{
    chardev_fe_read(chr, (const uint8_t *)s, strlen(s));
}

/* Send @req; return the single response line, parsed (events that
 * came with it are skipped). */
static json_t *roundtrip(QmpTest *t, const char *req)
{
    char *out, *p;
    json_t *j;

    send_str(t->chr, req);
    out = drain(t->chr);
    p = out;
    j = next_json(&p);
    while (json_object_get(j, "event") && *p) {
        json_decref(j);
        j = next_json(&p);
    }
    if (*p) {
        fail_msg("more than one reply to %s: %s", req, p);
    }
    free(out);
    return j;
}

static const char *error_class(json_t *rsp)
{
    return json_string_value(json_object_get(json_object_get(rsp, "error"),
                                             "class"));
}

static const char *error_desc(json_t *rsp)
{
    return json_string_value(json_object_get(json_object_get(rsp, "error"),
                                             "desc"));
}

static void expect_error(QmpTest *t, const char *req, const char *cls,
                         const char *desc)
{
    json_t *rsp = roundtrip(t, req);

    if (!error_class(rsp)) {
        fail_msg("%s: no error in %s", req, json_dumps(rsp, 0));
    }
    assert_string_equal(error_class(rsp), cls);
    if (!strstr(error_desc(rsp), desc)) {
        fail_msg("%s: '%s' lacks '%s'", req, error_desc(rsp), desc);
    }
    json_decref(rsp);
}

static json_t *expect_return(QmpTest *t, const char *req)
{
    json_t *rsp = roundtrip(t, req);
    json_t *ret = json_object_get(rsp, "return");

    if (!ret) {
        fail_msg("%s: %s", req, json_dumps(rsp, 0));
    }
    json_incref(ret);
    json_decref(rsp);
    return ret;
}

static int setup(void **state)
{
    QmpTest *t = XNEW(QmpTest);
    Error *err = NULL;
    char *greeting, *p;
    json_t *g;

    t->m = fixture_machine_new(0, 1 * MiB);
    t->m->run_state = RUN_STATE_RUNNING;
    t->chr = new_ring(t->m, "qmp0", "ringbuf,size=1M");
    t->rb = new_ring(t->m, "rb0", "ringbuf,size=16");
    t->set = monitor_set_new(t->m);
    assert_true(monitor_add_qmp(t->set, t->chr, false, &err));
    greeting = drain(t->chr);
    p = greeting;
    g = next_json(&p);
    assert_non_null(json_object_get(json_object_get(
        json_object_get(g, "QMP"), "version"), "qemu"));
    assert_true(json_is_array(json_object_get(json_object_get(g, "QMP"),
                                              "capabilities")));
    json_decref(g);
    free(greeting);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    QmpTest *t = *state;

    monitor_set_free(t->set);
    fixture_machine_free(t->m);
    free(t);
    return 0;
}

static void negotiate(QmpTest *t)
{
    json_decref(expect_return(t, "{\"execute\": \"qmp_capabilities\"}"));
}

static void test_negotiation(void **state)
{
    QmpTest *t = *state;

    expect_error(t, "{\"execute\": \"query-status\"}", "CommandNotFound",
                 "Expecting capabilities negotiation with "
                 "'qmp_capabilities'");
    expect_error(t, "{\"execute\": \"no-such\"}", "CommandNotFound",
                 "Expecting capabilities negotiation");
    expect_error(t, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
                 "{\"enable\": [\"oob\"]}}", "GenericError",
                 "Capability oob not available");
    negotiate(t);
    expect_error(t, "{\"execute\": \"qmp_capabilities\"}", "CommandNotFound",
                 "Capabilities negotiation is already complete");
}

static void test_id_echo_and_status(void **state)
{
    QmpTest *t = *state;
    json_t *rsp;

    negotiate(t);
    rsp = roundtrip(t, "{\"execute\": \"query-status\", \"id\": "
                    "{\"n\": [1, \"two\"]}}");
    assert_true(json_is_true(json_object_get(json_object_get(rsp, "return"),
                                             "running")));
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(rsp, "return"), "status")), "running");
    assert_string_equal(json_string_value(json_array_get(json_object_get(
        json_object_get(rsp, "id"), "n"), 1)), "two");
    json_decref(rsp);
    /* Errors carry the id too. */
    rsp = roundtrip(t, "{\"execute\": \"nope\", \"id\": 7}");
    assert_string_equal(error_class(rsp), "CommandNotFound");
    assert_string_equal(error_desc(rsp), "The command nope has not been "
                        "found");
    assert_int_equal(json_integer_value(json_object_get(rsp, "id")), 7);
    json_decref(rsp);
}

static void test_argument_validation(void **state)
{
    QmpTest *t = *state;

    negotiate(t);
    expect_error(t, "{\"execute\": \"pmemsave\", \"arguments\": "
                 "{\"val\": 0, \"size\": 1}}", "GenericError",
                 "Parameter 'filename' is missing");
    expect_error(t, "{\"execute\": \"pmemsave\", \"arguments\": "
                 "{\"val\": 0, \"size\": \"1\", \"filename\": \"x\"}}",
                 "GenericError",
                 "Invalid parameter type for 'size', expected: integer");
    expect_error(t, "{\"execute\": \"pmemsave\", \"arguments\": "
                 "{\"val\": true, \"size\": 1, \"filename\": \"x\"}}",
                 "GenericError", "Parameter 'val' expects uint64");
    expect_error(t, "{\"execute\": \"query-status\", \"arguments\": "
                 "{\"verbose\": true}}", "GenericError",
                 "Parameter 'verbose' is unexpected");
    expect_error(t, "{\"execute\": \"ringbuf-read\", \"arguments\": "
                 "{\"device\": \"rb0\", \"size\": 1, \"format\": \"hex\"}}",
                 "GenericError",
                 "Parameter 'format' does not accept value 'hex'");
    expect_error(t, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                 "{\"command-line\": 5}}", "GenericError",
                 "Invalid parameter type for 'command-line', expected: "
                 "string");
    expect_error(t, "{\"execute\": \"qmp_capabilities\"}", "CommandNotFound",
                 "already complete");
}

static void test_malformed_input(void **state)
{
    QmpTest *t = *state;
    char *out;

    negotiate(t);
    expect_error(t, "garbage\n", "GenericError", "JSON parse error");
    expect_error(t, "[1, 2]", "GenericError",
                 "QMP input must be a JSON object");
    expect_error(t, "{\"arguments\": {}}", "GenericError",
                 "QMP input lacks member 'execute'");
    expect_error(t, "{\"execute\": 1}", "GenericError",
                 "QMP input member 'execute' must be a string");
    expect_error(t, "{\"execute\": \"stop\", \"arguments\": []}",
                 "GenericError",
                 "QMP input member 'arguments' must be an object");
    expect_error(t, "{\"execute\": \"stop\", \"extra\": 1}", "GenericError",
                 "QMP input member 'extra' is unexpected");
    expect_error(t, "{\"execute\": \"stop\", \"exec-oob\": \"x\"}",
                 "GenericError", "QMP input member 'exec-oob' is unexpected");
    expect_error(t, "{\"execute\": \"stop\", \"execute\": \"cont\"}",
                 "GenericError", "JSON parse error");
    expect_error(t, "}", "GenericError", "stray '}'");
    expect_error(t, "{\"a\": \"\\u0000 nul\", \"b\": 1e999x}",
                 "GenericError", "JSON parse error");

    /* Half a message, then the client goes away: nothing is left over
     * for the next one, which gets a fresh greeting. */
    send_str(t->chr, "{\"execute\": \"stop\", \"argu");
    chardev_be_event(t->chr, CHR_EVENT_CLOSED);
    chardev_be_event(t->chr, CHR_EVENT_OPENED);
    out = drain(t->chr);
    assert_non_null(strstr(out, "\"QMP\""));
    free(out);
    expect_error(t, "{\"execute\": \"query-status\"}", "CommandNotFound",
                 "Expecting capabilities negotiation");
    negotiate(t);
    assert_int_equal(t->m->run_state, RUN_STATE_RUNNING);
}

static void test_oversize_message(void **state)
{
    QmpTest *t = *state;
    size_t big = 17 << 20;
    char *junk = xmalloc(big);
    json_t *ret;

    negotiate(t);
    memset(junk, 'a', big);
    send_str(t->chr, "{\"execute\": \"");
    chardev_fe_read(t->chr, (const uint8_t *)junk, big);
    send_str(t->chr, "\"}");
    free(junk);
    {
        char *out = drain(t->chr), *p = out;
        json_t *rsp = next_json(&p);

        assert_string_equal(error_class(rsp), "GenericError");
        assert_non_null(strstr(error_desc(rsp), "size limit"));
        assert_string_equal(p, "");
        json_decref(rsp);
        free(out);
    }
    ret = expect_return(t, "{\"execute\": \"query-status\"}");
    assert_true(json_is_object(ret));
    json_decref(ret);
}

static bool reset_seen(void *opaque)
{
    return chardev_ringbuf_count(opaque) > 0;
}

static void test_events(void **state)
{
    QmpTest *t = *state;
    Chardev *other = new_ring(t->m, "qmp1", "ringbuf,size=64K");
    Error *err = NULL;
    char *out, *p;
    json_t *j;

    negotiate(t);
    /* A second monitor that never negotiates gets no events. */
    assert_true(monitor_add_qmp(t->set, other, false, &err));
    free(drain(other));

    send_str(t->chr, "{\"execute\": \"stop\"}");
    out = drain(t->chr);
    p = out;
    /* QEMU's order: the event is sent while the command runs. */
    j = next_json(&p);
    assert_string_equal(json_string_value(json_object_get(j, "event")),
                        "STOP");
    assert_non_null(json_object_get(json_object_get(j, "timestamp"),
                                    "microseconds"));
    json_decref(j);
    j = next_json(&p);
    assert_non_null(json_object_get(j, "return"));
    json_decref(j);
    free(out);
    assert_int_equal(t->m->run_state, RUN_STATE_PAUSED);

    /* stop again: no second event. */
    json_decref(expect_return(t, "{\"execute\": \"stop\"}"));

    send_str(t->chr, "{\"execute\": \"cont\"}");
    out = drain(t->chr);
    assert_non_null(strstr(out, "\"RESUME\""));
    free(out);

    send_str(t->chr, "{\"execute\": \"system_powerdown\"}");
    out = drain(t->chr);
    assert_non_null(strstr(out, "\"POWERDOWN\""));
    free(out);

    /* The reset runs from a bottom half, like QEMU's request. */
    json_decref(expect_return(t, "{\"execute\": \"system_reset\"}"));
    assert_true(fixture_run_until(t->m, reset_seen, t->chr, 2000));
    out = drain(t->chr);
    p = out;
    j = next_json(&p);
    assert_string_equal(json_string_value(json_object_get(j, "event")),
                        "RESET");
    assert_false(json_is_true(json_object_get(json_object_get(j, "data"),
                                              "guest")));
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(j, "data"), "reason")), "host-qmp-system-reset");
    json_decref(j);
    free(out);

    json_decref(expect_return(t, "{\"execute\": \"quit\"}"));
    assert_true(fixture_run_until(t->m, reset_seen, t->chr, 2000));
    out = drain(t->chr);
    assert_non_null(strstr(out, "\"SHUTDOWN\""));
    assert_non_null(strstr(out, "\"host-qmp-quit\""));
    free(out);
    assert_true(main_loop_should_quit(t->m->loop));

    out = drain(other);
    assert_string_equal(out, "");
    free(out);
}

static void test_pretty(void **state)
{
    QmpTest *t = *state;
    Chardev *chr = new_ring(t->m, "qmp2", "ringbuf,size=64K");
    Error *err = NULL;
    char *out;

    assert_true(monitor_add_qmp(t->set, chr, true, &err));
    out = drain(chr);
    assert_non_null(strstr(out, "{\r\n    \"QMP\": {\r\n"));
    free(out);
}

static char *hmp(QmpTest *t, const char *line)
{
    json_t *args = json_pack("{s:s,s:{s:s}}", "execute",
                             "human-monitor-command", "arguments",
                             "command-line", line);
    char *req = json_dumps(args, 0);
    json_t *ret = expect_return(t, req);
    char *s = xstrdup(json_string_value(ret));

    free(req);
    json_decref(args);
    json_decref(ret);
    return s;
}

static void expect_hmp(QmpTest *t, const char *line, const char *want)
{
    char *out = hmp(t, line);

    if (!strstr(out, want)) {
        fail_msg("HMP '%s': '%s' lacks '%s'", line, out, want);
    }
    free(out);
}

static void test_hmp_through_qmp(void **state)
{
    QmpTest *t = *state;
    uint8_t pattern[32];

    for (unsigned i = 0; i < sizeof(pattern); i++) {
        pattern[i] = 0x41 + i;
    }
    assert_int_equal(address_space_write(&t->m->address_space, RAM_BASE,
                                         pattern, sizeof(pattern)),
                     MEMTX_OK);
    negotiate(t);
    expect_hmp(t, "info status", "VM status: running\r\n");
    expect_hmp(t, "info version", VIREO_VERSION "\r\n");
    expect_hmp(t, "xp /4xw 0x80000000",
               "0000000080000000: 0x44434241 0x48474645 0x4c4b4a49 "
               "0x504f4e4d\r\n");
    /* The last format is remembered per monitor... */
    expect_hmp(t, "xp /2xb 0x80000000 + 2*2", "0000000080000004: 0x45 0x46");
    expect_hmp(t, "xp /1xb 0x80000000 + 8 / 2", "0000000080000004: 0x45");
    expect_hmp(t, "xp /3c 0x80000000", "0000000080000000: 'A' 'B' 'C'");
    expect_hmp(t, "xp /2ub 0x80000000", ":  65  66");
    expect_hmp(t, "xp /1xg 0x90000000", "Cannot access memory");
    expect_hmp(t, "x /3q 0", "invalid char in format: 'q'\r\n"
               "Try \"help x\" for more information");
    expect_hmp(t, "xp /2x (1", "')' expected");
    expect_hmp(t, "xp /2x 1 2", "xp: extraneous characters at the end of "
               "line");
    expect_hmp(t, "x 0", "Can not dump without CPU");
    expect_hmp(t, "nosuch", "unknown command: 'nosuch'");
    expect_hmp(t, "info nosuch", "unknown command: 'info nosuch'");
    expect_hmp(t, "help stop", "stop  -- stop emulation");
    expect_hmp(t, "help info", "info status  -- show the current VM status");
    expect_hmp(t, "info chardev", "rb0: filename=ringbuf");
    expect_hmp(t, "pmemsave 0x80000000", "unexpected end of expression");
    expect_hmp(t, "pmemsave 0x80000000 16", "pmemsave: filename expected");
    /* A path after a number is not a division (QEMU would say "invalid
     * char 't' in expression"). */
    expect_hmp(t, "pmemsave 0x80000000 16 /nonexistent/f",
               "Error: Could not open '/nonexistent/f'");
    expect_hmp(t, "log nosuchitem", "Log items (comma separated):");
    expect_hmp(t, "log guest_errors", "");
    assert_true(t->m->log.mask & LOG_GUEST_ERROR);
    expect_hmp(t, "log none", "");
    assert_int_equal(t->m->log.mask, 0);
    expect_hmp(t, "stop", "");
    assert_int_equal(t->m->run_state, RUN_STATE_PAUSED);
    expect_hmp(t, "info status", "VM status: paused\r\n");
    expect_hmp(t, "c", "");
    assert_int_equal(t->m->run_state, RUN_STATE_RUNNING);
}

static void test_memsave(void **state)
{
    QmpTest *t = *state;
    char path[] = "/tmp/vireo-test-qmp-XXXXXX";
    int fd = mkstemp(path);
    uint8_t pattern[8192], back[8192];
    char *req;
    FILE *f;

    assert_true(fd >= 0);
    close(fd);
    for (unsigned i = 0; i < sizeof(pattern); i++) {
        pattern[i] = i * 7;
    }
    address_space_write(&t->m->address_space, RAM_BASE + 0x100, pattern,
                        sizeof(pattern));
    negotiate(t);
    req = xasprintf("{\"execute\": \"pmemsave\", \"arguments\": {\"val\": "
                    "%llu, \"size\": %zu, \"filename\": \"%s\"}}",
                    RAM_BASE + 0x100, sizeof(pattern), path);
    json_decref(expect_return(t, req));
    free(req);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(back, 1, sizeof(back) + 1, f), sizeof(back));
    fclose(f);
    assert_memory_equal(back, pattern, sizeof(back));
    /* Past the end of RAM: QEMU's message. */
    req = xasprintf("{\"execute\": \"pmemsave\", \"arguments\": {\"val\": "
                    "%llu, \"size\": 4096, \"filename\": \"%s\"}}",
                    RAM_BASE + MiB - 16, path);
    expect_error(t, req, "GenericError", "Invalid addr 0x0000000080" );
    free(req);
    expect_error(t, "{\"execute\": \"pmemsave\", \"arguments\": {\"val\": 0, "
                 "\"size\": 1, \"filename\": \"/nonexistent/dir/f\"}}",
                 "GenericError", "Could not open '/nonexistent/dir/f'");
    /* memsave needs a CPU; the fixture has none. */
    expect_error(t, "{\"execute\": \"memsave\", \"arguments\": {\"val\": 0, "
                 "\"size\": 1, \"filename\": \"/tmp/x\"}}", "GenericError",
                 "Parameter 'cpu-index' expects a CPU number");
    unlink(path);
}

static void test_ringbuf(void **state)
{
    QmpTest *t = *state;
    json_t *ret;

    negotiate(t);
    json_decref(expect_return(t, "{\"execute\": \"ringbuf-write\", "
                              "\"arguments\": {\"device\": \"rb0\", "
                              "\"data\": \"hello\"}}"));
    ret = expect_return(t, "{\"execute\": \"ringbuf-read\", \"arguments\": "
                        "{\"device\": \"rb0\", \"size\": 3}}");
    assert_string_equal(json_string_value(ret), "hel");
    json_decref(ret);
    /* The ring (16 bytes) keeps the newest bytes. */
    json_decref(expect_return(t, "{\"execute\": \"ringbuf-write\", "
                              "\"arguments\": {\"device\": \"rb0\", \"data\": "
                              "\"AAECAwQFBgcICQoLDA0ODxAREhM=\", "
                              "\"format\": \"base64\"}}"));
    ret = expect_return(t, "{\"execute\": \"ringbuf-read\", \"arguments\": "
                        "{\"device\": \"rb0\", \"size\": 100, \"format\": "
                        "\"base64\"}}");
    assert_string_equal(json_string_value(ret),
                        "BAUGBwgJCgsMDQ4PEBESEw==");
    json_decref(ret);
    /* Invalid UTF-8 comes back as U+FFFD. */
    json_decref(expect_return(t, "{\"execute\": \"ringbuf-write\", "
                              "\"arguments\": {\"device\": \"rb0\", \"data\": "
                              "\"/w==\", \"format\": \"base64\"}}"));
    ret = expect_return(t, "{\"execute\": \"ringbuf-read\", \"arguments\": "
                        "{\"device\": \"rb0\", \"size\": 10}}");
    assert_string_equal(json_string_value(ret), "\xef\xbf\xbd");
    json_decref(ret);
    expect_error(t, "{\"execute\": \"ringbuf-read\", \"arguments\": "
                 "{\"device\": \"nope\", \"size\": 1}}", "GenericError",
                 "Device 'nope' not found");
    expect_error(t, "{\"execute\": \"ringbuf-write\", \"arguments\": "
                 "{\"device\": \"rb0\", \"data\": \"!!\", \"format\": "
                 "\"base64\"}}", "GenericError", "Invalid base64 data");
}

static void test_queries(void **state)
{
    QmpTest *t = *state;
    json_t *ret;
    size_t i;
    json_t *item;
    bool found_rb = false, found_hmc = false;

    negotiate(t);
    ret = expect_return(t, "{\"execute\": \"query-chardev\"}");
    json_array_foreach(ret, i, item) {
        if (!strcmp(json_string_value(json_object_get(item, "label")),
                    "rb0")) {
            found_rb = true;
            assert_string_equal(json_string_value(json_object_get(
                item, "filename")), "ringbuf");
        }
    }
    assert_true(found_rb);
    json_decref(ret);
    ret = expect_return(t, "{\"execute\": \"query-commands\"}");
    json_array_foreach(ret, i, item) {
        found_hmc |= !strcmp(json_string_value(json_object_get(item, "name")),
                             "human-monitor-command");
    }
    assert_true(found_hmc);
    json_decref(ret);
    ret = expect_return(t, "{\"execute\": \"query-kvm\"}");
    assert_true(json_is_false(json_object_get(ret, "enabled")));
    json_decref(ret);
    ret = expect_return(t, "{\"execute\": \"query-machines\"}");
    assert_string_equal(json_string_value(json_object_get(
        json_array_get(ret, 0), "name")), "fixture");
    json_decref(ret);
    ret = expect_return(t, "{\"execute\": \"query-block\"}");
    assert_int_equal(json_array_size(ret), 0);
    json_decref(ret);
    ret = expect_return(t, "{\"execute\": \"query-name\"}");
    assert_int_equal(json_object_size(ret), 0);
    json_decref(ret);
}

static void test_hmp_line_editor(void **state)
{
    QmpTest *t = *state;
    Chardev *chr = new_ring(t->m, "hmp0", "ringbuf,size=64K");
    Error *err = NULL;
    char *out;

    assert_true(monitor_add_hmp(t->set, chr, &err));
    out = drain(chr);
    assert_string_equal(out, "Vireo " VIREO_VERSION " monitor - type 'help' "
                        "for more information\r\n(vireo) ");
    free(out);
    /* Typing is echoed; backspace and Ctrl-U edit. */
    send_str(chr, "info stax\x7ftus\r");
    out = drain(chr);
    assert_non_null(strstr(out, "VM status: running\r\n(vireo) "));
    free(out);
    send_str(chr, "garbage\x15info version\n");
    out = drain(chr);
    assert_non_null(strstr(out, VIREO_VERSION "\r\n(vireo) "));
    assert_null(strstr(out, "unknown command"));
    free(out);
    /* Up arrow recalls the last line. */
    send_str(chr, "\x1b[A\r");
    out = drain(chr);
    assert_non_null(strstr(out, "info version"));
    assert_non_null(strstr(out, VIREO_VERSION "\r\n"));
    free(out);
    /* CR LF is one Enter, not two. */
    send_str(chr, "\r\n");
    out = drain(chr);
    assert_string_equal(out, "\r\n(vireo) ");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_negotiation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_echo_and_status, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_argument_validation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_malformed_input, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_oversize_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pretty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hmp_through_qmp, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_memsave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ringbuf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hmp_line_editor, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
