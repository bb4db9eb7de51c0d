/* SPDX-License-Identifier: MIT */
#include "orchestrator/ctr_query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/plan.h"
#include "orchestrator/stack.h"
#include "orchestrator/state.h"

int ctr_query_list(struct stack *st, struct proto_container **ret, size_t *ret_n, bool *live,
                   struct berr **err)
{
        struct ctl_conn *conn = NULL;
        struct proto_request req = {.op = PROTO_OP_PS, .timeout_ms = -1};
        struct proto_response resp = {0};
        struct state_project *sp;
        struct berr *e = NULL;
        size_t n = 0;

        *live = false;
        if (stack_adopt_if_orphaned(st, err) < 0)
                return -(*err)->code;
        if (ctl_connect(st->cli->run, st->name, &conn, &e) == 0) {
                int r = ctl_call(conn, &req, &resp, 10000, err);

                ctl_close(conn);
                if (r < 0)
                        return r;
                *ret = resp.ctrs ? resp.ctrs : xcalloc(1, sizeof(**ret));
                *ret_n = resp.n_ctrs;
                resp.ctrs = NULL;
                resp.n_ctrs = 0;
                proto_response_done(&resp);
                *live = true;
                return 0;
        }
        berr_free(e);
        sp = stack_state(st);
        *ret = xcalloc(sp ? sp->n_ctrs + 1 : 1, sizeof(**ret));
        for (size_t i = 0; sp && i < sp->n_ctrs; i++) {
                const struct state_container *c = &sp->ctrs[i];
                struct proto_container *pc = &(*ret)[n++];

                pc->name = xstrdup(c->name);
                pc->service = xstrdup(c->service);
                pc->number = c->number;
                /* with no supervisor nothing runs, whatever was recorded */
                pc->status = xstrdup(c->status == CTR_CREATED ? "created" : "exited");
                pc->exit_code = c->exit_code;
                pc->started_ns = c->started_ns;
                pc->finished_ns = c->finished_ns;
        }
        *ret_n = n;
        state_project_free(sp);
        return 0;
}

void ctr_query_free(struct proto_container *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                proto_container_done(&v[i]);
        free(v);
}

const struct proto_container *ctr_query_find(const struct proto_container *v, size_t n,
                                             const char *service, unsigned index)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].service, service) == 0 && v[i].number == index)
                        return &v[i];
        return NULL;
}

char *ctr_query_cgroup(const char *root, const char *name)
{
        cleanup_free char *dir = plan_container_dir(root, name);
        cleanup_free char *path = xasprintf("%s/cgroup", dir);
        char *buf = NULL;
        struct berr *e = NULL;

        if (read_file(path, 4096, &buf, NULL, &e) < 0) {
                berr_free(e);
                return NULL;
        }
        return buf;
}

int ctr_query_pids(const char *cgroup, pid_t **ret, size_t *ret_n, struct berr **err)
{
        const char *nl = strchr(cgroup, '\n');
        cleanup_free char *dir = NULL, *path = NULL, *text = NULL;
        pid_t *v = NULL;
        size_t n = 0, cap = 0;
        char *save = NULL;

        /* "v1\n<dir>\n<dir>..." or "v2\n<dir>": every hierarchy holds the same processes */
        if (!nl)
                return berr_msg(err, EINVAL, "malformed cgroup locator");
        dir = xstrndup(nl + 1, strcspn(nl + 1, "\n"));
        path = xasprintf("%s/cgroup.procs", dir);
        if (read_file(path, 1 << 20, &text, NULL, err) < 0)
                return -(*err)->code;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                v = xgrow(v, &cap, n + 1, sizeof(*v));
                v[n++] = (pid_t)atoi(l);
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
