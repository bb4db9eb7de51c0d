/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/caps: names and the cap_add/cap_drop/ALL/privileged arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/capability.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "runtime/caps.h"

static void test_names(void **state)
{
        (void)state;
        assert_int_equal(caps_from_name("NET_ADMIN"), CAP_NET_ADMIN);
        assert_int_equal(caps_from_name("CAP_NET_ADMIN"), CAP_NET_ADMIN);
        assert_int_equal(caps_from_name("cap_chown"), CAP_CHOWN);
        assert_int_equal(caps_from_name("sys_admin"), CAP_SYS_ADMIN);
        assert_int_equal(caps_from_name("NOPE"), -1);
        assert_int_equal(caps_from_name(""), -1);
}

static void test_default(void **state)
{
        uint64_t c;

        (void)state;
        assert_int_equal(caps_compute(false, NULL, NULL, &c, NULL), 0);
        assert_true(c == CAPS_DOCKER_DEFAULT);
        assert_true(c == UINT64_C(0xa80425fb));
}

static void test_add_drop(void **state)
{
        char *add[] = {"NET_ADMIN", "SYS_TIME", NULL}, *drop[] = {"CHOWN", "CAP_KILL", NULL};
        uint64_t c;

        (void)state;
        assert_int_equal(caps_compute(false, add, drop, &c, NULL), 0);
        assert_true(c & (UINT64_C(1) << CAP_NET_ADMIN));
        assert_true(c & (UINT64_C(1) << CAP_SYS_TIME));
        assert_false(c & (UINT64_C(1) << CAP_CHOWN));
        assert_false(c & (UINT64_C(1) << CAP_KILL));
        assert_true(c & (UINT64_C(1) << CAP_SETUID));
}

static void test_all(void **state)
{
        char *all[] = {"ALL", NULL}, *kill[] = {"KILL", NULL}, *sa[] = {"SYS_ADMIN", NULL};
        uint64_t c, p;

        (void)state;
        /* drop ALL keeps only what is added */
        assert_int_equal(caps_compute(false, kill, all, &c, NULL), 0);
        assert_true(c == (UINT64_C(1) << CAP_KILL));
        /* add ALL gives everything the bounding set allows, minus drops */
        assert_int_equal(caps_compute(false, all, sa, &c, NULL), 0);
        assert_int_equal(caps_compute(true, NULL, NULL, &p, NULL), 0);
        assert_false(c & (UINT64_C(1) << CAP_SYS_ADMIN));
        assert_true((c | (UINT64_C(1) << CAP_SYS_ADMIN)) == p);
        assert_true((p & CAPS_DOCKER_DEFAULT) == CAPS_DOCKER_DEFAULT);
}

static void test_unknown(void **state)
{
        cleanup_berr struct berr *err = NULL;
        char *bad[] = {"FLY", NULL};
        uint64_t c;

        (void)state;
        assert_int_equal(caps_compute(false, bad, NULL, &c, &err), -EINVAL);
        assert_string_equal(err->msg, "cap_add: unknown capability \"FLY\"");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),    cmocka_unit_test(test_default),
                cmocka_unit_test(test_add_drop), cmocka_unit_test(test_all),
                cmocka_unit_test(test_unknown),
        };

        return cmocka_run_group_tests_name("runtime/caps", tests, NULL, NULL);
}
