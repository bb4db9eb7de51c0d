/* SPDX-License-Identifier: MIT */
/* orchestrator/supervisor: one process per project that owns its containers. One libevent
 * loop: container exits (pidfd, SIGCHLD fallback), restart policies with backoff timers,
 * healthcheck timers, stop with stop_signal then SIGKILL after the grace period, log capture
 * from FIFOs into the log writers, the events stream and the control socket. It holds the
 * project lock for its life, records state after every change, and on start re-adopts the
 * containers an earlier supervisor left running (see docs/orchestrator.md for the FIFO scheme
 * that keeps their output flowing while no supervisor runs).
 *
 * Thin callers: build a struct sup_config (services with a backend config each), then
 * supervisor_spawn() from a CLI (daemonises and returns once the socket answers) or
 * supervisor_new() + supervisor_run() in the current process. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "orchestrator/health.h"
#include "orchestrator/logs.h"
#include "orchestrator/restart.h"

struct berr;
struct event_base;
struct backend;
struct supervisor;

#define SUP_DEFAULT_STOP_GRACE_MS 10000u

struct sup_service {
        char *name;
        unsigned replicas; /* containers <project>-<name>-1..replicas */
        struct restart_spec restart;
        struct health_config health;
        int stop_signal; /* 0 = SIGTERM */
        uint64_t stop_grace_ms;
        struct log_writer_opts log;
        char *config_hash;    /* recorded in state; may be NULL */
        void *backend_config; /* handed to the backend as is */
        void (*free_backend_config)(void *);
};

struct sup_config {
        char *project;
        const char *root; /* $BERTH_ROOT */
        const char *run;  /* $BERTH_RUN */
        struct sup_service *services;
        size_t n_services;
        struct backend *backend; /* owned by the supervisor once passed to supervisor_new */
        bool no_start;           /* adopt what runs, start nothing new */
        /* Called once the event loop exists, in the supervisor process (the project's DNS server
         * lives there); loop_done when it ends. May be NULL. */
        int (*loop_init)(struct event_base *base, void *ud, struct berr **err);
        void (*loop_done)(void *ud);
        void *loop_ud;
        bool sigchld_only; /* tests: watch our children through SIGCHLD alone, as on a
                            * kernel without pidfd polling (the fallback path) */
};

void sup_service_done(struct sup_service *s);
void sup_config_done(struct sup_config *c);

/* Take the project lock, prepare $BERTH_RUN/<project>/, listen on the control socket, load the
 * state and re-adopt the containers still running. cfg's contents move into the supervisor
 * (cfg is left empty). -EBUSY when another supervisor holds the project. */
int supervisor_new(struct sup_config *cfg, struct supervisor **ret, struct berr **err);
/* Start every container not running (unless stopped by the user or no_start), then loop until
 * `down` or SIGTERM. ready_fd >= 0: "ok\n" is written to it once the socket answers and the
 * first containers started, then it is closed. */
int supervisor_run(struct supervisor *s, int ready_fd, struct berr **err);
void supervisor_free(struct supervisor *s);

/* From a CLI: fork twice, become a session leader and child subreaper, stdio to
 * $BERTH_RUN/<project>/supervisor.log, run the supervisor; the caller returns once it is ready
 * (or with its startup error). -ECHILD: the supervisor runs but some container failed to
 * start (err names them). cfg is consumed. */
int supervisor_spawn(struct sup_config *cfg, struct berr **err);
/* The same, but the daemon execs exe (the berth-supervisor binary) with the plan (JSON text of
 * orchestrator/super_plan) in an inherited memfd: argv[1] its fd, argv[2] the ready fd. */
int supervisor_spawn_exec(const char *exe, const char *plan, struct berr **err);
/* The daemon's side (in the process that is to become the supervisor): log to
 * $BERTH_RUN/<project>/supervisor.log, become a child subreaper, run the supervisor until it
 * ends, writing the ready line to ready_fd. Never returns. */
_Noreturn void supervisor_daemon_main(struct sup_config *cfg, int ready_fd);
