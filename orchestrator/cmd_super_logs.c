/* SPDX-License-Identifier: MIT */
/* `berth super logs`: the logs of a project's containers, read from their files. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/logs_view.h"
#include "orchestrator/timefmt.h"

/* Set from the signal handler: the only way out of `-f`. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

int cmd_super_logs(const struct cli *cli, const char *project, int argc, char **argv)
{
        static const struct option opts[] = {
                {"follow", no_argument, NULL, 'f'},        {"timestamps", no_argument, NULL, 't'},
                {"tail", required_argument, NULL, 'n'},    {"since", required_argument, NULL, 'S'},
                {"until", required_argument, NULL, 'U'},   {"no-color", no_argument, NULL, 'C'},
                {"no-log-prefix", no_argument, NULL, 'P'}, {0},
        };
        const struct command *self =
                cli_find_command(argv[0]) ? cli_find_command(argv[0]) : cli_find_command("super");
        struct logs_view_opts o = {.filter = {.tail = -1}};
        cleanup_strv char **services = NULL;
        struct sigaction sa = {.sa_handler = on_stop};
        bool no_color = false;
        struct berr *err = NULL;
        int64_t now = timefmt_now_ns();
        int c;

        while ((c = getopt_long(argc, argv, "ftn:", opts, NULL)) != -1) {
                char *end;

                switch (c) {
                case 'f':
                        o.follow = true;
                        break;
                case 't':
                        o.fmt.timestamps = true;
                        break;
                case 'n':
                        if (strcmp(optarg, "all") == 0)
                                break;
                        o.filter.tail = strtol(optarg, &end, 10);
                        if (*end || o.filter.tail < 0)
                                return cli_usage_error(self, "--tail: \"%s\" is not a number",
                                                       optarg);
                        break;
                case 'S':
                case 'U':
                        if (timefmt_parse_since(optarg, now,
                                                c == 'S' ? &o.filter.since_ns
                                                         : &o.filter.until_ns) < 0)
                                return cli_usage_error(
                                        self, "%s: \"%s\" is not a timestamp or a duration",
                                        c == 'S' ? "--since" : "--until", optarg);
                        break;
                case 'C':
                        no_color = true;
                        break;
                case 'P':
                        o.fmt.no_prefix = true;
                        break;
                default:
                        return cli_usage_error(self, "super logs: unknown flag");
                }
        }
        for (int i = optind; i < argc; i++)
                services = strv_push(services, argv[i]);
        o.services = services;
        o.fmt.color = !no_color && cli_use_ansi(cli, 1);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        if (logs_view(cli->root, project, &o, 1, &stop_requested, &err) < 0) {
                berr_print(err, stderr);
                berr_free(err);
                return 1;
        }
        return 0;
}
