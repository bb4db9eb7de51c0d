/* SPDX-License-Identifier: MIT */
/* `berth rm [-f] [-s] [-v] [SERVICE...]`: remove stopped service containers, as `docker compose
 * rm`: their cgroups, directories (writable layer), addresses and state entries, and with -v
 * their anonymous volumes. -s stops them first; without -f it asks. The supervisor is
 * replaced afterwards (the path a crash takes, so running containers are re-adopted) so it does
 * not keep containers that no longer exist. */
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
#include "orchestrator/reconcile.h"
#include "orchestrator/stack.h"

const char cmd_rm_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "Removes stopped service containers\n"
        "\n"
        "By default, anonymous volumes attached to containers will not be removed. You\n"
        "can override this with -v. To list all volumes, use \"docker volume ls\".\n"
        "\n"
        "Any data which is not in a volume will be lost.\n"
        "\n"
        "Options:\n"
        "  -f, --force     Don't ask to confirm removal\n"
        "  -s, --stop      Stop the containers, if required, before removing\n"
        "  -v, --volumes   Remove any anonymous volumes attached to containers\n";

static bool confirm(void)
{
        char line[64];

        fputs("? Going to remove them. Are you sure? [y/N] ", stderr);
        fflush(stderr);
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

static int stop_first(struct stack *st, char **names, struct berr **err)
{
        struct proto_request req = {.op = PROTO_OP_STOP, .timeout_ms = -1, .services = names};
        struct proto_response resp = {0};
        struct ctl_conn *conn = NULL;
        struct berr *e = NULL;
        int r;

        if (ctl_connect(st->cli->run, st->name, &conn, &e) < 0) {
                berr_free(e);
                return 0; /* nothing runs */
        }
        r = ctl_call(conn, &req, &resp, -1, err);
        proto_response_done(&resp);
        ctl_close(conn);
        return r;
}

int cmd_rm(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"force", no_argument, NULL, 'f'},
                {"stop", no_argument, NULL, 's'},
                {"volumes", no_argument, NULL, 'v'},
                {0},
        };
        const struct command *self = cli_find_command("rm");
        cleanup_strv char **names = NULL, **gone = NULL, **keep = NULL;
        cleanup_berr struct berr *err = NULL;
        struct proto_container *v = NULL;
        bool force = false, stop = false, live = false, volumes = false;
        struct progress pr;
        struct stack st;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, ":fsv", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 's':
                        stop = true;
                        break;
                case 'v':
                        volumes = true;
                        break;
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0) {
                stack_done(&st);
                return r;
        }
        progress_init(&pr, cli, stderr);
        if ((stop && stop_first(&st, names, &err) < 0) ||
            ctr_query_list(&st, &v, &n, &live, &err) < 0) {
                berr_print(err, stderr);
                r = 1;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                bool running = strcmp(v[i].status, "running") == 0 ||
                               strcmp(v[i].status, "restarting") == 0 ||
                               strcmp(v[i].status, "paused") == 0;

                if (running && !strv_contains(keep, v[i].service))
                        keep = strv_push(keep, v[i].service);
                if (running || (names && !strv_contains(names, v[i].service)))
                        continue;
                gone = strv_push(gone, v[i].name);
        }
        if (!gone) {
                fputs("No stopped containers\n", stderr);
                goto out;
        }
        if (!force) {
                cleanup_free char *list = strv_join(gone, ", ");

                fprintf(stderr, "Going to remove %s\n", list);
                if (!confirm())
                        goto out;
        }
        /* the supervisor would write them back into the state: it goes first */
        if (live && reconcile_kill_supervisor(cli->run, st.name, &err) < 0) {
                berr_print(err, stderr);
                r = 1;
                goto out;
        }
        strv_foreach (name, gone) {
                if (reconcile_remove_container(&st, name, volumes, &err) < 0) {
                        berr_print(err, stderr);
                        berr_freep(&err);
                        r = 1;
                        continue;
                }
                progress_event(&pr, "Container", name, "Removed", -1, false);
        }
        /* a new supervisor re-adopts what still runs (and knows only those services: `up`
         * replaces it when it lacks one) */
        if (live && keep) {
                struct ctl_conn *conn = NULL;

                if (stack_plan(&st, keep, &err) < 0 || stack_supervisor(&st, &conn, &err) < 0) {
                        berr_print(err, stderr);
                        r = 1;
                }
                if (conn)
                        ctl_close(conn);
        }
out:
        ctr_query_free(v, n);
        progress_done(&pr);
        stack_done(&st);
        return r;
}
