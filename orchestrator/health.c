/* SPDX-License-Identifier: MIT */
#include "orchestrator/health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/xalloc.h"

void health_config_defaults(struct health_config *c)
{
        if (c->interval_ms == 0)
                c->interval_ms = HEALTH_DEFAULT_INTERVAL_MS;
        if (c->timeout_ms == 0)
                c->timeout_ms = HEALTH_DEFAULT_TIMEOUT_MS;
        if (c->retries == 0)
                c->retries = HEALTH_DEFAULT_RETRIES;
        if (c->start_interval_ms == 0)
                c->start_interval_ms = HEALTH_DEFAULT_START_INTERVAL_MS;
}

int health_config_set_test(struct health_config *c, char *const *test)
{
        size_t n = 0;

        while (test && test[n])
                n++;
        strv_free(c->argv);
        c->argv = NULL;
        c->kind = HEALTH_TEST_NONE;
        if (n == 0)
                return -EINVAL;
        if (strcmp(test[0], "NONE") == 0)
                return n == 1 ? 0 : -EINVAL;
        if (strcmp(test[0], "CMD") == 0) {
                if (n < 2)
                        return -EINVAL;
                c->kind = HEALTH_TEST_CMD;
                c->argv = xcalloc(n, sizeof(char *));
                for (size_t i = 1; i < n; i++)
                        c->argv[i - 1] = xstrdup(test[i]);
                return 0;
        }
        if (strcmp(test[0], "CMD-SHELL") == 0 && n != 2)
                return -EINVAL;
        if (strcmp(test[0], "CMD-SHELL") != 0 && n != 1)
                return -EINVAL;
        c->kind = HEALTH_TEST_CMD_SHELL;
        c->argv = xcalloc(4, sizeof(char *));
        c->argv[0] = xstrdup("/bin/sh");
        c->argv[1] = xstrdup("-c");
        c->argv[2] = xstrdup(test[n - 1]);
        return 0;
}

void health_config_done(struct health_config *c)
{
        strv_free(c->argv);
        c->argv = NULL;
}

void health_reset(const struct health_config *c, struct health_state *st, uint64_t now_ms)
{
        st->status = c->kind == HEALTH_TEST_NONE ? HEALTH_NONE : HEALTH_STARTING;
        st->failing_streak = 0;
        st->started_ms = now_ms;
}

static bool in_start_period(const struct health_config *c, const struct health_state *st,
                            uint64_t now_ms)
{
        return c->start_period_ms > 0 && now_ms - st->started_ms < c->start_period_ms;
}

bool health_on_result(const struct health_config *c, struct health_state *st,
                      enum health_result res, uint64_t now_ms)
{
        enum health_status before = st->status;

        if (c->kind == HEALTH_TEST_NONE)
                return false;
        if (res == HEALTH_RESULT_OK) {
                st->failing_streak = 0;
                st->status = HEALTH_HEALTHY;
        } else if (in_start_period(c, st, now_ms) && st->status == HEALTH_STARTING) {
                /* docker: failures during the start period are not counted */
        } else {
                st->failing_streak++;
                if (st->failing_streak >= c->retries)
                        st->status = HEALTH_UNHEALTHY;
        }
        return st->status != before;
}

uint64_t health_next_delay(const struct health_config *c, const struct health_state *st,
                           uint64_t now_ms)
{
        if (st->status == HEALTH_STARTING && in_start_period(c, st, now_ms))
                return c->start_interval_ms;
        return c->interval_ms;
}

const char *health_status_to_string(enum health_status s)
{
        switch (s) {
        case HEALTH_NONE:
                return "none";
        case HEALTH_STARTING:
                return "starting";
        case HEALTH_HEALTHY:
                return "healthy";
        case HEALTH_UNHEALTHY:
                return "unhealthy";
        default:
                return NULL;
        }
}
