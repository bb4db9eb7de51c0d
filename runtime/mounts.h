/* SPDX-License-Identifier: MIT */
/* runtime/mounts: putting things at paths inside a container's rootfs without ever leaving it.
 * Every target is resolved with openat2(RESOLVE_IN_ROOT) against an fd of the rootfs, so an
 * image's symlink (/etc -> /, x -> ../../..) resolves inside the rootfs as it would after
 * pivot_root; missing targets are created (dirs, or an empty file for a file bind) the same way.
 * Mounts attach to the resolved fd (move_mount, or mount on /proc/self/fd/N), never to a string
 * path. Also: the user's binds, volumes (with docker's first-use copy of the image content) and
 * tmpfs mounts, and the pure option logic the unit tests cover. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sys/types.h>

struct berr;
struct rt_mount;

enum mnt_create {
        MNT_NO_CREATE,
        MNT_CREATE_DIR,
        MNT_CREATE_FILE,
};

/* An O_PATH fd for path (absolute, no ".." components) inside the rootfs rootfd; creates what is
 * missing when asked. Returns the fd or -errno with *err set. */
int mnt_resolve(int rootfd, const char *path, enum mnt_create create, struct berr **err);
/* "/proc/self/fd/N" for an fd; buf of 32 bytes. */
const char *mnt_fdpath(int fd, char buf[32]);
/* Check a container path: absolute, no "..", not "/". */
int mnt_check_target(const char *path, struct berr **err);
/* MS_* propagation flag for a setting (0 for the default). */
unsigned long mnt_propagation_flag(int propagation);
/* tmpfs mount data for m: "size=...,mode=..." plus m->options. Caller frees. */
char *mnt_tmpfs_data(const struct rt_mount *m);
/* Parse docker's tmpfs/bind option words ("ro", "rw", "rprivate", "size=64m", "mode=1777",
 * "noexec", ...) into m; unknown words are an error naming them. */
int mnt_parse_options(const char *opts, struct rt_mount *m, struct berr **err);
/* Parse a size like "64m", "1g", "100k", "512" into bytes. */
int mnt_parse_size(const char *s, uint64_t *ret);

/* Bind src (a host path, or an fd when src is NULL) onto the resolved target fd, with ro and
 * propagation; recursive binds take submounts along. */
int mnt_bind_at(const char *src, int target_fd, bool recursive, bool read_only,
                unsigned long propagation, struct berr **err);
/* Make an existing mount at path (inside rootfd) read-only, recursively. */
int mnt_make_readonly(int rootfd, const char *path, struct berr **err);
/* Apply one user mount (bind, volume, tmpfs) in the rootfs. */
int mnt_apply(int rootfd, const struct rt_mount *m, struct berr **err);
/* Copy the tree at src_dirfd into dst_dirfd (owners, modes, symlinks, devices), docker's
 * first-use fill of a named volume. */
int mnt_copy_tree(int src_dirfd, int dst_dirfd, struct berr **err);
