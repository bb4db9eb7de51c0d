/* SPDX-License-Identifier: MIT */
/* `berth events [--json] [SERVICE...]`: stream the project's container events from its
 * supervisor's events op, in `docker compose events`'s shapes: text
 * "2006-01-02 15:04:05.000000 container ACTION NAME (attributes)" or one JSON object a line
 * {"time","type","action","id","service","attributes"}. Runs until interrupted; while no
 * supervisor runs (before `up`, after `down`) it waits for the next one. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/plan.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "orchestrator/timefmt.h"
#include "spec/spec.h"

const char cmd_events_usage[] = "[OPTIONS] [SERVICE...]\n"
                                "\n"
                                "Receive real time events from containers\n"
                                "\n"
                                "Options:\n"
                                "      --json   Output events as a stream of json objects\n";

static volatile sig_atomic_t stop_events;

static void on_signal(int sig)
{
        (void)sig;
        stop_events = 1;
}

static const char *image_of(const struct stack *st, const char *service)
{
        const struct spec_service *s = service ? spec_project_service(st->p, service) : NULL;

        return s && s->image ? s->image : "";
}

static void print_event(const struct stack *st, const struct proto_event *e, bool json)
{
        const char *image = image_of(st, e->service);
        const char *name = e->container ? e->container : st->name;
        char code[16];

        snprintf(code, sizeof(code), "%d", e->exit_code);
        if (json) {
                char ts[TIMEFMT_RFC3339NANO_MAX];
                json_t *attrs = json_pack("{s:s, s:s}", "image", image, "name", name);
                json_t *o;
                char *text;

                if (strcmp(e->type, "die") == 0)
                        json_object_set_new(attrs, "exitCode", json_string(code));
                if (e->health)
                        json_object_set_new(attrs, "healthStatus", json_string(e->health));
                timefmt_rfc3339nano(e->time_ns, ts, sizeof(ts));
                o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "time", ts, "type", "container",
                              "action", e->type, "id", name, "service",
                              e->service ? e->service : "", "attributes", attrs);
                text = json_dumps(o, JSON_COMPACT);
                puts(text);
                free(text);
                json_decref(o);
        } else {
                time_t secs = (time_t)(e->time_ns / 1000000000);
                struct tm tm;
                char ts[32];

                localtime_r(&secs, &tm);
                strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
                printf("%s.%06ld container %s %s (", ts, (long)((e->time_ns % 1000000000) / 1000),
                       e->type, name);
                if (strcmp(e->type, "die") == 0)
                        printf("exitCode=%s, ", code);
                if (e->health)
                        printf("healthStatus=%s, ", e->health);
                printf("image=%s, name=%s)\n", image, name);
        }
        fflush(stdout);
}

/* One supervisor's stream, until it ends. Returns 0 at its end, -1 on interruption or error. */
static int stream(const struct stack *st, struct ctl_conn *conn, char *const *names, bool json,
                  struct berr **err)
{
        struct proto_request req = {.op = PROTO_OP_EVENTS, .timeout_ms = -1};
        struct proto_response resp = {0};

        if (ctl_call(conn, &req, &resp, 10000, err) < 0)
                return -1;
        proto_response_done(&resp);
        while (!stop_events) {
                struct proto_event e = {0};
                bool is_event = false;
                int r = ctl_next(conn, &resp, &e, &is_event, 250, err);

                if (r < 0) {
                        if ((*err)->code == ETIMEDOUT || (*err)->code == EAGAIN ||
                            (*err)->code == EINTR) {
                                berr_freep(err);
                                continue;
                        }
                        return -1;
                }
                if (r == 0)
                        return 0;
                if (!is_event) {
                        proto_response_done(&resp);
                        continue;
                }
                if (!names || !names[0] || (e.service && strv_contains(names, e.service)))
                        print_event(st, &e, json);
                proto_event_done(&e);
        }
        return -1;
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"json", no_argument, NULL, 'j'},
                {0},
        };
        const struct command *self = cli_find_command("events");
        struct sigaction sa = {.sa_handler = on_signal};
        cleanup_strv char **names = NULL;
        cleanup_berr struct berr *err = NULL;
        bool json = false;
        struct stack st;
        int c, r;

        while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (c == 'j')
                        json = true;
                else
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        }
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0) {
                stack_done(&st);
                return r;
        }
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        while (!stop_events) {
                struct ctl_conn *conn = NULL;

                if (ctl_connect(cli->run, st.name, &conn, &err) < 0) {
                        berr_freep(&err);
                        usleep(200 * 1000);
                        continue;
                }
                r = stream(&st, conn, names, json, &err);
                ctl_close(conn);
                if (r < 0 && err) {
                        berr_print(err, stderr);
                        stack_done(&st);
                        return 1;
                }
        }
        stack_done(&st);
        return 0;
}
