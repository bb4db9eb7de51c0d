/* SPDX-License-Identifier: MIT */
/* runtime/mounts: see mounts.h. */
#include "runtime/mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/container_err.h"
#include "runtime/runtime.h"
#include "runtime/syscalls.h"

const char *mnt_fdpath(int fd, char buf[32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
        return buf;
}

int mnt_check_target(const char *path, struct berr **err)
{
        cleanup_strv char **parts = NULL;

        if (!path || path[0] != '/')
                return berr_msg(err, EINVAL, "mount target \"%s\" is not an absolute path",
                                path ? path : "");
        parts = strv_split(path, "/");
        if (!parts || !parts[0])
                return berr_msg(err, EINVAL, "mount target \"/\" is the container's root");
        strv_foreach (p, parts) {
                if (strcmp(p, "..") == 0)
                        return berr_msg(err, EINVAL, "mount target \"%s\" contains \"..\"", path);
        }
        return 0;
}

static int open_in_root(int rootfd, const char *path)
{
        return sys_openat2(rootfd, path, O_PATH | O_CLOEXEC, 0,
                           RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

int mnt_resolve(int rootfd, const char *path, enum mnt_create create, struct berr **err)
{
        cleanup_free char *parent = NULL;
        cleanup_close int pfd = -1;
        const char *base;
        char *slash;
        int fd;

        fd = open_in_root(rootfd, path);
        if (fd >= 0)
                return fd;
        if (errno == ENOSYS)
                return berr_msg(err, ENOSYS,
                                "this kernel lacks openat2 (5.6+), which berth needs "
                                "to resolve mount targets safely");
        if (errno != ENOENT || create == MNT_NO_CREATE)
                return berr_set(err, errno, "resolve %s in the container", path);
        parent = xstrdup(path);
        while ((slash = strrchr(parent, '/')) && slash[1] == '\0' && slash != parent)
                *slash = '\0';
        slash = strrchr(parent, '/');
        base = path + (slash - parent) + 1;
        if (slash == parent)
                parent[1] = '\0';
        else
                *slash = '\0';
        pfd = slash == parent && parent[0] == '/' && parent[1] == '\0'
                      ? open_in_root(rootfd, "/")
                      : mnt_resolve(rootfd, parent, MNT_CREATE_DIR, err);
        if (pfd < 0)
                return err && *err ? berr_code(err) : berr_set(err, errno, "resolve /");
        {
                cleanup_free char *name = xstrndup(base, strcspn(base, "/"));
                cleanup_close int dfd = -1;
                char buf[32];

                /* O_PATH fds cannot be used with mkdirat; reopen the parent as a directory
                 * through its magic link (it was resolved inside the root already). */
                dfd = open(mnt_fdpath(pfd, buf), O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return berr_set(err, errno, "open the parent of %s", path);
                if (create == MNT_CREATE_DIR) {
                        if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
                                return berr_set(err, errno, "mkdir %s in the container", path);
                } else {
                        int f = openat(dfd, name,
                                       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);

                        if (f < 0 && errno != EEXIST)
                                return berr_set(err, errno, "create %s in the container", path);
                        if (f >= 0)
                                close(f);
                }
        }
        fd = open_in_root(rootfd, path);
        if (fd < 0)
                return berr_set(err, errno, "resolve %s in the container", path);
        return fd;
}

unsigned long mnt_propagation_flag(int p)
{
        switch ((enum rt_propagation)p) {
        case RT_PROP_PRIVATE:
                return MS_PRIVATE;
        case RT_PROP_RPRIVATE:
                return MS_PRIVATE | MS_REC;
        case RT_PROP_SHARED:
                return MS_SHARED;
        case RT_PROP_RSHARED:
                return MS_SHARED | MS_REC;
        case RT_PROP_SLAVE:
                return MS_SLAVE;
        case RT_PROP_RSLAVE:
                return MS_SLAVE | MS_REC;
        case RT_PROP_DEFAULT:
                break;
        }
        return 0;
}

int mnt_parse_size(const char *s, uint64_t *ret)
{
        char *end;
        uint64_t v, mul = 1;

        if (!s || !*s || *s == '-')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s)
                return -EINVAL;
        switch (*end) {
        case 'k':
        case 'K':
                mul = 1024;
                break;
        case 'm':
        case 'M':
                mul = 1024 * 1024;
                break;
        case 'g':
        case 'G':
                mul = 1024 * 1024 * 1024;
                break;
        case '\0':
                break;
        default:
                return -EINVAL;
        }
        if (*end && end[1] && !((end[1] == 'b' || end[1] == 'B') && !end[2]))
                return -EINVAL;
        if (v > UINT64_MAX / mul)
                return -ERANGE;
        *ret = v * mul;
        return 0;
}

char *mnt_tmpfs_data(const struct rt_mount *m)
{
        struct strbuf b = STRBUF_INIT;

        strbuf_printf(&b, "mode=%o", m->tmpfs_mode ? m->tmpfs_mode : 01777);
        if (m->tmpfs_size)
                strbuf_printf(&b, ",size=%" PRIu64, m->tmpfs_size);
        if (m->options && *m->options)
                strbuf_printf(&b, ",%s", m->options);
        return strbuf_take(&b);
}

int mnt_parse_options(const char *opts, struct rt_mount *m, struct berr **err)
{
        static const char *const props[] = {"",        "private", "rprivate", "shared",
                                            "rshared", "slave",   "rslave"};
        static const char *const passthrough[] = {"noexec", "exec", "nosuid",   "suid",
                                                  "nodev",  "dev",  "relatime", "norelatime"};
        cleanup_strv char **words = strv_split(opts ? opts : "", ",");
        struct strbuf extra = STRBUF_INIT;

        strv_foreach (w, words) {
                bool known = false;

                if (strcmp(w, "ro") == 0 || strcmp(w, "readonly") == 0) {
                        m->read_only = true;
                        continue;
                }
                if (strcmp(w, "rw") == 0) {
                        m->read_only = false;
                        continue;
                }
                if (strcmp(w, "z") == 0 || strcmp(w, "Z") == 0 || strcmp(w, "nocopy") == 0) {
                        if (strcmp(w, "nocopy") == 0)
                                m->copy_up = false;
                        continue;
                }
                for (size_t i = 1; i < ARRAY_SIZE(props); i++)
                        if (strcmp(w, props[i]) == 0) {
                                m->propagation = (enum rt_propagation)i;
                                known = true;
                        }
                if (known)
                        continue;
                if (strncmp(w, "size=", 5) == 0) {
                        if (mnt_parse_size(w + 5, &m->tmpfs_size) < 0) {
                                strbuf_done(&extra);
                                return berr_msg(err, EINVAL, "mount option \"%s\": bad size", w);
                        }
                        continue;
                }
                if (strncmp(w, "mode=", 5) == 0) {
                        char *end;
                        unsigned long mode = strtoul(w + 5, &end, 8);

                        if (*end || end == w + 5 || mode > 07777) {
                                strbuf_done(&extra);
                                return berr_msg(err, EINVAL, "mount option \"%s\": bad mode", w);
                        }
                        m->tmpfs_mode = (uint32_t)mode;
                        continue;
                }
                for (size_t i = 0; i < ARRAY_SIZE(passthrough); i++)
                        if (strcmp(w, passthrough[i]) == 0)
                                known = true;
                if (!known) {
                        strbuf_done(&extra);
                        return berr_msg(err, EINVAL, "unknown mount option \"%s\"", w);
                }
                strbuf_printf(&extra, "%s%s", extra.len ? "," : "", w);
        }
        free(m->options);
        m->options = extra.len ? strbuf_take(&extra) : NULL;
        strbuf_done(&extra);
        return 0;
}

static int attach_tree(int tree, int target_fd, bool read_only, bool recursive,
                       unsigned long propagation, const char *what, struct berr **err)
{
        struct mount_attr attr = {0};

        if (read_only)
                attr.attr_set = MOUNT_ATTR_RDONLY;
        if (propagation)
                attr.propagation = propagation & ~MS_REC;
        if ((read_only || propagation) &&
            mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
                          sizeof(attr)) < 0)
                return berr_set(err, errno, "set mount attributes of %s", what);
        if (move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
            0)
                return berr_set(err, errno, "mount %s", what);
        return 0;
}

int mnt_bind_at(const char *src, int target_fd, bool recursive, bool read_only,
                unsigned long propagation, struct berr **err)
{
        cleanup_close int tree = -1;

        tree = open_tree(AT_FDCWD, src,
                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        if (tree < 0)
                return berr_set(err, errno, "bind %s", src);
        return attach_tree(tree, target_fd, read_only, recursive, propagation, src, err);
}

int mnt_make_readonly(int rootfd, const char *path, struct berr **err)
{
        cleanup_close int fd = mnt_resolve(rootfd, path, MNT_NO_CREATE, NULL);
        cleanup_close int tree = -1;

        if (fd < 0)
                return 0; /* nothing there to protect */
        tree = open_tree(fd, "",
                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (tree < 0)
                return berr_set(err, errno, "read-only %s", path);
        return attach_tree(tree, fd, true, true, 0, path, err);
}

static int mount_tmpfs(int rootfd, const struct rt_mount *m, struct berr **err)
{
        cleanup_close int target = mnt_resolve(rootfd, m->target, MNT_CREATE_DIR, err);
        cleanup_free char *data = mnt_tmpfs_data(m);
        char buf[32];

        if (target < 0)
                return target;
        if (mount("tmpfs", mnt_fdpath(target, buf), "tmpfs",
                  MS_NOSUID | MS_NODEV | (m->read_only ? MS_RDONLY : 0), data) < 0)
                return berr_set(err, errno, "mount tmpfs on %s (%s)", m->target, data);
        return 0;
}

static int fill_volume(int rootfd, const struct rt_mount *m, struct berr **err)
{
        cleanup_close int src = -1, dst = -1, img = -1;
        cleanup_closedir DIR *d = NULL;
        struct dirent *de;
        char buf[32];
        struct stat st;

        img = sys_openat2(rootfd, m->target, O_PATH | O_CLOEXEC | O_DIRECTORY, 0,
                          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (img < 0)
                return 0; /* the image has nothing there */
        dst = open(m->source, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dst < 0)
                return berr_set(err, errno, "open volume %s", m->source);
        d = fdopendir(dup(dst));
        while (d && (de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        return 0; /* not empty: already in use */
        src = open(mnt_fdpath(img, buf), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (src < 0 || fstat(src, &st) < 0)
                return berr_set(err, errno, "open %s in the image", m->target);
        if (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0)
                return berr_set(err, errno, "set owner and mode of volume %s", m->source);
        return mnt_copy_tree(src, dst, err);
}

int mnt_apply(int rootfd, const struct rt_mount *m, struct berr **err)
{
        cleanup_close int target = -1;
        struct stat st;
        int r;

        r = mnt_check_target(m->target, err);
        if (r < 0)
                return r;
        if (m->type == RT_MOUNT_TMPFS)
                return mount_tmpfs(rootfd, m, err);
        if (!m->source)
                return berr_msg(err, EINVAL, "mount on %s has no source", m->target);
        if (stat(m->source, &st) < 0) {
                if (errno != ENOENT || !(m->create_source || m->type == RT_MOUNT_VOLUME))
                        return berr_set(err, errno, "bind source %s", m->source);
                r = mkdir_p(m->source, 0755, err);
                if (r < 0)
                        return r;
                st.st_mode = S_IFDIR;
        }
        if (m->type == RT_MOUNT_VOLUME && m->copy_up) {
                r = fill_volume(rootfd, m, err);
                if (r < 0)
                        return berr_wrap(err, "fill volume %s from the image", m->source);
        }
        target = mnt_resolve(rootfd, m->target,
                             S_ISDIR(st.st_mode) ? MNT_CREATE_DIR : MNT_CREATE_FILE, err);
        if (target < 0)
                return target;
        return mnt_bind_at(m->source, target, m->type == RT_MOUNT_VOLUME || m->recursive,
                           m->read_only, mnt_propagation_flag(m->propagation), err);
}

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st, struct berr **err)
{
        cleanup_close int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int out = -1;
        char buf[65536];
        ssize_t n;

        if (in < 0)
                return berr_set(err, errno, "copy %s", name);
        out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
                return berr_set(err, errno, "create %s", name);
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write_all(out, buf, (size_t)n) < 0)
                        return berr_set(err, errno, "write %s", name);
        if (n < 0)
                return berr_set(err, errno, "read %s", name);
        if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
                return berr_set(err, errno, "chown %s", name);
        return 0;
}

int mnt_copy_tree(int sfd, int dfd, struct berr **err)
{
        cleanup_closedir DIR *d = fdopendir(dup(sfd));
        struct dirent *de;

        if (!d)
                return berr_set(err, errno, "read directory");
        while ((de = readdir(d))) {
                const char *n = de->d_name;
                struct stat st;
                int r = 0;

                if (!strcmp(n, ".") || !strcmp(n, ".."))
                        continue;
                if (fstatat(sfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return berr_set(err, errno, "stat %s", n);
                if (S_ISDIR(st.st_mode)) {
                        cleanup_close int s2 = -1, d2 = -1;

                        if (mkdirat(dfd, n, 0700) < 0 && errno != EEXIST)
                                return berr_set(err, errno, "mkdir %s", n);
                        s2 = openat(sfd, n, O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC);
                        d2 = openat(dfd, n, O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC);
                        if (s2 < 0 || d2 < 0)
                                return berr_set(err, errno, "open %s", n);
                        r = mnt_copy_tree(s2, d2, err);
                        if (r == 0 && (fchown(d2, st.st_uid, st.st_gid) < 0 ||
                                       fchmod(d2, st.st_mode & 07777) < 0))
                                return berr_set(err, errno, "chown %s", n);
                } else if (S_ISREG(st.st_mode)) {
                        r = copy_file(sfd, dfd, n, &st, err);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t len = readlinkat(sfd, n, target, sizeof(target) - 1);

                        if (len < 0)
                                return berr_set(err, errno, "readlink %s", n);
                        target[len] = '\0';
                        if (symlinkat(target, dfd, n) < 0)
                                return berr_set(err, errno, "symlink %s", n);
                        if (fchownat(dfd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                                return berr_set(err, errno, "chown %s", n);
                } else if (mknodat(dfd, n, st.st_mode, st.st_rdev) < 0) {
                        return berr_set(err, errno, "mknod %s", n);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int rt_mount_parse_options(const char *opts, struct rt_mount *m, struct berr **err)
{
        return mnt_parse_options(opts, m, err);
}
