/* SPDX-License-Identifier: MIT */
#include "orchestrator/startup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/progress.h"
#include "orchestrator/stack.h"
#include "spec/spec.h"

#define POLL_MS 50

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

        (void)nanosleep(&ts, NULL);
}

static int ps(struct ctl_conn *conn, char **services, struct proto_response *resp,
              struct berr **err)
{
        struct proto_request req = {.op = PROTO_OP_PS, .services = services, .timeout_ms = -1};
        int r = ctl_call(conn, &req, resp, 10000, err);

        return r;
}

enum cond_state {
        COND_WAIT,
        COND_MET,
        COND_FAILED,
};

/* Whether the condition on dependency `dep` holds now. */
static enum cond_state check_condition(struct ctl_conn *conn, const struct spec_dependency *d,
                                       struct berr **err)
{
        char *svcs[] = {d->service, NULL};
        struct proto_response resp = {0};
        enum cond_state res = COND_MET;

        if (ps(conn, svcs, &resp, err) < 0)
                return COND_FAILED;
        if (resp.n_ctrs == 0)
                res = COND_WAIT;
        for (size_t i = 0; i < resp.n_ctrs && res != COND_FAILED; i++) {
                const struct proto_container *c = &resp.ctrs[i];
                bool running = strcmp(c->status, "running") == 0;
                bool exited = strcmp(c->status, "exited") == 0 || strcmp(c->status, "dead") == 0;

                if (strcmp(d->condition, "service_healthy") == 0) {
                        if (!c->health) {
                                berr_msg(
                                        err, EINVAL,
                                        "dependency %s has no healthcheck, but service_healthy waits for one",
                                        d->service);
                                res = COND_FAILED;
                        } else if (strcmp(c->health, "unhealthy") == 0) {
                                berr_msg(err, EIO,
                                         "dependency failed to start: container %s is unhealthy",
                                         c->name);
                                res = COND_FAILED;
                        } else if (exited) {
                                berr_msg(err, EIO,
                                         "dependency failed to start: container %s exited (%d)",
                                         c->name, c->exit_code);
                                res = COND_FAILED;
                        } else if (strcmp(c->health, "healthy") != 0) {
                                res = COND_WAIT;
                        }
                } else if (strcmp(d->condition, "service_completed_successfully") == 0) {
                        if (exited && c->exit_code != 0) {
                                berr_msg(err, EIO,
                                         "service %s didn't complete successfully: exit %d",
                                         d->service, c->exit_code);
                                res = COND_FAILED;
                        } else if (!exited) {
                                res = COND_WAIT;
                        }
                } else if (!running && !exited && strcmp(c->status, "restarting") != 0) {
                        res = COND_WAIT;
                }
        }
        proto_response_done(&resp);
        return res;
}

static int wait_dependencies(struct stack *st, struct ctl_conn *conn,
                             const struct spec_service *svc, int64_t timeout_ms,
                             struct progress *pr, struct berr **err)
{
        for (size_t k = 0; k < svc->ndepends_on; k++) {
                const struct spec_dependency *d = &svc->depends_on[k];
                double t0 = progress_now();
                bool announced = false;

                if (!spec_project_service(st->p, d->service)) {
                        if (!d->required)
                                continue;
                        return berr_msg(err, ENOENT,
                                        "service `%s` depends on undefined service `%s`", svc->name,
                                        d->service);
                }
                for (;;) {
                        enum cond_state cs = check_condition(conn, d, err);

                        if (cs == COND_MET)
                                break;
                        if (cs == COND_FAILED) {
                                if (!d->required) {
                                        berr_freep(err);
                                        break;
                                }
                                return -(*err)->code;
                        }
                        if (!announced && strcmp(d->condition, "service_started") != 0) {
                                cleanup_free char *n = xasprintf("%s-%s-1", st->name, d->service);

                                progress_event(pr, "Container", n, "Waiting", -1, false);
                                announced = true;
                        }
                        if (timeout_ms >= 0 && (progress_now() - t0) * 1000 > (double)timeout_ms)
                                return berr_msg(err, ETIMEDOUT,
                                                "service `%s`: timed out waiting for %s of %s",
                                                svc->name, d->condition, d->service);
                        sleep_ms(POLL_MS);
                }
                if (announced) {
                        cleanup_free char *n = xasprintf("%s-%s-1", st->name, d->service);

                        progress_event(pr, "Container", n,
                                       strcmp(d->condition, "service_healthy") == 0 ? "Healthy"
                                                                                    : "Exited",
                                       progress_now() - t0, false);
                }
        }
        return 0;
}

static int start_services(struct ctl_conn *conn, char **services, struct progress *pr,
                          struct berr **err)
{
        struct proto_request req = {.op = PROTO_OP_START, .services = services, .timeout_ms = -1};
        struct proto_response resp = {0};
        double t0 = progress_now();
        int r;

        r = ctl_call(conn, &req, &resp, 60000, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < resp.n_ctrs; i++)
                progress_event(pr, "Container", resp.ctrs[i].name, "Started", progress_now() - t0,
                               false);
        proto_response_done(&resp);
        return 0;
}

int startup_run(struct stack *st, struct ctl_conn *conn, char *const *targets, struct progress *pr,
                int64_t dep_timeout_ms, struct berr **err)
{
        int nwaves = 0;
        cleanup_free int *waves = stack_waves(st, &nwaves);

        if (nwaves < 0)
                return berr_msg(err, ELOOP, "dependency cycle between services");
        for (int w = 0; w < nwaves; w++) {
                cleanup_strv char **batch = NULL;

                for (size_t i = 0; i < st->p->nservices; i++) {
                        const struct spec_service *svc = &st->p->services[i];
                        int r;

                        if (waves[i] != w || !strv_contains(targets, svc->name))
                                continue;
                        r = wait_dependencies(st, conn, svc, dep_timeout_ms, pr, err);
                        if (r < 0)
                                return r;
                        batch = strv_push(batch, svc->name);
                }
                if (batch && start_services(conn, batch, pr, err) < 0)
                        return -(*err)->code;
        }
        return 0;
}

int startup_wait(struct stack *st, struct ctl_conn *conn, char *const *services, int64_t timeout_ms,
                 struct progress *pr, struct berr **err)
{
        double t0 = progress_now();

        (void)st;
        for (;;) {
                struct proto_response resp = {0};
                bool all = true;
                int r = ps(conn, (char **)services, &resp, err);

                if (r < 0)
                        return r;
                for (size_t i = 0; i < resp.n_ctrs && r == 0; i++) {
                        const struct proto_container *c = &resp.ctrs[i];

                        if (strcmp(c->status, "exited") == 0 || strcmp(c->status, "dead") == 0)
                                r = berr_msg(err, EIO, "container %s exited (%d)", c->name,
                                             c->exit_code);
                        else if (c->health && strcmp(c->health, "unhealthy") == 0)
                                r = berr_msg(err, EIO, "container %s is unhealthy", c->name);
                        else if (strcmp(c->status, "running") != 0 ||
                                 (c->health && strcmp(c->health, "healthy") != 0))
                                all = false;
                }
                if (r == 0 && all) {
                        for (size_t i = 0; i < resp.n_ctrs; i++)
                                progress_event(pr, "Container", resp.ctrs[i].name,
                                               resp.ctrs[i].health ? "Healthy" : "Running",
                                               progress_now() - t0, false);
                }
                proto_response_done(&resp);
                if (r < 0 || all)
                        return r;
                if (timeout_ms >= 0 && (progress_now() - t0) * 1000 > (double)timeout_ms)
                        return berr_msg(
                                err, ETIMEDOUT,
                                "timed out waiting for the services to be running and healthy");
                sleep_ms(POLL_MS);
        }
}
