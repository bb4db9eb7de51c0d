/* SPDX-License-Identifier: MIT */
/* `berth config`: load the project as every other command does, and print the merged,
 * interpolated, normalised model (YAML, or JSON like `docker compose config --format json`),
 * or one of its lists. Diagnostics go to stderr, warnings first; any error exits 1. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "spec/spec.h"
#include "spec/yaml.h"

const char cmd_config_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "Parse, resolve and render compose file in canonical format\n"
        "\n"
        "Options:\n"
        "      --format string    Format the output. Values: [yaml | json] (default \"yaml\")\n"
        "      --images           Print the image names, one per line\n"
        "      --no-interpolate   Don't interpolate environment variables\n"
        "  -o, --output string    Save to file (default to stdout)\n"
        "      --profiles         Print the profile names, one per line\n"
        "  -q, --quiet            Only validate the configuration, don't print anything\n"
        "      --services         Print the service names, one per line\n"
        "      --volumes          Print the volume names, one per line\n"
        "      --networks         Print the network names, one per line\n";

enum config_list {
        LIST_NONE,
        LIST_SERVICES,
        LIST_VOLUMES,
        LIST_PROFILES,
        LIST_IMAGES,
        LIST_NETWORKS,
};

struct config_opts {
        enum spec_format format;
        enum config_list list;
        bool quiet;
        bool no_interpolate;
        const char *output;
};

static const char *env_lookup(const char *name, void *ud)
{
        (void)ud;
        return getenv(name);
}

static int parse_opts(const struct command *self, int argc, char **argv, struct config_opts *o)
{
        enum {
                O_FORMAT = 256,
                O_SERVICES,
                O_VOLUMES,
                O_PROFILES,
                O_IMAGES,
                O_NETWORKS,
                O_NOI
        };
        static const struct option opts[] = {
                {"format", required_argument, NULL, O_FORMAT},
                {"services", no_argument, NULL, O_SERVICES},
                {"volumes", no_argument, NULL, O_VOLUMES},
                {"profiles", no_argument, NULL, O_PROFILES},
                {"images", no_argument, NULL, O_IMAGES},
                {"networks", no_argument, NULL, O_NETWORKS},
                {"no-interpolate", no_argument, NULL, O_NOI},
                {"quiet", no_argument, NULL, 'q'},
                {"output", required_argument, NULL, 'o'},
                {0},
        };
        int c;

        while ((c = getopt_long(argc, argv, ":qo:", opts, NULL)) != -1) {
                switch (c) {
                case O_FORMAT:
                        if (strcmp(optarg, "json") == 0)
                                o->format = SPEC_FORMAT_JSON;
                        else if (strcmp(optarg, "yaml") == 0)
                                o->format = SPEC_FORMAT_YAML;
                        else
                                return cli_usage_error(
                                        self, "--format: \"%s\" is not one of yaml, json", optarg);
                        break;
                case O_SERVICES:
                case O_VOLUMES:
                case O_PROFILES:
                case O_IMAGES:
                case O_NETWORKS:
                        o->list = (enum config_list)(c - O_SERVICES + LIST_SERVICES);
                        break;
                case O_NOI:
                        o->no_interpolate = true;
                        break;
                case 'q':
                        o->quiet = true;
                        break;
                case 'o':
                        o->output = optarg;
                        break;
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        return 0;
}

static void print_list(const struct spec_project *p, enum config_list list, FILE *f)
{
        for (size_t i = 0; list == LIST_SERVICES && i < p->nservices; i++)
                fprintf(f, "%s\n", p->services[i].name);
        for (size_t i = 0; list == LIST_VOLUMES && i < p->nvolumes; i++)
                fprintf(f, "%s\n", p->volumes[i].key);
        for (size_t i = 0; list == LIST_NETWORKS && i < p->nnetworks; i++)
                fprintf(f, "%s\n", p->networks[i].key);
        strv_foreach (pr, list == LIST_PROFILES ? p->all_profiles : NULL)
                fprintf(f, "%s\n", pr);
        for (size_t i = 0; list == LIST_IMAGES && i < p->nservices; i++) {
                const struct spec_service *s = &p->services[i];

                if (s->image)
                        fprintf(f, "%s\n", s->image);
                else
                        fprintf(f, "%s-%s\n", p->name, s->name);
        }
}

static char *escape_dollars(char *s)
{
        struct strbuf b = STRBUF_INIT;

        if (!strchr(s, '$'))
                return s;
        for (const char *p = s; *p; p++) {
                if (*p == '$')
                        strbuf_puts(&b, "$$");
                else
                        strbuf_putc(&b, *p);
        }
        free(s);
        return strbuf_take(&b);
}

static int write_output(const struct spec_project *p, const struct config_opts *o)
{
        cleanup_free char *text = NULL;
        cleanup_berr struct berr *err = NULL;
        char *buf = NULL;
        size_t len = 0;
        FILE *f;

        if (o->list != LIST_NONE) {
                f = open_memstream(&buf, &len);
                if (!f)
                        return 1;
                print_list(p, o->list, f);
                fclose(f);
                text = buf;
        } else {
                text = spec_project_render(p, o->format);
                if (!o->no_interpolate) /* as compose: the output reads back to the same model */
                        text = escape_dollars(TAKE_PTR(text));
        }
        if (!o->output) {
                fputs(text, stdout);
                return fflush(stdout) == 0 ? 0 : 1;
        }
        if (atomic_write_file(o->output, text, strlen(text), 0644, &err) < 0) {
                berr_print(err, stderr);
                return 1;
        }
        return 0;
}

int cmd_config(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("config");
        struct config_opts o = {0};
        struct spec_load_opts lo = {0};
        struct spec_diags diags = {0};
        struct spec_project *p = NULL;
        cleanup_berr struct berr *err = NULL;
        int r;

        if ((r = parse_opts(self, argc, argv, &o)) != 0)
                return r;
        lo.files = cli->files;
        lo.project_name = cli->project_name;
        lo.project_dir = cli->project_dir;
        lo.env_files = cli->env_files;
        lo.profiles = cli->profiles;
        lo.no_interpolate = o.no_interpolate;
        lo.services = optind < argc ? argv + optind : NULL;
        r = spec_project_load(&lo, env_lookup, NULL, &p, &diags, &err);
        spec_diags_print(&diags, SPEC_WARNING, stderr);
        spec_diags_print(&diags, SPEC_ERROR, stderr);
        spec_diags_done(&diags);
        if (r < 0 && err)
                berr_print(err, stderr);
        if (r < 0)
                return 1;
        r = o.quiet ? 0 : write_output(p, &o);
        spec_project_free(p);
        return r;
}
