/* SPDX-License-Identifier: MIT */
/* orchestrator/backend: what the supervisor needs from whatever runs a container, so it never
 * knows how one is made. A backend starts a container's main process with the stdio fds it is
 * given, signals the whole container, runs a healthcheck probe inside it, re-adopts one a
 * previous supervisor started, and cleans up after it. backend_proc.c runs plain host
 * processes (each in its own process group); the container runtime plugs in the same way with
 * an rt_config as the per-service config. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sys/types.h>

struct berr;
struct backend;

/* One running process the supervisor watches: a container's main process or a probe. */
struct backend_proc {
        pid_t pid;
        int pidfd;      /* owned by the supervisor once returned */
        uint64_t start; /* /proc starttime, recorded to detect pid reuse on re-adoption */
        bool child;     /* our child (waitid gives its status) or adopted (status unknown) */
        int tty_master; /* set by start for a container with a terminal: the pty master, the
                         * supervisor's to read and close; left alone otherwise (the caller
                         * sets -1 before start) */
};

struct backend_ops {
        const char *name;
        /* Start the main process of container `name` from the service's backend config with
         * stdin on /dev/null and stdout/stderr on out_fd/err_fd (the caller closes its copies),
         * or (a container backend, tty: true) on a pty returned in ret->tty_master. */
        int (*start)(struct backend *b, const void *config, const char *name, int out_fd,
                     int err_fd, struct backend_proc *ret, struct berr **err);
        /* Signal the container's main process, or with all every process of it (process
         * group, cgroup): stop_signal and `kill` go to the main process as docker does, the
         * SIGKILL after the grace period to all. */
        int (*kill)(struct backend *b, const struct backend_proc *p, int sig, bool all,
                    struct berr **err);
        /* Run argv inside the container as a healthcheck probe, output discarded. */
        int (*probe)(struct backend *b, const void *config, const struct backend_proc *p,
                     char *const *argv, struct backend_proc *ret, struct berr **err);
        /* Re-adopt a process recorded by an earlier supervisor: -ESRCH when it is gone or the
         * pid now belongs to another process (start time differs). */
        int (*adopt)(struct backend *b, const void *config, const char *name, pid_t pid,
                     uint64_t start, struct backend_proc *ret, struct berr **err);
        /* The main process is gone: release what start made. */
        void (*cleanup)(struct backend *b, const void *config, const struct backend_proc *p);
        void (*free)(struct backend *b);
};

struct backend {
        const struct backend_ops *ops;
};

/* Shared by backends: pidfd_open the pid and check it still has the recorded start time. */
int backend_adopt_pid(pid_t pid, uint64_t start, struct backend_proc *ret, struct berr **err);
