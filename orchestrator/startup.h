/* SPDX-License-Identifier: MIT */
/* orchestrator/startup: start services in dependency order through the supervisor, as compose
 * does: wave by wave, each service once the conditions of its depends_on hold
 * (service_started, service_healthy, service_completed_successfully; required: false skips a
 * dependency that is not there), and wait for services to be running/healthy (`up --wait`). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct berr;
struct ctl_conn;
struct progress;
struct stack;

/* Start targets (services, in any order) with their dependency conditions honoured. */
int startup_run(struct stack *st, struct ctl_conn *conn, char *const *targets, struct progress *pr,
                int64_t dep_timeout_ms, struct berr **err);

/* Wait until every container of services is running and, if it has a healthcheck, healthy.
 * -ETIMEDOUT after timeout_ms (< 0: forever); an exited or unhealthy container is an error. */
int startup_wait(struct stack *st, struct ctl_conn *conn, char *const *services, int64_t timeout_ms,
                 struct progress *pr, struct berr **err);
