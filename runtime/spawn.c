/* SPDX-License-Identifier: MIT */
/* runtime/spawn: see spawn.h. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/caps.h"
#include "runtime/cgroup.h"
#include "runtime/container_err.h"
#include "runtime/container_proc.h"
#include "runtime/devices.h"
#include "runtime/mounts.h"
#include "runtime/rootfs.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "runtime/sync.h"
#include "runtime/syscalls.h"

int spawn_validate(const struct rt_config *cfg, uint64_t *caps, struct berr **err)
{
        int r;

        r = cgroup_check_name("project", cfg->project, err);
        if (r < 0 || (r = cgroup_check_name("container", cfg->id, err)) < 0)
                return r;
        if (!cfg->argv || !cfg->argv[0])
                return berr_msg(err, EINVAL, "container %s: no command", cfg->id);
        if (!cfg->lowerdirs && !cfg->rootfs)
                return berr_msg(err, EINVAL, "container %s: no rootfs", cfg->id);
        if (cfg->lowerdirs && (!cfg->upperdir != !cfg->workdir))
                return berr_msg(err, EINVAL, "container %s: upperdir and workdir go together",
                                cfg->id);
        if (cfg->net == RT_NET_JOIN && !cfg->netns_path)
                return berr_msg(err, EINVAL, "container %s: joining a netns needs its path",
                                cfg->id);
        if (cfg->resources.memory > 0 && cfg->resources.memory < 6 * 1024 * 1024)
                return berr_msg(err, EINVAL,
                                "container %s: memory limit %" PRId64
                                " bytes is below the minimum of 6MiB",
                                cfg->id, cfg->resources.memory);
        strv_foreach (kv, cfg->sysctls) {
                r = rootfs_check_sysctl(kv, cfg->net == RT_NET_HOST, err);
                if (r < 0) {
                        berr_wrap(err, "container %s", cfg->id);
                        return r;
                }
        }
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                r = mnt_check_target(cfg->mounts[i].target, err);
                if (r < 0) {
                        berr_wrap(err, "container %s", cfg->id);
                        return r;
                }
        }
        r = caps_compute(cfg->privileged, cfg->cap_add, cfg->cap_drop, caps, err);
        if (r < 0)
                return berr_wrap(err, "container %s", cfg->id);
        return 0;
}

static int lo_up(struct berr **err)
{
        cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr;

        if (s < 0)
                return berr_set(err, errno, "socket");
        memset(&ifr, 0, sizeof(ifr));
        strcpy(ifr.ifr_name, "lo");
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return berr_set(err, errno, "get lo flags");
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return berr_set(err, errno, "bring lo up");
        return 0;
}

static char *default_hostname(const struct rt_config *cfg)
{
        if (cfg->hostname)
                return xstrdup(cfg->hostname);
        return xstrndup(cfg->id, 12);
}

static int child_setup(const struct rt_config *cfg, int syncfd, const char *hostname,
                       struct berr **err)
{
        struct rootfs_ctx rctx = {.rootfd = -1};

        if (cfg->net == RT_NET_JOIN) {
                cleanup_close int ns = open(cfg->netns_path, O_RDONLY | O_CLOEXEC);

                if (ns < 0 || setns(ns, CLONE_NEWNET) < 0)
                        return berr_set(err, errno, "join the network namespace %s",
                                        cfg->netns_path);
        }
        if (sync_send(syncfd, SYNC_CHILD_READY) < 0)
                return berr_set(err, errno, "sync");
        if (cfg->userns) {
                if (sync_wait(syncfd, SYNC_MAPS_DONE, err) < 0)
                        return berr_code(err);
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        return berr_set(err, errno, "become root in the user namespace");
        }
        /* The rootfs is built while the parent moves us into our cgroup (on cgroup v1 that first
         * migration waits for an RCU grace period, ~10 ms) and runs pre_start: neither needs the
         * other. */
        if (cfg->net == RT_NET_NEW && lo_up(err) < 0)
                return berr_code(err);
        if (rootfs_prepare(cfg, &rctx, err) < 0)
                return berr_code(err);
        if (sync_wait(syncfd, SYNC_PARENT_DONE, err) < 0)
                return berr_code(err);
        /* Now that the parent moved us into our cgroup, make it the root of our view (and of
         * the /sys/fs/cgroup mounts rootfs_finish makes). */
        if (unshare(CLONE_NEWCGROUP) < 0)
                return berr_set(err, errno, "unshare the cgroup namespace");
        if (rootfs_finish(cfg, &rctx, err) < 0)
                return berr_code(err);
        if (sethostname(hostname, strlen(hostname)) < 0)
                return berr_set(err, errno, "sethostname %s", hostname);
        if (cfg->domainname && setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
                return berr_set(err, errno, "setdomainname %s", cfg->domainname);
        return 0;
}

static _Noreturn void child_main(const struct rt_config *cfg, int syncfd, uint64_t caps,
                                 const struct rt_seccomp_bpf *bpf)
{
        struct berr *err = NULL;
        char *hostname = default_hostname(cfg);
        struct proc_spec ps = {
                .argv = cfg->argv,
                .env = cfg->env,
                .cwd = cfg->cwd,
                .user = cfg->user,
                .hostname = hostname,
                .caps = caps,
                .no_new_privs = !cfg->no_new_privs_off && !cfg->privileged,
                .seccomp = bpf,
                .ulimits = cfg->ulimits,
                .n_ulimits = cfg->n_ulimits,
                .stdio = cfg->stdio,
                .init = cfg->init,
                .tty = cfg->tty,
                .tty_rows = cfg->tty_rows,
                .tty_cols = cfg->tty_cols,
                .trampoline_fd = -1,
        };

        if (child_setup(cfg, syncfd, hostname, &err) < 0) {
                sync_send_berr(syncfd, err);
                _exit(125);
        }
        proc_exec(&ps, syncfd);
}

static int write_map(pid_t pid, const char *file, const struct rt_idmap *m, size_t n,
                     struct berr **err)
{
        struct strbuf b = STRBUF_INIT;
        cleanup_free char *path = xasprintf("/proc/%d/%s", (int)pid, file);
        cleanup_close int fd = -1;
        int r = 0;

        for (size_t i = 0; i < n; i++)
                strbuf_printf(&b, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, strbuf_str(&b), b.len) != (ssize_t)b.len)
                r = berr_set(err, errno, "write %s", path);
        strbuf_done(&b);
        return r;
}

static int write_maps(const struct rt_config *cfg, pid_t pid, int syncfd, struct berr **err)
{
        if (!cfg->userns)
                return 0;
        if (!cfg->n_uid_map || !cfg->n_gid_map)
                return berr_msg(err, EINVAL, "a user namespace needs uid and gid maps");
        if (write_map(pid, "uid_map", cfg->uid_map, cfg->n_uid_map, err) < 0 ||
            write_map(pid, "gid_map", cfg->gid_map, cfg->n_gid_map, err) < 0)
                return berr_code(err);
        if (sync_send(syncfd, SYNC_MAPS_DONE) < 0)
                return berr_set(err, errno, "sync");
        return 0;
}

static int parent_configure(const struct rt_config *cfg, pid_t pid, const char *locator,
                            struct berr **err)
{
        const struct cgroup_ops *ops = cgroup_ops_for(locator);

        if (ops->attach(locator, pid, err) < 0)
                return berr_code(err);
        if (cfg->pre_start && cfg->pre_start(pid, cfg->pre_start_ud, err) < 0)
                return berr_wrap(err, "pre-start hook");
        return 0;
}

static unsigned long clone_flags(const struct rt_config *cfg)
{
        unsigned long f = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;

        if (cfg->net == RT_NET_NEW)
                f |= CLONE_NEWNET;
        if (cfg->userns)
                f |= CLONE_NEWUSER;
        return f;
}

static int run_child(const struct rt_config *cfg, uint64_t caps, const struct rt_seccomp_bpf *bpf,
                     const char *locator, struct rt_process *ret, struct berr **err)
{
        cleanup_close int pidfd = -1;
        int fds[2], st;
        pid_t pid;

        if (sync_pair(fds, err) < 0)
                return berr_code(err);
        pid = sys_clone_fork(clone_flags(cfg), &pidfd);
        if (pid < 0) {
                close(fds[0]);
                close(fds[1]);
                return berr_set(err, errno, "clone the container %s", cfg->id);
        }
        if (pid == 0) {
                close(fds[0]);
                child_main(cfg, fds[1], caps, bpf);
        }
        close(fds[1]);
        /* test hook (common/faultpoint.h): the supervisor dies with a child between clone and exec
         */
        fault_point("super.rt.cloned");
        if (sync_wait(fds[0], SYNC_CHILD_READY, err) < 0)
                goto child_failed;
        if (write_maps(cfg, pid, fds[0], err) < 0 || parent_configure(cfg, pid, locator, err) < 0) {
                (void)sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                goto child_failed;
        }
        fault_point("super.rt.configured");
        /* A child that failed meanwhile has its error queued: the wait below reads it. */
        (void)sync_send(fds[0], SYNC_PARENT_DONE);
        if (cfg->tty && sync_wait_fd(fds[0], SYNC_PTY, &ret->tty_master, err) < 0)
                goto child_failed;
        if (sync_wait(fds[0], SYNC_EXEC, err) < 0)
                goto child_failed;
        close(fds[0]);
        ret->pid = pid;
        ret->pidfd = TAKE_FD(pidfd);
        return 0;

child_failed:
        /* The child reported its failure and exits on its own (125 setup, 126/127 exec), so its
         * status tells the caller docker's exit code; a parent-side failure killed it above. */
        close(fds[0]);
        if (ret->tty_master >= 0)
                close(ret->tty_master);
        ret->tty_master = -1;
        ret->setup_status = 125;
        if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
                ret->setup_status = WEXITSTATUS(st);
        if (!*err)
                berr_msg(err, EIO, "setup failed");
        return berr_wrap(err, "container %s", cfg->id);
}

/* The per-container overlay dirs (upper, work, the mount point) are made here if missing. */
static int make_dirs(const struct rt_config *cfg, struct berr **err)
{
        cleanup_free char *mp = NULL;

        if (!cfg->lowerdirs)
                return 0;
        mp = rootfs_mountpoint(cfg);
        if ((cfg->upperdir && mkdir_p(cfg->upperdir, 0755, err) < 0) ||
            (cfg->workdir && mkdir_p(cfg->workdir, 0755, err) < 0) || mkdir_p(mp, 0755, err) < 0)
                return berr_wrap(err, "container %s", cfg->id);
        return 0;
}

static int apply_devices(const struct rt_config *cfg, const char *locator, struct berr **err)
{
        cleanup_free struct dev_rule *rules = NULL;
        size_t n = 0;

        if (dev_rules_for(cfg, &rules, &n, err) < 0 ||
            cgroup_ops_for(locator)->devices(locator, rules, n, err) < 0)
                return berr_wrap(err, "container %s", cfg->id);
        return 0;
}

int rt_spawn(const struct rt_config *cfg, struct rt_process *ret, struct berr **err)
{
        struct rt_seccomp_bpf *own_bpf = NULL;
        const struct rt_seccomp_bpf *bpf = cfg->seccomp_bpf;
        struct cgroup_env env = {0};
        char *locator = NULL;
        uint64_t caps;
        int r;

        memset(ret, 0, sizeof(*ret));
        ret->pidfd = -1;
        ret->tty_master = -1;
        ret->setup_status = 125;
        r = spawn_validate(cfg, &caps, err);
        if (r < 0)
                return r;
        if (!bpf && !cfg->privileged && cfg->seccomp != RT_SECCOMP_UNCONFINED) {
                r = rt_seccomp_compile(cfg, &own_bpf, err);
                if (r < 0)
                        return berr_wrap(err, "container %s", cfg->id);
                bpf = own_bpf;
        }
        if (cfg->privileged || cfg->seccomp == RT_SECCOMP_UNCONFINED)
                bpf = NULL;
        r = make_dirs(cfg, err);
        if (r >= 0)
                r = cgroup_env_host(&env, err);
        if (r >= 0)
                r = cgroup_detect()->create(&env, cfg->project, cfg->id, &cfg->resources, &locator,
                                            err);
        cgroup_env_done(&env);
        if (r >= 0 && cfg->cgroup_file)
                r = atomic_write_file(cfg->cgroup_file, locator, strlen(locator), 0600, err);
        if (r >= 0)
                r = apply_devices(cfg, locator, err);
        if (r >= 0)
                r = run_child(cfg, caps, bpf, locator, ret, err);
        if (r < 0 && locator)
                (void)cgroup_ops_for(locator)->destroy(locator, NULL);
        rt_seccomp_bpf_free(own_bpf);
        if (r < 0) {
                free(locator);
                return r;
        }
        ret->cgroup = locator;
        return 0;
}
