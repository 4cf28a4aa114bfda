/*
 * tests/unit/test-opts.c — the "key=value,..." option parser and value
 * parsers (util/opts.c), including every error path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/error.h"
#include "util/opts.h"

static void assert_parse_error(const char *str, const char *implied,
                               const char *needle)
{
    OptList l;
    Error *err = NULL;

    assert_false(opts_parse(&l, "-x", str, implied, &err));
    assert_non_null(err);
    assert_non_null(strstr(error_get_pretty(err), needle));
    assert_non_null(strstr(error_get_pretty(err), "-x"));
    error_free(err);
}

static void test_basic_pairs(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-x", "a=1,b=two,c=", NULL, NULL));
    assert_int_equal(l.count, 3);
    assert_string_equal(opts_get(&l, "a"), "1");
    assert_string_equal(opts_get(&l, "b"), "two");
    assert_string_equal(opts_get(&l, "c"), "");
    assert_null(opts_get(&l, "d"));
    assert_false(l.help);
    opts_free(&l);
}

static void test_implied_key(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-smp", "4,sockets=1", "cpus", NULL));
    assert_string_equal(opts_get(&l, "cpus"), "4");
    assert_string_equal(opts_get(&l, "sockets"), "1");
    opts_free(&l);

    /* The implied key only applies to the first item. */
    assert_true(opts_parse(&l, "-m", "size=2G", "size", NULL));
    assert_string_equal(opts_get(&l, "size"), "2G");
    opts_free(&l);
}

static void test_comma_escape(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-drive", "file=a,,b,,,,c,if=none", NULL,
                           NULL));
    assert_string_equal(opts_get(&l, "file"), "a,b,,c");
    assert_string_equal(opts_get(&l, "if"), "none");
    opts_free(&l);

    /* An escaped comma in the implied value, too. */
    assert_true(opts_parse(&l, "-x", "x,,y,k=v", "name", NULL));
    assert_string_equal(opts_get(&l, "name"), "x,y");
    opts_free(&l);
}

static void test_value_with_equals(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-append", "k=a=b", NULL, NULL));
    assert_string_equal(opts_get(&l, "k"), "a=b");
    opts_free(&l);
}

static void test_flags_and_no_prefix(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-qmp", "unix:/tmp/q,server,nowait", "path",
                           NULL));
    assert_string_equal(opts_get(&l, "path"), "unix:/tmp/q");
    assert_string_equal(opts_get(&l, "server"), "on");
    assert_string_equal(opts_get(&l, "wait"), "off");
    opts_free(&l);
}

static void test_help(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-device", "loader,help", "driver", NULL));
    assert_true(l.help);
    assert_string_equal(opts_get(&l, "driver"), "loader");
    opts_free(&l);

    assert_true(opts_parse(&l, "-device", "help", "driver", NULL));
    assert_true(l.help);
    assert_int_equal(l.count, 0);
    opts_free(&l);

    assert_true(opts_parse(&l, "-device", "?", "driver", NULL));
    assert_true(l.help);
    opts_free(&l);
}

static void test_empty_and_trailing(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-x", "", "k", NULL));
    assert_int_equal(l.count, 0);
    opts_free(&l);

    assert_true(opts_parse(&l, "-x", "a=1,", NULL, NULL));
    assert_int_equal(l.count, 1);
    opts_free(&l);
}

static void test_syntax_errors(void **state)
{
    assert_parse_error("=x", NULL, "Expected parameter name before '='");
    assert_parse_error("a=1,=2", NULL, "Expected parameter name");
    assert_parse_error(",a=1", NULL, "Empty parameter");
}

static void test_escape_then_separator(void **state)
{
    OptList l;

    /* ",,," is an escaped comma followed by a separator. */
    assert_true(opts_parse(&l, "-x", "a=1,,,b=2", NULL, NULL));
    assert_string_equal(opts_get(&l, "a"), "1,");
    assert_string_equal(opts_get(&l, "b"), "2");
    opts_free(&l);
}

static void test_unused_keys(void **state)
{
    OptList l;
    Error *err = NULL;

    assert_true(opts_parse(&l, "-x", "a=1,frob=2", NULL, NULL));
    opts_get(&l, "a");
    assert_false(opts_check_unused(&l, &err));
    assert_string_equal(error_get_pretty(err), "-x: Invalid parameter 'frob'");
    error_free(err);
    opts_get(&l, "frob");
    assert_true(opts_check_unused(&l, NULL));
    opts_free(&l);
}

static void test_last_occurrence_wins(void **state)
{
    OptList l;

    assert_true(opts_parse(&l, "-x", "a=1,a=2", NULL, NULL));
    assert_string_equal(opts_get(&l, "a"), "2");
    assert_true(opts_check_unused(&l, NULL));
    opts_set(&l, "a", "3");
    assert_string_equal(opts_get(&l, "a"), "3");
    opts_set(&l, "b", "4");
    assert_string_equal(opts_get(&l, "b"), "4");
    opts_free(&l);
}

static void test_typed_getters(void **state)
{
    OptList l;
    Error *err = NULL;
    bool b;
    uint64_t u;

    assert_true(opts_parse(&l, "-x", "b=yes,u=0x10,s=1.5k,bad=maybe,"
                           "neg=-1,big=99999999999999999999,sz=1Q", NULL,
                           NULL));
    assert_true(opts_get_bool(&l, "b", false, &b, NULL));
    assert_true(b);
    assert_true(opts_get_bool(&l, "missing", true, &b, NULL));
    assert_true(b);
    assert_true(opts_get_uint(&l, "u", 0, &u, NULL));
    assert_int_equal(u, 16);
    assert_true(opts_get_size(&l, "s", 0, &u, NULL));
    assert_int_equal(u, 1536);

    assert_false(opts_get_bool(&l, "bad", false, &b, &err));
    assert_non_null(strstr(error_get_pretty(err), "'bad'"));
    error_free(err);
    err = NULL;
    assert_false(opts_get_uint(&l, "neg", 0, &u, &err));
    assert_non_null(strstr(error_get_pretty(err), "'neg'"));
    error_free(err);
    err = NULL;
    assert_false(opts_get_uint(&l, "big", 0, &u, &err));
    error_free(err);
    err = NULL;
    assert_false(opts_get_size(&l, "sz", 0, &u, &err));
    assert_non_null(strstr(error_get_pretty(err), "'sz'"));
    error_free(err);
    opts_free(&l);
}

static void test_parse_size(void **state)
{
    uint64_t v;

    assert_true(parse_size("0", 1, &v));
    assert_int_equal(v, 0);
    assert_true(parse_size("512", 1024 * 1024, &v));
    assert_int_equal(v, 512ULL << 20);
    assert_true(parse_size("2G", 1024 * 1024, &v));
    assert_int_equal(v, 2ULL << 30);
    assert_true(parse_size("2g", 1, &v));
    assert_int_equal(v, 2ULL << 30);
    assert_true(parse_size("4096B", 1024 * 1024, &v));
    assert_int_equal(v, 4096);
    assert_true(parse_size("1.5M", 1, &v));
    assert_int_equal(v, 1536 * 1024);
    assert_true(parse_size("16E", 1, &v) == false);     /* 2^64: too big */
    assert_true(parse_size("15E", 1, &v));
    assert_true(parse_size("18446744073709551615", 1, &v));
    assert_true(v == UINT64_MAX);

    assert_false(parse_size("", 1, &v));
    assert_false(parse_size("banana", 1, &v));
    assert_false(parse_size("-1", 1, &v));
    assert_false(parse_size(" 1", 1, &v));
    assert_false(parse_size("1Q", 1, &v));
    assert_false(parse_size("1GG", 1, &v));
    assert_false(parse_size("1.", 1, &v));
    assert_false(parse_size("1.5", 1, &v));     /* fractional bytes */
    assert_false(parse_size("18446744073709551616", 1, &v));
    assert_false(parse_size("17179869184G", 1, &v));
}

static void test_parse_numbers(void **state)
{
    uint64_t u;
    int64_t i;
    bool b;

    assert_true(parse_uint64("42", &u) && u == 42);
    assert_true(parse_uint64("0x2a", &u) && u == 42);
    assert_true(parse_uint64("052", &u) && u == 42);
    assert_false(parse_uint64("", &u));
    assert_false(parse_uint64("-1", &u));
    assert_false(parse_uint64("+1", &u));
    assert_false(parse_uint64("12x", &u));
    assert_false(parse_uint64(" 1", &u));
    assert_false(parse_uint64("0x", &u));
    assert_true(parse_int64("-42", &i) && i == -42);
    assert_false(parse_int64("9223372036854775808", &i));
    assert_true(parse_bool("on", &b) && b);
    assert_true(parse_bool("false", &b) && !b);
    assert_false(parse_bool("On", &b));
    assert_false(parse_bool("", &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_pairs),
        cmocka_unit_test(test_implied_key),
        cmocka_unit_test(test_comma_escape),
        cmocka_unit_test(test_value_with_equals),
        cmocka_unit_test(test_flags_and_no_prefix),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_empty_and_trailing),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_escape_then_separator),
        cmocka_unit_test(test_unused_keys),
        cmocka_unit_test(test_last_occurrence_wins),
        cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_parse_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
