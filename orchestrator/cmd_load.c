/* SPDX-License-Identifier: MIT */
/* `berth load -i FILE`: images from an OCI layout tar or a `docker save` archive, as
 * `docker load` takes them. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "runtime/image.h"

const char cmd_load_usage[] = "-i FILE [OPTIONS]\n"
                              "\n"
                              "Load images from an OCI layout tar (skopeo oci-archive:) or a\n"
                              "`docker save` archive (skopeo docker-archive:); gzip/zstd allowed\n"
                              "\n"
                              "Options:\n"
                              "  -i, --input FILE   Read from the archive FILE\n"
                              "  -q, --quiet        Print only the loaded references\n";

int cmd_load(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"input", required_argument, NULL, 'i'},
                {"quiet", no_argument, NULL, 'q'},
                {0},
        };
        const struct command *self = cli_find_command("load");
        const char *input = NULL;
        struct berr *err = NULL;
        char **refs = NULL;
        bool quiet = false;
        int c;

        while ((c = getopt_long(argc, argv, ":i:q", opts, NULL)) != -1) {
                if (c == 'i')
                        input = optarg;
                else if (c == 'q')
                        quiet = true;
                else if (c == ':')
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                else
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        }
        if (optind < argc)
                return cli_usage_error(self, "unexpected argument \"%s\"", argv[optind]);
        if (!input)
                return cli_usage_error(self,
                                       "-i FILE is required (reading stdin is not supported)");
        if (image_load(cli->root, input, &refs, &err) < 0) {
                berr_print(err, stderr);
                berr_free(err);
                return 1;
        }
        strv_foreach (r, refs) {
                if (quiet)
                        printf("%s\n", r);
                else if (strncmp(r, "sha256:", 7) == 0)
                        printf("Loaded image ID: %s\n", r);
                else
                        printf("Loaded image: %s\n", r);
        }
        strv_free(refs);
        return 0;
}
