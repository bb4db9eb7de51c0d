/* SPDX-License-Identifier: MIT */
/* `berth image pull|ls|inspect|rm`: the image store operations behind `berth pull` and
 * `berth images`, usable without a compose file (internal: tests and debugging). */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/progress.h"
#include "runtime/image.h"

const char cmd_image_usage[] =
        "COMMAND [OPTIONS] [REF...]\n"
        "\n"
        "Manage images in the local store ($BERTH_ROOT/images). Internal: see docs/cli.md.\n"
        "\n"
        "Commands:\n"
        "  pull [--platform OS/ARCH[/VARIANT]] [-q] REF   Pull an image from its registry\n"
        "  ls [-q] [--format table|json]                  List images\n"
        "  inspect REF...                                  Print image details as JSON\n"
        "  rm REF...                                       Remove images (and unused layers)\n";

static int fail(struct berr *err)
{
        berr_print(err, stderr);
        berr_free(err);
        return 1;
}

static int image_pull_cmd(struct cli *cli, const struct command *self, int argc, char **argv)
{
        static const struct option opts[] = {
                {"platform", required_argument, NULL, 'P'},
                {"quiet", no_argument, NULL, 'q'},
                {0},
        };
        struct image_pull_opts po = {0};
        struct progress pr;
        struct berr *err = NULL;
        cleanup_free char *id = NULL;
        bool quiet = (cli->progress && strcmp(cli->progress, "quiet") == 0);
        int c, r;

        while ((c = getopt_long(argc, argv, ":q", opts, NULL)) != -1) {
                if (c == 'P')
                        po.platform = optarg;
                else if (c == 'q')
                        quiet = true;
                else if (c == ':')
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                else
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        }
        if (optind + 1 != argc)
                return cli_usage_error(self, "image pull needs exactly one image reference");
        progress_init(&pr, cli, stdout);
        if (quiet)
                pr.mode = PROGRESS_QUIET;
        po.progress = progress_pull;
        po.userdata = &pr;
        r = image_pull(cli->root, argv[optind], &po, &id, &err);
        progress_done(&pr);
        if (r < 0)
                return fail(err);
        if (!quiet)
                printf("Status: pulled %s\nID: %s\n", argv[optind], id);
        else
                printf("%s\n", id);
        return 0;
}

static json_t *summary_json(const struct image_summary *s)
{
        return json_pack("{s:s?, s:s, s:s, s:s?, s:I}", "ref", s->ref, "id", s->id, "digest",
                         s->digest, "created", s->created, "size", (json_int_t)s->size);
}

static void print_table(const struct image_summary *s, size_t n)
{
        printf("%-50s %-12s %-20s %s\n", "REFERENCE", "IMAGE ID", "CREATED", "SIZE");
        for (size_t i = 0; i < n; i++) {
                char size[32];

                if (s[i].size >= 1000 * 1000)
                        snprintf(size, sizeof(size), "%.1fMB", (double)s[i].size / 1e6);
                else
                        snprintf(size, sizeof(size), "%.1fkB", (double)s[i].size / 1e3);
                printf("%-50s %-12.12s %-20.20s %s\n", s[i].ref ? s[i].ref : "<none>", s[i].id + 7,
                       s[i].created ? s[i].created : "", size);
        }
}

static int image_ls_cmd(struct cli *cli, const struct command *self, int argc, char **argv)
{
        static const struct option opts[] = {
                {"quiet", no_argument, NULL, 'q'},
                {"format", required_argument, NULL, 'f'},
                {0},
        };
        struct image_summary *s = NULL;
        struct berr *err = NULL;
        bool quiet = false, json = false;
        size_t n = 0;
        int c;

        while ((c = getopt_long(argc, argv, ":qf:", opts, NULL)) != -1) {
                if (c == 'q')
                        quiet = true;
                else if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
                        json = strcmp(optarg, "json") == 0;
                else if (c == 'f')
                        return cli_usage_error(self, "--format: \"%s\" is not one of table, json",
                                               optarg);
                else
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        }
        if (optind != argc)
                return cli_usage_error(self, "unexpected argument \"%s\"", argv[optind]);
        if (image_list(cli->root, &s, &n, &err) < 0)
                return fail(err);
        if (json) {
                json_t *arr = json_array();
                char *text;

                for (size_t i = 0; i < n; i++)
                        json_array_append_new(arr, summary_json(&s[i]));
                text = json_dumps(arr, JSON_INDENT(2));
                printf("%s\n", text);
                free(text);
                json_decref(arr);
        } else if (quiet) {
                for (size_t i = 0; i < n; i++)
                        printf("%s\n", s[i].id);
        } else {
                print_table(s, n);
        }
        image_summaries_free(s, n);
        return 0;
}

static json_t *strv_json(char **v)
{
        json_t *a;

        if (!v)
                return json_null();
        a = json_array();
        strv_foreach (s, v)
                json_array_append_new(a, json_string(s));
        return a;
}

static json_t *image_json(const struct image *img)
{
        const struct image_config *c = &img->config;
        json_t *hc = json_null();

        if (c->healthcheck)
                hc = json_pack("{s:o, s:I, s:I, s:I, s:i}", "test", strv_json(c->healthcheck->test),
                               "interval_ns", (json_int_t)c->healthcheck->interval_ns, "timeout_ns",
                               (json_int_t)c->healthcheck->timeout_ns, "start_period_ns",
                               (json_int_t)c->healthcheck->start_period_ns, "retries",
                               c->healthcheck->retries);
        return json_pack("{s:s, s:s, s:o, s:{s:s?, s:s?, s:s?, s:o, s:o, s:o, s:s, s:s, s:o, "
                         "s:o, s:s?, s:o, s:o}, s:o}",
                         "id", img->id, "manifest", img->manifest_digest, "layer_dirs",
                         strv_json(img->layer_dirs), "config", "os", c->os, "architecture",
                         c->architecture, "created", c->created, "env", strv_json(c->env),
                         "entrypoint", strv_json(c->entrypoint), "cmd", strv_json(c->cmd), "user",
                         c->user, "working_dir", c->working_dir, "exposed_ports",
                         strv_json(c->exposed_ports), "volumes", strv_json(c->volumes),
                         "stop_signal", c->stop_signal, "labels", strv_json(c->labels),
                         "healthcheck", hc, "diff_ids", strv_json(c->diff_ids));
}

static int image_inspect_cmd(struct cli *cli, const struct command *self, int argc, char **argv)
{
        json_t *arr;
        char *text;
        int rc = 0;

        if (argc < 2)
                return cli_usage_error(self, "image inspect needs an image reference");
        arr = json_array();
        for (int i = 1; i < argc; i++) {
                struct image *img = NULL;
                struct berr *err = NULL;

                if (image_open(cli->root, argv[i], &img, &err) < 0) {
                        rc = fail(err);
                        continue;
                }
                json_array_append_new(arr, image_json(img));
                image_free(img);
        }
        text = json_dumps(arr, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
        json_decref(arr);
        return rc;
}

static int image_rm_cmd(struct cli *cli, const struct command *self, int argc, char **argv)
{
        int rc = 0;

        if (argc < 2)
                return cli_usage_error(self, "image rm needs an image reference");
        for (int i = 1; i < argc; i++) {
                struct berr *err = NULL;

                if (image_remove(cli->root, argv[i], &err) < 0)
                        rc = fail(err);
                else
                        printf("Deleted: %s\n", argv[i]);
        }
        return rc;
}

int cmd_image(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("image");
        const char *sub;

        if (argc < 2)
                return cli_usage_error(self, "missing subcommand (pull, ls, inspect, rm)");
        sub = argv[1];
        cli_getopt_reset();
        if (strcmp(sub, "pull") == 0)
                return image_pull_cmd(cli, self, argc - 1, argv + 1);
        if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0)
                return image_ls_cmd(cli, self, argc - 1, argv + 1);
        if (strcmp(sub, "inspect") == 0)
                return image_inspect_cmd(cli, self, argc - 1, argv + 1);
        if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0)
                return image_rm_cmd(cli, self, argc - 1, argv + 1);
        return cli_usage_error(self, "unknown subcommand \"%s\"", sub);
}
