/* SPDX-License-Identifier: MIT */
#include "runtime/unpack.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <archive.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/digest.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define WH_META   ".wh..wh."
#define IO_BLOCK  (256 * 1024)

struct dir_time {
        char *path;
        struct timespec mtime;
};

struct unpacker {
        const char *layer;
        int root;
        struct archive *raw; /* decompressor: any filter, "raw" format */
        struct digester *dg; /* over the decompressed bytes = diff_id */
        char buf[IO_BLOCK];
        struct dir_time *dirs;
        size_t n_dirs, cap_dirs;
        bool rootless;
        struct unpack_result res;
};

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
        *a = NULL;
}

/* openat2 is not wrapped by glibc 2.36. */
static int openat2_beneath(int dirfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
        };

        return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* ---- paths ---------------------------------------------------------------------------------- */

/* Normalise a tar path into "a/b/c" (no ".", no empty parts). Rejects absolute paths and "..".
 * Returns 0, or 1 for the layer root itself. */
static int clean_path(const struct unpacker *u, const char *in, char **ret, struct berr **err)
{
        cleanup_strv char **parts = NULL;
        cleanup_strv char **out = NULL;

        if (!in || !*in)
                return berr_msg(err, EINVAL, "layer %s: entry with an empty name", u->layer);
        if (in[0] == '/')
                return berr_msg(err, EPERM, "layer %s: entry `%s` is an absolute path", u->layer,
                                in);
        parts = strv_split(in, "/");
        strv_foreach (p, parts) {
                if (strcmp(p, ".") == 0)
                        continue;
                if (strcmp(p, "..") == 0)
                        return berr_msg(err, EPERM,
                                        "layer %s: entry `%s` escapes the layer root (..)",
                                        u->layer, in);
                out = strv_push(out, p);
        }
        if (!out) {
                *ret = xstrdup("");
                return 1;
        }
        *ret = strv_join(out, "/");
        return 0;
}

static int escape_error(const struct unpacker *u, const char *path, int e, struct berr **err)
{
        if (e == EXDEV || e == ELOOP)
                return berr_msg(err, EPERM,
                                "layer %s: entry `%s` escapes the layer root through a symlink",
                                u->layer, path);
        return berr_set(err, e, "layer %s: resolve `%s`", u->layer, path);
}

/* Open directory `dir` (relative, "" = root) beneath the layer root as O_PATH, creating
 * missing components (mode 0755) when create is set. */
static int open_dir(struct unpacker *u, const char *dir, bool create, struct berr **err)
{
        cleanup_strv char **parts = NULL;
        cleanup_free char *prefix = NULL;
        int fd, prev;

        fd = openat2_beneath(u->root, *dir ? dir : ".", O_PATH | O_DIRECTORY);
        if (fd >= 0 || errno != ENOENT || !create)
                return fd >= 0 ? fd : escape_error(u, dir, errno, err);
        parts = strv_split(dir, "/");
        prev = openat2_beneath(u->root, ".", O_PATH | O_DIRECTORY);
        if (prev < 0)
                return berr_set(err, errno, "layer %s: open the layer root", u->layer);
        strv_foreach (p, parts) {
                char *np = prefix ? xasprintf("%s/%s", prefix, p) : xstrdup(p);
                int e;

                free(prefix);
                prefix = np;
                fd = openat2_beneath(u->root, prefix, O_PATH | O_DIRECTORY);
                if (fd < 0 && errno == ENOENT) {
                        /* p is one plain component: mkdirat cannot leave prev */
                        if (mkdirat(prev, p, 0755) < 0 && errno != EEXIST) {
                                e = errno;
                                close(prev);
                                return berr_set(err, e, "layer %s: create `%s`", u->layer, dir);
                        }
                        fd = openat2_beneath(u->root, prefix, O_PATH | O_DIRECTORY);
                }
                e = errno;
                close(prev);
                if (fd < 0)
                        return escape_error(u, dir, e, err);
                prev = fd;
        }
        return prev;
}

static void split_path(const char *path, char **ret_dir, const char **ret_base)
{
        const char *slash = strrchr(path, '/');

        *ret_dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
        *ret_base = slash ? slash + 1 : path;
}

/* Remove whatever is at dir/name (a tree too) so a new entry can take its place. */
static int remove_at(int parent, const char *name)
{
        cleanup_closedir DIR *d = NULL;
        struct dirent *de;
        int fd;

        if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR)
                return -errno;
        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
                    remove_at(dirfd(d), de->d_name) < 0)
                        return -errno;
        return unlinkat(parent, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

/* ---- metadata ------------------------------------------------------------------------------- */

static int apply_xattrs(struct unpacker *u, int fd, struct archive_entry *e, const char *path,
                        struct berr **err)
{
        const char *name;
        const void *val;
        size_t len;

        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
                if (fsetxattr(fd, name, val, len, 0) < 0 && !(u->rootless && errno == EPERM))
                        return berr_set(err, errno, "layer %s: set xattr `%s` on `%s`", u->layer,
                                        name, path);
        }
        return 0;
}

/* Owner, mode, xattrs of an opened file or directory (mtime is separate). */
static int apply_meta_fd(struct unpacker *u, int fd, struct archive_entry *e, const char *path,
                         struct berr **err)
{
        if (!u->rootless &&
            fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
                return berr_set(err, errno, "layer %s: chown `%s`", u->layer, path);
        /* after chown, which clears set-id bits */
        if (fchmod(fd, archive_entry_perm(e)) < 0)
                return berr_set(err, errno, "layer %s: chmod `%s`", u->layer, path);
        return apply_xattrs(u, fd, e, path, err);
}

static struct timespec entry_mtime(struct archive_entry *e)
{
        return (struct timespec){.tv_sec = archive_entry_mtime(e),
                                 .tv_nsec = archive_entry_mtime_nsec(e)};
}

/* ---- entry kinds ---------------------------------------------------------------------------- */

static int write_data(struct unpacker *u, struct archive *tar, int fd, const char *path,
                      struct berr **err)
{
        const void *buf;
        size_t len;
        la_int64_t off;
        int r;

        while ((r = archive_read_data_block(tar, &buf, &len, &off)) == ARCHIVE_OK) {
                const char *p = buf;

                while (len > 0) {
                        ssize_t n = pwrite(fd, p, len, off);

                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return berr_set(err, errno, "layer %s: write `%s`", u->layer, path);
                        p += n;
                        off += n;
                        len -= (size_t)n;
                        u->res.bytes += (uint64_t)n;
                }
        }
        if (r != ARCHIVE_EOF)
                return berr_msg(err, EIO, "layer %s: read `%s`: %s", u->layer, path,
                                archive_error_string(tar));
        return 0;
}

static int make_file(struct unpacker *u, struct archive *tar, struct archive_entry *e, int dirfd,
                     const char *base, const char *path, struct berr **err)
{
        struct timespec ts[2];
        cleanup_close int fd = -1;
        int r;

        fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return berr_set(err, errno, "layer %s: create `%s`", u->layer, path);
        r = write_data(u, tar, fd, path, err);
        if (r < 0)
                return r;
        /* a sparse file may end in a hole that no write reached */
        if (archive_entry_sparse_count(e) > 0 && ftruncate(fd, archive_entry_size(e)) < 0)
                return berr_set(err, errno, "layer %s: truncate `%s`", u->layer, path);
        r = apply_meta_fd(u, fd, e, path, err);
        if (r < 0)
                return r;
        ts[0] = ts[1] = entry_mtime(e);
        if (futimens(fd, ts) < 0)
                return berr_set(err, errno, "layer %s: set times of `%s`", u->layer, path);
        return 0;
}

static int make_dir(struct unpacker *u, struct archive_entry *e, int dirfd, const char *base,
                    const char *path, struct berr **err)
{
        cleanup_close int fd = -1;
        struct stat st;

        if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
                (void)remove_at(dirfd, base);
        if (mkdirat(dirfd, base, 0700) < 0 && errno != EEXIST)
                return berr_set(err, errno, "layer %s: mkdir `%s`", u->layer, path);
        fd = openat(dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return berr_set(err, errno, "layer %s: open `%s`", u->layer, path);
        u->dirs = xgrow(u->dirs, &u->cap_dirs, u->n_dirs + 1, sizeof(*u->dirs));
        u->dirs[u->n_dirs++] = (struct dir_time){xstrdup(path), entry_mtime(e)};
        return apply_meta_fd(u, fd, e, path, err);
}

static int set_link_meta(struct unpacker *u, struct archive_entry *e, int dirfd, const char *base,
                         const char *path, bool chmod_too, struct berr **err)
{
        struct timespec ts[2];

        if (!u->rootless && fchownat(dirfd, base, (uid_t)archive_entry_uid(e),
                                     (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
                return berr_set(err, errno, "layer %s: chown `%s`", u->layer, path);
        if (chmod_too && fchmodat(dirfd, base, archive_entry_perm(e), 0) < 0)
                return berr_set(err, errno, "layer %s: chmod `%s`", u->layer, path);
        ts[0] = ts[1] = entry_mtime(e);
        if (utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return berr_set(err, errno, "layer %s: set times of `%s`", u->layer, path);
        return 0;
}

static int make_hardlink(struct unpacker *u, struct archive_entry *e, int dirfd, const char *base,
                         const char *path, struct berr **err)
{
        cleanup_free char *target = NULL, *tdir = NULL;
        cleanup_close int tfd = -1;
        const char *tbase;
        int r;

        r = clean_path(u, archive_entry_hardlink(e), &target, err);
        if (r < 0)
                return r;
        if (r == 1)
                return berr_msg(err, EPERM, "layer %s: hardlink `%s` to the layer root", u->layer,
                                path);
        split_path(target, &tdir, &tbase);
        tfd = open_dir(u, tdir, false, err);
        if (tfd < 0)
                return berr_wrap(err, "hardlink `%s`", path);
        if (linkat(tfd, tbase, dirfd, base, 0) < 0)
                return berr_set(err, errno, "layer %s: hardlink `%s` -> `%s`", u->layer, path,
                                target);
        return 0;
}

static int make_special(struct unpacker *u, struct archive_entry *e, int dirfd, const char *base,
                        const char *path, struct berr **err)
{
        mode_t type = archive_entry_filetype(e);

        if (type == AE_IFLNK) {
                if (symlinkat(archive_entry_symlink(e), dirfd, base) < 0)
                        return berr_set(err, errno, "layer %s: symlink `%s`", u->layer, path);
                return set_link_meta(u, e, dirfd, base, path, false, err);
        }
        if (type != AE_IFCHR && type != AE_IFBLK && type != AE_IFIFO)
                return berr_msg(err, EINVAL, "layer %s: `%s` has an unsupported file type",
                                u->layer, path);
        if (mknodat(dirfd, base, type | archive_entry_perm(e), archive_entry_rdev(e)) < 0)
                return berr_set(err, errno, "layer %s: mknod `%s`", u->layer, path);
        return set_link_meta(u, e, dirfd, base, path, true, err);
}

static int whiteout(struct unpacker *u, int dirfd, const char *dir, const char *base,
                    struct berr **err)
{
        if (strcmp(base, WH_OPAQUE) == 0) {
                cleanup_close int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                if (fd < 0 || fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return berr_set(err, errno, "layer %s: mark `%s` opaque", u->layer,
                                        *dir ? dir : "/");
                return 0;
        }
        if (strncmp(base, WH_META, strlen(WH_META)) == 0)
                return 0; /* aufs bookkeeping (.wh..wh.plnk, ...): nothing for overlayfs */
        base += strlen(WH_PREFIX);
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return berr_msg(err, EINVAL, "layer %s: invalid whiteout in `%s`", u->layer,
                                *dir ? dir : "/");
        (void)remove_at(dirfd, base);
        if (mknodat(dirfd, base, S_IFCHR | 0000, makedev(0, 0)) < 0)
                return berr_set(err, errno, "layer %s: whiteout `%s%s%s`", u->layer, dir,
                                *dir ? "/" : "", base);
        return 0;
}

static int unpack_entry(struct unpacker *u, struct archive *tar, struct archive_entry *e,
                        struct berr **err)
{
        cleanup_free char *path = NULL, *dir = NULL;
        cleanup_close int dirfd = -1;
        const char *base;
        struct stat st;
        mode_t type = archive_entry_filetype(e);
        int r;

        r = clean_path(u, archive_entry_pathname(e), &path, err);
        if (r < 0)
                return r;
        if (r == 1)
                return 0; /* "./": the layer root keeps the store's mode */
        split_path(path, &dir, &base);
        dirfd = open_dir(u, dir, true, err);
        if (dirfd == -ENOTDIR && strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0) {
                /* umoci writes `d` (now a file) followed by `d/.wh.x`: the file already hides
                 * everything below d, so the whiteout is moot */
                berr_freep(err);
                return 0;
        }
        if (dirfd < 0)
                return dirfd;
        if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
                return whiteout(u, dirfd, dir, base, err);
        if (type == AE_IFDIR)
                return make_dir(u, e, dirfd, base, path, err);
        if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
                (void)remove_at(dirfd, base);
        if (archive_entry_hardlink(e))
                return make_hardlink(u, e, dirfd, base, path, err);
        if (type == AE_IFREG)
                return make_file(u, tar, e, dirfd, base, path, err);
        return make_special(u, e, dirfd, base, path, err);
}

/* Directory mtimes last: creating entries inside a directory changes its mtime. */
static int apply_dir_times(struct unpacker *u, struct berr **err)
{
        for (size_t i = u->n_dirs; i-- > 0;) {
                struct timespec ts[2] = {u->dirs[i].mtime, u->dirs[i].mtime};
                cleanup_close int fd =
                        openat2_beneath(u->root, u->dirs[i].path, O_RDONLY | O_DIRECTORY);

                if (fd < 0)
                        return escape_error(u, u->dirs[i].path, errno, err);
                if (futimens(fd, ts) < 0)
                        return berr_set(err, errno, "layer %s: set times of `%s`", u->layer,
                                        u->dirs[i].path);
        }
        return 0;
}

/* ---- the stream ----------------------------------------------------------------------------- */

/* The tar reader pulls decompressed bytes through here, so they are hashed exactly once. */
static la_ssize_t read_decompressed(struct archive *a, void *ud, const void **buf)
{
        struct unpacker *u = ud;
        la_ssize_t n = archive_read_data(u->raw, u->buf, sizeof(u->buf));

        if (n < 0) {
                archive_set_error(a, archive_errno(u->raw) ? archive_errno(u->raw) : EIO, "%s",
                                  archive_error_string(u->raw));
                return -1;
        }
        digester_update(u->dg, u->buf, (size_t)n);
        *buf = u->buf;
        return n;
}

static int open_raw(struct unpacker *u, int in_fd, struct berr **err)
{
        struct archive_entry *e;

        u->raw = archive_read_new();
        archive_read_support_filter_all(u->raw);
        archive_read_support_format_raw(u->raw);
        if (archive_read_open_fd(u->raw, in_fd, IO_BLOCK) != ARCHIVE_OK ||
            archive_read_next_header(u->raw, &e) != ARCHIVE_OK)
                return berr_msg(err, EINVAL, "layer %s: %s", u->layer,
                                archive_error_string(u->raw));
        return 0;
}

static int drain(struct unpacker *u, struct berr **err)
{
        la_ssize_t n;

        while ((n = archive_read_data(u->raw, u->buf, sizeof(u->buf))) > 0)
                digester_update(u->dg, u->buf, (size_t)n);
        if (n < 0)
                return berr_msg(err, EIO, "layer %s: %s", u->layer, archive_error_string(u->raw));
        return 0;
}

static int unpack_stream(struct unpacker *u, int in_fd, struct berr **err)
{
        CLEANUP(archive_freep) struct archive *tar = NULL;
        struct archive_entry *e;
        int r;

        r = open_raw(u, in_fd, err);
        if (r < 0)
                return r;
        tar = archive_read_new();
        archive_read_support_format_tar(tar);
        archive_read_support_filter_none(tar);
        if (archive_read_open(tar, u, NULL, read_decompressed, NULL) != ARCHIVE_OK)
                return berr_msg(err, EINVAL, "layer %s: not a tar archive: %s", u->layer,
                                archive_error_string(tar));
        while ((r = archive_read_next_header(tar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
                u->res.entries++;
                r = unpack_entry(u, tar, e, err);
                if (r < 0)
                        return r;
        }
        if (r != ARCHIVE_EOF)
                return berr_msg(err, EINVAL, "layer %s: truncated or corrupt tar: %s", u->layer,
                                archive_error_string(tar));
        if (u->res.entries == 0)
                return berr_msg(err, EINVAL, "layer %s: not a tar archive", u->layer);
        r = drain(u, err);
        if (r < 0)
                return r;
        return apply_dir_times(u, err);
}

int unpack_layer(int in_fd, int dir_fd, const char *layer, struct unpack_result *ret,
                 struct berr **err)
{
        struct unpacker u = {.layer = layer, .root = dir_fd, .rootless = geteuid() != 0};
        int r;

        memset(ret, 0, sizeof(*ret));
        u.dg = digester_new();
        r = unpack_stream(&u, in_fd, err);
        archive_freep(&u.raw);
        for (size_t i = 0; i < u.n_dirs; i++)
                free(u.dirs[i].path);
        free(u.dirs);
        if (r >= 0) {
                u.res.diff_id = digester_final(u.dg);
                *ret = u.res;
        }
        digester_free(u.dg);
        return r;
}

void unpack_result_done(struct unpack_result *r)
{
        if (!r)
                return;
        free(r->diff_id);
        memset(r, 0, sizeof(*r));
}
