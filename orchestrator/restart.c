/* SPDX-License-Identifier: MIT */
#include "orchestrator/restart.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const policy_names[RESTART_POLICY__MAX] = {
        [RESTART_NO] = "no",
        [RESTART_ALWAYS] = "always",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_UNLESS_STOPPED] = "unless-stopped",
};

const char *restart_policy_to_string(enum restart_policy p)
{
        if ((int)p < 0 || p >= RESTART_POLICY__MAX)
                return NULL;
        return policy_names[p];
}

const char *restart_action_to_string(enum restart_action a)
{
        switch (a) {
        case RESTART_ACTION_NONE:
                return "none";
        case RESTART_ACTION_RESTART:
                return "restart";
        case RESTART_ACTION_GIVE_UP:
                return "give-up";
        }
        return NULL;
}

int restart_spec_parse(const char *s, struct restart_spec *ret)
{
        struct restart_spec spec = {0};
        const char *colon;

        if (!s)
                return -EINVAL;
        colon = strchr(s, ':');
        if (colon) {
                char *end = NULL;
                unsigned long n;

                if (strncmp(s, "on-failure", (size_t)(colon - s)) != 0 || colon - s != 10)
                        return -EINVAL;
                if (colon[1] < '0' || colon[1] > '9')
                        return -EINVAL;
                errno = 0;
                n = strtoul(colon + 1, &end, 10);
                if (errno || *end || n > UINT_MAX)
                        return -EINVAL;
                spec.policy = RESTART_ON_FAILURE;
                spec.max_attempts = (unsigned)n;
                *ret = spec;
                return 0;
        }
        for (int p = 0; p < RESTART_POLICY__MAX; p++)
                if (strcmp(s, policy_names[p]) == 0) {
                        spec.policy = (enum restart_policy)p;
                        *ret = spec;
                        return 0;
                }
        /* compose accepts the YAML 1.1 boolean spelling of `no` unquoted; spec/ hands it as "no" */
        return -EINVAL;
}

int restart_condition_parse(const char *s, enum restart_policy *ret)
{
        if (!s)
                return -EINVAL;
        if (strcmp(s, "none") == 0)
                *ret = RESTART_NO;
        else if (strcmp(s, "on-failure") == 0)
                *ret = RESTART_ON_FAILURE;
        else if (strcmp(s, "any") == 0)
                *ret = RESTART_ALWAYS;
        else
                return -EINVAL;
        return 0;
}

static uint64_t next_backoff(const struct restart_state *st, uint64_t ran_for_ms)
{
        uint64_t d;

        if (st->backoff_ms == 0 || ran_for_ms >= RESTART_BACKOFF_RESET_MS)
                return RESTART_BACKOFF_INITIAL_MS;
        d = st->backoff_ms * 2;
        return d > RESTART_BACKOFF_MAX_MS ? RESTART_BACKOFF_MAX_MS : d;
}

struct restart_decision restart_decide(const struct restart_spec *spec, struct restart_state *st,
                                       int exit_code, uint64_t ran_for_ms, bool manual_stop,
                                       uint64_t now_ms)
{
        struct restart_decision d = {RESTART_ACTION_NONE, 0};
        bool want = false;

        (void)now_ms;
        if (manual_stop)
                return d;
        if (spec->window_ms > 0 && ran_for_ms >= spec->window_ms)
                st->attempts = 0;
        switch (spec->policy) {
        case RESTART_ALWAYS:
        case RESTART_UNLESS_STOPPED:
                want = true;
                break;
        case RESTART_ON_FAILURE:
                want = exit_code != 0;
                break;
        default:
                want = false;
                break;
        }
        if (!want)
                return d;
        /* docker counts max_attempts only for on-failure; deploy's max_attempts applies to
         * condition any too (swarm), so honour it whenever it is set */
        if (spec->max_attempts > 0 && st->attempts >= spec->max_attempts) {
                d.action = RESTART_ACTION_GIVE_UP;
                return d;
        }
        st->backoff_ms = next_backoff(st, ran_for_ms);
        st->attempts++;
        d.action = RESTART_ACTION_RESTART;
        d.delay_ms = spec->delay_ms > 0 ? spec->delay_ms : st->backoff_ms;
        return d;
}
