/* SPDX-License-Identifier: MIT */
/* runtime/exec: rt_exec (runtime.h). The new process is cloned straight into the container's pid
 * namespace (the caller's pid_for_children is pointed at it for the clone and restored at once),
 * moved into the container's cgroup by the parent at the SYNC_CHILD_READY barrier, then joins the
 * other namespaces through the container's pidfd in one setns() and finishes like the container's
 * own process (container_proc). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/wait.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/caps.h"
#include "runtime/cgroup.h"
#include "runtime/container_err.h"
#include "runtime/container_proc.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "runtime/sync.h"
#include "runtime/syscalls.h"

static _Noreturn void exec_child(const struct rt_config *cfg, const struct rt_exec_opts *o,
                                 int ctr_pidfd, int syncfd, uint64_t caps,
                                 const struct rt_seccomp_bpf *bpf)
{
        struct berr *err = NULL;
        int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
        char **env = proc_env_merge(cfg->env, o->env);
        struct proc_spec ps = {
                .argv = o->argv,
                .env = env,
                .cwd = o->cwd ? o->cwd : cfg->cwd,
                .user = o->user ? o->user : cfg->user,
                .caps = caps,
                .no_new_privs = !cfg->no_new_privs_off && !cfg->privileged,
                .seccomp = bpf,
                .ulimits = cfg->ulimits,
                .n_ulimits = cfg->n_ulimits,
                .stdio = o->stdio,
        };

        if (cfg->userns)
                flags |= CLONE_NEWUSER;
        if (sync_send(syncfd, SYNC_CHILD_READY) < 0 ||
            sync_wait(syncfd, SYNC_PARENT_DONE, &err) < 0)
                _exit(125);
        if (setns(ctr_pidfd, flags) < 0) {
                berr_set(&err, errno, "join the namespaces of the container");
                sync_send_berr(syncfd, err);
                _exit(125);
        }
        close(ctr_pidfd);
        proc_exec(&ps, syncfd);
}

/* The child is visible in the container's pid namespace from the clone on, running berth's own
 * binary until its execve: a process in the container could open it through /proc/<pid>/exe and
 * later reopen that for writing (CVE-2019-5736). A process that is not dumpable passes the
 * kernel's ptrace access check (which /proc/<pid>/exe, /mem, /fd, /environ go through) only for
 * a caller with CAP_SYS_PTRACE; the flag is inherited by the clone and reset by its execve. So
 * the caller is made non-dumpable for the clone, and restored. */
static int clone_into_pidns(pid_t target, int *pidfd, struct berr **err)
{
        cleanup_free char *path = xasprintf("/proc/%d/ns/pid", (int)target);
        cleanup_close int ns = open(path, O_RDONLY | O_CLOEXEC);
        cleanup_close int own = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
        pid_t pid;
        int saved, dumpable;

        if (ns < 0 || own < 0)
                return berr_set(err, errno, "open the pid namespaces");
        dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return berr_set(err, errno, "make the exec process non-dumpable");
        if (setns(ns, CLONE_NEWPID) < 0) {
                saved = errno;
                (void)prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
                return berr_set(err, saved, "enter the container's pid namespace");
        }
        pid = sys_clone_fork(0, pidfd);
        saved = errno;
        if (pid != 0 && setns(own, CLONE_NEWPID) < 0)
                abort(); /* cannot happen: returning to our own pid namespace is always allowed */
        if (pid != 0)
                (void)prctl(PR_SET_DUMPABLE, dumpable > 0 ? dumpable : 1, 0, 0, 0);
        if (pid < 0)
                return berr_set(err, saved, "clone");
        return pid;
}

/* *child_failed tells whether the failure came from the child (which then exits on its own with
 * docker's status) or from our side (the child must be killed). */
static int exec_parent(const struct rt_process *ctr, pid_t pid, int syncfd, bool *child_failed,
                       struct berr **err)
{
        const struct cgroup_ops *ops = cgroup_ops_for(ctr->cgroup);

        *child_failed = true;
        if (sync_wait(syncfd, SYNC_CHILD_READY, err) < 0)
                return berr_code(err);
        *child_failed = false;
        if (ops && ops->attach(ctr->cgroup, pid, err) < 0)
                return berr_code(err);
        *child_failed = true;
        (void)sync_send(syncfd, SYNC_PARENT_DONE);
        return sync_wait(syncfd, SYNC_EXEC, err);
}

int rt_exec(const struct rt_config *cfg, const struct rt_process *ctr,
            const struct rt_exec_opts *opts, struct rt_process *ret, struct berr **err)
{
        struct rt_seccomp_bpf *own_bpf = NULL;
        const struct rt_seccomp_bpf *bpf = cfg->seccomp_bpf;
        cleanup_close int ctr_pidfd = -1, pidfd = -1;
        uint64_t caps;
        bool child_failed = false;
        int fds[2] = {-1, -1}, st, r;
        pid_t pid;

        memset(ret, 0, sizeof(*ret));
        ret->pidfd = -1;
        ret->setup_status = 125;
        if (!opts->argv || !opts->argv[0])
                return berr_msg(err, EINVAL, "exec: no command");
        r = caps_compute(cfg->privileged, cfg->cap_add, cfg->cap_drop, &caps, err);
        if (r < 0)
                return r;
        if (!bpf && (r = rt_seccomp_compile(cfg, &own_bpf, err)) < 0)
                return r;
        if (!bpf)
                bpf = own_bpf;
        ctr_pidfd = sys_pidfd_open(ctr->pid, 0);
        if (ctr_pidfd < 0) {
                rt_seccomp_bpf_free(own_bpf);
                return berr_set(err, errno, "container %s is not running", cfg->id);
        }
        if (sync_pair(fds, err) < 0) {
                rt_seccomp_bpf_free(own_bpf);
                return berr_code(err);
        }
        pid = clone_into_pidns(ctr->pid, &pidfd, err);
        if (pid == 0) {
                close(fds[0]);
                exec_child(cfg, opts, ctr_pidfd, fds[1], caps, bpf);
        }
        close(fds[1]);
        rt_seccomp_bpf_free(own_bpf);
        if (pid < 0) {
                close(fds[0]);
                return pid;
        }
        r = exec_parent(ctr, pid, fds[0], &child_failed, err);
        close(fds[0]);
        if (r < 0) {
                if (!child_failed)
                        (void)sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
                        ret->setup_status = WEXITSTATUS(st);
                return berr_wrap(err, "exec in %s", cfg->id);
        }
        ret->pid = pid;
        ret->pidfd = TAKE_FD(pidfd);
        ret->cgroup = ctr->cgroup ? xstrdup(ctr->cgroup) : NULL;
        return 0;
}
