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

/* In the child, after the namespaces exist: everything up to and including pivot_root. */
int rootfs_setup(const struct rt_config *cfg, struct berr **err);
