/* SPDX-License-Identifier: MIT */
/* `berth logs [SERVICE...]`: the project's container logs, merged in time order, read from their
 * files (so they work after the containers exited and with no supervisor running). */
#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "spec/spec.h"

const char cmd_logs_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "View output from containers\n"
        "\n"
        "Options:\n"
        "  -f, --follow          Follow log output\n"
        "      --no-color        Produce monochrome output\n"
        "      --no-log-prefix   Don't print prefix in logs\n"
        "      --since string    Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)\n"
        "  -n, --tail string     Number of lines to show from the end of the logs for each container (default \"all\")\n"
        "  -t, --timestamps      Show timestamps\n"
        "      --until string    Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)\n";

int cmd_super_logs(const struct cli *cli, const char *project, int argc, char **argv);

int cmd_logs(struct cli *cli, int argc, char **argv)
{
        struct stack st;
        cleanup_berr struct berr *err = NULL;
        int r;

        if ((r = stack_load(cli, &st)) != 0)
                return r;
        /* service names are checked against the project before anything is read */
        for (int i = 1; i < argc; i++) {
                static const char *const with_value[] = {"-n", "--tail", "--since", "--until",
                                                         NULL};
                char *one[] = {argv[i], NULL};

                if (strv_contains((char *const *)with_value, argv[i])) {
                        i++;
                        continue;
                }
                if (argv[i][0] == '-')
                        continue;
                if (project_check_names(st.p, one) != 0) {
                        stack_done(&st);
                        return 1;
                }
        }
        if (stack_adopt_if_orphaned(&st, &err) < 0) {
                berr_print(err, stderr);
                stack_done(&st);
                return 1;
        }
        r = cmd_super_logs(cli, st.name, argc, argv);
        stack_done(&st);
        return r;
}
