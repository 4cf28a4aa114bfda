/*
 * tests/unit/test-property.c — table-described properties
 * (core/property.c): defaults, parsing of every type, range and syntax
 * errors, link resolution, formatting and the help listing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/property.h"
#include "util/error.h"
#include "util/opts.h"

typedef struct Widget {
    bool enabled;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    uint64_t size;
    char *name;
    int mode;
    uint8_t mac[6];
    void *chardev;
} Widget;

static const char *const widget_modes[] = { "slow", "fast", NULL };

static const Property widget_props[] = {
    DEFINE_PROP_BOOL("enabled", Widget, enabled, true, "switch"),
    DEFINE_PROP_UINT8("u8", Widget, u8, 7, "a byte"),
    DEFINE_PROP_UINT16("u16", Widget, u16, 0, "a half"),
    DEFINE_PROP_UINT32("u32", Widget, u32, 0, "a word"),
    DEFINE_PROP_UINT64("u64", Widget, u64, 0, "a double word"),
    DEFINE_PROP_INT32("i32", Widget, i32, -1, "signed"),
    DEFINE_PROP_SIZE("size", Widget, size, 4096, "a size"),
    DEFINE_PROP_STRING("name", Widget, name, "a name"),
    DEFINE_PROP_ENUM("mode", Widget, mode, 1, widget_modes, "speed"),
    DEFINE_PROP_MACADDR("mac", Widget, mac, "address"),
    DEFINE_PROP_CHARDEV("chardev", Widget, chardev, "backend"),
    DEFINE_PROP_END,
};

static int backend_object;

static void *resolve(void *opaque, PropType type, const char *id,
                     Error **errp)
{
    if (type == PROP_CHARDEV && !strcmp(id, "c0")) {
        return &backend_object;
    }
    error_setg(errp, "Chardev '%s' not found", id);
    return NULL;
}

static const PropLinkResolver links = { resolve, NULL };

static void set_ok(Widget *w, const char *name, const char *value)
{
    Error *err = NULL;
    bool ok = prop_set(w, props_find(widget_props, name), value, &links,
                       &err);
    if (!ok) {
        fail_msg("%s=%s: %s", name, value, error_get_pretty(err));
    }
}

static void set_fails(Widget *w, const char *name, const char *value,
                      const char *needle)
{
    Error *err = NULL;

    assert_false(prop_set(w, props_find(widget_props, name), value, &links,
                          &err));
    assert_non_null(err);
    if (!strstr(error_get_pretty(err), needle)) {
        fail_msg("'%s' lacks '%s'", error_get_pretty(err), needle);
    }
    error_free(err);
}

static void test_defaults(void **state)
{
    Widget w = { 0 };

    props_set_defaults(&w, widget_props);
    assert_true(w.enabled);
    assert_int_equal(w.u8, 7);
    assert_int_equal(w.i32, -1);
    assert_int_equal(w.size, 4096);
    assert_null(w.name);
    assert_int_equal(w.mode, 1);
    props_release(&w, widget_props);
}

static void test_set_each_type(void **state)
{
    Widget w = { 0 };
    char *s;

    props_set_defaults(&w, widget_props);
    set_ok(&w, "enabled", "off");
    assert_false(w.enabled);
    set_ok(&w, "u8", "255");
    assert_int_equal(w.u8, 255);
    set_ok(&w, "u16", "0xffff");
    assert_int_equal(w.u16, 0xffff);
    set_ok(&w, "u32", "4294967295");
    assert_int_equal(w.u32, UINT32_MAX);
    set_ok(&w, "u64", "18446744073709551615");
    assert_true(w.u64 == UINT64_MAX);
    set_ok(&w, "i32", "-2147483648");
    assert_int_equal(w.i32, INT32_MIN);
    set_ok(&w, "size", "2M");
    assert_int_equal(w.size, 2 << 20);
    set_ok(&w, "name", "hello");
    set_ok(&w, "name", "again");
    assert_string_equal(w.name, "again");
    set_ok(&w, "mode", "slow");
    assert_int_equal(w.mode, 0);
    set_ok(&w, "mac", "52:54:00:12:34:5e");
    assert_int_equal(w.mac[5], 0x5e);
    set_ok(&w, "chardev", "c0");
    assert_ptr_equal(w.chardev, &backend_object);

    s = prop_format(&w, props_find(widget_props, "mac"));
    assert_string_equal(s, "52:54:00:12:34:5e");
    free(s);
    s = prop_format(&w, props_find(widget_props, "enabled"));
    assert_string_equal(s, "off");
    free(s);
    s = prop_format(&w, props_find(widget_props, "mode"));
    assert_string_equal(s, "slow");
    free(s);
    props_release(&w, widget_props);
    assert_null(w.name);
}

static void test_errors(void **state)
{
    Widget w = { 0 };

    props_set_defaults(&w, widget_props);
    set_fails(&w, "enabled", "maybe", "'enabled'");
    set_fails(&w, "u8", "256", "0..255");
    set_fails(&w, "u16", "65536", "0..65535");
    set_fails(&w, "u32", "4294967296", "'u32'");
    set_fails(&w, "u32", "-1", "'u32'");
    set_fails(&w, "u64", "banana", "'u64'");
    set_fails(&w, "i32", "2147483648", "'i32'");
    set_fails(&w, "size", "1Q", "'size'");
    set_fails(&w, "mode", "medium", "'medium'");
    set_fails(&w, "mac", "52:54:00:12:34", "MAC address");
    set_fails(&w, "mac", "52:54:00:12:34:567", "MAC address");
    set_fails(&w, "mac", "zz:54:00:12:34:56", "MAC address");
    set_fails(&w, "chardev", "nosuch", "'nosuch' not found");
    set_fails(&w, "chardev", "", "non-empty");
    /* Failed sets leave the old values alone. */
    assert_int_equal(w.u8, 7);
    props_release(&w, widget_props);
}

static void test_apply_opts(void **state)
{
    Widget w = { 0 };
    OptList l;
    Error *err = NULL;
    static const char *const skip[] = { "driver", NULL };

    props_set_defaults(&w, widget_props);
    assert_true(opts_parse(&l, "-device", "widget,u8=3,name=x", "driver",
                           NULL));
    assert_true(props_apply_opts(&w, widget_props, &l, skip, &links,
                                 "widget", NULL));
    assert_int_equal(w.u8, 3);
    assert_string_equal(w.name, "x");
    opts_free(&l);

    assert_true(opts_parse(&l, "-device", "widget,frob=3", "driver", NULL));
    assert_false(props_apply_opts(&w, widget_props, &l, skip, &links,
                                  "widget", &err));
    assert_string_equal(error_get_pretty(err),
                        "-device: Property 'widget.frob' not found");
    error_free(err);
    err = NULL;
    opts_free(&l);

    assert_true(opts_parse(&l, "-device", "widget,u8=300", "driver", NULL));
    assert_false(props_apply_opts(&w, widget_props, &l, skip, &links,
                                  "widget", &err));
    assert_non_null(strstr(error_get_pretty(err), "-device: Parameter 'u8'"));
    error_free(err);
    opts_free(&l);
    props_release(&w, widget_props);
}

static void test_help_listing(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    props_print_help(f, "widget", widget_props);
    fclose(f);
    assert_non_null(strstr(buf, "widget options:\n"));
    assert_non_null(strstr(buf, "enabled=<bool>"));
    assert_non_null(strstr(buf, "(default: on)"));
    assert_non_null(strstr(buf, "size=<size>"));
    assert_non_null(strstr(buf, "(one of: slow fast)"));
    free(buf);

    buf = NULL;
    f = open_memstream(&buf, &len);
    props_print_help(f, "empty", NULL);
    fclose(f);
    assert_string_equal(buf, "There are no options for empty.\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_each_type),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_apply_opts),
        cmocka_unit_test(test_help_listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
