/* SPDX-License-Identifier: MIT */
#include "runtime/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>
#include <sys/stat.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/fdutil.h"
#include "common/xalloc.h"
#include "runtime/digest.h"
#include "runtime/reference.h"

#define cleanup_json CLEANUP(json_decrefp)

struct store {
        char *path; /* $BERTH_ROOT/images */
        int dirfd;
};

struct store_writer {
        struct store *store;
        int fd;
        char *tmpname; /* named temp file under tmp/ when O_TMPFILE is unsupported */
        struct digester *dg;
        char *digest;
        int64_t size, written;
};

const char *store_path(const struct store *s)
{
        return s->path;
}

static int check_digest(const char *digest, struct berr **err)
{
        if (!digest || !reference_digest_valid(digest))
                return berr_msg(err, EINVAL, "invalid digest `%s`", digest ? digest : "(null)");
        return 0;
}

/* Remove name (a file or a whole tree) under dirfd without following symlinks. */
static int rm_rf_at(int parent, const char *name)
{
        cleanup_closedir DIR *d = NULL;
        struct dirent *de;
        int fd;

        if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return -errno;
        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                int r;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                r = rm_rf_at(dirfd(d), de->d_name);
                if (r < 0)
                        return r;
        }
        if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int store_remove_tree(struct store *s, const char *path, struct berr **err)
{
        size_t n = strlen(s->path);
        int r;

        if (strncmp(path, s->path, n) != 0 || path[n] != '/' || strstr(path, "/../"))
                return berr_msg(err, EINVAL, "`%s` is not inside the store", path);
        r = rm_rf_at(s->dirfd, path + n + 1);
        if (r < 0)
                return berr_set(err, -r, "remove `%s`", path);
        return 0;
}

/* tmp/ entries are "<kind>-<pid>-<random>"; remove those whose process is gone. */
static void clean_stale_tmp(struct store *s)
{
        cleanup_close int fd = openat(s->dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cleanup_closedir DIR *d = NULL;
        struct dirent *de;

        if (fd < 0)
                return;
        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return;
        while ((de = readdir(d))) {
                const char *dash = strchr(de->d_name, '-');
                long pid;

                if (!dash)
                        continue;
                pid = strtol(dash + 1, NULL, 10);
                if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
                        (void)rm_rf_at(dirfd(d), de->d_name);
        }
}

int store_open(const char *berth_root, struct store **ret, struct berr **err)
{
        static const char *const subdirs[] = {"blobs/sha256", "layers", "tmp", "locks"};
        struct store *s;
        int r;

        s = xcalloc(1, sizeof(*s));
        s->dirfd = -1;
        s->path = xasprintf("%s/images", berth_root);
        for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
                cleanup_free char *p = xasprintf("%s/%s", s->path, subdirs[i]);

                r = mkdir_p(p, 0700, err);
                if (r < 0) {
                        store_free(s);
                        return berr_wrap(err, "open image store");
                }
        }
        s->dirfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dirfd < 0) {
                r = berr_set(err, errno, "open image store `%s`", s->path);
                store_free(s);
                return r;
        }
        clean_stale_tmp(s);
        *ret = s;
        return 0;
}

void store_free(struct store *s)
{
        if (!s)
                return;
        if (s->dirfd >= 0)
                close(s->dirfd);
        free(s->path);
        free(s);
}

void store_freep(struct store **s)
{
        store_free(*s);
        *s = NULL;
}

/* ---- locks ---------------------------------------------------------------------------------- */

static int lock_file(struct store *s, const char *name, int op, struct berr **err)
{
        cleanup_free char *rel = xasprintf("locks/%s", name);
        int fd = openat(s->dirfd, rel, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

        if (fd < 0)
                return berr_set(err, errno, "open lock `%s/%s`", s->path, rel);
        while (flock(fd, op) < 0) {
                if (errno == EINTR)
                        continue;
                close(fd);
                return berr_set(err, errno, "lock `%s/%s`", s->path, rel);
        }
        return fd;
}

int store_lock_layer(struct store *s, const char *diff_id, struct berr **err)
{
        cleanup_free char *name = NULL;

        if (check_digest(diff_id, err) < 0)
                return -EINVAL;
        name = xasprintf("layer-%s", digest_hex(diff_id));
        return lock_file(s, name, LOCK_EX, err);
}

int store_lock_gc(struct store *s, bool exclusive, struct berr **err)
{
        return lock_file(s, "gc", exclusive ? LOCK_EX : LOCK_SH, err);
}

/* ---- blobs ---------------------------------------------------------------------------------- */

static char *blob_rel(const char *digest)
{
        return xasprintf("blobs/sha256/%s", digest_hex(digest));
}

char *store_blob_path(struct store *s, const char *digest)
{
        return xasprintf("%s/blobs/sha256/%s", s->path, digest_hex(digest));
}

bool store_has_blob(struct store *s, const char *digest)
{
        cleanup_free char *rel = NULL;

        if (!reference_digest_valid(digest))
                return false;
        rel = blob_rel(digest);
        return faccessat(s->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_open_blob(struct store *s, const char *digest, int *ret_fd, struct berr **err)
{
        cleanup_free char *rel = NULL;
        int fd;

        if (check_digest(digest, err) < 0)
                return -EINVAL;
        rel = blob_rel(digest);
        fd = openat(s->dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return berr_set(err, errno, "open blob `%s`", digest);
        *ret_fd = fd;
        return 0;
}

int store_read_blob(struct store *s, const char *digest, size_t max, char **ret_buf,
                    size_t *ret_len, struct berr **err)
{
        cleanup_close int fd = -1;
        cleanup_free char *buf = NULL, *got = NULL;
        size_t len;
        int r;

        r = store_open_blob(s, digest, &fd, err);
        if (r < 0)
                return r;
        r = read_all(fd, max, &buf, &len, err);
        if (r < 0)
                return berr_wrap(err, "read blob `%s`", digest);
        got = digest_buffer(buf, len);
        if (strcmp(got, digest) != 0)
                return berr_msg(err, EBADMSG, "blob `%s` is corrupt (hashes to %s)", digest, got);
        *ret_buf = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int store_blob_begin(struct store *s, const char *digest, int64_t size, struct store_writer **ret,
                     struct berr **err)
{
        struct store_writer *w;

        if (check_digest(digest, err) < 0)
                return -EINVAL;
        w = xcalloc(1, sizeof(*w));
        w->store = s;
        w->digest = xstrdup(digest);
        w->size = size;
        w->dg = digester_new();
        /* O_TMPFILE: the file has no name until it is verified, so a crash leaves nothing. */
        w->fd = openat(s->dirfd, "blobs/sha256", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
        if (w->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
                for (int i = 0; i < 100 && w->fd < 0; i++) {
                        free(w->tmpname);
                        w->tmpname = xasprintf("tmp/blob-%d-%08lx", (int)getpid(), random());
                        w->fd = openat(s->dirfd, w->tmpname, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                                       0644);
                }
        }
        if (w->fd < 0) {
                int e = errno;

                store_blob_abort(w);
                return berr_set(err, e, "create temporary blob in `%s`", s->path);
        }
        *ret = w;
        return 0;
}

int store_blob_write(struct store_writer *w, const void *buf, size_t len, struct berr **err)
{
        int r;

        if (w->size >= 0 && w->written + (int64_t)len > w->size)
                return berr_msg(err, EBADMSG, "blob `%s` is larger than its %lld bytes", w->digest,
                                (long long)w->size);
        r = write_all(w->fd, buf, len);
        if (r < 0)
                return berr_set(err, -r, "write blob `%s`", w->digest);
        digester_update(w->dg, buf, len);
        w->written += (int64_t)len;
        fault_point("pull.blob.write"); /* test hook: killed with a partial temp blob */
        return 0;
}

int64_t store_blob_written(const struct store_writer *w)
{
        return w->written;
}

void store_blob_abort(struct store_writer *w)
{
        if (!w)
                return;
        if (w->fd >= 0)
                close(w->fd);
        if (w->tmpname)
                (void)unlinkat(w->store->dirfd, w->tmpname, 0);
        digester_free(w->dg);
        free(w->tmpname);
        free(w->digest);
        free(w);
}

static int publish(struct store_writer *w, struct berr **err)
{
        cleanup_free char *rel = blob_rel(w->digest);
        char proc[64];

        if (w->tmpname) {
                if (renameat(w->store->dirfd, w->tmpname, w->store->dirfd, rel) < 0)
                        return berr_set(err, errno, "publish blob `%s`", w->digest);
                free(w->tmpname);
                w->tmpname = NULL;
                return 0;
        }
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
        if (linkat(AT_FDCWD, proc, w->store->dirfd, rel, AT_SYMLINK_FOLLOW) < 0 && errno != EEXIST)
                return berr_set(err, errno, "publish blob `%s`", w->digest);
        return 0;
}

int store_blob_commit(struct store_writer *w, struct berr **err)
{
        cleanup_free char *got = digester_final(w->dg);
        int r = 0;

        if (w->size >= 0 && w->written != w->size)
                r = berr_msg(err, EBADMSG, "blob `%s` is truncated (%lld of %lld bytes)", w->digest,
                             (long long)w->written, (long long)w->size);
        else if (strcmp(got, w->digest) != 0)
                r = berr_msg(err, EBADMSG, "digest mismatch: blob `%s` hashes to %s", w->digest,
                             got);
        else if (fsync(w->fd) < 0)
                r = berr_set(err, errno, "sync blob `%s`", w->digest);
        else
                r = publish(w, err);
        store_blob_abort(w);
        if (r == 0)
                fault_point("pull.blob");
        return r;
}

int store_put_blob(struct store *s, const void *buf, size_t len, const char *digest,
                   char **ret_digest, struct berr **err)
{
        cleanup_free char *computed = digest_buffer(buf, len);
        struct store_writer *w = NULL;
        int r;

        if (!digest)
                digest = computed;
        if (!store_has_blob(s, digest)) {
                r = store_blob_begin(s, digest, (int64_t)len, &w, err);
                if (r < 0)
                        return r;
                r = store_blob_write(w, buf, len, err);
                if (r < 0) {
                        store_blob_abort(w);
                        return r;
                }
                r = store_blob_commit(w, err);
                if (r < 0)
                        return r;
        } else if (strcmp(digest, computed) != 0) {
                return berr_msg(err, EBADMSG, "digest mismatch: expected %s, got %s", digest,
                                computed);
        }
        if (ret_digest)
                *ret_digest = xstrdup(digest);
        return 0;
}

/* ---- layers --------------------------------------------------------------------------------- */

char *store_layer_path(struct store *s, const char *diff_id)
{
        return xasprintf("%s/layers/%s", s->path, digest_hex(diff_id));
}

bool store_has_layer(struct store *s, const char *diff_id)
{
        cleanup_free char *rel = NULL;

        if (!reference_digest_valid(diff_id))
                return false;
        rel = xasprintf("layers/%s", digest_hex(diff_id));
        return faccessat(s->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_layer_tmpdir(struct store *s, char **ret_path, struct berr **err)
{
        for (int i = 0; i < 100; i++) {
                cleanup_free char *rel = xasprintf("tmp/layer-%d-%08lx", (int)getpid(), random());

                if (mkdirat(s->dirfd, rel, 0755) == 0) {
                        *ret_path = xasprintf("%s/%s", s->path, rel);
                        return 0;
                }
                if (errno != EEXIST)
                        return berr_set(err, errno, "create `%s/%s`", s->path, rel);
        }
        return berr_msg(err, EEXIST, "no free temporary directory in `%s/tmp`", s->path);
}

int store_layer_commit(struct store *s, const char *tmp, const char *diff_id, struct berr **err)
{
        cleanup_free char *dst = NULL;
        size_t n = strlen(s->path);

        if (check_digest(diff_id, err) < 0)
                return -EINVAL;
        if (strncmp(tmp, s->path, n) != 0 || tmp[n] != '/')
                return berr_msg(err, EINVAL, "`%s` is not inside the store", tmp);
        dst = xasprintf("layers/%s", digest_hex(diff_id));
        if (renameat(s->dirfd, tmp + n + 1, s->dirfd, dst) < 0) {
                if (errno == EEXIST || errno == ENOTEMPTY)
                        return store_remove_tree(s, tmp, err);
                return berr_set(err, errno, "publish layer `%s`", diff_id);
        }
        return 0;
}

/* ---- references ----------------------------------------------------------------------------- */

static int refs_load(struct store *s, json_t **ret, struct berr **err)
{
        cleanup_free char *path = xasprintf("%s/refs.json", s->path);
        cleanup_free char *buf = NULL;
        json_error_t jerr;
        json_t *root, *refs;
        size_t len;
        int r;

        r = read_file(path, 64 * 1024 * 1024, &buf, &len, err);
        if (r == -ENOENT) {
                berr_freep(err);
                *ret = json_pack("{s:i, s:{}}", "version", 1, "refs");
                return 0;
        }
        if (r < 0)
                return r;
        root = json_loadb(buf, len, 0, &jerr);
        refs = json_object_get(root, "refs");
        if (!json_is_object(refs)) {
                json_decref(root);
                return berr_msg(err, EINVAL, "`%s` is corrupt: %s", path, jerr.text);
        }
        *ret = root;
        return 0;
}

static int refs_save(struct store *s, json_t *root, struct berr **err)
{
        cleanup_free char *path = xasprintf("%s/refs.json", s->path);
        cleanup_free char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);

        if (!text)
                abort();
        return atomic_write_file(path, text, strlen(text), 0600, err);
}

int store_ref_set(struct store *s, const char *ref, const char *manifest, const char *config,
                  struct berr **err)
{
        cleanup_close int lock = -1;
        cleanup_json json_t *root = NULL;
        int r;

        if (check_digest(manifest, err) < 0 || check_digest(config, err) < 0)
                return -EINVAL;
        lock = lock_file(s, "refs", LOCK_EX, err);
        if (lock < 0)
                return lock;
        r = refs_load(s, &root, err);
        if (r < 0)
                return r;
        json_object_set_new(json_object_get(root, "refs"), ref,
                            json_pack("{s:s, s:s}", "manifest", manifest, "config", config));
        return refs_save(s, root, err);
}

static int ref_from_json(const char *key, json_t *v, struct store_ref *ret)
{
        const char *m = json_string_value(json_object_get(v, "manifest"));
        const char *c = json_string_value(json_object_get(v, "config"));

        if (!m || !c || !reference_digest_valid(m) || !reference_digest_valid(c))
                return -EINVAL;
        ret->ref = xstrdup(key);
        ret->manifest = xstrdup(m);
        ret->config = xstrdup(c);
        return 0;
}

int store_ref_get(struct store *s, const char *ref, struct store_ref *ret, struct berr **err)
{
        cleanup_close int lock = -1;
        cleanup_json json_t *root = NULL;
        json_t *v;
        int r;

        memset(ret, 0, sizeof(*ret));
        lock = lock_file(s, "refs", LOCK_SH, err);
        if (lock < 0)
                return lock;
        r = refs_load(s, &root, err);
        if (r < 0)
                return r;
        v = json_object_get(json_object_get(root, "refs"), ref);
        if (!v)
                return berr_msg(err, ENOENT, "image `%s` not found", ref);
        if (ref_from_json(ref, v, ret) < 0)
                return berr_msg(err, EINVAL, "`%s/refs.json`: entry `%s` is corrupt", s->path, ref);
        return 0;
}

int store_ref_remove(struct store *s, const char *ref, struct berr **err)
{
        cleanup_close int lock = -1;
        cleanup_json json_t *root = NULL;
        int r;

        lock = lock_file(s, "refs", LOCK_EX, err);
        if (lock < 0)
                return lock;
        r = refs_load(s, &root, err);
        if (r < 0)
                return r;
        if (json_object_del(json_object_get(root, "refs"), ref) < 0)
                return berr_msg(err, ENOENT, "image `%s` not found", ref);
        return refs_save(s, root, err);
}

void store_ref_done(struct store_ref *r)
{
        if (!r)
                return;
        free(r->ref);
        free(r->manifest);
        free(r->config);
        memset(r, 0, sizeof(*r));
}

void store_refs_free(struct store_ref *r, size_t n)
{
        for (size_t i = 0; i < n; i++)
                store_ref_done(&r[i]);
        free(r);
}

int store_ref_list(struct store *s, struct store_ref **ret, size_t *ret_n, struct berr **err)
{
        cleanup_close int lock = -1;
        cleanup_json json_t *root = NULL;
        struct store_ref *out;
        const char *key;
        json_t *refs, *v;
        size_t n = 0;
        int r;

        lock = lock_file(s, "refs", LOCK_SH, err);
        if (lock < 0)
                return lock;
        r = refs_load(s, &root, err);
        if (r < 0)
                return r;
        refs = json_object_get(root, "refs");
        out = xcalloc(json_object_size(refs) + 1, sizeof(*out));
        json_object_foreach(refs, key, v)
        {
                if (ref_from_json(key, v, &out[n]) == 0)
                        n++;
        }
        *ret = out;
        *ret_n = n;
        return 0;
}
