/* SPDX-License-Identifier: MIT */
/* `berth version`: the version of berth, as `docker compose version` prints its own. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "orchestrator/cli.h"
#include "orchestrator/commands.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.0.0-dev"
#endif

const char cmd_version_usage[] =
        "[OPTIONS]\n"
        "\n"
        "Show the berth version information\n"
        "\n"
        "Options:\n"
        "  -f, --format string   Format the output. Values: [pretty | json]\n"
        "      --short           Shows only berth's version number\n";

int cmd_version(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"format", required_argument, NULL, 'f'},
                {"short", no_argument, NULL, 's'},
                {0},
        };
        const struct command *self = cli_find_command("version");
        bool json = false, shrt = false;
        int c;

        (void)cli;
        while ((c = getopt_long(argc, argv, ":f:", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (strcmp(optarg, "json") == 0)
                                json = true;
                        else if (strcmp(optarg, "pretty") != 0)
                                return cli_usage_error(
                                        self, "--format: \"%s\" is not one of pretty, json",
                                        optarg);
                        break;
                case 's':
                        shrt = true;
                        break;
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return cli_usage_error(self, "unexpected argument \"%s\"", argv[optind]);
        if (shrt)
                printf("%s\n", BERTH_VERSION);
        else if (json)
                printf("{\"version\":\"%s\"}\n", BERTH_VERSION);
        else
                printf("berth version %s\n", BERTH_VERSION);
        return 0;
}
