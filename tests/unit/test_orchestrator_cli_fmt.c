/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/cli_fmt: sizes, references, ls status counts, container names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/strv.h"
#include "orchestrator/cli_fmt.h"

static void check_size(int64_t n, const char *want)
{
        char buf[32];

        cli_fmt_size(n, buf, sizeof(buf));
        assert_string_equal(buf, want);
}

static void test_size(void **state)
{
        (void)state;
        check_size(0, "0B");
        check_size(512, "512B");
        check_size(1000, "1kB");
        check_size(1982436, "1.98MB");
        check_size(80300000, "80.3MB");
        check_size(1234567890, "1.23GB");
        check_size(-5, "0B");
}

static void check_ref(const char *ref, const char *repo, const char *tag)
{
        char *r = NULL, *t = NULL;

        cli_fmt_split_ref(ref, &r, &t);
        assert_string_equal(r, repo);
        assert_string_equal(t, tag);
        free(r);
        free(t);
}

static void test_split_ref(void **state)
{
        (void)state;
        check_ref("busybox", "busybox", "latest");
        check_ref("redis:7", "redis", "7");
        check_ref("127.0.0.1:5200/berth/busybox:latest", "127.0.0.1:5200/berth/busybox", "latest");
        check_ref("127.0.0.1:5200/berth/busybox", "127.0.0.1:5200/berth/busybox", "latest");
        check_ref("host:5000/a/b@sha256:abcd", "host:5000/a/b", "<none>");
}

static void test_status_counts(void **state)
{
        char **v = strv_split("running exited running created", " ");
        char *s;
        bool running;

        (void)state;
        s = cli_fmt_status_counts(v, &running);
        assert_string_equal(s, "created(1), exited(1), running(2)");
        assert_true(running);
        free(s);
        strv_free(v);
        v = strv_split("exited", " ");
        s = cli_fmt_status_counts(v, &running);
        assert_string_equal(s, "exited(1)");
        assert_false(running);
        free(s);
        strv_free(v);
        v = strv_split("", " ");
        s = cli_fmt_status_counts(v, &running);
        assert_string_equal(s ? s : "", "");
        assert_false(running);
        free(s);
        strv_free(v);
}

static void test_container_name(void **state)
{
        (void)state;
        assert_true(cli_fmt_container_name_valid("proj-web-run-0123456789ab"));
        assert_true(cli_fmt_container_name_valid("My_ctr.1"));
        assert_false(cli_fmt_container_name_valid("a"));
        assert_false(cli_fmt_container_name_valid("-x"));
        assert_false(cli_fmt_container_name_valid("a/b"));
        assert_false(cli_fmt_container_name_valid("a b"));
        assert_false(cli_fmt_container_name_valid("../etc"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_size),
                cmocka_unit_test(test_split_ref),
                cmocka_unit_test(test_status_counts),
                cmocka_unit_test(test_container_name),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
