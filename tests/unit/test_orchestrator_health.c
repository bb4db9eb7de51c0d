/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/health: test parsing, defaults, transitions, start period,
 * scheduling. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "orchestrator/health.h"

static void test_parse_test(void **state)
{
        struct health_config c = {0};
        char *cmd[] = {"CMD", "true", "x", NULL};
        char *shell[] = {"CMD-SHELL", "exit 0", NULL};
        char *plain[] = {"exit 1", NULL};
        char *none[] = {"NONE", NULL};
        char *bad1[] = {"CMD", NULL};
        char *bad2[] = {"CMD-SHELL", "a", "b", NULL};
        char *bad3[] = {"NONE", "x", NULL};
        char *bad4[] = {NULL};

        (void)state;
        assert_int_equal(health_config_set_test(&c, cmd), 0);
        assert_int_equal(c.kind, HEALTH_TEST_CMD);
        assert_string_equal(c.argv[0], "true");
        assert_string_equal(c.argv[1], "x");
        assert_null(c.argv[2]);
        assert_int_equal(health_config_set_test(&c, shell), 0);
        assert_int_equal(c.kind, HEALTH_TEST_CMD_SHELL);
        assert_string_equal(c.argv[0], "/bin/sh");
        assert_string_equal(c.argv[2], "exit 0");
        assert_int_equal(health_config_set_test(&c, plain), 0);
        assert_int_equal(c.kind, HEALTH_TEST_CMD_SHELL);
        assert_string_equal(c.argv[2], "exit 1");
        assert_int_equal(health_config_set_test(&c, none), 0);
        assert_int_equal(c.kind, HEALTH_TEST_NONE);
        assert_int_equal(health_config_set_test(&c, bad1), -EINVAL);
        assert_int_equal(health_config_set_test(&c, bad2), -EINVAL);
        assert_int_equal(health_config_set_test(&c, bad3), -EINVAL);
        assert_int_equal(health_config_set_test(&c, bad4), -EINVAL);
        health_config_done(&c);
}

static void test_defaults(void **state)
{
        struct health_config c = {.kind = HEALTH_TEST_CMD, .retries = 5};

        (void)state;
        health_config_defaults(&c);
        assert_int_equal(c.interval_ms, 30000);
        assert_int_equal(c.timeout_ms, 30000);
        assert_int_equal(c.retries, 5);
        assert_int_equal(c.start_period_ms, 0);
        assert_int_equal(c.start_interval_ms, 5000);
}

static void test_transitions(void **state)
{
        struct health_config c = {.kind = HEALTH_TEST_CMD};
        struct health_state st;

        (void)state;
        health_config_defaults(&c);
        health_reset(&c, &st, 1000);
        assert_int_equal(st.status, HEALTH_STARTING);
        assert_false(health_on_result(&c, &st, HEALTH_RESULT_FAIL, 2000));
        assert_false(health_on_result(&c, &st, HEALTH_RESULT_TIMEOUT, 3000));
        assert_int_equal(st.failing_streak, 2);
        assert_true(health_on_result(&c, &st, HEALTH_RESULT_FAIL, 4000));
        assert_int_equal(st.status, HEALTH_UNHEALTHY);
        assert_true(health_on_result(&c, &st, HEALTH_RESULT_OK, 5000));
        assert_int_equal(st.status, HEALTH_HEALTHY);
        assert_int_equal(st.failing_streak, 0);
        assert_false(health_on_result(&c, &st, HEALTH_RESULT_FAIL, 6000));
        assert_false(health_on_result(&c, &st, HEALTH_RESULT_OK, 7000));
        assert_int_equal(st.failing_streak, 0);
        /* a restart starts over */
        health_reset(&c, &st, 8000);
        assert_int_equal(st.status, HEALTH_STARTING);
}

static void test_start_period(void **state)
{
        struct health_config c = {.kind = HEALTH_TEST_CMD_SHELL,
                                  .retries = 1,
                                  .start_period_ms = 10000,
                                  .interval_ms = 2000,
                                  .start_interval_ms = 500};
        struct health_state st;

        (void)state;
        health_config_defaults(&c);
        health_reset(&c, &st, 0);
        assert_int_equal(health_next_delay(&c, &st, 0), 500);
        for (uint64_t t = 500; t < 10000; t += 500)
                assert_false(health_on_result(&c, &st, HEALTH_RESULT_FAIL, t));
        assert_int_equal(st.status, HEALTH_STARTING);
        assert_int_equal(st.failing_streak, 0);
        assert_int_equal(health_next_delay(&c, &st, 10000), 2000);
        assert_true(health_on_result(&c, &st, HEALTH_RESULT_FAIL, 10000));
        assert_int_equal(st.status, HEALTH_UNHEALTHY);
        /* a success inside the start period makes it healthy at once, and later failures count */
        health_reset(&c, &st, 20000);
        assert_true(health_on_result(&c, &st, HEALTH_RESULT_OK, 20500));
        assert_int_equal(health_next_delay(&c, &st, 20500), 2000);
        assert_true(health_on_result(&c, &st, HEALTH_RESULT_FAIL, 21000));
        assert_int_equal(st.status, HEALTH_UNHEALTHY);
}

static void test_none(void **state)
{
        struct health_config c = {0};
        struct health_state st;

        (void)state;
        health_reset(&c, &st, 0);
        assert_int_equal(st.status, HEALTH_NONE);
        assert_false(health_on_result(&c, &st, HEALTH_RESULT_FAIL, 1));
        assert_string_equal(health_status_to_string(HEALTH_UNHEALTHY), "unhealthy");
        assert_null(health_status_to_string(HEALTH_STATUS__MAX));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_test),  cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_transitions), cmocka_unit_test(test_start_period),
                cmocka_unit_test(test_none),
        };
        return cmocka_run_group_tests_name("orchestrator/health", tests, NULL, NULL);
}
