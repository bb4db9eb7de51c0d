/* SPDX-License-Identifier: MIT */
#include "orchestrator/reconcile.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/backend_ctr.h"
#include "orchestrator/cli.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/lock.h"
#include "orchestrator/plan.h"
#include "orchestrator/progress.h"
#include "orchestrator/stack.h"
#include "orchestrator/state.h"
#include "spec/spec.h"

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

        (void)nanosleep(&ts, NULL);
}

int reconcile_kill_supervisor(const char *run, const char *project, struct berr **err)
{
        pid_t pid = 0;

        for (int i = 0; i < 500; i++) {
                if (!lock_is_held(run, project, &pid))
                        return 0;
                if (pid > 0)
                        (void)kill(pid, SIGKILL);
                sleep_ms(10);
        }
        return berr_msg(err, EBUSY, "the supervisor of project %s (pid %d) does not go away",
                        project, (int)pid);
}

/* The container's recorded process, if it is still that process. */
static bool still_running(const struct state_container *c)
{
        uint64_t start = 0;

        return c->pid > 0 && state_pid_start_time(c->pid, &start) == 0 && start == c->pid_start;
}

/* The container's stop signal, SIGKILL after the grace period (what the supervisor does). */
static void stop_and_wait(const struct state_container *c, int sig, uint64_t grace_ms)
{
        if (!still_running(c))
                return;
        if (sig > 0 && sig != SIGKILL) {
                (void)kill(c->pid, sig);
                for (uint64_t t = 0; t < grace_ms && still_running(c); t += 10)
                        sleep_ms(10);
        }
        (void)kill(c->pid, SIGKILL);
        for (int i = 0; i < 500 && still_running(c); i++)
                sleep_ms(10);
}

static const struct plan_service *planned(const struct stack *st, const char *service);

int reconcile_remove_container(struct stack *st, const char *name, bool anon_volumes,
                               struct berr **err)
{
        struct state_project *sp = stack_state(st);
        struct state_container *c = sp ? state_find(sp, name) : NULL;
        int r;

        if (c) {
                const struct plan_service *ps = planned(st, c->service);

                stop_and_wait(c, ps ? ps->stop_signal : SIGTERM, ps ? ps->stop_grace_ms : 10000);
        }
        r = backend_ctr_remove(st->cli->root, st->name, name, anon_volumes, err);
        if (r == 0 && c) {
                state_remove(sp, name);
                r = state_save(st->cli->root, sp, err);
        }
        state_project_free(sp);
        return r;
}

static const struct plan_service *planned(const struct stack *st, const char *service)
{
        for (size_t i = 0; i < st->p->nservices; i++)
                if (strcmp(st->p->services[i].name, service) == 0)
                        return st->svcs[i];
        return NULL;
}

static bool in_project(const struct stack *st, const char *service)
{
        return spec_project_service(st->p, service) != NULL;
}

/* Which recorded containers must go, and whether a planned service has no container yet. */
static void classify(const struct stack *st, const struct state_project *sp,
                     const struct reconcile_opts *o, char ***remove, char ***orphans,
                     char ***recreate)
{
        for (size_t i = 0; i < sp->n_ctrs; i++) {
                const struct state_container *c = &sp->ctrs[i];
                const struct plan_service *ps;

                if (!in_project(st, c->service)) {
                        *orphans = strv_push(*orphans, c->name);
                        if (o->remove_orphans)
                                *remove = strv_push(*remove, c->name);
                        continue;
                }
                if (!strv_contains(o->targets, c->service) || !(ps = planned(st, c->service)))
                        continue;
                if (c->number > ps->replicas) {
                        *remove = strv_push(*remove, c->name);
                        continue;
                }
                if (o->no_recreate)
                        continue;
                if (o->force_recreate || !c->config_hash ||
                    strcmp(c->config_hash, ps->config_hash) != 0) {
                        *remove = strv_push(*remove, c->name);
                        *recreate = strv_push(*recreate, c->name);
                }
        }
}

static bool supervisor_lacks_services(const struct stack *st, const struct state_project *sp)
{
        for (size_t i = 0; i < st->p->nservices; i++) {
                const struct plan_service *ps = st->svcs[i];

                if (!ps)
                        continue;
                for (unsigned k = 1; k <= ps->replicas; k++) {
                        cleanup_free char *n = plan_container_name(ps, k);

                        if (!state_find((struct state_project *)sp, n))
                                return true;
                }
        }
        return false;
}

/* Whether every recorded container of service is in remove (then the supervisor may stop the
 * service as a whole; a scale-down keeps some, which must go on running). */
static bool all_removed(const struct state_project *sp, const char *service, char *const *remove)
{
        for (size_t i = 0; i < sp->n_ctrs; i++)
                if (strcmp(sp->ctrs[i].service, service) == 0 &&
                    !strv_contains(remove, sp->ctrs[i].name))
                        return false;
        return true;
}

/* Services not recreated themselves that depend with `restart: true` on a recreated one. */
static char **restart_dependants(const struct stack *st, const struct state_project *sp,
                                 const struct reconcile_opts *o, char *const *recreate)
{
        cleanup_strv char **changed = NULL;
        char **v = NULL;

        strv_foreach (n, recreate) {
                const struct state_container *c = state_find((struct state_project *)sp, n);

                if (c && !strv_contains(changed, c->service))
                        changed = strv_push(changed, c->service);
        }
        for (size_t i = 0; changed && i < st->p->nservices; i++) {
                const struct spec_service *s = &st->p->services[i];

                if (strv_contains(changed, s->name) || !strv_contains(o->targets, s->name))
                        continue;
                for (size_t k = 0; k < s->ndepends_on; k++)
                        if (s->depends_on[k].restart &&
                            strv_contains(changed, s->depends_on[k].service) &&
                            !strv_contains(v, s->name))
                                v = strv_push(v, s->name);
        }
        return v;
}

static void warn_orphans(char *const *orphans)
{
        cleanup_free char *list = strv_join(orphans, ", ");

        fprintf(stderr,
                "warning: Found orphan containers ([%s]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n",
                list);
}

int reconcile(struct stack *st, struct reconcile_opts *o, struct progress *pr, struct berr **err)
{
        struct state_project *sp = stack_state(st);
        cleanup_strv char **remove = NULL, **orphans = NULL, **recreate = NULL;
        struct ctl_conn *conn = NULL;
        struct berr *e = NULL;
        bool running;
        int r = 0;

        if (!sp)
                return 0;
        classify(st, sp, o, &remove, &orphans, &recreate);
        strv_free(o->restart_after);
        o->restart_after = restart_dependants(st, sp, o, recreate);
        if (orphans && !o->remove_orphans)
                warn_orphans(orphans);
        running = ctl_connect(st->cli->run, st->name, &conn, &e) == 0;
        berr_free(e);
        if (running && (remove || supervisor_lacks_services(st, sp))) {
                /* stop what goes with its own signal and grace before the supervisor is replaced */
                if (remove) {
                        cleanup_strv char **svcs = NULL;
                        struct proto_request req = {.op = PROTO_OP_STOP,
                                                    .timeout_ms = o->timeout_ms};
                        struct proto_response resp = {0};

                        strv_foreach (n, remove) {
                                struct state_container *c = state_find(sp, n);

                                if (c && !strv_contains(svcs, c->service) &&
                                    all_removed(sp, c->service, remove))
                                        svcs = strv_push(svcs, c->service);
                        }
                        req.services = svcs;
                        /* no services means all of them to the supervisor */
                        if (svcs && ctl_call(conn, &req, &resp, -1, &e) < 0)
                                berr_freep(&e);
                        req.services = NULL;
                        proto_response_done(&resp);
                }
                ctl_close(conn);
                conn = NULL;
                r = reconcile_kill_supervisor(st->cli->run, st->name, err);
        }
        if (conn)
                ctl_close(conn);
        state_project_free(sp);
        if (r < 0)
                return r;
        strv_foreach (n, remove) {
                double t0 = progress_now();

                /* a recreated container's anonymous volumes go to its successor; a scaled-down
                 * one's go with it */
                r = reconcile_remove_container(st, n, !strv_contains(recreate, n), err);
                if (r < 0)
                        return r;
                progress_event(pr, "Container", n,
                               strv_contains(recreate, n) ? "Recreate" : "Removed",
                               progress_now() - t0, false);
        }
        return 0;
}
