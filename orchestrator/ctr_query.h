/* SPDX-License-Identifier: MIT */
/* orchestrator/ctr_query: read-only questions about a project's containers for the commands that
 * act on one container (exec, top, port, images, pause, wait...): the containers and their status
 * (from the supervisor when one runs, else from the recorded state), the one a service's
 * --index names, and a container's persisted cgroup locator. Nothing here changes anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "orchestrator/proto.h"

struct berr;
struct stack;

/* The project's containers, re-adopting running ones first when their supervisor died
 * (stack_adopt_if_orphaned). *live tells whether a supervisor answered (else the recorded state:
 * nothing runs). Free with ctr_query_free. */
int ctr_query_list(struct stack *st, struct proto_container **ret, size_t *ret_n, bool *live,
                   struct berr **err);
void ctr_query_free(struct proto_container *v, size_t n);

/* Replica `index` (1-based) of service in v; NULL when absent. */
const struct proto_container *ctr_query_find(const struct proto_container *v, size_t n,
                                             const char *service, unsigned index);

/* The cgroup locator the backend persisted for container name; NULL when none (caller frees). */
char *ctr_query_cgroup(const char *root, const char *name);

/* Every pid in a cgroup (from its first hierarchy's cgroup.procs); caller frees. */
int ctr_query_pids(const char *cgroup, pid_t **ret, size_t *ret_n, struct berr **err);
