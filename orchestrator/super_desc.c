/* SPDX-License-Identifier: MIT */
#include "orchestrator/super_desc.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/backend_proc.h"
#include "orchestrator/state.h"
#include "orchestrator/supervisor.h"
#include "orchestrator/timefmt.h"

int super_parse_signal(const char *s)
{
        const char *name = s;
        char *end;
        long n;

        if (!s || !*s)
                return -EINVAL;
        if (isdigit((unsigned char)*s)) {
                n = strtol(s, &end, 10);
                return *end || n <= 0 || n >= NSIG ? -EINVAL : (int)n;
        }
        if (strncasecmp(name, "SIG", 3) == 0)
                name += 3;
        for (int sig = 1; sig < NSIG; sig++) {
                const char *abbr = sigabbrev_np(sig);

                if (abbr && strcasecmp(abbr, name) == 0)
                        return sig;
        }
        return -EINVAL;
}

int super_parse_size(const char *s, uint64_t *ret)
{
        char *end;
        double v;
        uint64_t mult = 1;

        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        v = strtod(s, &end);
        switch (tolower((unsigned char)*end)) {
        case 'k':
                mult = 1024;
                end++;
                break;
        case 'm':
                mult = 1024 * 1024;
                end++;
                break;
        case 'g':
                mult = 1024ull * 1024 * 1024;
                end++;
                break;
        default:
                break;
        }
        if (tolower((unsigned char)*end) == 'b')
                end++;
        if (*end || v < 0 || v * (double)mult > 1e18)
                return -EINVAL;
        *ret = (uint64_t)(v * (double)mult);
        return 0;
}

struct ctx {
        const char *origin;
        const char *svc;
        struct berr **err;
};

static int bad(struct ctx *x, const char *key, const char *why)
{
        return berr_msg(x->err, EINVAL, "%s: services.%s.%s: %s", x->origin, x->svc, key, why);
}

static int duration_ms(struct ctx *x, json_t *o, const char *key, uint64_t *ret)
{
        json_t *v = json_object_get(o, key);
        int64_t ns;

        if (!v)
                return 0;
        if (!json_is_string(v) || timefmt_parse_duration(json_string_value(v), &ns) < 0 || ns < 0)
                return bad(x, key, "not a duration like \"1m30s\"");
        *ret = (uint64_t)(ns / 1000000);
        return 0;
}

static char **string_array(json_t *a)
{
        char **v;
        json_t *it;
        size_t i;

        if (!json_is_array(a) || json_array_size(a) == 0)
                return NULL;
        v = xcalloc(json_array_size(a) + 1, sizeof(char *));
        json_array_foreach(a, i, it)
        {
                if (!json_is_string(it)) {
                        strv_free(v);
                        return NULL;
                }
                v[i] = xstrdup(json_string_value(it));
        }
        return v;
}

static int parse_env(struct ctx *x, json_t *e, struct proc_config *pc)
{
        const char *k;
        json_t *v;

        if (!e)
                return 0;
        if (json_is_array(e)) {
                pc->env = string_array(e);
                return pc->env ? 0 : bad(x, "environment", "must list KEY=VALUE strings");
        }
        if (!json_is_object(e))
                return bad(x, "environment", "must be a list or a mapping");
        json_object_foreach(e, k, v)
        {
                if (!json_is_string(v))
                        return bad(x, "environment", "values must be strings");
                pc->env = strv_push_take(pc->env, xasprintf("%s=%s", k, json_string_value(v)));
        }
        return 0;
}

static int parse_restart(struct ctx *x, json_t *o, struct sup_service *svc)
{
        json_t *r = json_object_get(o, "restart");
        json_t *rp = json_object_get(json_object_get(o, "deploy"), "restart_policy");
        json_t *max;

        if (r &&
            (!json_is_string(r) || restart_spec_parse(json_string_value(r), &svc->restart) < 0))
                return bad(x, "restart",
                           "not one of no, always, on-failure[:max-retries], unless-stopped");
        if (!rp)
                return 0;
        if (json_object_get(rp, "condition")) {
                const char *c = json_string_value(json_object_get(rp, "condition"));

                if (restart_condition_parse(c, &svc->restart.policy) < 0)
                        return bad(x, "deploy.restart_policy.condition",
                                   "not one of none, on-failure, any");
        } else {
                svc->restart.policy = RESTART_ALWAYS; /* the compose spec's default: any */
        }
        max = json_object_get(rp, "max_attempts");
        if (max && (!json_is_integer(max) || json_integer_value(max) < 0))
                return bad(x, "deploy.restart_policy.max_attempts", "not an integer >= 0");
        if (max)
                svc->restart.max_attempts = (unsigned)json_integer_value(max);
        if (duration_ms(x, rp, "delay", &svc->restart.delay_ms) < 0 ||
            duration_ms(x, rp, "window", &svc->restart.window_ms) < 0)
                return -EINVAL;
        return 0;
}

static int parse_health(struct ctx *x, json_t *o, struct sup_service *svc)
{
        json_t *h = json_object_get(o, "healthcheck"), *t, *retries;
        cleanup_strv char **test = NULL;

        if (!h || json_is_true(json_object_get(h, "disable")))
                return 0;
        t = json_object_get(h, "test");
        if (json_is_string(t))
                test = strv_push(NULL, json_string_value(t));
        else
                test = string_array(t);
        if (!test || health_config_set_test(&svc->health, test) < 0)
                return bad(x, "healthcheck.test",
                           "must be [\"CMD\", args...], [\"CMD-SHELL\", command], [\"NONE\"] "
                           "or a string");
        if (duration_ms(x, h, "interval", &svc->health.interval_ms) < 0 ||
            duration_ms(x, h, "timeout", &svc->health.timeout_ms) < 0 ||
            duration_ms(x, h, "start_period", &svc->health.start_period_ms) < 0 ||
            duration_ms(x, h, "start_interval", &svc->health.start_interval_ms) < 0)
                return -EINVAL;
        retries = json_object_get(h, "retries");
        if (retries && (!json_is_integer(retries) || json_integer_value(retries) < 1))
                return bad(x, "healthcheck.retries", "not an integer >= 1");
        if (retries)
                svc->health.retries = (unsigned)json_integer_value(retries);
        health_config_defaults(&svc->health);
        return 0;
}

static int parse_logging(struct ctx *x, json_t *o, struct sup_service *svc)
{
        json_t *opts = json_object_get(json_object_get(o, "logging"), "options");
        json_t *ms = json_object_get(opts, "max-size"), *mf = json_object_get(opts, "max-file");

        if (ms && (!json_is_string(ms) ||
                   super_parse_size(json_string_value(ms), &svc->log.max_size) < 0))
                return bad(x, "logging.options.max-size", "not a size like \"10m\"");
        if (mf) {
                char *end;
                long n = json_is_string(mf) ? strtol(json_string_value(mf), &end, 10) : -1;

                if (n < 1 || *end)
                        return bad(x, "logging.options.max-file", "not a number >= 1");
                svc->log.max_file = (unsigned)n;
        }
        return 0;
}

static int parse_service(struct ctx *x, json_t *o, struct sup_service *svc)
{
        struct proc_config *pc = xcalloc(1, sizeof(*pc));
        json_t *v;
        int r;

        svc->backend_config = pc;
        svc->free_backend_config = proc_config_free;
        svc->replicas = 1;
        svc->stop_grace_ms = SUP_DEFAULT_STOP_GRACE_MS;
        if (!json_is_object(o))
                return bad(x, "", "must be a mapping");
        pc->argv = string_array(json_object_get(o, "command"));
        if (!pc->argv)
                return bad(x, "command", "must be a non-empty list of strings");
        if ((r = parse_env(x, json_object_get(o, "environment"), pc)) < 0)
                return r;
        v = json_object_get(o, "working_dir");
        if (v)
                pc->cwd = xstrdup(json_string_value(v) ? json_string_value(v) : "/");
        v = json_object_get(o, "scale");
        if (!v)
                v = json_object_get(json_object_get(o, "deploy"), "replicas");
        if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000))
                return bad(x, "scale", "not an integer between 0 and 1000");
        if (v)
                svc->replicas = (unsigned)json_integer_value(v);
        v = json_object_get(o, "stop_signal");
        if (v && (svc->stop_signal = super_parse_signal(json_string_value(v))) < 0)
                return bad(x, "stop_signal", "not a signal name");
        if ((r = duration_ms(x, o, "stop_grace_period", &svc->stop_grace_ms)) < 0 ||
            (r = parse_restart(x, o, svc)) < 0 || (r = parse_health(x, o, svc)) < 0 ||
            (r = parse_logging(x, o, svc)) < 0)
                return r;
        v = json_object_get(o, "config_hash");
        if (json_is_string(v))
                svc->config_hash = xstrdup(json_string_value(v));
        return 0;
}

int super_desc_parse(const char *text, const char *origin, struct sup_config *cfg,
                     struct berr **err)
{
        json_error_t jerr;
        json_t *root = json_loads(text, 0, &jerr), *svcs, *o;
        const char *name;
        int r = 0;

        if (!root)
                return berr_msg(err, EINVAL, "%s:%d:%d: %s", origin, jerr.line, jerr.column,
                                jerr.text);
        if (!cfg->project && json_is_string(json_object_get(root, "project")))
                cfg->project = xstrdup(json_string_value(json_object_get(root, "project")));
        svcs = json_object_get(root, "services");
        if (!json_is_object(svcs) || json_object_size(svcs) == 0) {
                r = berr_msg(err, EINVAL, "%s: services: must be a non-empty mapping", origin);
                goto out;
        }
        cfg->services = xcalloc(json_object_size(svcs), sizeof(*cfg->services));
        json_object_foreach(svcs, name, o)
        {
                struct ctx x = {origin, name, err};
                struct sup_service *svc = &cfg->services[cfg->n_services++];

                svc->name = xstrdup(name);
                if (!state_project_name_valid(name)) {
                        r = berr_msg(err, EINVAL, "%s: services.%s: invalid service name", origin,
                                     name);
                        goto out;
                }
                r = parse_service(&x, o, svc);
                if (r < 0)
                        goto out;
        }
out:
        json_decref(root);
        return r;
}
