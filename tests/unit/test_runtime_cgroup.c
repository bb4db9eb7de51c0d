/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/cgroup: /proc/self/cgroup parsing, and the v2 and v1 drivers against a
 * fake cgroupfs tree in a temp dir (plain files stand in for the kernel's). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_internal.h"
#include "runtime/runtime.h"

static void put(const char *dir, const char *file, const char *text)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, file);
        FILE *f = fopen(p, "w");

        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *get(const char *dir, const char *file)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, file);
        char *buf = NULL;

        if (read_file(p, 4096, &buf, NULL, NULL) < 0)
                return NULL;
        return buf;
}

static void rm_tree(const char *root)
{
        cleanup_free char *cmd = xasprintf("rm -rf '%s'", root);

        assert_int_equal(system(cmd), 0);
}

static void test_self_path(void **state)
{
        const char *self = "9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu,cpuacct:/x\n0::/u\n";
        char *p;

        (void)state;
        p = cg_self_path(self, "memory");
        assert_string_equal(p, "/process_api/abc");
        free(p);
        p = cg_self_path(self, "cpuacct");
        assert_string_equal(p, "/x");
        free(p);
        p = cg_self_path(self, "");
        assert_string_equal(p, "/u");
        free(p);
        assert_null(cg_self_path(self, "pids"));
        assert_int_equal(cg_keyed_value("low 0\nhigh 3\noom 2\noom_kill 7\n", "oom_kill"), 7);
        assert_int_equal(cg_keyed_value("oom 2\n", "oom_kill"), 0);
}

/* A fake v2 mount: <tmp>/u is the caller's cgroup; mkdir makes empty dirs, so the test
 * pre-creates the files the driver writes to. */
static void test_v2_fake_tree(void **state)
{
        char tmpl[] = "/tmp/berth-ctr-unit-XXXXXX";
        char *root = mkdtemp(tmpl);
        cleanup_free char *self = NULL, *leaf = NULL, *loc = NULL, *v = NULL;
        struct cgroup_env env;
        struct rt_resources res = {.memory = 64 << 20,
                                   .memory_reservation = 32 << 20,
                                   .memory_swap = 96 << 20,
                                   .cpu_quota = 50000,
                                   .cpu_period = 100000,
                                   .cpu_shares = 1024,
                                   .cpuset_cpus = "0",
                                   .pids_limit = 42,
                                   .blkio_weight = 500};
        uint64_t ooms = 9;
        const char *files[] = {"memory.max",   "memory.low",    "memory.swap.max", "cpu.max",
                               "cpu.weight",   "cpuset.cpus",   "pids.max",        "io.weight",
                               "cgroup.procs", "memory.events", "cgroup.kill"};

        (void)state;
        assert_non_null(root);
        self = xasprintf("%s/u", root);
        assert_int_equal(mkdir(self, 0755), 0);
        put(self, "cgroup.controllers", "cpu io memory pids\n");
        put(self, "cgroup.subtree_control", "");
        leaf = xasprintf("%s/berth/proj/c1", self);
        assert_int_equal(mkdir_p(leaf, 0755, NULL), 0);
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
                put(leaf, files[i], "");
        env.mount = root;
        env.self = "0::/u\n";
        assert_int_equal(cgroup_v2_ops.create(&env, "proj", "c1", &res, &loc, NULL), 0);
        v = xasprintf("v2\n%s", leaf);
        assert_string_equal(loc, v);
        assert_ptr_equal(cgroup_ops_for(loc), &cgroup_v2_ops);
#define EXPECT(file, want)                                \
        do {                                              \
                cleanup_free char *got = get(leaf, file); \
                assert_non_null(got);                     \
                assert_string_equal(got, want);           \
        } while (0)
        EXPECT("memory.max", "67108864");
        EXPECT("memory.low", "33554432");
        EXPECT("memory.swap.max", "33554432");
        EXPECT("cpu.max", "50000 100000");
        EXPECT("cpu.weight", "39");
        EXPECT("cpuset.cpus", "0");
        EXPECT("pids.max", "42");
        EXPECT("io.weight", "default 4950");
        {
                cleanup_free char *sc = get(self, "cgroup.subtree_control");

                assert_non_null(strstr(sc, "+"));
        }
        assert_int_equal(cgroup_v2_ops.attach(loc, 1234, NULL), 0);
        EXPECT("cgroup.procs", "1234");
        put(leaf, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        assert_int_equal(cgroup_v2_ops.oom_kills(loc, &ooms, NULL), 0);
        assert_int_equal(ooms, 1);
        assert_int_equal(cgroup_v2_ops.kill(loc, SIGKILL, NULL), 0);
        EXPECT("cgroup.kill", "1");
#undef EXPECT
        /* destroy: the fake leaf still holds files, so rmdir fails (ENOTEMPTY) and says so */
        {
                cleanup_berr struct berr *err = NULL;

                assert_true(cgroup_v2_ops.destroy(loc, &err) < 0);
                assert_non_null(strstr(err->msg, "rmdir"));
        }
        rm_tree(root);
}

static void test_v1_fake_tree(void **state)
{
        char tmpl[] = "/tmp/berth-ctr-unit-XXXXXX";
        char *root = mkdtemp(tmpl);
        cleanup_free char *mem = NULL, *pids = NULL, *loc = NULL;
        struct cgroup_env env;
        struct rt_resources res = {.memory = 64 << 20, .pids_limit = 7};
        uint64_t ooms = 5;

        (void)state;
        assert_non_null(root);
        mem = xasprintf("%s/memory/pa/x/berth/p/c", root);
        pids = xasprintf("%s/pids/berth/p/c", root);
        assert_int_equal(mkdir_p(mem, 0755, NULL), 0);
        assert_int_equal(mkdir_p(pids, 0755, NULL), 0);
        put(mem, "memory.limit_in_bytes", "");
        put(mem, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        put(pids, "pids.max", "");
        env.mount = root;
        env.self = "8:pids:/\n4:memory:/pa/x\n";
        assert_int_equal(cgroup_v1_ops.create(&env, "p", "c", &res, &loc, NULL), 0);
        assert_ptr_equal(cgroup_ops_for(loc), &cgroup_v1_ops);
        assert_non_null(strstr(loc, "/pids/berth/p/c"));
        assert_non_null(strstr(loc, "/memory/pa/x/berth/p/c"));
        {
                cleanup_free char *a = get(mem, "memory.limit_in_bytes"),
                                  *b = get(pids, "pids.max");

                assert_string_equal(a, "67108864");
                assert_string_equal(b, "7");
        }
        assert_int_equal(cgroup_v1_ops.oom_kills(loc, &ooms, NULL), 0);
        assert_int_equal(ooms, 2);
        rm_tree(root);
}

/* down's sweep list: the caller's berth/<project> per managed v1 hierarchy (co-mounted ones
 * once), the unified one on v2, and the parents of recorded leaves made elsewhere. */
static void test_project_dirs(void **state)
{
        char tmpl[] = "/tmp/berth-ctr-unit-XXXXXX";
        char *root = mkdtemp(tmpl);
        cleanup_free char *real = NULL, *cpu = NULL, *link = NULL, *want = NULL;
        cleanup_strv char **v1 = NULL, **v2 = NULL, **none = NULL;
        struct cgroup_env env;
        char *locs[] = {"v1\n/other/pids/berth/p/p-a-1\n/other/memory/s2/berth/p/p-a-1",
                        "v2\n/u2/berth/p/p-b-1", "v1\n/sys/fs/cgroup/pids/x\n/a/berth/q/q-1", NULL};

        (void)state;
        assert_non_null(root);
        real = realpath(root, NULL);
        cpu = xasprintf("%s/cpu,cpuacct", real);
        assert_int_equal(mkdir_p(cpu, 0755, NULL), 0);
        link = xasprintf("%s/cpu", real);
        assert_int_equal(symlink("cpu,cpuacct", link), 0);
        free(link);
        link = xasprintf("%s/memory", real);
        assert_int_equal(mkdir(link, 0755), 0);
        env.mount = real;
        env.self = "9:name=systemd:/\n5:net_cls:/\n4:memory:/pa/x\n2:cpu,cpuacct:/\n"
                   "1:pids:/\n0::/u\n";
        v1 = cgroup_project_dirs(&env, false, "p", locs);
        assert_non_null(v1);
        /* pids is not mounted in the fake tree: skipped; cpu,cpuacct once; a record naming
         * something other than berth/p is ignored */
        assert_int_equal(strv_length(v1), 5);
        want = xasprintf("%s/memory/pa/x/berth/p", real);
        assert_string_equal(v1[0], want);
        free(want);
        want = xasprintf("%s/cpu,cpuacct/berth/p", real);
        assert_string_equal(v1[1], want);
        assert_string_equal(v1[2], "/other/pids/berth/p");
        assert_string_equal(v1[3], "/other/memory/s2/berth/p");
        assert_string_equal(v1[4], "/u2/berth/p");
        v2 = cgroup_project_dirs(&env, true, "p", NULL);
        assert_int_equal(strv_length(v2), 1);
        free(want);
        want = xasprintf("%s/u/berth/p", real);
        assert_string_equal(v2[0], want);
        /* never the whole berth/ tree */
        none = cgroup_project_dirs(&env, true, "", NULL);
        assert_null(none);
        assert_null(cgroup_project_dirs(&env, true, "..", NULL));
        rm_tree(root);
}

static void test_names(void **state)
{
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(cgroup_check_name("project", "web_1", NULL), 0);
        assert_int_equal(cgroup_check_name("project", "../x", &err), -EINVAL);
        assert_int_equal(cgroup_check_name("project", "..", NULL), -EINVAL);
        assert_int_equal(cgroup_check_name("project", "", NULL), -EINVAL);
        assert_null(cgroup_ops_for("v3\n/x"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_self_path),    cmocka_unit_test(test_v2_fake_tree),
                cmocka_unit_test(test_v1_fake_tree), cmocka_unit_test(test_names),
                cmocka_unit_test(test_project_dirs),
        };

        return cmocka_run_group_tests_name("runtime/cgroup", tests, NULL, NULL);
}
