/* SPDX-License-Identifier: MIT */
/* orchestrator/restart: the pure restart decision. Given a container's restart policy (compose
 * `restart:` or `deploy.restart_policy`), how it exited and the backoff state kept across its
 * runs, decide: stay down, restart after N ms, or give up. No clock, no I/O: `now` and the run
 * length come in as arguments, so every case is unit-tested. Backoff follows docker's restart
 * manager: 100 ms doubling per quick restart, capped at 1 min, reset once a run lasts 10 s. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum restart_policy {
        RESTART_NO,
        RESTART_ALWAYS,
        RESTART_ON_FAILURE,
        RESTART_UNLESS_STOPPED,
        RESTART_POLICY__MAX,
        RESTART_POLICY__INVALID = -22,
};

#define RESTART_BACKOFF_INITIAL_MS 100u
#define RESTART_BACKOFF_MAX_MS     60000u
#define RESTART_BACKOFF_RESET_MS   10000u

struct restart_spec {
        enum restart_policy policy;
        unsigned max_attempts; /* on-failure:N or deploy max_attempts; 0 = unlimited */
        uint64_t delay_ms;     /* deploy delay: fixed delay replacing the backoff; 0 = backoff */
        uint64_t window_ms;    /* deploy window: a run this long resets the attempt count */
};

/* Kept by the supervisor per container across restarts (and in state.json). */
struct restart_state {
        unsigned attempts;   /* restarts counted against max_attempts */
        uint64_t backoff_ms; /* delay of the last restart; 0 = none yet */
};

enum restart_action {
        RESTART_ACTION_NONE,    /* policy says stay down (no, manual stop, exit 0 on on-failure) */
        RESTART_ACTION_RESTART, /* restart after delay_ms */
        RESTART_ACTION_GIVE_UP, /* on-failure and max_attempts reached */
};

struct restart_decision {
        enum restart_action action;
        uint64_t delay_ms;
};

/* exit_code: the container's exit status (128+signal when killed; -1 when unknown, which counts
 * as a failure). ran_for_ms: how long this run lasted. manual_stop: a user stop/kill/down asked
 * for this exit, which cancels any restart. On RESTART_ACTION_RESTART, *st is advanced. */
struct restart_decision restart_decide(const struct restart_spec *spec, struct restart_state *st,
                                       int exit_code, uint64_t ran_for_ms, bool manual_stop,
                                       uint64_t now_ms);

const char *restart_policy_to_string(enum restart_policy p);
/* "no", "always", "on-failure[:N]", "unless-stopped" into spec (other fields reset).
 * Returns 0 or -EINVAL. */
int restart_spec_parse(const char *s, struct restart_spec *ret);
/* deploy.restart_policy.condition: "none", "on-failure", "any". Returns 0 or -EINVAL. */
int restart_condition_parse(const char *s, enum restart_policy *ret);
const char *restart_action_to_string(enum restart_action a);
