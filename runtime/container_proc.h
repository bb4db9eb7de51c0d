/* SPDX-License-Identifier: MIT */
/* runtime/container_proc: the last steps of a container process, shared by spawn and exec, run
 * inside the container after its root is in place: stdio (or a pty, runtime/pty.h), rlimits, user
 * lookup in the image's /etc/passwd and /etc/group, environment (PATH/HOME/HOSTNAME defaults),
 * working directory, capabilities (bounding, then after the user switch), no_new_privs, seccomp,
 * close every other fd, then exec (through the built-in init when asked). An exec failure goes back
 * over the sync socket as ENOENT/EACCES and the process exits 127/126. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

struct rt_seccomp_bpf;
struct rt_ulimit;
struct berr;

struct proc_spec {
        char **argv;
        char **env; /* merged K=V */
        const char *cwd;
        const char *user;
        const char *hostname; /* for HOSTNAME= when the env lacks it */
        uint64_t caps;
        bool no_new_privs;
        const struct rt_seccomp_bpf *seccomp; /* NULL = unconfined */
        const struct rt_ulimit *ulimits;
        size_t n_ulimits;
        const int *stdio; /* 3 fds or -1 */
        bool init;
        /* A terminal instead of stdio: a new pty of the container's devpts, the slave as fds
         * 0-2 and controlling terminal (owned by the user), the master sent on the sync socket
         * as SYNC_PTY before anything else can fail. */
        bool tty;
        unsigned short tty_rows, tty_cols;
        /* exec: once everything above is in place, clone(CLONE_PARENT) the process that execs
         * (a child of the caller's parent, in the pid namespace this one's children go to),
         * report its pid on the sync socket (SYNC_CHILD_PID) and exit. */
        bool clone_to_exec;
        /* with clone_to_exec: >= 0, run that last clone from this sealed program
         * (runtime/exec_trampoline.h), so the process the container sees never runs berth's
         * binary */
        int trampoline_fd;
};

/* Never returns: execs, or reports the failure on syncfd and exits. */
noreturn void proc_exec(const struct proc_spec *ps, int syncfd);
/* Merge env overrides (K=V, later wins) onto base; returns a new vector. */
char **proc_env_merge(char *const *base, char *const *over);
/* Exit status for a failed spawn step: 127 not found, 126 not executable, 125 other. */
int proc_exit_code_for(int err_code, bool at_exec);
