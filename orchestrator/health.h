/* SPDX-License-Identifier: MIT */
/* orchestrator/health: the healthcheck state machine, pure. A container with a healthcheck
 * starts `starting`; each probe result moves it with health_on_result(); health_next_delay()
 * says when to probe next (start_interval during start_period, interval after). Semantics and
 * defaults are docker's: interval 30s, timeout 30s, retries 3, start_period 0, start_interval 5s;
 * a failure inside start_period does not count, a success there makes it healthy; `retries`
 * consecutive failures make it unhealthy, which is reported, never acted upon. The supervisor
 * owns the timers and runs the probes through its backend. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define HEALTH_DEFAULT_INTERVAL_MS       30000u
#define HEALTH_DEFAULT_TIMEOUT_MS        30000u
#define HEALTH_DEFAULT_RETRIES           3u
#define HEALTH_DEFAULT_START_INTERVAL_MS 5000u

enum health_test_kind {
        HEALTH_TEST_NONE,      /* no healthcheck (or disable: true / test: ["NONE"]) */
        HEALTH_TEST_CMD,       /* argv executed directly */
        HEALTH_TEST_CMD_SHELL, /* one string run by /bin/sh -c */
};

struct health_config {
        enum health_test_kind kind;
        char **argv; /* CMD: the argv; CMD_SHELL: {"/bin/sh", "-c", cmd, NULL} */
        uint64_t interval_ms, timeout_ms, start_period_ms, start_interval_ms;
        unsigned retries;
};

enum health_status {
        HEALTH_NONE, /* no healthcheck */
        HEALTH_STARTING,
        HEALTH_HEALTHY,
        HEALTH_UNHEALTHY,
        HEALTH_STATUS__MAX,
};

enum health_result {
        HEALTH_RESULT_OK,
        HEALTH_RESULT_FAIL,    /* the probe exited non-zero (or could not start) */
        HEALTH_RESULT_TIMEOUT, /* killed after timeout: a failure */
};

struct health_state {
        enum health_status status;
        unsigned failing_streak;
        uint64_t started_ms; /* when the container (re)started: start_period counts from it */
};

/* Fill the defaults into zero fields (call once after building the config). */
void health_config_defaults(struct health_config *c);
/* From compose's `test`: ["CMD", a...], ["CMD-SHELL", s], ["NONE"], or a plain string (as
 * CMD-SHELL). Takes a NULL-terminated vector; returns 0 or -EINVAL. c->argv is allocated. */
int health_config_set_test(struct health_config *c, char *const *test);
void health_config_done(struct health_config *c);

/* The container started (or restarted) at now_ms. */
void health_reset(const struct health_config *c, struct health_state *st, uint64_t now_ms);
/* Apply a probe result; returns true when the status changed. */
bool health_on_result(const struct health_config *c, struct health_state *st,
                      enum health_result res, uint64_t now_ms);
/* Delay in ms before the next probe after one finished (or after start) at now_ms. */
uint64_t health_next_delay(const struct health_config *c, const struct health_state *st,
                           uint64_t now_ms);

const char *health_status_to_string(enum health_status s);
