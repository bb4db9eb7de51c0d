/* SPDX-License-Identifier: MIT */
/* `berth create [SERVICE...]`: create the containers without starting them, as `docker compose
 * create`: exactly `berth up --no-start` (images, plans, networks, reconcile, supervisor). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/progress.h"
#include "orchestrator/stack.h"

const char cmd_create_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "Creates containers for a service\n"
        "\n"
        "Options:\n"
        "      --force-recreate   Recreate containers even if their configuration and image haven't changed\n"
        "      --no-recreate      If containers already exist, don't recreate them. Incompatible with --force-recreate.\n"
        "      --pull string      Pull image before running (\"always\"|\"missing\"|\"never\")\n"
        "      --quiet-pull       Pull without printing progress information\n"
        "      --remove-orphans   Remove containers for services not defined in the Compose file\n";

/* up --no-start says nothing about containers; compose lists them. */
static void report_created(struct cli *cli)
{
        struct proto_container *v = NULL;
        struct berr *err = NULL;
        struct progress pr;
        struct stack st;
        size_t n = 0;
        bool live;

        if (stack_load(cli, &st) != 0)
                return;
        progress_init(&pr, cli, stderr);
        if (ctr_query_list(&st, &v, &n, &live, &err) == 0) {
                for (size_t i = 0; i < n; i++)
                        if (strcmp(v[i].status, "created") == 0)
                                progress_event(&pr, "Container", v[i].name, "Created", -1, false);
        }
        berr_free(err);
        ctr_query_free(v, n);
        progress_done(&pr);
        stack_done(&st);
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
        char **v = calloc((size_t)argc + 2, sizeof(char *));
        int r;

        if (!v)
                abort();
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "--detach") == 0 ||
                    strcmp(argv[i], "--wait") == 0 || strncmp(argv[i], "--attach", 8) == 0) {
                        free(v);
                        return cli_usage_error(cli_find_command("create"), "unknown flag: %s",
                                               argv[i]);
                }
        }
        v[0] = argv[0];
        v[1] = (char *)"--no-start";
        for (int i = 1; i < argc; i++)
                v[i + 1] = argv[i];
        r = cmd_up(cli, argc + 1, v);
        free(v);
        if (r == 0)
                report_created(cli);
        return r;
}
