/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/mounts: option words, sizes, tmpfs data, target checks, and target
 * resolution inside a rootfs (openat2 RESOLVE_IN_ROOT: needs no privilege) with symlinks that
 * try to leave it, plus the volume copy. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
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
#include "common/xalloc.h"
#include "runtime/mounts.h"
#include "runtime/runtime.h"

static void test_sizes(void **state)
{
        uint64_t v;

        (void)state;
        assert_int_equal(mnt_parse_size("64m", &v), 0);
        assert_true(v == 64ULL << 20);
        assert_int_equal(mnt_parse_size("1g", &v), 0);
        assert_true(v == 1ULL << 30);
        assert_int_equal(mnt_parse_size("100k", &v), 0);
        assert_true(v == 102400);
        assert_int_equal(mnt_parse_size("512", &v), 0);
        assert_true(v == 512);
        assert_int_equal(mnt_parse_size("2MB", &v), 0);
        assert_true(v == 2ULL << 20);
        assert_int_equal(mnt_parse_size("lots", &v), -EINVAL);
        assert_int_equal(mnt_parse_size("-1", &v), -EINVAL);
        assert_int_equal(mnt_parse_size("5x", &v), -EINVAL);
        assert_int_equal(mnt_parse_size("", &v), -EINVAL);
}

static void test_options(void **state)
{
        struct rt_mount m = {0};
        cleanup_free char *data = NULL;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(mnt_parse_options("ro,rslave,size=1m,mode=0700,noexec", &m, NULL), 0);
        assert_true(m.read_only);
        assert_int_equal(m.propagation, RT_PROP_RSLAVE);
        assert_true(m.tmpfs_size == 1 << 20);
        assert_int_equal(m.tmpfs_mode, 0700);
        assert_string_equal(m.options, "noexec");
        data = mnt_tmpfs_data(&m);
        assert_string_equal(data, "mode=700,size=1048576,noexec");
        assert_int_equal(mnt_parse_options("rw", &m, NULL), 0);
        assert_false(m.read_only);
        assert_null(m.options);
        assert_int_equal(mnt_parse_options("ro,fly", &m, &err), -EINVAL);
        assert_string_equal(err->msg, "unknown mount option \"fly\"");
        assert_int_equal(mnt_parse_options("mode=999", &m, NULL), -EINVAL);
        assert_true(mnt_propagation_flag(RT_PROP_RSHARED) != 0);
        assert_true(mnt_propagation_flag(RT_PROP_DEFAULT) == 0);
}

static void test_targets(void **state)
{
        (void)state;
        assert_int_equal(mnt_check_target("/data", NULL), 0);
        assert_int_equal(mnt_check_target("data", NULL), -EINVAL);
        assert_int_equal(mnt_check_target("/", NULL), -EINVAL);
        assert_int_equal(mnt_check_target("/a/../b", NULL), -EINVAL);
        assert_int_equal(mnt_check_target("/a/..b", NULL), 0);
}

/* Where did an O_PATH fd land? */
static char *where(int fd)
{
        char link[64], buf[4096];
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, buf, sizeof(buf) - 1);
        assert_true(n > 0);
        buf[n] = '\0';
        return xstrdup(buf);
}

static void test_resolve_in_root(void **state)
{
        char tmpl[] = "/tmp/berth-ctr-unit-XXXXXX";
        char *root = mkdtemp(tmpl);
        cleanup_free char *etc = NULL, *w = NULL, *want = NULL, *cmd = NULL;
        cleanup_close int rootfd = -1;
        int fd;

        (void)state;
        etc = xasprintf("%s/etc", root);
        assert_int_equal(mkdir(etc, 0755), 0);
        {
                cleanup_free char *evil = xasprintf("%s/evil", root),
                                  *up = xasprintf("%s/up", root);

                assert_int_equal(symlink("/etc", evil), 0);
                assert_int_equal(symlink("../../../../../../..", up), 0);
        }
        rootfd = open(root, O_PATH | O_DIRECTORY);
        assert_true(rootfd >= 0);
        /* /evil -> /etc resolves to <root>/etc, and a created child lands there */
        fd = mnt_resolve(rootfd, "/evil/berth-x", MNT_CREATE_DIR, NULL);
        assert_true(fd >= 0);
        w = where(fd);
        want = xasprintf("%s/etc/berth-x", root);
        assert_string_equal(w, want);
        close(fd);
        assert_int_equal(access("/etc/berth-x", F_OK), -1);
        /* up -> ../../.. is clamped at the root */
        fd = mnt_resolve(rootfd, "/up/tmp/f", MNT_CREATE_FILE, NULL);
        assert_true(fd >= 0);
        free(w);
        free(want);
        w = where(fd);
        want = xasprintf("%s/tmp/f", root);
        assert_string_equal(w, want);
        close(fd);
        /* no create: ENOENT with the path in the message */
        {
                cleanup_berr struct berr *err = NULL;

                assert_int_equal(mnt_resolve(rootfd, "/nope", MNT_NO_CREATE, &err), -ENOENT);
                assert_non_null(strstr(err->msg, "/nope"));
        }
        cmd = xasprintf("rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
}

static void test_copy_tree(void **state)
{
        char tmpl[] = "/tmp/berth-ctr-unit-XXXXXX";
        char *root = mkdtemp(tmpl);
        cleanup_free char *src = xasprintf("%s/src", root), *dst = xasprintf("%s/dst", root);
        cleanup_free char *cmd = NULL, *buf = NULL, *f = NULL, *l = NULL;
        cleanup_close int s = -1, d = -1;
        char target[64];
        struct stat st;
        FILE *fp;

        (void)state;
        assert_int_equal(mkdir(src, 0755), 0);
        assert_int_equal(mkdir(dst, 0755), 0);
        cmd = xasprintf("mkdir -p %s/a/b && echo hi > %s/a/b/f && chmod 640 %s/a/b/f && "
                        "ln -s b/f %s/a/l",
                        src, src, src, src);
        assert_int_equal(system(cmd), 0);
        s = open(src, O_DIRECTORY | O_RDONLY);
        d = open(dst, O_DIRECTORY | O_RDONLY);
        assert_int_equal(mnt_copy_tree(s, d, NULL), 0);
        f = xasprintf("%s/a/b/f", dst);
        assert_int_equal(read_file(f, 100, &buf, NULL, NULL), 0);
        assert_string_equal(buf, "hi\n");
        assert_int_equal(stat(f, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        l = xasprintf("%s/a/l", dst);
        assert_int_equal(readlink(l, target, sizeof(target)), 3);
        fp = NULL;
        (void)fp;
        free(cmd);
        cmd = xasprintf("rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sizes),     cmocka_unit_test(test_options),
                cmocka_unit_test(test_targets),   cmocka_unit_test(test_resolve_in_root),
                cmocka_unit_test(test_copy_tree),
        };

        return cmocka_run_group_tests_name("runtime/mounts", tests, NULL, NULL);
}
