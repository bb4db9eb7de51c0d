/* SPDX-License-Identifier: MIT */
/* orchestrator/reconcile: make the recorded containers and the running supervisor match the
 * plan before `up` starts anything. A container whose config hash (normalised service config +
 * image digest) differs from its plan is stopped and removed, so it is created anew (all of the
 * planned services' with force_recreate, none with no_recreate); orphans (containers of services
 * no longer in the file) are reported, or removed with remove_orphans. When the running
 * supervisor lacks a planned service or lost a container, it is replaced: it is SIGKILLed, which
 * leaves the other containers running, and the next supervisor re-adopts them (the same path as
 * a crash, so it is the tested one). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct berr;
struct progress;
struct stack;

struct reconcile_opts {
        bool force_recreate;
        bool no_recreate;
        bool remove_orphans;
        int64_t timeout_ms; /* stop grace override; -1 = each service's */
        char **targets;     /* services to act on */
        /* out: services left running whose depends_on has `restart: true` on a service that is
         * recreated now; `up` restarts them once their dependencies run again */
        char **restart_after;
};

int reconcile(struct stack *st, struct reconcile_opts *o, struct progress *pr, struct berr **err);

/* Stop (through the supervisor when one runs, else by signal) and remove one recorded
 * container: its processes, cgroup, directories, address and state entry, and with anon_volumes
 * its anonymous volumes. */
int reconcile_remove_container(struct stack *st, const char *name, bool anon_volumes,
                               struct berr **err);

/* SIGKILL the project's supervisor and wait for its lock to be released. */
int reconcile_kill_supervisor(const char *run, const char *project, struct berr **err);
