/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/store: verified blob writes, the reference index, layer commits and
 * clean-up of what dead processes left in tmp/. */
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
#include "common/xalloc.h"
#include "runtime/digest.h"
#include "runtime/store.h"

#define D0 "sha256:0000000000000000000000000000000000000000000000000000000000000000"

struct ctx {
        char root[64];
        struct store *s;
};

static int setup(void **state)
{
        struct ctx *c = xcalloc(1, sizeof(*c));
        struct berr *err = NULL;

        strcpy(c->root, "/tmp/berth-unit-store-XXXXXX");
        assert_non_null(mkdtemp(c->root));
        assert_int_equal(store_open(c->root, &c->s, &err), 0);
        *state = c;
        return 0;
}

static int teardown(void **state)
{
        struct ctx *c = *state;
        char cmd[128];

        store_free(c->s);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", c->root);
        assert_int_equal(system(cmd), 0);
        free(c);
        return 0;
}

static size_t count(const char *root, const char *sub)
{
        cleanup_free char *cmd = xasprintf("ls -A %s/images/%s | wc -l", root, sub);
        FILE *p = popen(cmd, "r");
        size_t n = 0;

        assert_non_null(p);
        assert_int_equal(fscanf(p, "%zu", &n), 1);
        pclose(p);
        return n;
}

static void test_blob_roundtrip(void **state)
{
        struct ctx *c = *state;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *d = NULL, *buf = NULL;
        size_t len;

        assert_int_equal(store_put_blob(c->s, "hello", 5, NULL, &d, &err), 0);
        assert_true(store_has_blob(c->s, d));
        assert_int_equal(store_read_blob(c->s, d, 100, &buf, &len, &err), 0);
        assert_int_equal(len, 5);
        assert_memory_equal(buf, "hello", 5);
        /* again: idempotent */
        assert_int_equal(store_put_blob(c->s, "hello", 5, d, NULL, &err), 0);
}

static void test_blob_mismatch_is_never_visible(void **state)
{
        struct ctx *c = *state;
        cleanup_berr struct berr *err = NULL;
        struct store_writer *w = NULL;
        cleanup_free char *good = digest_buffer("abc", 3);

        assert_int_equal(store_put_blob(c->s, "abd", 3, good, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err->msg, "digest mismatch"));
        assert_false(store_has_blob(c->s, good));
        berr_freep(&err);

        /* truncated: fewer bytes than announced */
        assert_int_equal(store_blob_begin(c->s, good, 3, &w, &err), 0);
        assert_int_equal(store_blob_write(w, "ab", 2, &err), 0);
        assert_int_equal(store_blob_commit(w, &err), -EBADMSG);
        assert_non_null(strstr(err->msg, "truncated"));
        assert_false(store_has_blob(c->s, good));
        berr_freep(&err);

        /* larger than announced */
        assert_int_equal(store_blob_begin(c->s, good, 3, &w, &err), 0);
        assert_int_equal(store_blob_write(w, "abcd", 4, &err), -EBADMSG);
        store_blob_abort(w);
        assert_false(store_has_blob(c->s, good));
        berr_freep(&err);

        /* aborted mid-way: nothing anywhere */
        assert_int_equal(store_blob_begin(c->s, good, -1, &w, &err), 0);
        assert_int_equal(store_blob_write(w, "a", 1, &err), 0);
        store_blob_abort(w);
        assert_int_equal(count(c->root, "blobs/sha256"), 0);
        assert_int_equal(count(c->root, "tmp"), 0);

        /* digests become file names: only valid ones are accepted */
        assert_int_equal(store_blob_begin(c->s, "sha256:../../x", 1, &w, &err), -EINVAL);
}

static void test_corrupt_blob_detected_on_read(void **state)
{
        struct ctx *c = *state;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *d = NULL, *path = NULL, *buf = NULL;
        size_t len;
        int fd;

        assert_int_equal(store_put_blob(c->s, "payload", 7, NULL, &d, &err), 0);
        path = store_blob_path(c->s, d);
        fd = open(path, O_WRONLY);
        assert_int_equal(pwrite(fd, "X", 1, 0), 1);
        close(fd);
        assert_int_equal(store_read_blob(c->s, d, 100, &buf, &len, &err), -EBADMSG);
        assert_non_null(strstr(err->msg, "is corrupt"));
}

static void test_refs(void **state)
{
        struct ctx *c = *state;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *m = digest_buffer("m", 1), *cfg = digest_buffer("c", 1);
        struct store_ref r, *list = NULL;
        size_t n = 0;

        assert_int_equal(store_ref_get(c->s, "x/y:1", &r, &err), -ENOENT);
        berr_freep(&err);
        assert_int_equal(store_ref_set(c->s, "x/y:1", m, cfg, &err), 0);
        assert_int_equal(store_ref_set(c->s, "x/z:2", m, cfg, &err), 0);
        assert_int_equal(store_ref_get(c->s, "x/y:1", &r, &err), 0);
        assert_string_equal(r.manifest, m);
        assert_string_equal(r.config, cfg);
        store_ref_done(&r);
        assert_int_equal(store_ref_list(c->s, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        store_refs_free(list, n);
        assert_int_equal(store_ref_remove(c->s, "x/y:1", &err), 0);
        assert_int_equal(store_ref_remove(c->s, "x/y:1", &err), -ENOENT);
        berr_freep(&err);
        assert_int_equal(store_ref_set(c->s, "bad", "sha256:zz", cfg, &err), -EINVAL);
}

static void test_layer_commit_race_and_stale_tmp(void **state)
{
        struct ctx *c = *state;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *t1 = NULL, *t2 = NULL, *stale = NULL;
        struct store *s2 = NULL;

        assert_int_equal(store_layer_tmpdir(c->s, &t1, &err), 0);
        assert_int_equal(store_layer_tmpdir(c->s, &t2, &err), 0);
        assert_int_equal(store_layer_commit(c->s, t1, D0, &err), 0);
        assert_true(store_has_layer(c->s, D0));
        /* the loser of a race: its copy is dropped, the winner's stays */
        assert_int_equal(store_layer_commit(c->s, t2, D0, &err), 0);
        assert_int_equal(count(c->root, "tmp"), 0);

        /* a directory left by a dead process (pid 999999999) goes at the next open */
        stale = xasprintf("%s/images/tmp/layer-999999999-abc", c->root);
        assert_int_equal(mkdir(stale, 0700), 0);
        assert_int_equal(store_open(c->root, &s2, &err), 0);
        store_free(s2);
        assert_int_equal(count(c->root, "tmp"), 0);
        assert_int_equal(store_lock_layer(c->s, "nope", &err), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_blob_roundtrip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blob_mismatch_is_never_visible, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_blob_detected_on_read, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_refs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_layer_commit_race_and_stale_tmp, setup,
                                                teardown),
        };

        return cmocka_run_group_tests_name("runtime/store", tests, NULL, NULL);
}
