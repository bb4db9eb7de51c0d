/* SPDX-License-Identifier: MIT */
/* `berth ls`: every project on the host (the directories under $BERTH_ROOT/projects), with the
 * status of its containers counted as compose does ("running(2)", "exited(1), running(1)") from
 * its supervisor when one runs, else from its recorded state, and the compose files it came
 * from. Without -a only projects with a running container are listed. */
#include <dirent.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "orchestrator/cli_fmt.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/project_record.h"
#include "orchestrator/state.h"

const char cmd_ls_usage[] = "[OPTIONS]\n"
                            "\n"
                            "List running compose projects\n"
                            "\n"
                            "Options:\n"
                            "  -a, --all             Show all stopped Compose projects\n"
                            "      --format string   Format the output. Values: [table | json] "
                            "(default \"table\")\n"
                            "  -q, --quiet           Only display project names\n";

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The statuses of the project's containers: the supervisor's view, else the state's. */
static char **statuses(const struct cli *cli, const char *project)
{
        struct proto_request req = {.op = PROTO_OP_PS, .timeout_ms = -1};
        struct proto_response resp = {0};
        struct ctl_conn *conn = NULL;
        struct state_project *sp = NULL;
        struct berr *e = NULL;
        char **v = xcalloc(1, sizeof(char *));

        if (ctl_connect(cli->run, project, &conn, &e) == 0 &&
            ctl_call(conn, &req, &resp, 5000, &e) == 0) {
                for (size_t i = 0; i < resp.n_ctrs; i++)
                        v = strv_push(v, resp.ctrs[i].status);
                proto_response_done(&resp);
                ctl_close(conn);
                return v;
        }
        if (conn)
                ctl_close(conn);
        berr_freep(&e);
        if (state_load(cli->root, project, &sp, &e) == 0) {
                /* with no supervisor nothing runs, whatever was recorded */
                for (size_t i = 0; i < sp->n_ctrs; i++)
                        v = strv_push(v, sp->ctrs[i].status == CTR_CREATED ? "created" : "exited");
                state_project_free(sp);
        }
        berr_free(e);
        return v;
}

int cmd_ls(struct cli *cli, int argc, char **argv)
{
        enum {
                O_FORMAT = 256,
                O_FILTER
        };
        static const struct option opts[] = {
                {"all", no_argument, NULL, 'a'},
                {"format", required_argument, NULL, O_FORMAT},
                {"quiet", no_argument, NULL, 'q'},
                {"filter", required_argument, NULL, O_FILTER},
                {0},
        };
        const struct command *self = cli_find_command("ls");
        bool all = false, quiet = false, json = false;
        cleanup_free char *dir = NULL;
        cleanup_strv char **names = NULL;
        cleanup_closedir DIR *d = NULL;
        struct dirent *de;
        json_t *arr;
        int c;

        while ((c = getopt_long(argc, argv, ":aq", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case O_FORMAT:
                        if (strcmp(optarg, "json") == 0)
                                json = true;
                        else if (strcmp(optarg, "table") != 0)
                                return cli_usage_error(
                                        self, "--format: \"%s\" is not one of table, json", optarg);
                        break;
                case O_FILTER:
                        return cli_usage_error(self, "--filter is not supported yet");
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return cli_usage_error(self, "accepts no arguments");
        dir = xasprintf("%s/projects", cli->root);
        d = opendir(dir);
        while (d && (de = readdir(d)))
                if (de->d_name[0] != '.' && state_project_name_valid(de->d_name))
                        names = strv_push(names, de->d_name);
        if (names)
                qsort(names, strv_length(names), sizeof(char *), cmp_str);
        arr = json_array();
        if (!quiet && !json)
                printf("%-24s %-24s %s\n", "NAME", "STATUS", "CONFIG FILES");
        strv_foreach (name, names) {
                cleanup_strv char **st = statuses(cli, name);
                cleanup_strv char **files = project_record_read_files(cli->root, name);
                cleanup_free char *ftext = files ? strv_join(files, ",") : xstrdup("");
                cleanup_free char *status = NULL;
                bool running;

                if (!st[0] && !files)
                        continue; /* not a project any more (a `down` in progress) */
                status = cli_fmt_status_counts(st, &running);
                if (!running && !all)
                        continue;
                if (quiet)
                        puts(name);
                else if (json)
                        json_array_append_new(arr,
                                              json_pack("{s:s, s:s, s:s}", "Name", name, "Status",
                                                        status, "ConfigFiles", ftext));
                else
                        printf("%-24s %-24s %s\n", name, status, ftext);
        }
        if (json && !quiet) {
                char *text = json_dumps(arr, JSON_COMPACT);

                puts(text);
                free(text);
        }
        json_decref(arr);
        return 0;
}
