/* SPDX-License-Identifier: MIT */
/* runtime/rootfs: the container's filesystem view, built inside its new mount namespace so the
 * host never sees it: the overlay (or a plain rootfs bind), /proc with docker's masked and
 * read-only paths, /sys read-only, a private /dev (tmpfs with the standard nodes, devpts
 * newinstance, shm, mqueue, the fd links), /etc/hosts, hostname and resolv.conf binds, then
 * pivot_root (crun's do_pivot sequence: pivot ".", "." and detach the old root). */
#pragma once

#include <stdbool.h>

struct berr;
struct rt_config;

/* docker's defaults. */
extern const char *const rootfs_default_masked[];
extern const char *const rootfs_default_readonly[];

/* The overlay's mount point for cfg (cfg->mountpoint or <dirname(upperdir)>/merged). */
char *rootfs_mountpoint(const struct rt_config *cfg);
/* Whether sysctl "key=value" may be set in the container (docker's namespaced list; net.* not
 * with the host network). */
int rootfs_check_sysctl(const char *kv, bool host_net, struct berr **err);
/* mount(2) data for an overlay, used when fsconfig lowerdir+ is unavailable. Caller frees. */
char *rootfs_overlay_data(char *const *lowers, const char *upper, const char *work);

struct rootfs_ctx {
        int rootfd;       /* O_PATH fd of the mounted rootfs */
        char *mountpoint; /* where it is mounted (in the container's mount namespace) */
};

/* In the child, after the namespaces exist, in two steps around the pre_start barrier:
 * prepare mounts the rootfs, /proc (+ sysctls), /sys, /dev and the user's mounts (nothing there
 * depends on the parent's work); finish (called after unshare(CLONE_NEWCGROUP)) mounts
 * /sys/fs/cgroup, binds /etc/hosts, hostname and resolv.conf (which the pre_start hook may still
 * be writing, even by rename), masks paths and pivots. */
int rootfs_prepare(const struct rt_config *cfg, struct rootfs_ctx *ctx, struct berr **err);
int rootfs_finish(const struct rt_config *cfg, struct rootfs_ctx *ctx, struct berr **err);
