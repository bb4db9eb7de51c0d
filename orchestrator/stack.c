/* SPDX-License-Identifier: MIT */
#include "orchestrator/stack.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/graph.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/dns.h"
#include "netmgr/netmgr.h"
#include "orchestrator/backend_ctr.h"
#include "orchestrator/cli.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/plan.h"
#include "orchestrator/project.h"
#include "orchestrator/project_record.h"
#include "orchestrator/state.h"
#include "orchestrator/super_plan.h"
#include "orchestrator/supervisor.h"
#include "runtime/image.h"
#include "spec/spec.h"

int stack_load(const struct cli *cli, struct stack *st)
{
        int r;

        memset(st, 0, sizeof(*st));
        st->cli = cli;
        r = project_load(cli, &st->p);
        if (r != 0)
                return r;
        st->name = xstrdup(st->p->name);
        st->svcs = xcalloc(st->p->nservices ? st->p->nservices : 1, sizeof(*st->svcs));
        return 0;
}

void stack_done(struct stack *st)
{
        for (size_t i = 0; st->p && i < st->p->nservices; i++)
                plan_service_free(st->svcs[i]);
        free(st->svcs);
        plan_project_free(st->pp);
        spec_project_free(st->p);
        free(st->name);
        memset(st, 0, sizeof(*st));
}

static void image_to_plan(const struct image *img, const char *ref, struct plan_image *pi)
{
        const struct image_config *c = &img->config;

        memset(pi, 0, sizeof(*pi));
        pi->ref = ref;
        pi->digest = img->manifest_digest ? img->manifest_digest : img->id;
        pi->env = c->env;
        pi->entrypoint = c->entrypoint;
        pi->cmd = c->cmd;
        pi->user = c->user;
        pi->workdir = c->working_dir;
        pi->stop_signal = c->stop_signal;
        pi->lowerdirs = img->layer_dirs;
        pi->volumes = c->volumes;
        if (c->healthcheck) {
                pi->healthcheck_test = c->healthcheck->test;
                pi->hc_interval_ns = c->healthcheck->interval_ns;
                pi->hc_timeout_ns = c->healthcheck->timeout_ns;
                pi->hc_start_period_ns = c->healthcheck->start_period_ns;
                pi->hc_start_interval_ns = c->healthcheck->start_interval_ns;
                pi->hc_retries = c->healthcheck->retries;
        }
}

static int plan_one(struct stack *st, size_t i, struct berr **err)
{
        const struct spec_service *svc = &st->p->services[i];
        struct image *img = NULL;
        struct plan_image pi;
        int r;

        if (st->svcs[i])
                return 0;
        if (!svc->image)
                return berr_msg(
                        err, ENOTSUP,
                        "service `%s`: has no image, and berth cannot build images yet (build:)",
                        svc->name);
        r = image_open(st->cli->root, svc->image, &img, err);
        if (r < 0)
                return berr_wrap(err, "service `%s`", svc->name);
        image_to_plan(img, svc->image, &pi);
        r = plan_service_build(st->p, svc, &pi, st->cli->root, &st->svcs[i], err);
        image_free(img);
        return r;
}

int stack_plan(struct stack *st, char *const *services, struct berr **err)
{
        for (size_t i = 0; i < st->p->nservices; i++) {
                int r;

                if (!project_selected(&st->p->services[i], services))
                        continue;
                r = plan_one(st, i, err);
                if (r < 0)
                        return r;
        }
        if (!st->pp)
                return plan_project_build(st->p, st->cli->root, &st->pp, err);
        return 0;
}

int stack_net_up(struct stack *st, struct berr **err)
{
        cleanup_free struct net_network_config *nets = plan_net_networks(st->pp);
        struct net_project_config cfg = {
                .project = st->name,
                .root = st->cli->root,
                .networks = nets,
                .n_networks = st->pp->n_networks,
        };
        int r;

        if (st->pp->n_networks == 0)
                return 0;
        r = net_project_up(&cfg, NULL, err);
        if (r < 0)
                return r;
        return 0;
}

static bool ever_started(const char *root, const char *name)
{
        cleanup_free char *dir = plan_container_dir(root, name);
        cleanup_free char *path = xasprintf("%s/cgroup", dir);

        return access(path, F_OK) == 0;
}

/* Every published port of every planned container; names keeps the container names. */
static struct net_port *collect_ports(struct stack *st, char ***names, size_t *ret_n,
                                      bool started_only)
{
        struct net_port *v = NULL;
        size_t n = 0;

        for (size_t i = 0; i < st->p->nservices; i++) {
                const struct plan_service *s = st->svcs[i];

                if (!s)
                        continue;
                for (unsigned k = 1; k <= s->replicas; k++) {
                        char *name = plan_container_name(s, k);

                        *names = strv_push_take(*names, name);
                        /* a container never started has no address to publish to (`up -d A`
                         * with B planned but not started) */
                        if (started_only && !ever_started(st->cli->root, name))
                                continue;
                        for (size_t j = 0; j < s->n_ports; j++) {
                                v = xrealloc(v, (n + 1) * sizeof(*v));
                                v[n] = s->ports[j];
                                v[n].container = name;
                                n++;
                        }
                }
        }
        *ret_n = n;
        return v;
}

int stack_ports_apply(struct stack *st, struct berr **err)
{
        cleanup_strv char **names = NULL;
        size_t n = 0;
        cleanup_free struct net_port *ports = collect_ports(st, &names, &n, true);

        return net_ports_apply(st->name, st->cli->root, ports, n, NULL, NULL, err);
}

static int ports_check(struct stack *st, struct berr **err)
{
        cleanup_strv char **names = NULL;
        size_t n = 0;
        cleanup_free struct net_port *ports = collect_ports(st, &names, &n, false);

        if (n == 0)
                return 0;
        return net_ports_check(st->name, ports, n, err);
}

int stack_supervisor(struct stack *st, struct ctl_conn **ret, struct berr **err)
{
        cleanup_free char *exe = NULL;
        struct berr *e = NULL;
        int r;

        if (ctl_connect(st->cli->run, st->name, ret, &e) == 0)
                return 0;
        berr_free(e);
        if ((r = ports_check(st, err)) < 0)
                return r;
        exe = super_plan_exe();
        if (exe) {
                /* a fresh small process, not a fork of this one: see super_plan.h */
                cleanup_free char *plan = super_plan_encode(
                        st->name, st->cli->root, st->cli->run, st->pp && st->pp->n_networks,
                        (int)log_get_level(), st->svcs, st->p->nservices);

                r = supervisor_spawn_exec(exe, plan, err);
                if (r == -EPROTO) {
                        /* berth was rebuilt under this CLI: run the supervisor the old way */
                        berr_freep(err);
                        free(exe);
                        exe = NULL;
                }
        }
        if (!exe) {
                struct sup_config cfg = {0};

                /* the supervisor (a forked copy) takes our plans; we plan again below */
                super_plan_config(&cfg, st->name, st->cli->root, st->cli->run,
                                  st->pp && st->pp->n_networks, st->svcs, st->p->nservices);
                r = supervisor_spawn(&cfg, err);
        }
        if (r < 0)
                return berr_wrap(err, "start the supervisor of project %s", st->name);
        /* for `berth ls`: best effort */
        if (project_record_files(st->cli->root, st->name, st->p->files, &e) < 0)
                berr_freep(&e);
        /* plan (again, after a fork) for this command's own use (ports of every service...) */
        for (size_t i = 0; i < st->p->nservices; i++) {
                struct berr *pe = NULL;

                if (plan_one(st, i, &pe) < 0)
                        berr_free(pe);
        }
        return ctl_connect(st->cli->run, st->name, ret, err);
}

static size_t svc_index(const struct spec_project *p, const char *name)
{
        for (size_t i = 0; i < p->nservices; i++)
                if (strcmp(p->services[i].name, name) == 0)
                        return i;
        return (size_t)-1;
}

static void add_dep_edges(const struct spec_project *p, struct graph *g, size_t i)
{
        const struct spec_service *s = &p->services[i];
        size_t j;

        for (size_t k = 0; k < s->ndepends_on; k++)
                if ((j = svc_index(p, s->depends_on[k].service)) != (size_t)-1)
                        graph_add_edge(g, i, j);
        strv_foreach (l, s->links) {
                cleanup_free char *n = xstrndup(l, strcspn(l, ":"));

                if ((j = svc_index(p, n)) != (size_t)-1)
                        graph_add_edge(g, i, j);
        }
        if (s->network_mode && strncmp(s->network_mode, "service:", 8) == 0 &&
            (j = svc_index(p, s->network_mode + 8)) != (size_t)-1)
                graph_add_edge(g, i, j);
        strv_foreach (v, s->volumes_from) {
                cleanup_free char *n = xstrndup(v, strcspn(v, ":"));

                if ((j = svc_index(p, n)) != (size_t)-1)
                        graph_add_edge(g, i, j);
        }
}

int *stack_waves(const struct stack *st, int *ret_n)
{
        struct graph *g = graph_new(st->p->nservices);
        int *w = xcalloc(st->p->nservices ? st->p->nservices : 1, sizeof(int));

        for (size_t i = 0; i < st->p->nservices; i++)
                add_dep_edges(st->p, g, i);
        *ret_n = graph_waves(g, w);
        graph_free(g);
        return w;
}

static void add_with_deps(const struct spec_project *p, size_t i, bool *want)
{
        if (want[i])
                return;
        want[i] = true;
        for (size_t k = 0; k < p->services[i].ndepends_on; k++) {
                const struct spec_dependency *d = &p->services[i].depends_on[k];
                size_t j = svc_index(p, d->service);

                if (j != (size_t)-1)
                        add_with_deps(p, j, want);
        }
        strv_foreach (l, p->services[i].links) {
                cleanup_free char *n = xstrndup(l, strcspn(l, ":"));
                size_t j = svc_index(p, n);

                if (j != (size_t)-1)
                        add_with_deps(p, j, want);
        }
}

char **stack_with_deps(const struct stack *st, char *const *names, bool no_deps)
{
        cleanup_free bool *want = xcalloc(st->p->nservices ? st->p->nservices : 1, sizeof(bool));
        char **v = xcalloc(1, sizeof(char *));

        for (size_t i = 0; i < st->p->nservices; i++) {
                if (!project_selected(&st->p->services[i], names))
                        continue;
                if (no_deps)
                        want[i] = true;
                else
                        add_with_deps(st->p, i, want);
        }
        for (size_t i = 0; i < st->p->nservices; i++)
                if (want[i])
                        v = strv_push(v, st->p->services[i].name);
        return v;
}

struct state_project *stack_state(const struct stack *st)
{
        struct state_project *sp = NULL;
        struct berr *e = NULL;

        if (state_load(st->cli->root, st->name, &sp, &e) < 0) {
                berr_free(e);
                return NULL;
        }
        return sp;
}

int stack_adopt_if_orphaned(struct stack *st, struct berr **err)
{
        struct state_project *sp = stack_state(st);
        struct ctl_conn *conn = NULL;
        struct berr *e = NULL;
        bool live = false;
        int r;

        for (size_t i = 0; sp && i < sp->n_ctrs; i++)
                live |= sp->ctrs[i].status == CTR_RUNNING || sp->ctrs[i].status == CTR_RESTARTING ||
                        sp->ctrs[i].status == CTR_PAUSED;
        state_project_free(sp);
        if (!live)
                return 0;
        if (ctl_connect(st->cli->run, st->name, &conn, &e) == 0) {
                ctl_close(conn);
                return 0;
        }
        berr_free(e);
        r = stack_plan(st, NULL, err);
        if (r < 0)
                return r;
        r = stack_supervisor(st, &conn, err);
        if (r < 0)
                return r;
        ctl_close(conn);
        return 1;
}
