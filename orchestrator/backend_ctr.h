/* SPDX-License-Identifier: MIT */
/* orchestrator/backend_ctr: the supervisor's backend that runs services as containers. Its
 * per-service config is a struct plan_service (orchestrator/plan.h). start: per-container
 * directories under $BERTH_ROOT/containers/<name>/, the network attachments made at the runtime's
 * pre-start barrier (veth into the new netns, address, /etc/hosts and /etc/resolv.conf written
 * before the child mounts them), then rt_spawn. kill: the stop signal to pid 1, SIGKILL to the
 * whole cgroup. probe: rt_exec of the healthcheck. cleanup: the cgroup goes; the container's
 * writable layer and address stay for a restart (`rm`/`down` remove them: backend_ctr_remove). */
#pragma once

#include <stdbool.h>

struct backend;
struct berr;
struct plan_service;
struct rt_config;

struct backend *backend_ctr_new(void);
struct backend_proc;

/* The backend's start with stdin on in_fd (-1: /dev/null), for one-off containers (`berth run`)
 * that are not the supervisor's. b is a backend_ctr_new() backend. */
int backend_ctr_start_io(struct backend *b, const struct plan_service *s, const char *name,
                         int in_fd, int out_fd, int err_fd, struct backend_proc *ret,
                         struct berr **err);
/* What a container's stdio is: three fds (-1: /dev/null), or with tty a new pty of the
 * container (tty_rows x tty_cols when set) whose master comes back in tty_master (-1 without). */
struct backend_ctr_io {
        int stdio[3];
        bool tty;
        unsigned short tty_rows, tty_cols;
        int tty_master; /* out: the caller's to close */
};

/* backend_ctr_start_io with the container's stdio described by io. */
int backend_ctr_start_with(struct backend *b, const struct plan_service *s, const char *name,
                           struct backend_ctr_io *io, struct backend_proc *ret, struct berr **err);

/* For sup_service.free_backend_config. */
void backend_ctr_config_free(void *config);

/* The runtime config of container `name` of s, with the seccomp filter compiled (cached in s's
 * owner when b is given). Free with plan_rt_config_done. */
void backend_ctr_rt_config(const struct plan_service *s, const char *name, struct rt_config *cfg);

/* The containers of project that have a directory under <root>/containers (whatever the state
 * says: a `down` killed half-way leaves some without one). Caller frees. */
char **backend_ctr_list(const char *root, const char *project);

/* The cgroup directories `down` sweeps for project (runtime/cgroup.h cgroup_project_dirs): the
 * caller's berth/<project> in every hierarchy and those the recorded containers were made in. */
char **backend_ctr_cgroup_dirs(const char *root, const char *project);

/* Remove what a container leaves between runs: its cgroup, directories and IPAM address, and
 * with anon_volumes its anonymous volumes (kept for the container that replaces it otherwise).
 * Idempotent; for `rm`, `down` and recreation. */
int backend_ctr_remove(const char *root, const char *project, const char *name, bool anon_volumes,
                       struct berr **err);
