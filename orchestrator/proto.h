/* SPDX-License-Identifier: MIT */
/* orchestrator/proto: the control protocol between a CLI and the project's supervisor, spoken
 * over `$BERTH_RUN/<project>/control.sock`. Framing: one JSON object per line, at most
 * PROTO_LINE_MAX bytes. The client sends requests {"id":N,"op":"ps",...}; the supervisor answers
 * each with one response {"id":N,"ok":true,...} or {"id":N,"ok":false,"error":"..."}, and, on a
 * connection that asked for "events", streams events {"event":"die","container":...}.
 * Pure: encode/decode and framing only, typed structs in and out (fuzzed). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "common/strbuf.h"

struct berr;

#define PROTO_VERSION  1
#define PROTO_LINE_MAX (1u << 20)

enum proto_op {
        PROTO_OP_PS,      /* containers and their status */
        PROTO_OP_START,   /* start the named services' containers (all when none) */
        PROTO_OP_STOP,    /* stop_signal, then SIGKILL after timeout_ms; cancels restarts */
        PROTO_OP_RESTART, /* stop then start */
        PROTO_OP_KILL,    /* send `signal` to the whole process group */
        PROTO_OP_WAIT,    /* answer when the named containers have exited, with exit codes */
        PROTO_OP_EVENTS,  /* answer ok, then stream events on this connection */
        PROTO_OP_DOWN,    /* stop everything, answer, then the supervisor exits */
        PROTO_OP_PAUSE,   /* record running containers as paused (the CLI froze them) */
        PROTO_OP_UNPAUSE, /* record paused containers as running again (the CLI thawed them) */
        PROTO_OP_READY,   /* answer when the containers run and are healthy (those with a
                           * healthcheck); an error as soon as one exited for good or is
                           * unhealthy (`up --wait`, depends_on: service_healthy) */
        PROTO_OP__MAX,
        PROTO_OP__INVALID = -22,
};

struct proto_request {
        uint64_t id;
        enum proto_op op;
        char **services;    /* NULL-terminated, NULL = all */
        int signal;         /* kill: signal number (0 = default SIGKILL) */
        int64_t timeout_ms; /* stop/restart/down: grace override; -1 = the service's own */
};

struct proto_container {
        char *name, *service;
        unsigned number;
        char *status; /* created running restarting paused exited dead */
        char *health; /* NULL, starting, healthy, unhealthy */
        pid_t pid;
        int exit_code;
        unsigned restart_count;
        int64_t started_ns, finished_ns;
};

struct proto_response {
        uint64_t id;
        bool ok;
        char *error;                  /* when !ok */
        struct proto_container *ctrs; /* ps, wait */
        size_t n_ctrs;
};

struct proto_event {
        int64_t time_ns;
        char *type;      /* create start die restart stop kill health_status give_up ... */
        char *container; /* NULL for project-wide events */
        char *service;
        int exit_code; /* die; -1 otherwise */
        char *health;  /* health_status */
};

const char *proto_op_to_string(enum proto_op op);
enum proto_op proto_op_from_string(const char *s);

/* Encoders append one line (with "\n") to b. */
void proto_encode_request(struct strbuf *b, const struct proto_request *req);
void proto_encode_response(struct strbuf *b, const struct proto_response *resp);
void proto_encode_event(struct strbuf *b, const struct proto_event *ev);

int proto_decode_request(const char *line, size_t len, struct proto_request *ret,
                         struct berr **err);
/* A line from the supervisor is a response or an event: *ret_is_event says which was filled. */
int proto_decode_message(const char *line, size_t len, struct proto_response *ret_resp,
                         struct proto_event *ret_ev, bool *ret_is_event, struct berr **err);

void proto_request_done(struct proto_request *r);
void proto_response_done(struct proto_response *r);
void proto_container_done(struct proto_container *c);
void proto_event_done(struct proto_event *e);

/* Line framing over a byte stream with a size limit. */
struct proto_reader {
        struct strbuf buf;
        size_t start; /* consumed prefix */
        size_t max;   /* PROTO_LINE_MAX unless set */
};

void proto_reader_init(struct proto_reader *r, size_t max);
void proto_reader_done(struct proto_reader *r);
void proto_reader_feed(struct proto_reader *r, const void *data, size_t len);
/* 1 with *line (not NUL-terminated at len; valid until the next feed/next) and *len set, 0 when
 * a full line is not there yet, -EMSGSIZE when the pending line exceeds the limit (the reader
 * is then unusable: close the connection). */
int proto_reader_next(struct proto_reader *r, const char **line, size_t *len);
