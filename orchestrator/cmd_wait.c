/* SPDX-License-Identifier: MIT */
/* `berth wait SERVICE...`: block until every container of the services has stopped (and is not
 * about to be restarted by its policy), through the supervisor's wait op; prints each container's
 * exit code, one a line, and exits with the code of the first one that stopped, as
 * `docker compose wait` does. */
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
#include "orchestrator/project.h"
#include "orchestrator/stack.h"

const char cmd_wait_usage[] = "SERVICE [SERVICE...] [OPTIONS]\n"
                              "\n"
                              "Block until containers of all (or specified) services stop.\n"
                              "\n"
                              "Options:\n"
                              "      --down-project   Drops project when the first container stops "
                              "(not supported yet)\n";

int cmd_wait(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"down-project", no_argument, NULL, 'D'},
                {0},
        };
        const struct command *self = cli_find_command("wait");
        struct proto_request req = {.op = PROTO_OP_WAIT, .timeout_ms = -1};
        struct proto_response resp = {0};
        cleanup_strv char **names = NULL;
        cleanup_berr struct berr *err = NULL;
        struct ctl_conn *conn = NULL;
        struct stack st;
        int c, r, code = 0;
        int64_t first = 0;

        while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (c == 'D')
                        return cli_usage_error(self, "--down-project is not supported yet");
                return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        }
        if (optind >= argc)
                return cli_usage_error(self, "requires at least 1 argument: SERVICE");
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0) {
                stack_done(&st);
                return r;
        }
        req.services = names;
        if (ctl_connect(cli->run, st.name, &conn, &err) < 0) {
                /* no supervisor: nothing runs; report what was recorded */
                struct proto_container *v = NULL;
                size_t n = 0;
                bool live;

                berr_freep(&err);
                if (ctr_query_list(&st, &v, &n, &live, &err) < 0) {
                        berr_print(err, stderr);
                        code = 1;
                } else {
                        resp.ctrs = v;
                        resp.n_ctrs = n;
                }
        } else if (ctl_call(conn, &req, &resp, -1, &err) < 0) {
                berr_print(err, stderr);
                code = 1;
        }
        req.services = NULL;
        for (size_t i = 0; code == 0 && i < resp.n_ctrs; i++) {
                const struct proto_container *pc = &resp.ctrs[i];
                int ec = pc->exit_code < 0 ? 0 : pc->exit_code;

                if (!strv_contains(names, pc->service))
                        continue;
                printf("%d\n", ec);
                if (!first || (pc->finished_ns && pc->finished_ns < first)) {
                        first = pc->finished_ns ? pc->finished_ns : 1;
                        r = ec;
                }
        }
        if (code == 0)
                code = r;
        proto_response_done(&resp);
        if (conn)
                ctl_close(conn);
        stack_done(&st);
        return code;
}
