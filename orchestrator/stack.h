/* SPDX-License-Identifier: MIT */
/* orchestrator/stack: a loaded project ready to act on, shared by up, down, ps, start, stop...:
 * the compose model, the plan of every service (with its image opened from the store), the
 * project's networks, and the connection to its supervisor, spawning one when none runs.
 * The commands stay thin: they pick services and call these. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct berr;
struct cli;
struct ctl_conn;
struct plan_project;
struct plan_service;
struct progress;
struct spec_project;
struct state_project;

struct stack {
        const struct cli *cli;
        struct spec_project *p;
        struct plan_project *pp;
        struct plan_service **svcs; /* parallel to p->services; NULL where not planned */
        char *name;                 /* project name */
};

/* Load the compose project (printing its diagnostics). Returns 0 or an exit status. */
int stack_load(const struct cli *cli, struct stack *st);
void stack_done(struct stack *st);

/* Plan the services named (NULL: all): open their images (which must be present) and build
 * their plans. Errors name the service. */
int stack_plan(struct stack *st, char *const *services, struct berr **err);

/* Bring up the project's networks (idempotent) and check the published ports of the planned
 * services for conflicts, before any container is made. */
int stack_net_up(struct stack *st, struct berr **err);
/* Publish the ports of every planned service's containers (one nft transaction). */
int stack_ports_apply(struct stack *st, struct berr **err);

/* Connect to the supervisor, spawning it (with every planned service, starting none) when none
 * runs. */
int stack_supervisor(struct stack *st, struct ctl_conn **ret, struct berr **err);

/* The services to act on: the names given plus, unless no_deps, everything they depend on
 * (depends_on, links, network_mode service:, volumes_from), in start order. */
char **stack_with_deps(const struct stack *st, char *const *names, bool no_deps);
/* The start wave of each service of p (parallel to p->services). Caller frees. */
int *stack_waves(const struct stack *st, int *ret_n);

/* When the state says containers run but no supervisor answers (it was killed), start one: it
 * re-adopts them, drains the output they wrote meanwhile and applies their restart policies.
 * Returns 1 when one was started, 0 when not needed. */
int stack_adopt_if_orphaned(struct stack *st, struct berr **err);

/* Names of the project's containers recorded in its state (caller frees), NULL when none. */
struct state_project *stack_state(const struct stack *st);
