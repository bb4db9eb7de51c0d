/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/user: docker's user: resolution against passwd/group text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "runtime/user.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# comment\n"
                             "app:x:1000:1001:app:/home/app:/bin/sh\n"
                             "nohome:x:1002:1002::\n";
static const char group[] = "root:x:0:\n"
                            "appg:x:1001:\n"
                            "audio:x:29:app,other\n"
                            "video:x:44:other,app\n"
                            "staff:x:50:\n";

static void test_root_default(void **state)
{
        struct user_ids u;

        (void)state;
        assert_int_equal(user_resolve(NULL, passwd, group, &u, NULL), 0);
        assert_int_equal(u.uid, 0);
        assert_int_equal(u.gid, 0);
        assert_string_equal(u.home, "/root");
        user_ids_done(&u);
}

static void test_by_name(void **state)
{
        struct user_ids u;

        (void)state;
        assert_int_equal(user_resolve("app", passwd, group, &u, NULL), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 1001);
        assert_int_equal(u.n_groups, 2);
        assert_int_equal(u.groups[0], 29);
        assert_int_equal(u.groups[1], 44);
        assert_string_equal(u.home, "/home/app");
        user_ids_done(&u);
}

static void test_numeric_and_groups(void **state)
{
        struct user_ids u;

        (void)state;
        assert_int_equal(user_resolve("1000:50", passwd, group, &u, NULL), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 50);
        assert_int_equal(u.n_groups, 2);
        user_ids_done(&u);
        assert_int_equal(user_resolve("app:staff", passwd, group, &u, NULL), 0);
        assert_int_equal(u.gid, 50);
        user_ids_done(&u);
        /* a uid without a passwd entry: gid 0, home / */
        assert_int_equal(user_resolve("4242", passwd, group, &u, NULL), 0);
        assert_int_equal(u.uid, 4242);
        assert_int_equal(u.gid, 0);
        assert_int_equal(u.n_groups, 0);
        assert_string_equal(u.home, "/");
        user_ids_done(&u);
        assert_int_equal(user_resolve("4242:77", NULL, NULL, &u, NULL), 0);
        assert_int_equal(u.gid, 77);
        user_ids_done(&u);
        assert_int_equal(user_resolve("nohome", passwd, group, &u, NULL), 0);
        assert_string_equal(u.home, "/");
        user_ids_done(&u);
}

static void test_errors(void **state)
{
        struct user_ids u;
        cleanup_berr struct berr *e1 = NULL, *e2 = NULL, *e3 = NULL;

        (void)state;
        assert_int_equal(user_resolve("ghost", passwd, group, &u, &e1), -ENOENT);
        assert_string_equal(e1->msg,
                            "unable to find user ghost: no matching entries in passwd file");
        assert_int_equal(user_resolve("app:ghosts", passwd, group, &u, &e2), -ENOENT);
        assert_string_equal(e2->msg,
                            "unable to find group ghosts: no matching entries in group file");
        assert_int_equal(user_resolve("app", NULL, NULL, &u, &e3), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_root_default),
                cmocka_unit_test(test_by_name),
                cmocka_unit_test(test_numeric_and_groups),
                cmocka_unit_test(test_errors),
        };

        return cmocka_run_group_tests_name("runtime/user", tests, NULL, NULL);
}
