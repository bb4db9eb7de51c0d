/* SPDX-License-Identifier: MIT */
/* `berth pull [SERVICE...]`: pull the images of the project's services, as `docker compose
 * pull` does. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/images.h"
#include "orchestrator/progress.h"
#include "orchestrator/project.h"
#include "spec/spec.h"

const char cmd_pull_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "Pull service images\n"
        "\n"
        "Options:\n"
        "      --ignore-pull-failures   Pull what it can and ignore images with pull failures\n"
        "      --include-deps           Also pull services declared as dependencies\n"
        "      --policy string          Apply pull policy (\"missing\"|\"always\")\n"
        "  -q, --quiet                  Pull without printing progress information\n";

int cmd_pull(struct cli *cli, int argc, char **argv)
{
        enum {
                O_IGNORE = 256,
                O_DEPS,
                O_POLICY
        };
        static const struct option opts[] = {
                {"ignore-pull-failures", no_argument, NULL, O_IGNORE},
                {"include-deps", no_argument, NULL, O_DEPS},
                {"policy", required_argument, NULL, O_POLICY},
                {"quiet", no_argument, NULL, 'q'},
                {0},
        };
        const struct command *self = cli_find_command("pull");
        struct spec_project *p = NULL;
        cleanup_berr struct berr *err = NULL;
        cleanup_strv char **names = NULL;
        const char *policy = "always";
        bool ignore = false, quiet = false;
        struct progress pr;
        int c, r;

        while ((c = getopt_long(argc, argv, ":q", opts, NULL)) != -1) {
                switch (c) {
                case O_IGNORE:
                        ignore = true;
                        break;
                case O_DEPS:
                        break;
                case O_POLICY:
                        if (strcmp(optarg, "missing") != 0 && strcmp(optarg, "always") != 0)
                                return cli_usage_error(
                                        self, "--policy: \"%s\" is not one of missing, always",
                                        optarg);
                        policy = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = project_load(cli, &p)) != 0)
                return r;
        if ((r = project_check_names(p, names)) != 0) {
                spec_project_free(p);
                return r;
        }
        progress_init(&pr, cli, stderr);
        if (quiet)
                pr.mode = PROGRESS_QUIET;
        r = images_ensure(cli->root, p, names, policy, ignore, &pr, &err);
        progress_done(&pr);
        spec_project_free(p);
        if (r < 0) {
                berr_print(err, stderr);
                return 1;
        }
        return 0;
}
