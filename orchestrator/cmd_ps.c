/* SPDX-License-Identifier: MIT */
/* `berth ps`: the project's containers, from its supervisor when one runs, else from the state
 * it recorded; the columns and flags of `docker compose ps`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/plan.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "orchestrator/state.h"
#include "orchestrator/timefmt.h"
#include "spec/spec.h"

const char cmd_ps_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "List containers\n"
        "\n"
        "Options:\n"
        "  -a, --all             Show all stopped containers (including those created by the run command)\n"
        "      --format string   Format the output. Values: [table | json] (default \"table\")\n"
        "  -q, --quiet           Only display IDs\n"
        "      --services        Display services\n"
        "      --status string   Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]\n";

struct ps_row {
        char *name, *image, *command, *service, *status, *state, *health, *ports;
        int64_t created_ns;
        int exit_code;
};

static void human_ago(struct strbuf *b, int64_t ns, int64_t now)
{
        int64_t s = (now - ns) / 1000000000;

        if (s < 1)
                strbuf_puts(b, "Less than a second");
        else if (s < 60)
                strbuf_printf(b, "%lld second%s", (long long)s, s == 1 ? "" : "s");
        else if (s < 120)
                strbuf_puts(b, "About a minute");
        else if (s < 3600)
                strbuf_printf(b, "%lld minutes", (long long)(s / 60));
        else if (s < 7200)
                strbuf_puts(b, "About an hour");
        else if (s < 172800)
                strbuf_printf(b, "%lld hours", (long long)(s / 3600));
        else
                strbuf_printf(b, "%lld days", (long long)(s / 86400));
}

static char *status_text(const struct proto_container *c, int64_t now)
{
        struct strbuf b = STRBUF_INIT;

        if (strcmp(c->status, "running") == 0 || strcmp(c->status, "paused") == 0) {
                strbuf_puts(&b, "Up ");
                human_ago(&b, c->started_ns, now);
                if (c->status[0] == 'p')
                        strbuf_puts(&b, " (Paused)");
                if (c->health)
                        strbuf_printf(&b, " (%s)",
                                      strcmp(c->health, "starting") == 0 ? "health: starting"
                                                                         : c->health);
        } else if (strcmp(c->status, "exited") == 0) {
                strbuf_printf(&b, "Exited (%d) ", c->exit_code);
                human_ago(&b, c->finished_ns, now);
                strbuf_puts(&b, " ago");
        } else if (strcmp(c->status, "restarting") == 0) {
                strbuf_printf(&b, "Restarting (%d) ", c->exit_code);
                human_ago(&b, c->finished_ns, now);
                strbuf_puts(&b, " ago");
        } else {
                strbuf_puts(&b, c->status[0] == 'c' ? "Created" : c->status);
        }
        return strbuf_take(&b);
}

static char *ports_text(const struct plan_service *s)
{
        struct strbuf b = STRBUF_INIT;

        for (size_t i = 0; s && i < s->n_ports; i++) {
                const struct net_port *p = &s->ports[i];
                const char *proto = p->proto == NET_PROTO_UDP ? "udp" : "tcp";

                if (b.len)
                        strbuf_puts(&b, ", ");
                if (p->host_port)
                        strbuf_printf(&b, "%s:%u->%u/%s", p->host_ip[0] ? p->host_ip : "0.0.0.0",
                                      p->host_port, p->container_port, proto);
                else
                        strbuf_printf(&b, "%u/%s", p->container_port, proto);
        }
        return strbuf_take(&b);
}

static char *command_text(const struct plan_service *s)
{
        cleanup_free char *full = s ? strv_join(s->argv, " ") : xstrdup("");
        size_t n = strlen(full);

        if (n > 20)
                return xasprintf("\"%.19s…\"", full);
        return xasprintf("\"%s\"", full);
}

static const struct plan_service *plan_of(struct stack *st, const char *service)
{
        for (size_t i = 0; i < st->p->nservices; i++) {
                if (strcmp(st->p->services[i].name, service) != 0)
                        continue;
                if (!st->svcs[i]) {
                        char *one[] = {st->p->services[i].name, NULL};
                        struct berr *e = NULL;

                        if (stack_plan(st, one, &e) < 0)
                                berr_free(e);
                }
                return st->svcs[i];
        }
        return NULL;
}

static void print_json(struct stack *st, const struct proto_container *v, size_t n, int64_t now)
{
        json_t *arr = json_array();
        char *text;

        for (size_t i = 0; i < n; i++) {
                const struct plan_service *ps = plan_of(st, v[i].service);
                cleanup_free char *status = status_text(&v[i], now);
                cleanup_free char *cmd = ps ? strv_join(ps->argv, " ") : xstrdup("");
                cleanup_free char *ports = ports_text(ps);

                json_array_append_new(
                        arr,
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "Name",
                                  v[i].name, "Project", st->name, "Service", v[i].service, "Image",
                                  ps ? ps->image_ref : "", "Command", cmd, "State", v[i].status,
                                  "Health", v[i].health ? v[i].health : "", "Status", status,
                                  "ExitCode", v[i].exit_code < 0 ? 0 : v[i].exit_code, "Publishers",
                                  ports));
        }
        text = json_dumps(arr, JSON_COMPACT);
        puts(text);
        free(text);
        json_decref(arr);
}

static void print_table(struct stack *st, const struct proto_container *v, size_t n, int64_t now)
{
        printf("%-24s %-36s %-24s %-10s %-20s %-26s %s\n", "NAME", "IMAGE", "COMMAND", "SERVICE",
               "CREATED", "STATUS", "PORTS");
        for (size_t i = 0; i < n; i++) {
                const struct plan_service *ps = plan_of(st, v[i].service);
                cleanup_free char *status = status_text(&v[i], now);
                cleanup_free char *cmd = command_text(ps);
                cleanup_free char *ports = ports_text(ps);
                struct strbuf created = STRBUF_INIT;

                if (v[i].started_ns > 0) {
                        human_ago(&created, v[i].started_ns, now);
                        strbuf_puts(&created, " ago");
                } else {
                        strbuf_puts(&created, "-"); /* made, never started */
                }
                printf("%-24s %-36s %-24s %-10s %-20s %-26s %s\n", v[i].name,
                       ps ? ps->image_ref : "", cmd, v[i].service, strbuf_str(&created), status,
                       ports);
                strbuf_done(&created);
        }
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
        enum {
                O_FORMAT = 256,
                O_SERVICES,
                O_STATUS,
                O_FILTER
        };
        static const struct option opts[] = {
                {"all", no_argument, NULL, 'a'},
                {"format", required_argument, NULL, O_FORMAT},
                {"quiet", no_argument, NULL, 'q'},
                {"services", no_argument, NULL, O_SERVICES},
                {"status", required_argument, NULL, O_STATUS},
                {"filter", required_argument, NULL, O_FILTER},
                {0},
        };
        const struct command *self = cli_find_command("ps");
        bool all = false, quiet = false, services = false, json = false, live = false;
        cleanup_strv char **status = NULL, **names = NULL;
        struct proto_container *v = NULL, *keep;
        cleanup_berr struct berr *err = NULL;
        struct stack st;
        size_t n = 0, k = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, ":aq", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case O_SERVICES:
                        services = true;
                        break;
                case O_FORMAT:
                        if (strcmp(optarg, "json") == 0)
                                json = true;
                        else if (strcmp(optarg, "table") != 0)
                                return cli_usage_error(
                                        self, "--format: \"%s\" is not one of table, json", optarg);
                        break;
                case O_STATUS:
                        status = strv_push(status, optarg);
                        break;
                case O_FILTER:
                        if (strncmp(optarg, "status=", 7) != 0)
                                return cli_usage_error(self,
                                                       "--filter: only status=STATUS is supported");
                        status = strv_push(status, optarg + 7);
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
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0 ||
            ctr_query_list(&st, &v, &n, &live, &err) < 0) {
                if (err)
                        berr_print(err, stderr);
                stack_done(&st);
                return 1;
        }
        keep = xcalloc(n + 1, sizeof(*keep));
        for (size_t i = 0; i < n; i++) {
                bool running = strcmp(v[i].status, "running") == 0 ||
                               strcmp(v[i].status, "restarting") == 0 ||
                               strcmp(v[i].status, "paused") == 0;

                if ((names && !strv_contains(names, v[i].service)) ||
                    (status && !strv_contains(status, v[i].status)) ||
                    (!all && !status && !running)) {
                        proto_container_done(&v[i]);
                        continue;
                }
                keep[k++] = v[i];
        }
        free(v);
        if (services) {
                cleanup_strv char **seen = NULL;

                for (size_t i = 0; i < k; i++)
                        if (!strv_contains(seen, keep[i].service)) {
                                seen = strv_push(seen, keep[i].service);
                                puts(keep[i].service);
                        }
        } else if (quiet) {
                for (size_t i = 0; i < k; i++)
                        puts(keep[i].name);
        } else if (json) {
                print_json(&st, keep, k, timefmt_now_ns());
        } else {
                print_table(&st, keep, k, timefmt_now_ns());
        }
        for (size_t i = 0; i < k; i++)
                proto_container_done(&keep[i]);
        free(keep);
        stack_done(&st);
        return 0;
}
