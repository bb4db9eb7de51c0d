/* SPDX-License-Identifier: MIT */
/* orchestrator/ctl_client: the CLI's side of the control socket. Connect to a project's
 * supervisor, send a request and wait for its answer (events arriving meanwhile are skipped),
 * or read the event stream. Blocking I/O: a CLI does one thing at a time. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "orchestrator/proto.h"

struct berr;
struct sockaddr_un;

struct ctl_conn {
        int fd;
        struct proto_reader rd;
        uint64_t next_id;
        char *project, *log; /* named when the supervisor dies mid-request */
};

/* Fill sa for path; a path too long for sun_path goes through /proc/self/fd/<dirfd>/<base>.
 * Returns 0 or -ENAMETOOLONG. */
int ctl_sockaddr(const char *path, int dirfd, struct sockaddr_un *sa);
/* -ENOENT or -ECONNREFUSED (err set) when no supervisor listens. */
int ctl_connect(const char *run, const char *project, struct ctl_conn **ret, struct berr **err);
/* Send req (its id is assigned) and wait for the response; an error response becomes an error
 * (code EIO, its text as message). timeout_ms < 0 waits forever. */
int ctl_call(struct ctl_conn *c, struct proto_request *req, struct proto_response *ret,
             int timeout_ms, struct berr **err);
/* Read the next message; 0 on EOF, 1 when one was read. */
int ctl_next(struct ctl_conn *c, struct proto_response *resp, struct proto_event *ev,
             bool *is_event, int timeout_ms, struct berr **err);
void ctl_close(struct ctl_conn *c);
