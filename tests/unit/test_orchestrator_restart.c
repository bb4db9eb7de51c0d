/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/restart: every policy, backoff growth, cap and reset, manual stop,
 * max attempts, deploy delay and window, parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "orchestrator/restart.h"

static struct restart_spec pol(enum restart_policy p, unsigned max)
{
        struct restart_spec s = {.policy = p, .max_attempts = max};
        return s;
}

static void test_no_never_restarts(void **state)
{
        struct restart_spec s = pol(RESTART_NO, 0);
        struct restart_state st = {0};
        int codes[] = {0, 1, 137, -1};

        (void)state;
        for (size_t i = 0; i < 4; i++) {
                struct restart_decision d = restart_decide(&s, &st, codes[i], 5, false, 0);
                assert_int_equal(d.action, RESTART_ACTION_NONE);
        }
        assert_int_equal(st.attempts, 0);
}

static void test_always_backoff_doubles_and_caps(void **state)
{
        struct restart_spec s = pol(RESTART_ALWAYS, 0);
        struct restart_state st = {0};
        uint64_t want = 100;

        (void)state;
        for (int i = 0; i < 20; i++) {
                struct restart_decision d = restart_decide(&s, &st, i % 2 ? 0 : 137, 50, false, 0);
                assert_int_equal(d.action, RESTART_ACTION_RESTART);
                assert_int_equal(d.delay_ms, want);
                want = want * 2 > 60000 ? 60000 : want * 2;
        }
        assert_int_equal(st.attempts, 20);
        assert_int_equal(st.backoff_ms, 60000);
}

static void test_backoff_resets_after_10s(void **state)
{
        struct restart_spec s = pol(RESTART_ALWAYS, 0);
        struct restart_state st = {0};
        struct restart_decision d;

        (void)state;
        restart_decide(&s, &st, 1, 10, false, 0);
        restart_decide(&s, &st, 1, 10, false, 0);
        d = restart_decide(&s, &st, 1, 9999, false, 0);
        assert_int_equal(d.delay_ms, 400);
        d = restart_decide(&s, &st, 1, 10000, false, 0);
        assert_int_equal(d.delay_ms, 100);
        d = restart_decide(&s, &st, 1, 0, false, 0);
        assert_int_equal(d.delay_ms, 200);
}

static void test_manual_stop_cancels_every_policy(void **state)
{
        (void)state;
        for (int p = 0; p < RESTART_POLICY__MAX; p++) {
                struct restart_spec s = pol((enum restart_policy)p, 0);
                struct restart_state st = {.attempts = 1, .backoff_ms = 200};
                struct restart_decision d = restart_decide(&s, &st, 137, 10, true, 0);

                assert_int_equal(d.action, RESTART_ACTION_NONE);
                assert_int_equal(st.attempts, 1);
                assert_int_equal(st.backoff_ms, 200);
        }
}

static void test_unless_stopped_restarts_on_any_exit(void **state)
{
        struct restart_spec s = pol(RESTART_UNLESS_STOPPED, 0);
        struct restart_state st = {0};

        (void)state;
        assert_int_equal(restart_decide(&s, &st, 0, 1, false, 0).action, RESTART_ACTION_RESTART);
        assert_int_equal(restart_decide(&s, &st, 3, 1, false, 0).action, RESTART_ACTION_RESTART);
}

static void test_on_failure_exit_zero_stays_down(void **state)
{
        struct restart_spec s = pol(RESTART_ON_FAILURE, 0);
        struct restart_state st = {0};

        (void)state;
        assert_int_equal(restart_decide(&s, &st, 0, 1, false, 0).action, RESTART_ACTION_NONE);
        assert_int_equal(restart_decide(&s, &st, 1, 1, false, 0).action, RESTART_ACTION_RESTART);
        assert_int_equal(restart_decide(&s, &st, -1, 1, false, 0).action, RESTART_ACTION_RESTART);
        assert_int_equal(restart_decide(&s, &st, 137, 1, false, 0).action, RESTART_ACTION_RESTART);
}

static void test_on_failure_max_gives_up(void **state)
{
        struct restart_spec s = pol(RESTART_ON_FAILURE, 2);
        struct restart_state st = {0};
        struct restart_decision d;

        (void)state;
        d = restart_decide(&s, &st, 137, 1, false, 0);
        assert_int_equal(d.action, RESTART_ACTION_RESTART);
        assert_int_equal(d.delay_ms, 100);
        d = restart_decide(&s, &st, 137, 1, false, 0);
        assert_int_equal(d.action, RESTART_ACTION_RESTART);
        assert_int_equal(d.delay_ms, 200);
        d = restart_decide(&s, &st, 137, 1, false, 0);
        assert_int_equal(d.action, RESTART_ACTION_GIVE_UP);
        assert_int_equal(st.attempts, 2);
        /* a long run does not reset the count without a window (docker keeps it) */
        d = restart_decide(&s, &st, 1, 60000, false, 0);
        assert_int_equal(d.action, RESTART_ACTION_GIVE_UP);
}

static void test_deploy_delay_and_window(void **state)
{
        struct restart_spec s = {
                .policy = RESTART_ALWAYS, .max_attempts = 2, .delay_ms = 5000, .window_ms = 30000};
        struct restart_state st = {0};
        struct restart_decision d;

        (void)state;
        d = restart_decide(&s, &st, 0, 10, false, 0);
        assert_int_equal(d.action, RESTART_ACTION_RESTART);
        assert_int_equal(d.delay_ms, 5000);
        d = restart_decide(&s, &st, 0, 10, false, 0);
        assert_int_equal(d.delay_ms, 5000);
        assert_int_equal(restart_decide(&s, &st, 0, 10, false, 0).action, RESTART_ACTION_GIVE_UP);
        /* a run that lasted the window counts as a success: attempts start over */
        d = restart_decide(&s, &st, 0, 30000, false, 0);
        assert_int_equal(d.action, RESTART_ACTION_RESTART);
        assert_int_equal(st.attempts, 1);
}

static void test_parse(void **state)
{
        struct restart_spec s;
        enum restart_policy p;

        (void)state;
        assert_int_equal(restart_spec_parse("always", &s), 0);
        assert_int_equal(s.policy, RESTART_ALWAYS);
        assert_int_equal(restart_spec_parse("no", &s), 0);
        assert_int_equal(s.policy, RESTART_NO);
        assert_int_equal(restart_spec_parse("unless-stopped", &s), 0);
        assert_int_equal(s.policy, RESTART_UNLESS_STOPPED);
        assert_int_equal(restart_spec_parse("on-failure", &s), 0);
        assert_int_equal(s.policy, RESTART_ON_FAILURE);
        assert_int_equal(s.max_attempts, 0);
        assert_int_equal(restart_spec_parse("on-failure:5", &s), 0);
        assert_int_equal(s.max_attempts, 5);
        assert_int_equal(restart_spec_parse("on-failure:", &s), -EINVAL);
        assert_int_equal(restart_spec_parse("on-failure:x", &s), -EINVAL);
        assert_int_equal(restart_spec_parse("on-failure:-1", &s), -EINVAL);
        assert_int_equal(restart_spec_parse("always:3", &s), -EINVAL);
        assert_int_equal(restart_spec_parse("on-fail:3", &s), -EINVAL);
        assert_int_equal(restart_spec_parse("sometimes", &s), -EINVAL);
        assert_int_equal(restart_spec_parse(NULL, &s), -EINVAL);
        assert_int_equal(restart_condition_parse("any", &p), 0);
        assert_int_equal(p, RESTART_ALWAYS);
        assert_int_equal(restart_condition_parse("none", &p), 0);
        assert_int_equal(p, RESTART_NO);
        assert_int_equal(restart_condition_parse("on-failure", &p), 0);
        assert_int_equal(p, RESTART_ON_FAILURE);
        assert_int_equal(restart_condition_parse("always", &p), -EINVAL);
        assert_string_equal(restart_policy_to_string(RESTART_UNLESS_STOPPED), "unless-stopped");
        assert_null(restart_policy_to_string(RESTART_POLICY__MAX));
        assert_string_equal(restart_action_to_string(RESTART_ACTION_GIVE_UP), "give-up");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_never_restarts),
                cmocka_unit_test(test_always_backoff_doubles_and_caps),
                cmocka_unit_test(test_backoff_resets_after_10s),
                cmocka_unit_test(test_manual_stop_cancels_every_policy),
                cmocka_unit_test(test_unless_stopped_restarts_on_any_exit),
                cmocka_unit_test(test_on_failure_exit_zero_stays_down),
                cmocka_unit_test(test_on_failure_max_gives_up),
                cmocka_unit_test(test_deploy_delay_and_window),
                cmocka_unit_test(test_parse),
        };
        return cmocka_run_group_tests_name("orchestrator/restart", tests, NULL, NULL);
}
