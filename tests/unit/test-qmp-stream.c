/*
 * tests/unit/test-qmp-stream.c — QMP message framing
 * (monitor/json-stream.c): messages split across reads and packed into
 * one, strings hiding braces and escaped quotes, bare scalars, stray
 * closers, and the limits that keep hostile input bounded (size, depth),
 * after which the stream must find the next message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "monitor/json-stream.h"

typedef struct Collected {
    char *items[32];
    bool is_error[32];
    unsigned n;
} Collected;

static void collect(void *opaque, const char *msg, size_t len,
                    const char *error)
{
    Collected *c = opaque;

    assert_true(c->n < 32);
    if (msg) {
        assert_int_equal(strlen(msg), len);
    }
    c->items[c->n] = xstrdup(msg ? msg : error);
    c->is_error[c->n] = msg == NULL;
    c->n++;
}

static void collected_free(Collected *c)
{
    for (unsigned i = 0; i < c->n; i++) {
        free(c->items[i]);
    }
    c->n = 0;
}

static void feed_str(JsonStream *s, const char *str)
{
    json_stream_feed(s, (const uint8_t *)str, strlen(str));
}

static void test_split_and_packed(void **state)
{
    Collected c = { 0 };
    JsonStream s;
    const char *msg = "{\"execute\": \"query-status\", \"id\": [1, {}]}";

    json_stream_init(&s, collect, &c);
    /* One byte at a time. */
    for (const char *p = msg; *p; p++) {
        json_stream_feed(&s, (const uint8_t *)p, 1);
        if (p[1]) {
            assert_int_equal(c.n, 0);
        }
    }
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0], msg);
    /* Several in one read, with whitespace between. */
    feed_str(&s, "{\"a\":1}\r\n {\"b\":2}[3]\n");
    assert_int_equal(c.n, 4);
    assert_string_equal(c.items[1], "{\"a\":1}");
    assert_string_equal(c.items[2], "{\"b\":2}");
    assert_string_equal(c.items[3], "[3]");
    collected_free(&c);
    json_stream_destroy(&s);
}

static void test_strings_hide_structure(void **state)
{
    Collected c = { 0 };
    JsonStream s;

    json_stream_init(&s, collect, &c);
    feed_str(&s, "{\"k\": \"}{][\\\"\\\\\"}");
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0], "{\"k\": \"}{][\\\"\\\\\"}");
    /* A top-level string is a complete value too. */
    feed_str(&s, "\"a}b\"");
    assert_int_equal(c.n, 2);
    assert_string_equal(c.items[1], "\"a}b\"");
    collected_free(&c);
    json_stream_destroy(&s);
}

static void test_scalars_and_stray(void **state)
{
    Collected c = { 0 };
    JsonStream s;

    json_stream_init(&s, collect, &c);
    feed_str(&s, "42 garbage{\"x\":1}");
    assert_int_equal(c.n, 3);
    assert_string_equal(c.items[0], "42");
    assert_string_equal(c.items[1], "garbage");
    assert_string_equal(c.items[2], "{\"x\":1}");
    feed_str(&s, "}]\n");
    assert_int_equal(c.n, 5);
    assert_true(c.is_error[3] && c.is_error[4]);
    assert_non_null(strstr(c.items[3], "stray '}'"));
    assert_non_null(strstr(c.items[4], "stray ']'"));
    /* Still in sync. */
    feed_str(&s, "{}");
    assert_int_equal(c.n, 6);
    assert_string_equal(c.items[5], "{}");
    collected_free(&c);
    json_stream_destroy(&s);
}

static void test_size_limit(void **state)
{
    Collected c = { 0 };
    JsonStream s;
    char chunk[1024];

    json_stream_init(&s, collect, &c);
    s.max_size = 4096;
    feed_str(&s, "{\"execute\": \"");
    memset(chunk, 'a', sizeof(chunk));
    for (int i = 0; i < 64; i++) {      /* 64 KiB of string */
        json_stream_feed(&s, (const uint8_t *)chunk, sizeof(chunk));
    }
    /* Reported once, as soon as the limit was crossed... */
    assert_int_equal(c.n, 1);
    assert_true(c.is_error[0]);
    assert_non_null(strstr(c.items[0], "size limit"));
    /* ...and nothing stored beyond it. */
    assert_true(s.cap <= 4097);
    /* The rest of the message is skipped; the next one arrives. */
    feed_str(&s, "\"}{\"execute\": \"quit\"}");
    assert_int_equal(c.n, 2);
    assert_string_equal(c.items[1], "{\"execute\": \"quit\"}");
    collected_free(&c);
    json_stream_destroy(&s);
}

static void test_depth_limit(void **state)
{
    Collected c = { 0 };
    JsonStream s;

    json_stream_init(&s, collect, &c);
    s.max_depth = 8;
    feed_str(&s, "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]{\"ok\":1}");
    assert_int_equal(c.n, 2);
    assert_true(c.is_error[0]);
    assert_non_null(strstr(c.items[0], "nesting"));
    assert_string_equal(c.items[1], "{\"ok\":1}");
    collected_free(&c);
    json_stream_destroy(&s);
}

static void test_reset_drops_partial(void **state)
{
    Collected c = { 0 };
    JsonStream s;

    json_stream_init(&s, collect, &c);
    feed_str(&s, "{\"execute\": \"stop\", \"arguments\": {");
    json_stream_reset(&s);
    feed_str(&s, "{\"execute\": \"cont\"}");
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0], "{\"execute\": \"cont\"}");
    collected_free(&c);
    json_stream_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_and_packed),
        cmocka_unit_test(test_strings_hide_structure),
        cmocka_unit_test(test_scalars_and_stray),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_reset_drops_partial),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
