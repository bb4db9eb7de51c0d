/* SPDX-License-Identifier: MIT */
/* runtime/exec: rt_exec (runtime.h). An intermediate process, forked in the caller's pid namespace
 * (so nothing in the container sees it), is moved into the container's cgroup by the parent at the
 * SYNC_CHILD_READY barrier, joins every namespace of the container through its pidfd in one
 * setns() (the pid namespace as the one its children go to), takes on the container's user,
 * capabilities, no_new_privs and seccomp filter (container_proc), and only then clones, with
 * CLONE_PARENT, the process that execs the command: that one is the caller's child and the
 * first of berth's to appear in the container, already confined. The intermediate reports its
 * pid and exits. Both run non-dumpable (CVE-2019-5736: see clone_intermediate). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
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
#include "runtime/exec_trampoline.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "runtime/sync.h"
#include "runtime/syscalls.h"

static _Noreturn void exec_child(const struct rt_config *cfg, const struct rt_exec_opts *o,
                                 int ctr_pidfd, int syncfd, uint64_t caps,
                                 const struct rt_seccomp_bpf *bpf, int tfd)
{
        struct berr *err = NULL;
        int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP |
                    CLONE_NEWPID;
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
                .tty = o->tty,
                .tty_rows = o->tty_rows,
                .tty_cols = o->tty_cols,
                .clone_to_exec = true,
                .trampoline_fd = tfd,
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

/* Until its execve, the exec process runs berth's own binary; once it is in the container's pid
 * namespace, a process there could open that through /proc/<pid>/exe and later reopen it for
 * writing (CVE-2019-5736). A process that is not dumpable passes the kernel's ptrace access check
 * (which /proc/<pid>/exe, /mem, /fd, /environ go through) only for a caller with CAP_SYS_PTRACE;
 * the flag is inherited by clones and reset by execve. So the caller is made non-dumpable for the
 * fork of the intermediate, and restored. */
static pid_t clone_intermediate(int *pidfd, struct berr **err)
{
        int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), saved;
        pid_t pid;

        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return berr_set(err, errno, "make the exec process non-dumpable");
        pid = sys_clone_fork(0, pidfd);
        saved = errno;
        if (pid != 0)
                (void)prctl(PR_SET_DUMPABLE, dumpable > 0 ? dumpable : 1, 0, 0, 0);
        if (pid < 0)
                return berr_set(err, saved, "clone");
        return pid;
}

/* *child_failed tells whether the failure came from the child (which then exits on its own with
 * docker's status) or from our side (the child must be killed). */
static int exec_parent(const struct rt_process *ctr, pid_t pid, int syncfd, bool tty,
                       int *tty_master, bool *child_failed, pid_t *ret_exec_pid, struct berr **err)
{
        const struct cgroup_ops *ops = cgroup_ops_for(ctr->cgroup);
        int exec_pid = 0;

        *child_failed = true;
        if (sync_wait(syncfd, SYNC_CHILD_READY, err) < 0)
                return berr_code(err);
        *child_failed = false;
        if (ops && ops->attach(ctr->cgroup, pid, err) < 0)
                return berr_code(err);
        *child_failed = true;
        (void)sync_send(syncfd, SYNC_PARENT_DONE);
        if (tty && sync_wait_fd(syncfd, SYNC_PTY, tty_master, err) < 0)
                return berr_code(err);
        if (sync_wait_value(syncfd, SYNC_CHILD_PID, &exec_pid, err) < 0)
                return berr_code(err);
        *ret_exec_pid = exec_pid;
        return sync_wait(syncfd, SYNC_EXEC, err);
}

int rt_exec(const struct rt_config *cfg, const struct rt_process *ctr,
            const struct rt_exec_opts *opts, struct rt_process *ret, struct berr **err)
{
        struct rt_seccomp_bpf *own_bpf = NULL;
        const struct rt_seccomp_bpf *bpf = cfg->seccomp_bpf;
        cleanup_close int ctr_pidfd = -1, pidfd = -1, exec_pidfd = -1, tfd = -1;
        uint64_t caps;
        bool child_failed = false;
        int fds[2] = {-1, -1}, st, r;
        pid_t pid, exec_pid = 0;

        memset(ret, 0, sizeof(*ret));
        ret->pidfd = -1;
        ret->tty_master = -1;
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
        /* A container that may ptrace passes the non-dumpable check: its exec process must never
         * run berth's binary at all once it is visible there. */
        if (caps & (UINT64_C(1) << CAP_SYS_PTRACE)) {
                tfd = trampoline_fd(err);
                if (tfd == -ENOTSUP) {
                        tfd = -1;
                } else if (tfd < 0) {
                        rt_seccomp_bpf_free(own_bpf);
                        return berr_wrap(err, "exec in %s", cfg->id);
                }
        }
        if (sync_pair(fds, err) < 0) {
                rt_seccomp_bpf_free(own_bpf);
                return berr_code(err);
        }
        pid = clone_intermediate(&pidfd, err);
        if (pid == 0) {
                close(fds[0]);
                exec_child(cfg, opts, ctr_pidfd, fds[1], caps, bpf, tfd);
        }
        close(fds[1]);
        rt_seccomp_bpf_free(own_bpf);
        if (pid < 0) {
                close(fds[0]);
                return pid;
        }
        r = exec_parent(ctr, pid, fds[0], opts->tty, &ret->tty_master, &child_failed, &exec_pid,
                        err);
        close(fds[0]);
        if (r < 0 && !child_failed)
                (void)sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        /* the intermediate exits once it has cloned the exec process, or failed */
        if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && r < 0)
                ret->setup_status = WEXITSTATUS(st);
        if (r < 0) {
                if (ret->tty_master >= 0)
                        close(ret->tty_master);
                ret->tty_master = -1;
                /* the exec process reported its failure and exits 126/127 */
                if (exec_pid > 0 && waitpid(exec_pid, &st, 0) == exec_pid && WIFEXITED(st))
                        ret->setup_status = WEXITSTATUS(st);
                return berr_wrap(err, "exec in %s", cfg->id);
        }
        /* our child (CLONE_PARENT) and not yet reaped: its pid cannot have been reused */
        exec_pidfd = sys_pidfd_open(exec_pid, 0);
        if (exec_pidfd < 0) {
                r = berr_set(err, errno, "exec in %s: pidfd of %d", cfg->id, (int)exec_pid);
                (void)kill(exec_pid, SIGKILL);
                (void)waitpid(exec_pid, NULL, 0);
                if (ret->tty_master >= 0)
                        close(ret->tty_master);
                ret->tty_master = -1;
                return r;
        }
        ret->pid = exec_pid;
        ret->pidfd = TAKE_FD(exec_pidfd);
        ret->cgroup = ctr->cgroup ? xstrdup(ctr->cgroup) : NULL;
        return 0;
}
