/* SPDX-License-Identifier: MIT */
/* runtime/rootfs: see rootfs.h. */
#include "runtime/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdbool.h>
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
#include "runtime/cgroup.h"
#include "runtime/container_err.h"
#include "runtime/mounts.h"
#include "runtime/runtime.h"
#include "runtime/syscalls.h"

const char *const rootfs_default_masked[] = {
        "/proc/asound",
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        NULL,
};

const char *const rootfs_default_readonly[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

char *rootfs_mountpoint(const struct rt_config *cfg)
{
        cleanup_free char *up = NULL;

        if (cfg->mountpoint)
                return xstrdup(cfg->mountpoint);
        if (!cfg->upperdir)
                return xstrdup(cfg->rootfs);
        up = xstrdup(cfg->upperdir);
        return xasprintf("%s/merged", dirname(up));
}

int rootfs_check_sysctl(const char *kv, bool host_net, struct berr **err)
{
        static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced"};
        const char *eq = strchr(kv, '=');
        cleanup_free char *key = NULL;

        if (!eq || eq == kv)
                return berr_msg(err, EINVAL, "sysctl \"%s\": expected key=value", kv);
        key = xstrndup(kv, (size_t)(eq - kv));
        if (strstr(key, "..") || strchr(key, '/'))
                return berr_msg(err, EINVAL, "sysctl \"%s\": bad key", key);
        for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
                if (strcmp(key, ipc[i]) == 0)
                        return 0;
        if (strncmp(key, "fs.mqueue.", 10) == 0)
                return 0;
        if (strncmp(key, "net.", 4) == 0) {
                if (host_net)
                        return berr_msg(err, EINVAL,
                                        "sysctl \"%s\" is not allowed with the host network", key);
                return 0;
        }
        return berr_msg(err, EINVAL,
                        "sysctl \"%s\" is not namespaced: it would change the host, so it is not "
                        "allowed in a container",
                        key);
}

char *rootfs_overlay_data(char *const *lowers, const char *upper, const char *work)
{
        cleanup_free char *l = strv_join(lowers, ":");

        if (!upper)
                return xasprintf("lowerdir=%s", l);
        return xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", l, upper, work);
}

/* fsconfig "lowerdir+" (6.8) takes one layer per call, so the one-page limit on mount data never
 * bites; older kernels get the classic colon list. */
static int mount_overlay(const struct rt_config *cfg, const char *mp, struct berr **err)
{
        cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC), mnt = -1;
        cleanup_free char *data = NULL;
        int r = -1;

        if (fs >= 0) {
                r = 0;
                strv_foreach (l, cfg->lowerdirs) {
                        if (r == 0)
                                r = fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", l, 0);
                }
                if (r == 0 && cfg->upperdir)
                        r = fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", cfg->upperdir, 0);
                if (r == 0 && cfg->workdir)
                        r = fsconfig(fs, FSCONFIG_SET_STRING, "workdir", cfg->workdir, 0);
                if (r == 0)
                        r = fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
                if (r == 0) {
                        mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
                        if (mnt < 0 ||
                            move_mount(mnt, "", AT_FDCWD, mp, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                return berr_set(err, errno, "mount the overlay on %s", mp);
                        return 0;
                }
                if (errno != EINVAL && errno != ENOSYS)
                        return berr_set(err, errno, "overlay (%s)", cfg->lowerdirs[0]);
        }
        data = rootfs_overlay_data(cfg->lowerdirs, cfg->upperdir, cfg->workdir);
        if (mount("overlay", mp, "overlay", 0, data) < 0)
                return berr_set(err, errno, "mount the overlay on %s", mp);
        return 0;
}

static int mount_at(int rootfd, const char *path, const char *fstype, unsigned long flags,
                    const char *data, struct berr **err)
{
        cleanup_close int fd = mnt_resolve(rootfd, path, MNT_CREATE_DIR, err);
        char buf[32];

        if (fd < 0)
                return fd;
        if (mount(fstype, mnt_fdpath(fd, buf), fstype, flags, data) < 0)
                return berr_set(err, errno, "mount %s on %s", fstype, path);
        return 0;
}

static int write_sysctls(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        strv_foreach (kv, cfg->sysctls) {
                const char *eq = strchr(kv, '=');
                cleanup_free char *path = xasprintf("/proc/sys/%.*s", (int)(eq - kv), kv);
                cleanup_close int fd = -1, wfd = -1;
                char buf[32];

                for (char *p = path + 10; *p; p++)
                        if (*p == '.')
                                *p = '/';
                fd = mnt_resolve(rootfd, path, MNT_NO_CREATE, err);
                if (fd < 0)
                        return berr_wrap(err, "sysctl %s", kv);
                wfd = open(mnt_fdpath(fd, buf), O_WRONLY | O_CLOEXEC);
                if (wfd < 0 || write_all(wfd, eq + 1, strlen(eq + 1)) < 0)
                        return berr_set(err, errno, "sysctl %s", kv);
        }
        return 0;
}

static int make_dev_nodes(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        static const struct {
                const char *name;
                unsigned maj, min;
        } nodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
        static const char *const links[][2] = {{"fd", "/proc/self/fd"},
                                               {"stdin", "/proc/self/fd/0"},
                                               {"stdout", "/proc/self/fd/1"},
                                               {"stderr", "/proc/self/fd/2"},
                                               {"ptmx", "pts/ptmx"}};
        cleanup_close int dev = mnt_resolve(rootfd, "/dev", MNT_NO_CREATE, err), dfd = -1;
        char buf[32];

        if (dev < 0)
                return dev;
        dfd = open(mnt_fdpath(dev, buf), O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berr_set(err, errno, "open /dev");
        for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
                cleanup_free char *host = xasprintf("/dev/%s", nodes[i].name);

                if (!cfg->userns) {
                        if (mknodat(dfd, nodes[i].name, S_IFCHR | 0666,
                                    makedev(nodes[i].maj, nodes[i].min)) < 0)
                                return berr_set(err, errno, "mknod /dev/%s", nodes[i].name);
                        continue;
                }
                /* No mknod in a user namespace: bind the host's node instead. */
                cleanup_close int t = mnt_resolve(rootfd, host, MNT_CREATE_FILE, err);

                if (t < 0 || mnt_bind_at(host, t, false, false, 0, err) < 0)
                        return berr_code(err);
        }
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlinkat(links[i][1], dfd, links[i][0]) < 0)
                        return berr_set(err, errno, "symlink /dev/%s", links[i][0]);
        return 0;
}

static int add_devices(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        for (size_t i = 0; i < cfg->n_devices; i++) {
                const struct rt_device *d = &cfg->devices[i];
                const char *cpath = d->container_path ? d->container_path : d->host_path;
                cleanup_close int t = -1;
                struct stat st;

                if (stat(d->host_path, &st) < 0)
                        return berr_set(err, errno, "device %s", d->host_path);
                if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                        return berr_msg(err, EINVAL, "device %s is not a device node",
                                        d->host_path);
                t = mnt_resolve(rootfd, cpath, MNT_CREATE_FILE, err);
                if (t < 0)
                        return t;
                if (mnt_bind_at(d->host_path, t, false, false, 0, err) < 0)
                        return berr_wrap(err, "device %s", d->host_path);
        }
        return 0;
}

static int mount_dev(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        uint64_t shm = cfg->shm_size ? cfg->shm_size : 64ULL << 20;
        cleanup_free char *shmdata = xasprintf("mode=1777,size=%" PRIu64, shm);

        if (mount_at(rootfd, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
                     err) < 0 ||
            make_dev_nodes(cfg, rootfd, err) < 0 ||
            mount_at(rootfd, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0 ||
            mount_at(rootfd, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, shmdata, err) <
                    0 ||
            mount_at(rootfd, "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) <
                    0)
                return berr_code(err);
        return add_devices(cfg, rootfd, err);
}

static int mount_system(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        if (mount_at(rootfd, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
                return berr_code(err);
        if (write_sysctls(cfg, rootfd, err) < 0)
                return berr_code(err);
        if (mount_at(rootfd, "/sys", "sysfs",
                     MS_NOSUID | MS_NODEV | MS_NOEXEC | (cfg->privileged ? 0 : MS_RDONLY), NULL,
                     err) < 0) {
                cleanup_close int t = -1;

                /* sysfs refuses a mount in a netns we do not own (host network in a userns):
                 * bind the host's, read-only, as runc does. */
                if ((*err)->code != EPERM)
                        return berr_code(err);
                berr_freep(err);
                t = mnt_resolve(rootfd, "/sys", MNT_CREATE_DIR, err);
                if (t < 0 || mnt_bind_at("/sys", t, true, !cfg->privileged, 0, err) < 0)
                        return berr_code(err);
        }
        return mount_dev(cfg, rootfd, err);
}

static bool all_managed(const char *ctrls)
{
        cleanup_strv char **names = strv_split(ctrls, ",");

        strv_foreach (n, names) {
                if (!cgroup_v1_managed(n))
                        return false;
        }
        return names != NULL;
}

/* /sys/fs/cgroup as docker shows it: the container's own cgroup as the root of each hierarchy
 * (the mounts are made after unshare(CLONE_NEWCGROUP), so the kernel roots them there),
 * read-only unless privileged; on v1 only the hierarchies where the container has a cgroup of its
 * own (the others would show the host's tree). Skipped in a user namespace, where v1 hierarchies
 * cannot be mounted. */
static int mount_cgroupfs(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        unsigned long ro = cfg->privileged ? 0 : MS_RDONLY;
        unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        cleanup_free char *self = NULL;
        cleanup_strv char **lines = NULL;

        if (cfg->userns)
                return 0;
        if (cgroup_detect() == &cgroup_v2_ops)
                return mount_at(rootfd, "/sys/fs/cgroup", "cgroup2", fl | ro, NULL, err);
        if (mount_at(rootfd, "/sys/fs/cgroup", "tmpfs", fl, "mode=755,size=64k", err) < 0)
                return berr_code(err);
        if (read_file("/proc/self/cgroup", 1 << 16, &self, NULL, err) < 0)
                return berr_code(err);
        lines = strv_split(self, "\n");
        strv_foreach (l, lines) {
                const char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                cleanup_free char *ctrls = NULL, *dir = NULL, *opts = NULL;

                if (!c2 || c2 == c1 + 1)
                        continue; /* the unified (0::) line of a hybrid host */
                ctrls = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
                if (!all_managed(ctrls))
                        continue;
                dir = xasprintf("/sys/fs/cgroup/%s",
                                strncmp(ctrls, "name=", 5) == 0 ? ctrls + 5 : ctrls);
                opts = strncmp(ctrls, "name=", 5) == 0 ? xasprintf("none,%s", ctrls)
                                                       : xstrdup(ctrls);
                if (mount_at(rootfd, dir, "cgroup", fl | ro, opts, err) < 0)
                        return berr_code(err);
        }
        if (ro) {
                cleanup_close int fd = mnt_resolve(rootfd, "/sys/fs/cgroup", MNT_NO_CREATE, err);
                char buf[32];

                if (fd < 0 || mount(NULL, mnt_fdpath(fd, buf), NULL, MS_REMOUNT | MS_RDONLY | fl,
                                    "mode=755,size=64k") < 0)
                        return err && *err ? berr_code(err)
                                           : berr_set(err, errno, "read-only /sys/fs/cgroup");
        }
        return 0;
}

static int bind_etc_files(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        const char *files[][2] = {{cfg->hosts_file, "/etc/hosts"},
                                  {cfg->hostname_file, "/etc/hostname"},
                                  {cfg->resolv_conf_file, "/etc/resolv.conf"}};

        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                cleanup_close int t = -1;

                if (!files[i][0])
                        continue;
                t = mnt_resolve(rootfd, files[i][1], MNT_CREATE_FILE, err);
                if (t < 0 || mnt_bind_at(files[i][0], t, false, false, 0, err) < 0)
                        return berr_wrap(err, "%s", files[i][1]);
        }
        return 0;
}

static int mask_paths(const struct rt_config *cfg, int rootfd, struct berr **err)
{
        char *const *masked =
                cfg->masked_paths ? cfg->masked_paths : (char *const *)rootfs_default_masked;
        char *const *ro =
                cfg->readonly_paths ? cfg->readonly_paths : (char *const *)rootfs_default_readonly;

        if (cfg->privileged)
                return 0;
        for (; *masked; masked++) {
                cleanup_close int fd = mnt_resolve(rootfd, *masked, MNT_NO_CREATE, NULL);
                struct stat st;
                char buf[32];

                if (fd < 0 || fstat(fd, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        if (mount("tmpfs", mnt_fdpath(fd, buf), "tmpfs", MS_RDONLY, "size=0") < 0)
                                return berr_set(err, errno, "mask %s", *masked);
                } else if (mnt_bind_at("/dev/null", fd, false, false, 0, err) < 0) {
                        return berr_wrap(err, "mask %s", *masked);
                }
        }
        for (; *ro; ro++)
                if (mnt_make_readonly(rootfd, *ro, err) < 0)
                        return berr_code(err);
        return 0;
}

static int do_pivot(const char *mp, bool read_only, struct berr **err)
{
        cleanup_close int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
        cleanup_close int newroot = open(mp, O_DIRECTORY | O_PATH | O_CLOEXEC);

        if (oldroot < 0 || newroot < 0)
                return berr_set(err, errno, "open the roots for pivot_root");
        if (fchdir(newroot) < 0)
                return berr_set(err, errno, "chdir %s", mp);
        /* pivot_root(".", "."): the old root ends up stacked on top of the new one, so no
         * put_old directory is needed in the image. */
        if (sys_pivot_root(".", ".") < 0)
                return berr_set(err, errno, "pivot_root into %s", mp);
        if (fchdir(oldroot) < 0)
                return berr_set(err, errno, "fchdir to the old root");
        /* Keep the unmount from propagating to the host's mounts. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return berr_set(err, errno, "make the old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
                return berr_set(err, errno, "detach the old root");
        if (chdir("/") < 0)
                return berr_set(err, errno, "chdir /");
        if (read_only && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                return berr_set(err, errno, "make the root read-only");
        return 0;
}

int rootfs_prepare(const struct rt_config *cfg, struct rootfs_ctx *ctx, struct berr **err)
{
        ctx->rootfd = -1;
        ctx->mountpoint = rootfs_mountpoint(cfg);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return berr_set(err, errno, "make the mount namespace private");
        if (cfg->lowerdirs) {
                if (mount_overlay(cfg, ctx->mountpoint, err) < 0)
                        return berr_code(err);
        } else if (mount(cfg->rootfs, ctx->mountpoint, NULL, MS_BIND | MS_REC, NULL) < 0) {
                return berr_set(err, errno, "bind the rootfs %s", cfg->rootfs);
        }
        ctx->rootfd = open(ctx->mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ctx->rootfd < 0)
                return berr_set(err, errno, "open the rootfs %s", ctx->mountpoint);
        if (mount_system(cfg, ctx->rootfd, err) < 0)
                return berr_code(err);
        for (size_t i = 0; i < cfg->n_mounts; i++)
                if (mnt_apply(ctx->rootfd, &cfg->mounts[i], err) < 0)
                        return berr_wrap(err, "mount %s", cfg->mounts[i].target);
        return 0;
}

int rootfs_finish(const struct rt_config *cfg, struct rootfs_ctx *ctx, struct berr **err)
{
        int r;

        if (mount_cgroupfs(cfg, ctx->rootfd, err) < 0 ||
            bind_etc_files(cfg, ctx->rootfd, err) < 0 || mask_paths(cfg, ctx->rootfd, err) < 0)
                return berr_code(err);
        close(ctx->rootfd);
        ctx->rootfd = -1;
        r = do_pivot(ctx->mountpoint, cfg->read_only, err);
        free(ctx->mountpoint);
        ctx->mountpoint = NULL;
        return r;
}
