/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/rootfs and runtime/spawn's pure parts: sysctl policy, overlay data,
 * the mount point default, config validation before clone, env merging, exit codes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "runtime/container_proc.h"
#include "runtime/rootfs.h"
#include "runtime/runtime.h"
#include "runtime/spawn.h"

static void test_sysctls(void **state)
{
        cleanup_berr struct berr *e1 = NULL, *e2 = NULL;

        (void)state;
        assert_int_equal(rootfs_check_sysctl("net.ipv4.ip_forward=1", false, NULL), 0);
        assert_int_equal(rootfs_check_sysctl("kernel.shmmax=1", false, NULL), 0);
        assert_int_equal(rootfs_check_sysctl("fs.mqueue.msg_max=20", false, NULL), 0);
        assert_int_equal(rootfs_check_sysctl("net.ipv4.ip_forward=1", true, &e1), -EINVAL);
        assert_non_null(strstr(e1->msg, "host network"));
        assert_int_equal(rootfs_check_sysctl("kernel.panic=1", false, &e2), -EINVAL);
        assert_non_null(strstr(e2->msg, "not namespaced"));
        assert_int_equal(rootfs_check_sysctl("vm.swappiness", false, NULL), -EINVAL);
        assert_int_equal(rootfs_check_sysctl("net/../x=1", false, NULL), -EINVAL);
}

static void test_overlay(void **state)
{
        char *l[] = {"/l/top", "/l/base", NULL};
        cleanup_free char *d = rootfs_overlay_data(l, "/c/up", "/c/work");
        cleanup_free char *r = rootfs_overlay_data(l, NULL, NULL);
        struct rt_config c;
        cleanup_free char *mp = NULL;

        (void)state;
        assert_string_equal(d, "lowerdir=/l/top:/l/base,upperdir=/c/up,workdir=/c/work");
        assert_string_equal(r, "lowerdir=/l/top:/l/base");
        rt_config_init(&c);
        c.lowerdirs = l;
        c.upperdir = "/var/lib/berth/containers/x/upper";
        mp = rootfs_mountpoint(&c);
        assert_string_equal(mp, "/var/lib/berth/containers/x/merged");
}

static void test_validate(void **state)
{
        char *argv[] = {"/bin/true", NULL}, *bad_sysctl[] = {"kernel.panic=1", NULL};
        struct rt_mount m = {.type = RT_MOUNT_TMPFS, .target = "/a/../etc"};
        struct rt_config c;
        uint64_t caps;

        (void)state;
        rt_config_init(&c);
        c.id = "p-web-1";
        c.project = "p";
        c.rootfs = "/";
        c.argv = argv;
        assert_int_equal(spawn_validate(&c, &caps, NULL), 0);
        c.project = "../evil";
        assert_int_equal(spawn_validate(&c, &caps, NULL), -EINVAL);
        c.project = "p";
        c.resources.memory = 4096;
        {
                cleanup_berr struct berr *err = NULL;

                assert_int_equal(spawn_validate(&c, &caps, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "below the minimum of 6MiB"));
        }
        c.resources.memory = 0;
        c.sysctls = bad_sysctl;
        assert_int_equal(spawn_validate(&c, &caps, NULL), -EINVAL);
        c.sysctls = NULL;
        c.mounts = &m;
        c.n_mounts = 1;
        assert_int_equal(spawn_validate(&c, &caps, NULL), -EINVAL);
        c.n_mounts = 0;
        c.argv = NULL;
        assert_int_equal(spawn_validate(&c, &caps, NULL), -EINVAL);
}

static void test_env_and_codes(void **state)
{
        char *base[] = {"PATH=/bin", "A=1", NULL}, *over[] = {"A=2", "B=3", NULL};
        cleanup_strv char **m = proc_env_merge(base, over);
        cleanup_free char *j = strv_join(m, " ");

        (void)state;
        assert_string_equal(j, "PATH=/bin A=2 B=3");
        assert_int_equal(proc_exit_code_for(ENOENT, true), 127);
        assert_int_equal(proc_exit_code_for(EACCES, true), 126);
        assert_int_equal(proc_exit_code_for(EPERM, false), 125);
        assert_int_equal(rt_ulimit_resource("nofile"), 7);
        assert_int_equal(rt_ulimit_resource("nope"), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sysctls),
                cmocka_unit_test(test_overlay),
                cmocka_unit_test(test_validate),
                cmocka_unit_test(test_env_and_codes),
        };

        return cmocka_run_group_tests_name("runtime/rootfs", tests, NULL, NULL);
}
