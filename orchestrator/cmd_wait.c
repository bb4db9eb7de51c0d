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

const char cmd_wait_usage[] =
        "SERVICE [SERVICE...] [OPTIONS]\n"
        "\n"
        "Block until containers of all (or specified) services stop.\n"
        "\n"
        "Options:\n"
        "      --down-project   Drops project when the first container stops\n";

/* --down-project: the first of the services' containers to stop ends the wait; its exit code is
 * printed and returned, and the project goes down. */
static int wait_first_then_down(struct cli *cli, struct stack *st, char **names)
{
        struct proto_request req = {.op = PROTO_OP_EVENTS, .timeout_ms = -1};
        struct proto_response resp = {0};
        struct proto_container *v = NULL;
        cleanup_berr struct berr *err = NULL;
        struct ctl_conn *conn = NULL;
        int code = -1, r;
        size_t n = 0;
        bool live;

        /* subscribe first, then look: a container that stops in between is seen either way */
        if (ctl_connect(cli->run, st->name, &conn, &err) == 0 &&
            ctl_call(conn, &req, &resp, 10000, &err) < 0) {
                berr_print(err, stderr);
                ctl_close(conn);
                return 1;
        }
        berr_freep(&err);
        proto_response_done(&resp);
        if (ctr_query_list(st, &v, &n, &live, &err) < 0) {
                berr_print(err, stderr);
                if (conn)
                        ctl_close(conn);
                return 1;
        }
        for (size_t i = 0; i < n && code < 0; i++)
                if (strv_contains(names, v[i].service) && strcmp(v[i].status, "running") != 0 &&
                    strcmp(v[i].status, "paused") != 0 && strcmp(v[i].status, "restarting") != 0)
                        code = v[i].exit_code < 0 ? 0 : v[i].exit_code;
        ctr_query_free(v, n);
        while (code < 0 && conn) {
                struct proto_event e = {0};
                bool is_event = false;

                r = ctl_next(conn, &resp, &e, &is_event, -1, &err);
                if (r <= 0)
                        break;
                if (!is_event) {
                        proto_response_done(&resp);
                        continue;
                }
                if (strcmp(e.type, "die") == 0 && e.service && strv_contains(names, e.service))
                        code = e.exit_code < 0 ? 0 : e.exit_code;
                proto_event_done(&e);
        }
        if (conn)
                ctl_close(conn);
        if (code < 0)
                code = 0;
        printf("%d\n", code);
        fflush(stdout);
        cli_getopt_reset();
        r = cmd_down(cli, 1, (char *[]){"down", NULL});
        return r ? r : code;
}

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
        bool down = false;

        while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (c == 'D') {
                        down = true;
                        continue;
                }
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
        if (down) {
                code = wait_first_then_down(cli, &st, names);
                stack_done(&st);
                return code;
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
