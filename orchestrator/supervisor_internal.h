/* SPDX-License-Identifier: MIT */
/* orchestrator/supervisor_internal: the supervisor's objects, shared by supervisor.c (life
 * cycle, loop, state), supervisor_ctr.c (one container: start, exit, restart, stop, health,
 * log capture) and supervisor_ctl.c (control socket, requests, events). Not for other modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "orchestrator/backend.h"
#include "orchestrator/health.h"
#include "orchestrator/logs.h"
#include "orchestrator/proto.h"
#include "orchestrator/restart.h"
#include "orchestrator/state.h"
#include "orchestrator/supervisor.h"

struct event;
struct event_base;
struct bufferevent;
struct evconnlistener;

/* Bytes read from one log FIFO per wake-up before yielding to the rest of the loop. */
#define SUP_LOG_READ_BUDGET (256u * 1024u)
/* Pipe capacity asked for each FIFO: what a container can write while no supervisor runs. */
#define SUP_FIFO_SIZE       (1u << 20)
/* How long the loop must stay quiet before freed heap pages go back to the kernel. */
#define SUP_TRIM_DELAY_MS   500u
/* An events subscriber further behind than this is dropped rather than buffered. */
#define SUP_CLIENT_OUT_MAX  (4u << 20)

struct sup_ctr {
        struct supervisor *sup;
        struct sup_service *svc;
        size_t idx; /* in sup->state->ctrs */
        char *name;

        struct backend_proc proc; /* pid 0 when not running */
        struct event *ev_exit;
        uint64_t started_mono;
        bool stopping;      /* stop requested, waiting for the exit */
        bool start_on_exit; /* restart requested: start again once it exited */
        struct restart_state rs;
        struct event *ev_restart; /* pending policy restart */
        struct event *ev_kill;    /* stop grace expiry */

        struct health_state hs;
        struct event *ev_health; /* next probe */
        struct backend_proc probe;
        struct event *ev_probe_exit, *ev_probe_timeout;

        struct log_writer *log;
        char *fifo_path[LOG_STREAM__MAX];
        int fifo_rd[LOG_STREAM__MAX];
        struct event *ev_log[LOG_STREAM__MAX];
        uint64_t log_dropped; /* bytes dropped since the last write that worked (disk full) */
};

struct sup_client {
        struct supervisor *sup;
        struct bufferevent *bev;
        struct proto_reader rd;
        bool events;           /* subscribed */
        char **event_services; /* only these services' events; NULL = all */
        bool discard;          /* sent a too-large request: answered, its input is dropped
                                * until it closes (so it reads the answer, not an EPIPE) */
        struct sup_client *next;
};

/* A request answered later: stop/restart/wait/down complete when their containers exited. */
struct sup_pending {
        struct sup_client *client;
        uint64_t id;
        enum proto_op op;
        struct sup_ctr **ctrs;
        size_t n_ctrs;
        struct sup_pending *next;
};

struct supervisor {
        struct sup_config cfg;
        struct event_base *base;
        struct state_project *state;
        struct sup_ctr *ctrs;
        size_t n_ctrs;
        int lock_fd;
        char *run_dir, *sock_path, *state_dir;
        struct evconnlistener *listener;
        struct event *ev_sigchld, *ev_sigterm, *ev_sigint;
        struct event *ev_trim; /* give freed heap pages back once things are quiet */
        struct sup_client *clients;
        struct sup_pending *pending;
        bool down;         /* down requested: exit once everything stopped */
        bool remove_state; /* down removes state and logs (as compose down removes containers) */
};

/* supervisor.c */
void sup_save_state(struct supervisor *s);
/* After a burst of work (a start, an exit, a client): malloc_trim once the loop idled for
 * SUP_TRIM_DELAY_MS, so an idle supervisor keeps only the heap pages it uses. */
void sup_trim_later(struct supervisor *s);
struct state_container *sup_ctr_state(struct sup_ctr *c);
void sup_emit(struct supervisor *s, const char *type, struct sup_ctr *c, int exit_code,
              const char *health);

/* supervisor_ctr.c */
int sup_ctr_init(struct sup_ctr *c, struct berr **err);
void sup_ctr_done(struct sup_ctr *c);
int sup_ctr_start(struct sup_ctr *c, struct berr **err);
/* Re-adopt from state: 1 adopted, 0 it is gone (handled as an exit), < 0 error. */
int sup_ctr_adopt(struct sup_ctr *c, struct berr **err);
/* Stop: signal now, SIGKILL after grace_ms; cancels restarts. No-op if not running. */
void sup_ctr_stop(struct sup_ctr *c, int64_t grace_ms);
void sup_ctr_kill(struct sup_ctr *c, int sig);
bool sup_ctr_running(const struct sup_ctr *c);
/* Reap any child that is not a tracked container or probe (SIGCHLD fallback). */
void sup_reap_children(struct supervisor *s);

/* supervisor_ctl.c */
int sup_ctl_listen(struct supervisor *s, struct berr **err);
void sup_ctl_close(struct supervisor *s);
/* Send an event line to the subscribers that want events of service (NULL: project-wide). */
void sup_ctl_broadcast(struct supervisor *s, const char *service, const char *line, size_t len);
/* A container changed: complete the pending requests it was holding. */
void sup_ctl_check_pending(struct supervisor *s);
