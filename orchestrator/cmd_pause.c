/* SPDX-License-Identifier: MIT */
/* `berth pause [SERVICE...]`: freeze every process of the services' running containers with the
 * cgroup freezer (runtime/freeze.h), then tell the supervisor, which reports them `paused`, as
 * `docker compose pause`. The shared body also serves `berth unpause` (cmd_unpause.c). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/progress.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "runtime/freeze.h"

const char cmd_pause_usage[] = "[SERVICE...]\n\nPause services\n";

int cmd_pause_common(struct cli *cli, const char *name, bool freeze, int argc, char **argv)
{
        const struct command *self = cli_find_command(name);
        struct proto_request req = {.op = freeze ? PROTO_OP_PAUSE : PROTO_OP_UNPAUSE,
                                    .timeout_ms = -1};
        struct proto_response resp = {0};
        cleanup_strv char **names = NULL;
        cleanup_berr struct berr *err = NULL;
        struct proto_container *v = NULL;
        struct ctl_conn *conn = NULL;
        struct progress pr;
        struct stack st;
        size_t n = 0;
        bool live;
        int c, r;

        while ((c = getopt_long(argc, argv, ":", (struct option[]){{0}}, NULL)) != -1)
                return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0) {
                stack_done(&st);
                return r;
        }
        progress_init(&pr, cli, stderr);
        if (ctr_query_list(&st, &v, &n, &live, &err) < 0) {
                berr_print(err, stderr);
                r = 1;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                cleanup_free char *cg = NULL;

                if ((names && !strv_contains(names, v[i].service)) ||
                    strcmp(v[i].status, freeze ? "running" : "paused") != 0)
                        continue;
                cg = ctr_query_cgroup(cli->root, v[i].name);
                if (!cg || rt_freeze(cg, freeze, &err) < 0) {
                        if (err)
                                berr_print(err, stderr);
                        else
                                fprintf(stderr, "berth: container %s has no cgroup\n", v[i].name);
                        berr_freep(&err);
                        r = 1;
                        continue;
                }
        }
        if (live) {
                req.services = names;
                if (ctl_connect(cli->run, st.name, &conn, &err) < 0 ||
                    ctl_call(conn, &req, &resp, 10000, &err) < 0) {
                        berr_print(err, stderr);
                        r = 1;
                }
                req.services = NULL;
                for (size_t i = 0; i < resp.n_ctrs; i++)
                        progress_event(&pr, "Container", resp.ctrs[i].name,
                                       freeze ? "Paused" : "Unpaused", -1, false);
        }
out:
        proto_response_done(&resp);
        if (conn)
                ctl_close(conn);
        ctr_query_free(v, n);
        progress_done(&pr);
        stack_done(&st);
        return r;
}

int cmd_pause(struct cli *cli, int argc, char **argv)
{
        return cmd_pause_common(cli, "pause", true, argc, argv);
}
