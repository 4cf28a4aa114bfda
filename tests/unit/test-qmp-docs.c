/*
 * tests/unit/test-qmp-docs.c — docs/qmp.md must be exactly what the
 * command and event tables generate (monitor_qmp_docs()), so the
 * reference lists every command with its arguments and cannot go stale.
 *
 * After changing the tables, regenerate the file with
 *   build/tests/unit/test-qmp-docs --write
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "monitor/monitor-internal.h"

#ifndef VIREO_SOURCE_ROOT
#error "meson passes VIREO_SOURCE_ROOT"
#endif

#define DOCS_PATH VIREO_SOURCE_ROOT "/docs/qmp.md"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = xmalloc(n + 1);
    buf[fread(buf, 1, n, f)] = '\0';
    fclose(f);
    return buf;
}

static void test_docs_match_tables(void **state)
{
    char *want = monitor_qmp_docs();
    char *have = read_file(DOCS_PATH);
    size_t i = 0;

    if (!have) {
        fail_msg("%s is missing: run test-qmp-docs --write", DOCS_PATH);
    }
    if (strcmp(want, have)) {
        unsigned line = 1;

        while (want[i] && want[i] == have[i]) {
            line += want[i] == '\n';
            i++;
        }
        fail_msg("%s differs from the command table at line %u: run "
                 "build/tests/unit/test-qmp-docs --write", DOCS_PATH, line);
    }
    free(want);
    free(have);
}

static void test_every_command_documented(void **state)
{
    char *docs = monitor_qmp_docs();

    for (const MonitorCommand *c = monitor_commands; c->qmp || c->hmp; c++) {
        char *heading;

        if (!c->qmp) {
            continue;
        }
        heading = xasprintf("\n### %s\n", c->qmp);
        assert_non_null(strstr(docs, heading));
        free(heading);
        for (const MonitorArg *a = c->args; a && a->name; a++) {
            char *row = xasprintf("| `%s` |", a->name);

            assert_non_null(strstr(docs, row));
            free(row);
        }
        assert_non_null(c->example);
    }
    for (int e = 0; e < QMP_EVENT__MAX; e++) {
        char *heading = xasprintf("\n### %s\n", monitor_events[e].name);

        assert_non_null(strstr(docs, heading));
        free(heading);
    }
    free(docs);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docs_match_tables),
        cmocka_unit_test(test_every_command_documented),
    };

    if (argc > 1 && !strcmp(argv[1], "--write")) {
        char *docs = monitor_qmp_docs();
        FILE *f = fopen(DOCS_PATH, "w");

        if (!f || fputs(docs, f) < 0 || fclose(f) != 0) {
            perror(DOCS_PATH);
            return 1;
        }
        printf("wrote %s\n", DOCS_PATH);
        free(docs);
        return 0;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
