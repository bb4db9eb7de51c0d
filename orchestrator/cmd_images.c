/* SPDX-License-Identifier: MIT */
/* `berth images [SERVICE...]`: the images the project's services use, as present in the store
 * (docker compose images lists them per container; berth lists them per service, so it works
 * before `up` too). */
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
#include "orchestrator/commands.h"
#include "orchestrator/project.h"
#include "runtime/image.h"
#include "runtime/reference.h"
#include "spec/spec.h"

const char cmd_images_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "List images used by the project's services\n"
        "\n"
        "Options:\n"
        "      --format string   Format the output. Values: [table | json] (default \"table\")\n"
        "  -q, --quiet           Only display IDs\n";

struct row {
        const char *service;
        char *repo, *tag;
        const struct image_summary *img;
};

static const struct image_summary *find_image(const struct image_summary *all, size_t n,
                                              const char *image, char **ret_repo, char **ret_tag)
{
        struct reference ref = {0};
        cleanup_free char *canon = NULL;
        struct berr *tmp = NULL;

        *ret_repo = *ret_tag = NULL;
        if (!image || reference_parse(image, &ref, &tmp) < 0) {
                berr_free(tmp);
                return NULL;
        }
        canon = reference_string(&ref);
        *ret_repo = reference_familiar(&(struct reference){.domain = ref.domain, .path = ref.path});
        *ret_tag = xstrdup(ref.tag ? ref.tag : "<none>");
        reference_done(&ref);
        for (size_t i = 0; i < n; i++)
                if (all[i].ref && strcmp(all[i].ref, canon) == 0)
                        return &all[i];
        return NULL;
}

static void print_rows(const struct row *rows, size_t n, bool json, bool quiet)
{
        json_t *arr = json_array();

        if (!json && !quiet)
                printf("%-20s %-40s %-10s %-12s %s\n", "SERVICE", "REPOSITORY", "TAG", "IMAGE ID",
                       "SIZE");
        for (size_t i = 0; i < n; i++) {
                const struct image_summary *s = rows[i].img;

                if (json)
                        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I}", "Service",
                                                             rows[i].service, "Repository",
                                                             rows[i].repo, "Tag", rows[i].tag, "ID",
                                                             s->id, "Size", (json_int_t)s->size));
                else if (quiet)
                        printf("%s\n", s->id);
                else
                        printf("%-20s %-40s %-10s %-12.12s %.1fMB\n", rows[i].service, rows[i].repo,
                               rows[i].tag, s->id + 7, (double)s->size / 1e6);
        }
        if (json) {
                char *text = json_dumps(arr, JSON_INDENT(2));

                printf("%s\n", text);
                free(text);
        }
        json_decref(arr);
}

static int list_images(struct cli *cli, struct spec_project *p, char **names, bool json, bool quiet)
{
        struct image_summary *all = NULL;
        struct row *rows;
        struct berr *err = NULL;
        size_t n = 0, k = 0;

        if (image_list(cli->root, &all, &n, &err) < 0) {
                berr_print(err, stderr);
                berr_free(err);
                return 1;
        }
        rows = calloc(p->nservices + 1, sizeof(*rows));
        if (!rows)
                abort();
        for (size_t i = 0; i < p->nservices; i++) {
                struct spec_service *s = &p->services[i];
                struct row *r = &rows[k];

                if (!project_selected(s, names))
                        continue;
                r->img = find_image(all, n, s->image, &r->repo, &r->tag);
                r->service = s->name;
                if (r->img)
                        k++;
                else
                        free(r->repo), free(r->tag);
        }
        print_rows(rows, k, json, quiet);
        for (size_t i = 0; i < k; i++)
                free(rows[i].repo), free(rows[i].tag);
        free(rows);
        image_summaries_free(all, n);
        return 0;
}

int cmd_images(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"format", required_argument, NULL, 'f'},
                {"quiet", no_argument, NULL, 'q'},
                {0},
        };
        const struct command *self = cli_find_command("images");
        struct spec_project *p = NULL;
        cleanup_strv char **names = NULL;
        bool json = false, quiet = false;
        int c, r;

        while ((c = getopt_long(argc, argv, ":q", opts, NULL)) != -1) {
                if (c == 'q')
                        quiet = true;
                else if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
                        json = strcmp(optarg, "json") == 0;
                else if (c == 'f')
                        return cli_usage_error(self, "--format: \"%s\" is not one of table, json",
                                               optarg);
                else if (c == ':')
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                else
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        }
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = project_load(cli, &p)) != 0)
                return r;
        if ((r = project_check_names(p, names)) == 0)
                r = list_images(cli, p, names, json, quiet);
        spec_project_free(p);
        return r;
}
