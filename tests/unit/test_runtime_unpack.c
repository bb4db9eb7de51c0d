/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/unpack on tars crafted here with libarchive: whiteout conversion,
 * opaque directories, hardlinks, symlinks, modes, owners, mtimes, the diff_id, and entries that
 * try to escape the layer root. Whiteouts (char 0/0) and trusted.* xattrs need root. */
#include <archive_entry.h>
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

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <archive.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "runtime/digest.h"
#include "runtime/unpack.h"

struct tar {
        struct archive *a;
        int fd;
};

static void tar_begin(struct tar *t, bool gzip)
{
        t->fd = memfd_create("layer", MFD_CLOEXEC);
        assert_true(t->fd >= 0);
        t->a = archive_write_new();
        archive_write_set_format_pax_restricted(t->a);
        if (gzip)
                archive_write_add_filter_gzip(t->a);
        assert_int_equal(archive_write_open_fd(t->a, t->fd), ARCHIVE_OK);
}

static void add(struct tar *t, const char *path, mode_t type, mode_t perm, const char *data,
                const char *link)
{
        struct archive_entry *e = archive_entry_new();

        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, perm);
        archive_entry_set_uid(e, 1000);
        archive_entry_set_gid(e, 2000);
        archive_entry_set_mtime(e, 1700000000, 0);
        if (type == AE_IFLNK)
                archive_entry_set_symlink(e, link);
        else if (link)
                archive_entry_set_hardlink(e, link);
        archive_entry_set_size(e, data ? (la_int64_t)strlen(data) : 0);
        assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
        if (data)
                archive_write_data(t->a, data, strlen(data));
        archive_entry_free(e);
}

static void tar_end(struct tar *t)
{
        archive_write_close(t->a);
        archive_write_free(t->a);
        lseek(t->fd, 0, SEEK_SET);
}

struct ctx {
        char dir[64];
        int dirfd;
};

static int setup(void **state)
{
        struct ctx *c = xcalloc(1, sizeof(*c));

        strcpy(c->dir, "/tmp/berth-unit-unpack-XXXXXX");
        assert_non_null(mkdtemp(c->dir));
        c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        *state = c;
        return 0;
}

static int teardown(void **state)
{
        struct ctx *c = *state;
        char cmd[128];

        close(c->dirfd);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", c->dir);
        assert_int_equal(system(cmd), 0);
        free(c);
        return 0;
}

static int run_unpack(struct ctx *c, struct tar *t, struct unpack_result *res, struct berr **err)
{
        int r = unpack_layer(t->fd, c->dirfd, "sha256:test", res, err);

        close(t->fd);
        return r;
}

static void test_tree_and_metadata(void **state)
{
        struct ctx *c = *state;
        struct tar t;
        struct unpack_result res;
        cleanup_berr struct berr *err = NULL;
        struct stat st, st2;
        char buf[64];
        ssize_t n;

        tar_begin(&t, true);
        add(&t, "./", AE_IFDIR, 0755, NULL, NULL);
        add(&t, "etc/", AE_IFDIR, 0750, NULL, NULL);
        add(&t, "etc/motd", AE_IFREG, 0640, "hello\n", NULL);
        add(&t, "etc/motd2", AE_IFREG, 0640, NULL, "etc/motd");
        add(&t, "link", AE_IFLNK, 0777, NULL, "/etc/motd");
        add(&t, "deep/implicit/file", AE_IFREG, 04755, "x", NULL);
        add(&t, "fifo", AE_IFIFO, 0600, NULL, NULL);
        tar_end(&t);
        if (run_unpack(c, &t, &res, &err) < 0)
                fail_msg("%s", err->msg);
        assert_int_equal(res.entries, 7);
        assert_int_equal(res.bytes, 7);

        assert_int_equal(fstatat(c->dirfd, "etc", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_int_equal(st.st_mtime, 1700000000); /* set after its children were created */
        assert_int_equal(fstatat(c->dirfd, "etc/motd", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_uid, 1000);
        assert_int_equal(st.st_gid, 2000);
        assert_int_equal(st.st_nlink, 2);
        assert_int_equal(fstatat(c->dirfd, "etc/motd2", &st2, 0), 0);
        assert_int_equal(st.st_ino, st2.st_ino);
        n = readlinkat(c->dirfd, "link", buf, sizeof(buf) - 1);
        assert_int_equal(n, 9);
        buf[n] = 0;
        assert_string_equal(buf, "/etc/motd");
        assert_int_equal(fstatat(c->dirfd, "link", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_uid, 1000);
        assert_int_equal(fstatat(c->dirfd, "deep/implicit/file", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 04755); /* set-uid survives chown */
        assert_int_equal(fstatat(c->dirfd, "deep/implicit", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(fstatat(c->dirfd, "fifo", &st, 0), 0);
        assert_true(S_ISFIFO(st.st_mode));
        unpack_result_done(&res);
}

static void test_whiteouts(void **state)
{
        struct ctx *c = *state;
        struct tar t;
        struct unpack_result res;
        cleanup_berr struct berr *err = NULL;
        struct stat st;
        char v[8] = "";

        tar_begin(&t, false);
        add(&t, "etc/.wh.gone", AE_IFREG, 0, NULL, NULL);
        add(&t, ".wh.data", AE_IFREG, 0, NULL, NULL);
        add(&t, "app/", AE_IFDIR, 0755, NULL, NULL);
        add(&t, "app/.wh..wh..opq", AE_IFREG, 0, NULL, NULL);
        add(&t, "app/new.conf", AE_IFREG, 0644, "new\n", NULL);
        add(&t, ".wh..wh.plnk", AE_IFDIR, 0700, NULL, NULL);
        add(&t, "replace", AE_IFREG, 0644, "file\n", NULL);
        add(&t, "replace/.wh.f", AE_IFREG, 0, NULL, NULL);
        tar_end(&t);
        if (run_unpack(c, &t, &res, &err) < 0)
                fail_msg("%s", err->msg);
        unpack_result_done(&res);
        assert_int_equal(fstatat(c->dirfd, "etc/gone", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        assert_int_equal(fstatat(c->dirfd, "data", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(fstatat(c->dirfd, "etc/.wh.gone", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(fstatat(c->dirfd, "app/.wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(fstatat(c->dirfd, ".wh..wh.plnk", &st, AT_SYMLINK_NOFOLLOW), -1);
        {
                cleanup_close int fd = openat(c->dirfd, "app", O_RDONLY | O_DIRECTORY);

                assert_int_equal(fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)), 1);
                assert_int_equal(v[0], 'y');
        }
        assert_int_equal(fstatat(c->dirfd, "replace", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
}

static void test_diff_id_matches_tar_bytes(void **state)
{
        struct ctx *c = *state;
        struct tar t;
        struct unpack_result res;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *want = NULL, *buf = NULL;
        struct stat st;

        tar_begin(&t, false);
        add(&t, "a", AE_IFREG, 0644, "aaaa", NULL);
        tar_end(&t);
        assert_int_equal(fstat(t.fd, &st), 0);
        buf = xmalloc((size_t)st.st_size);
        assert_int_equal(pread(t.fd, buf, (size_t)st.st_size, 0), st.st_size);
        want = digest_buffer(buf, (size_t)st.st_size);
        assert_int_equal(run_unpack(c, &t, &res, &err), 0);
        assert_string_equal(res.diff_id, want);
        unpack_result_done(&res);
}

static void expect_reject(struct ctx *c, struct tar *t, const char *msg)
{
        struct unpack_result res;
        cleanup_berr struct berr *err = NULL;

        if (run_unpack(c, t, &res, &err) >= 0)
                fail_msg("unpack accepted a layer that should fail with \"%s\"", msg);
        if (!strstr(err->msg, msg))
                fail_msg("\"%s\" lacks \"%s\"", err->msg, msg);
        assert_non_null(strstr(err->msg, "layer sha256:test"));
}

static void test_escapes(void **state)
{
        struct ctx *c = *state;
        char outside[128];
        struct tar t;
        struct stat st;

        snprintf(outside, sizeof(outside), "%s-outside", c->dir);
        tar_begin(&t, false);
        add(&t, "../x", AE_IFREG, 0644, "x", NULL);
        tar_end(&t);
        expect_reject(c, &t, "escapes the layer root (..)");

        tar_begin(&t, false);
        add(&t, "a/../../x", AE_IFREG, 0644, "x", NULL);
        tar_end(&t);
        expect_reject(c, &t, "escapes the layer root (..)");

        tar_begin(&t, false);
        add(&t, "/etc/x", AE_IFREG, 0644, "x", NULL);
        tar_end(&t);
        expect_reject(c, &t, "is an absolute path");

        tar_begin(&t, false);
        add(&t, "abs", AE_IFLNK, 0777, NULL, "/tmp");
        add(&t, "abs/berth-unit-escape", AE_IFREG, 0644, "x", NULL);
        tar_end(&t);
        expect_reject(c, &t, "escapes the layer root through a symlink");
        assert_int_equal(stat("/tmp/berth-unit-escape", &st), -1);

        tar_begin(&t, false);
        add(&t, "rel", AE_IFLNK, 0777, NULL, "../../../../../../../tmp");
        add(&t, "rel/sub/berth-unit-escape2", AE_IFREG, 0644, "x", NULL);
        tar_end(&t);
        expect_reject(c, &t, "escapes the layer root through a symlink");
        assert_int_equal(stat("/tmp/sub", &st), -1);

        tar_begin(&t, false);
        add(&t, "hl", AE_IFREG, 0644, NULL, "../../etc/passwd");
        tar_end(&t);
        expect_reject(c, &t, "escapes the layer root (..)");

        tar_begin(&t, false);
        add(&t, "lnk2", AE_IFLNK, 0777, NULL, "/etc");
        add(&t, "hl2", AE_IFREG, 0644, NULL, "lnk2/passwd");
        tar_end(&t);
        expect_reject(c, &t, "through a symlink");
}

static void test_not_a_tar(void **state)
{
        struct ctx *c = *state;
        struct tar t;
        static const char junk[] = "this is not a tar archive at all, just some bytes......";

        t.fd = memfd_create("junk", MFD_CLOEXEC);
        for (int i = 0; i < 20; i++)
                assert_int_equal(write(t.fd, junk, sizeof(junk)), sizeof(junk));
        lseek(t.fd, 0, SEEK_SET);
        expect_reject(c, &t, "layer sha256:test");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_tree_and_metadata, setup, teardown),
                cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_diff_id_matches_tar_bytes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_tar, setup, teardown),
        };

        return cmocka_run_group_tests_name("runtime/unpack", tests, NULL, NULL);
}
