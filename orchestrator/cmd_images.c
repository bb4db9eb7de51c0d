/* SPDX-License-Identifier: MIT */
/* `berth images [SERVICE...]`: the images of the project's containers, as `docker compose
 * images`: CONTAINER REPOSITORY TAG IMAGE ID SIZE (or --format json, -q for the IDs), from the
 * local store. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "orchestrator/cli_fmt.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "runtime/image.h"
#include "spec/spec.h"

const char cmd_images_usage[] = "[OPTIONS] [SERVICE...]\n"
                                "\n"
                                "List images used by the created containers\n"
                                "\n"
                                "Options:\n"
                                "      --format string   Format the output. Values: [table | "
                                "json] (default \"table\")\n"
                                "  -q, --quiet           Only display IDs\n";

struct img_row {
        const char *label; /* container name, or service name before any container exists */
        const char *service;
};

int cmd_images(struct cli *cli, int argc, char **argv)
{
        enum {
                O_FORMAT = 256
        };
        static const struct option opts[] = {
                {"format", required_argument, NULL, O_FORMAT},
                {"quiet", no_argument, NULL, 'q'},
                {0},
        };
        const struct command *self = cli_find_command("images");
        cleanup_strv char **names = NULL, **seen = NULL;
        cleanup_berr struct berr *err = NULL;
        struct proto_container *v = NULL;
        struct image_summary *sums = NULL;
        size_t n = 0, n_sums = 0;
        bool quiet = false, json = false, live;
        json_t *arr = json_array();
        struct img_row *rows = NULL;
        size_t n_rows = 0;
        bool per_service;
        struct stack st;
        int c, r;

        while ((c = getopt_long(argc, argv, ":q", opts, NULL)) != -1) {
                switch (c) {
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
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0)
                goto out;
        if (ctr_query_list(&st, &v, &n, &live, &err) < 0 ||
            image_list(cli->root, &sums, &n_sums, &err) < 0) {
                berr_print(err, stderr);
                r = 1;
                goto out;
        }
        /* per container as compose; before any container exists, per service */
        rows = xcalloc(n + st.p->nservices + 1, sizeof(*rows));
        for (size_t i = 0; i < n; i++) {
                if ((names && !strv_contains(names, v[i].service)) ||
                    !spec_project_service(st.p, v[i].service))
                        continue;
                rows[n_rows++] = (struct img_row){v[i].name, v[i].service};
        }
        per_service = n_rows == 0;
        for (size_t i = 0; per_service && i < st.p->nservices; i++) {
                if (!project_selected(&st.p->services[i], names))
                        continue;
                rows[n_rows++] = (struct img_row){st.p->services[i].name, st.p->services[i].name};
        }
        if (!quiet && !json)
                printf("%-24s %-36s %-10s %-14s %s\n", per_service ? "SERVICE" : "CONTAINER",
                       "REPOSITORY", "TAG", "IMAGE ID", "SIZE");
        for (size_t i = 0; i < n_rows; i++) {
                const struct spec_service *svc = spec_project_service(st.p, rows[i].service);
                cleanup_free char *repo = NULL, *tag = NULL;
                struct image *img = NULL;
                const char *id, *hex;
                int64_t size = 0;
                char sz[32];

                if (!svc || !svc->image)
                        continue;
                if (image_open(cli->root, svc->image, &img, &err) < 0) {
                        berr_freep(&err);
                        continue; /* not in the store */
                }
                id = img->id;
                hex = strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
                for (size_t k = 0; k < n_sums; k++)
                        if (sums[k].id && strcmp(sums[k].id, id) == 0)
                                size = sums[k].size;
                cli_fmt_split_ref(svc->image, &repo, &tag);
                cli_fmt_size(size, sz, sizeof(sz));
                if (quiet) {
                        if (!strv_contains(seen, id)) {
                                seen = strv_push(seen, id);
                                printf("%s\n", id);
                        }
                } else if (json) {
                        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "ID", id,
                                              "ContainerName", per_service ? "" : rows[i].label,
                                              "Service", rows[i].service, "Repository", repo, "Tag",
                                              tag, "Size", (json_int_t)size);

                        json_array_append_new(arr, o);
                } else {
                        printf("%-24s %-36s %-10s %-14.12s %s\n", rows[i].label, repo, tag, hex,
                               sz);
                }
                image_free(img);
        }
        if (json && !quiet) {
                char *text = json_dumps(arr, JSON_COMPACT);

                puts(text);
                free(text);
        }
out:
        free(rows);
        json_decref(arr);
        image_summaries_free(sums, n_sums);
        ctr_query_free(v, n);
        stack_done(&st);
        return r;
}
