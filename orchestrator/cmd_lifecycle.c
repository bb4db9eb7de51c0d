/* SPDX-License-Identifier: MIT */
/* `berth start|stop|restart|kill [SERVICE...]`: act on existing containers through the project's
 * supervisor (started, re-adopting what runs, if it is not there), as `docker compose` does. */
#include <getopt.h>
#include <signal.h>
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
#include "orchestrator/paused.h"
#include "orchestrator/progress.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "orchestrator/state.h"
#include "spec/spec.h"
#include "spec/types.h"

const char cmd_start_usage[] = "[SERVICE...]\n\nStart services\n";
const char cmd_stop_usage[] = "[OPTIONS] [SERVICE...]\n"
                              "\n"
                              "Stop services\n"
                              "\n"
                              "Options:\n"
                              "  -t, --timeout int   Specify a shutdown timeout in seconds\n";
const char cmd_restart_usage[] = "[OPTIONS] [SERVICE...]\n"
                                 "\n"
                                 "Restart service containers\n"
                                 "\n"
                                 "Options:\n"
                                 "      --no-deps       Don't restart dependent services\n"
                                 "  -t, --timeout int   Specify a shutdown timeout in seconds\n";
const char cmd_kill_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "Force stop service containers\n"
        "\n"
        "Options:\n"
        "      --remove-orphans   Remove containers for services not defined in the Compose file\n"
        "  -s, --signal string    SIGNAL to send to the container (default \"SIGKILL\")\n";

static int parse(const struct command *self, int argc, char **argv, struct proto_request *req,
                 char ***names)
{
        static const struct option opts[] = {
                {"timeout", required_argument, NULL, 't'},
                {"signal", required_argument, NULL, 's'},
                {"no-deps", no_argument, NULL, 'D'},
                {"remove-orphans", no_argument, NULL, 'O'},
                {0},
        };
        const char *shorts = req->op == PROTO_OP_KILL    ? ":s:"
                             : req->op == PROTO_OP_START ? ":"
                                                         : ":t:";
        char *end;
        int c;

        while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
                if (c == 't' && req->op != PROTO_OP_KILL && req->op != PROTO_OP_START) {
                        req->timeout_ms = strtol(optarg, &end, 10) * 1000;
                        if (*end || req->timeout_ms < 0)
                                return cli_usage_error(
                                        self, "--timeout: \"%s\" is not a number of seconds",
                                        optarg);
                } else if (c == 's' && req->op == PROTO_OP_KILL) {
                        if (spec_parse_signal(optarg, &req->signal) < 0)
                                return cli_usage_error(self, "--signal: \"%s\" is not a signal",
                                                       optarg);
                } else if ((c == 'D' && req->op == PROTO_OP_RESTART) ||
                           (c == 'O' && req->op == PROTO_OP_KILL)) {
                        continue;
                } else if (c == ':') {
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                } else {
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        for (int i = optind; i < argc; i++)
                *names = strv_push(*names, argv[i]);
        return 0;
}

static const char *done_word(enum proto_op op)
{
        switch (op) {
        case PROTO_OP_START:
                return "Started";
        case PROTO_OP_STOP:
                return "Stopped";
        case PROTO_OP_RESTART:
                return "Restarted";
        default:
                return "Killed";
        }
}

static int lifecycle(struct cli *cli, const char *name, enum proto_op op, int argc, char **argv)
{
        const struct command *self = cli_find_command(name);
        struct proto_request req = {.op = op, .timeout_ms = -1};
        struct proto_response resp = {0};
        cleanup_strv char **names = NULL;
        cleanup_berr struct berr *err = NULL;
        struct ctl_conn *conn = NULL;
        struct progress pr;
        struct stack st;
        double t0;
        int r;

        if ((r = parse(self, argc, argv, &req, &names)) != 0)
                return r;
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0) {
                stack_done(&st);
                return r;
        }
        progress_init(&pr, cli, stderr);
        t0 = progress_now();
        req.services = names;
        /* a paused container (`berth pause`) must be thawed to die */
        if (op == PROTO_OP_STOP || op == PROTO_OP_RESTART ||
            (op == PROTO_OP_KILL && (req.signal == 0 || req.signal == SIGKILL))) {
                struct state_project *sp = stack_state(&st);

                (void)paused_thaw_services(cli->root, sp, names);
                state_project_free(sp);
        }
        if (stack_plan(&st, NULL, &err) < 0 || stack_supervisor(&st, &conn, &err) < 0 ||
            ctl_call(conn, &req, &resp, -1, &err) < 0) {
                berr_print(err, stderr);
                r = 1;
        } else {
                for (size_t i = 0; i < resp.n_ctrs; i++)
                        progress_event(&pr, "Container", resp.ctrs[i].name, done_word(op),
                                       progress_now() - t0, false);
                if (op == PROTO_OP_START || op == PROTO_OP_RESTART) {
                        struct berr *e = NULL;

                        /* a restarted container keeps its address; the rules still hold, but
                         * containers started for the first time need theirs */
                        if (stack_ports_apply(&st, &e) < 0) {
                                berr_print(e, stderr);
                                r = 1;
                        }
                        berr_free(e);
                }
        }
        req.services = NULL;
        proto_response_done(&resp);
        if (conn)
                ctl_close(conn);
        progress_done(&pr);
        stack_done(&st);
        return r;
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
        return lifecycle(cli, "start", PROTO_OP_START, argc, argv);
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
        return lifecycle(cli, "stop", PROTO_OP_STOP, argc, argv);
}

int cmd_restart(struct cli *cli, int argc, char **argv)
{
        return lifecycle(cli, "restart", PROTO_OP_RESTART, argc, argv);
}

int cmd_kill(struct cli *cli, int argc, char **argv)
{
        return lifecycle(cli, "kill", PROTO_OP_KILL, argc, argv);
}
