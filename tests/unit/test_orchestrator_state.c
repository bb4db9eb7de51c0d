/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/state (JSON round trip, save/load, versioning, pid start time)
 * and orchestrator/timefmt (RFC3339Nano, durations, --since values). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/xalloc.h"
#include "orchestrator/state.h"
#include "orchestrator/timefmt.h"

static void test_names(void **state)
{
        (void)state;
        assert_true(state_project_name_valid("ordev1"));
        assert_true(state_project_name_valid("a_b-c"));
        assert_false(state_project_name_valid(""));
        assert_false(state_project_name_valid("-x"));
        assert_false(state_project_name_valid("A"));
        assert_false(state_project_name_valid("a/b"));
        assert_false(state_project_name_valid(".."));
        assert_false(state_project_name_valid(
                "a123456789012345678901234567890123456789012345678901234567890123"));
}

static void test_roundtrip(void **state)
{
        struct state_project *p = state_project_new("ordev1"), *q = NULL;
        struct state_container *c;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *a = NULL, *b = NULL;

        (void)state;
        c = state_add(p, "web", 1);
        assert_string_equal(c->name, "ordev1-web-1");
        c->pid = 1234;
        c->pid_start = 99999;
        c->status = CTR_RUNNING;
        c->config_hash = xstrdup("sha256:abc");
        c->health = xstrdup("healthy");
        c->started_ns = 1700000000123456789LL;
        c->manual_stop = true;
        c = state_add(p, "db", 2);
        c->status = CTR_EXITED;
        c->exit_code = 137;
        p->supervisor_pid = 42;
        a = state_to_json(p);
        assert_int_equal(state_from_json(a, &q, &err), 0);
        b = state_to_json(q);
        assert_string_equal(a, b);
        c = state_find(q, "ordev1-web-1");
        assert_non_null(c);
        assert_int_equal(c->pid, 1234);
        assert_true(c->manual_stop);
        assert_int_equal(c->started_ns, 1700000000123456789LL);
        assert_int_equal(state_find(q, "ordev1-db-2")->exit_code, 137);
        state_remove(q, "ordev1-web-1");
        assert_null(state_find(q, "ordev1-web-1"));
        assert_int_equal(q->n_ctrs, 1);
        state_project_free(p);
        state_project_free(q);
}

static void test_bad_json(void **state)
{
        struct state_project *q = NULL;
        const char *bad[] = {
                "{",
                "{\"version\":2,\"project\":\"x\",\"containers\":[]}",
                "{\"version\":1,\"project\":\"X Y\",\"containers\":[]}",
                "{\"version\":1,\"project\":\"x\",\"containers\":[{\"name\":\"a\"}]}",
                "{\"version\":1,\"project\":\"x\",\"containers\":[{\"name\":\"a\",\"service\":"
                "\"s\",\"status\":\"zombie\"}]}",
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                cleanup_berr struct berr *err = NULL;

                assert_true(state_from_json(bad[i], &q, &err) < 0);
                assert_non_null(err);
        }
}

static void test_save_load(void **state)
{
        char tmpl[] = "/tmp/berth-orch-unit-XXXXXX";
        char *root = mkdtemp(tmpl);
        struct state_project *p, *q = NULL;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *cmd = NULL;

        (void)state;
        assert_non_null(root);
        assert_int_equal(state_load(root, "ordevx", &q, &err), -ENOENT);
        berr_freep(&err);
        p = state_project_new("ordevx");
        state_add(p, "svc", 1)->status = CTR_RUNNING;
        assert_int_equal(state_save(root, p, &err), 0);
        assert_int_equal(state_load(root, "ordevx", &q, &err), 0);
        assert_int_equal(q->n_ctrs, 1);
        assert_int_equal(q->ctrs[0].status, CTR_RUNNING);
        state_project_free(p);
        state_project_free(q);
        cmd = xasprintf("rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
}

static void test_pid_start(void **state)
{
        uint64_t a = 0, b = 0;

        (void)state;
        assert_int_equal(state_pid_start_time(getpid(), &a), 0);
        assert_true(a > 0);
        assert_int_equal(state_pid_start_time(getpid(), &b), 0);
        assert_int_equal(a, b);
        assert_int_equal(state_pid_start_time(0x3fffffff, &b), -ESRCH);
}

static void test_rfc3339(void **state)
{
        char buf[TIMEFMT_RFC3339NANO_MAX];
        int64_t ns;

        (void)state;
        timefmt_rfc3339nano(1700000000123456789LL, buf, sizeof(buf));
        assert_string_equal(buf, "2023-11-14T22:13:20.123456789Z");
        assert_int_equal(timefmt_parse_rfc3339(buf, &ns), 0);
        assert_int_equal(ns, 1700000000123456789LL);
        assert_int_equal(timefmt_parse_rfc3339("2023-11-14T23:13:20.5+01:00", &ns), 0);
        assert_int_equal(ns, 1700000000500000000LL);
        assert_int_equal(timefmt_parse_rfc3339("2023-11-14", &ns), 0);
        assert_int_equal(ns, 1699920000000000000LL);
        assert_int_equal(timefmt_parse_rfc3339("2023-11-14T22:13:20", &ns), -EINVAL);
        assert_int_equal(timefmt_parse_rfc3339("2023-13-14T22:13:20Z", &ns), -EINVAL);
        assert_int_equal(timefmt_parse_rfc3339("2023-11-14T22:13:20.Z", &ns), -EINVAL);
        assert_int_equal(timefmt_parse_rfc3339("nonsense", &ns), -EINVAL);
}

static void test_duration(void **state)
{
        int64_t ns;

        (void)state;
        assert_int_equal(timefmt_parse_duration("1h30m", &ns), 0);
        assert_int_equal(ns, 5400000000000LL);
        assert_int_equal(timefmt_parse_duration("1.5s", &ns), 0);
        assert_int_equal(ns, 1500000000LL);
        assert_int_equal(timefmt_parse_duration("300ms", &ns), 0);
        assert_int_equal(ns, 300000000LL);
        assert_int_equal(timefmt_parse_duration("2us", &ns), 0);
        assert_int_equal(ns, 2000);
        assert_int_equal(timefmt_parse_duration("0", &ns), 0);
        assert_int_equal(ns, 0);
        assert_int_equal(timefmt_parse_duration("10", &ns), -EINVAL);
        assert_int_equal(timefmt_parse_duration("", &ns), -EINVAL);
        assert_int_equal(timefmt_parse_duration("5x", &ns), -EINVAL);
        assert_int_equal(timefmt_parse_duration("s", &ns), -EINVAL);
        assert_int_equal(timefmt_parse_since("10m", 1000000000000LL, &ns), 0);
        assert_int_equal(ns, 1000000000000LL - 600000000000LL);
        assert_int_equal(timefmt_parse_since("1700000000.5", 0, &ns), 0);
        assert_int_equal(ns, 1700000000500000000LL);
        assert_int_equal(timefmt_parse_since("2023-11-14T22:13:20Z", 0, &ns), 0);
        assert_int_equal(ns, 1700000000000000000LL);
        assert_int_equal(timefmt_parse_since("yesterday", 0, &ns), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),     cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_bad_json),  cmocka_unit_test(test_save_load),
                cmocka_unit_test(test_pid_start), cmocka_unit_test(test_rfc3339),
                cmocka_unit_test(test_duration),
        };
        return cmocka_run_group_tests_name("orchestrator/state", tests, NULL, NULL);
}
