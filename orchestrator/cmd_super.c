/* SPDX-License-Identifier: MIT */
/* `berth super ...` (internal): run a supervisor for a project described by a small JSON file of
 * host commands (orchestrator/super_desc.h) and talk to it. It exercises the supervisor, the
 * control protocol, the state and the logs end to end before the compose model and the
 * container runtime are wired in; the real commands (up, ps, logs...) will be as thin. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/backend_proc.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/lock.h"
#include "orchestrator/logs.h"
#include "orchestrator/state.h"
#include "orchestrator/super_desc.h"
#include "orchestrator/supervisor.h"
#include "orchestrator/timefmt.h"

const char cmd_super_usage[] =
        "SUBCOMMAND [OPTIONS] [ARGS]\n"
        "\n"
        "Run and drive a project supervisor over host processes (internal, for tests).\n"
        "The project comes from -p, or for `up` from the description's \"project\".\n"
        "\n"
        "Subcommands:\n"
        "  up [--no-start] FILE      Start a supervisor for the JSON description FILE (or start\n"
        "                            every container if one runs)\n"
        "  ps [--json] [--no-adopt]  List the containers (--no-adopt: from the state file only)\n"
        "  start|stop|restart [-t SECONDS] [SERVICE...]\n"
        "  kill [-s SIGNAL] [SERVICE...]\n"
        "  wait [SERVICE...]         Wait until the containers exited; print their exit codes\n"
        "  ready [SERVICE...]        Wait until they run and are healthy; fail if one exited\n"
        "                            for good or is unhealthy\n"
        "  events [--json] [SERVICE...]  Stream events until interrupted\n"
        "  down [-t SECONDS]         Stop everything, remove state and logs, end the supervisor\n"
        "  logs [-f] [-t] [--tail N] [--since T] [--until T] [--no-color] [--no-log-prefix]\n"
        "       [SERVICE...]         Read the logs (no supervisor needed)\n"
        "  status                    Exit 0 and print the pid if a supervisor runs, else 1\n";

static int fail(struct berr *err)
{
        berr_print(err, stderr);
        berr_free(err);
        return 1;
}

static char *desc_path(const struct cli *cli, const char *project)
{
        return xasprintf("%s/projects/%s/super.json", cli->root, project);
}

static int spawn_from_desc(const struct cli *cli, const char *project, const char *text,
                           bool no_start, struct berr **err)
{
        struct sup_config cfg = {.project = xstrdup(project)};
        int r;

        r = super_desc_parse(text, "super.json", &cfg, err);
        if (r < 0) {
                sup_config_done(&cfg);
                return r;
        }
        cfg.root = cli->root;
        cfg.run = cli->run;
        cfg.no_start = no_start;
        /* test hook: exercise the SIGCHLD fallback instead of pidfd events */
        cfg.sigchld_only = getenv("BERTH_TEST_SIGCHLD_ONLY") != NULL;
        cfg.backend = backend_proc_new();
        return supervisor_spawn(&cfg, err);
}

/* Connect to the project's supervisor; with none running, start one from the saved
 * description that adopts what still runs (the "next berth command" of re-adoption). */
static int ensure_supervisor(const struct cli *cli, const char *project, struct ctl_conn **ret,
                             struct berr **err)
{
        cleanup_free char *path = desc_path(cli, project);
        cleanup_free char *text = NULL;
        size_t len;
        int r;

        r = ctl_connect(cli->run, project, ret, err);
        if (r >= 0)
                return r;
        berr_freep(err);
        r = read_file(path, 1 << 20, &text, &len, err);
        if (r == -ENOENT) {
                berr_freep(err);
                return berr_msg(err, ENOENT, "project \"%s\" is not running", project);
        }
        if (r < 0)
                return r;
        r = spawn_from_desc(cli, project, text, true, err);
        if (r == -EBUSY) {
                /* another CLI is starting it right now: use that one */
                berr_freep(err);
                for (int i = 0; i < 100; i++) {
                        if (ctl_connect(cli->run, project, ret, err) >= 0)
                                return 0;
                        berr_freep(err);
                        usleep(20000);
                }
                return ctl_connect(cli->run, project, ret, err);
        }
        if (r < 0)
                return r;
        return ctl_connect(cli->run, project, ret, err);
}

static int call(const struct cli *cli, const char *project, enum proto_op op, char **services,
                int sig, int64_t timeout_ms, struct proto_response *resp, struct berr **err)
{
        struct ctl_conn *c = NULL;
        struct proto_request req = {
                .op = op, .services = services, .signal = sig, .timeout_ms = timeout_ms};
        int r;

        r = ensure_supervisor(cli, project, &c, err);
        if (r < 0)
                return r;
        r = ctl_call(c, &req, resp, -1, err);
        if (r >= 0 && op == PROTO_OP_DOWN) {
                /* the supervisor closes the connection once it removed everything and exits */
                struct proto_response extra;
                struct proto_event ev;
                bool is_event;

                while (ctl_next(c, &extra, &ev, &is_event, 30000, err) > 0) {
                        if (is_event)
                                proto_event_done(&ev);
                        else
                                proto_response_done(&extra);
                }
                berr_freep(err);
        }
        ctl_close(c);
        return r;
}

static char **rest(int argc, char **argv)
{
        char **v = NULL;

        for (int i = optind; i < argc; i++)
                v = strv_push(v, argv[i]);
        return v;
}

static int sub_up(const struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {{"no-start", no_argument, NULL, 'n'}, {0}};
        cleanup_free char *text = NULL, *path = NULL, *project = NULL;
        struct sup_config probe = {0};
        struct berr *err = NULL;
        struct ctl_conn *c = NULL;
        bool no_start = false;
        size_t len;
        int o, r;

        while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                if (o != 'n')
                        return cli_usage_error(cli_find_command("super"), "super up: bad flag");
                no_start = true;
        }
        if (optind != argc - 1)
                return cli_usage_error(cli_find_command("super"), "super up needs one FILE");
        if (read_file(argv[optind], 1 << 20, &text, &len, &err) < 0)
                return fail(err);
        probe.project = cli->project_name ? xstrdup(cli->project_name) : NULL;
        if (super_desc_parse(text, argv[optind], &probe, &err) < 0) {
                sup_config_done(&probe);
                return fail(err);
        }
        project = probe.project ? xstrdup(probe.project) : NULL;
        sup_config_done(&probe);
        if (!project || !state_project_name_valid(project)) {
                fprintf(stderr, "berth: %s: no valid project name (use -p or \"project\")\n",
                        argv[optind]);
                return 1;
        }
        path = desc_path(cli, project);
        {
                cleanup_free char *dir = state_project_dir(cli->root, project);

                if (mkdir_p(dir, 0700, &err) < 0 ||
                    atomic_write_file(path, text, len, 0600, &err) < 0)
                        return fail(err);
        }
        if (ctl_connect(cli->run, project, &c, &err) >= 0) {
                struct proto_request req = {.op = PROTO_OP_START, .timeout_ms = -1};
                struct proto_response resp;
                r = ctl_call(c, &req, &resp, -1, &err);

                ctl_close(c);
                if (r < 0)
                        return fail(err);
                proto_response_done(&resp);
                return 0;
        }
        berr_freep(&err);
        r = spawn_from_desc(cli, project, text, no_start, &err);
        if (r == -EBUSY && ctl_connect(cli->run, project, &c, NULL) >= 0) {
                /* another CLI started it a moment ago: ask that one to start everything */
                struct proto_request req = {.op = PROTO_OP_START, .timeout_ms = -1};
                struct proto_response resp;

                berr_freep(&err);
                r = ctl_call(c, &req, &resp, -1, &err);
                ctl_close(c);
                if (r >= 0)
                        proto_response_done(&resp);
        }
        if (r < 0)
                return fail(err);
        return 0;
}

static const char *project_of(const struct cli *cli)
{
        if (cli->project_name && state_project_name_valid(cli->project_name))
                return cli->project_name;
        fprintf(stderr, "berth super: a valid project name is required (-p NAME)\n");
        return NULL;
}

static void print_ps(const struct proto_response *resp, bool json)
{
        if (json) {
                json_t *a = json_array();
                char *s;

                for (size_t i = 0; i < resp->n_ctrs; i++) {
                        const struct proto_container *c = &resp->ctrs[i];
                        json_t *o =
                                json_pack("{s:s, s:s, s:i, s:s, s:i, s:i, s:i}", "name", c->name,
                                          "service", c->service, "number", (int)c->number, "status",
                                          c->status, "pid", (int)c->pid, "exit_code", c->exit_code,
                                          "restart_count", (int)c->restart_count);

                        if (c->health)
                                json_object_set_new(o, "health", json_string(c->health));
                        json_array_append_new(a, o);
                }
                s = json_dumps(a, JSON_COMPACT);
                printf("%s\n", s);
                free(s);
                json_decref(a);
                return;
        }
        printf("%-30s %-12s %-11s %-8s %-5s %-8s %s\n", "NAME", "SERVICE", "STATUS", "PID", "EXIT",
               "RESTARTS", "HEALTH");
        for (size_t i = 0; i < resp->n_ctrs; i++) {
                const struct proto_container *c = &resp->ctrs[i];

                printf("%-30s %-12s %-11s %-8d %-5d %-8u %s\n", c->name, c->service, c->status,
                       (int)c->pid, c->exit_code, c->restart_count, c->health ? c->health : "");
        }
}

static int ps_from_state(const struct cli *cli, const char *project, bool json)
{
        struct state_project *p = NULL;
        struct proto_response resp = {.ok = true};
        struct berr *err = NULL;

        if (state_load(cli->root, project, &p, &err) < 0)
                return fail(err);
        resp.ctrs = xcalloc(p->n_ctrs + 1, sizeof(*resp.ctrs));
        for (size_t i = 0; i < p->n_ctrs; i++) {
                struct state_container *c = &p->ctrs[i];

                resp.ctrs[resp.n_ctrs++] =
                        (struct proto_container){.name = c->name,
                                                 .service = c->service,
                                                 .number = c->number,
                                                 .status = (char *)ctr_status_to_string(c->status),
                                                 .health = c->health,
                                                 .pid = c->pid,
                                                 .exit_code = c->exit_code,
                                                 .restart_count = c->restart_count};
        }
        print_ps(&resp, json);
        free(resp.ctrs);
        state_project_free(p);
        return 0;
}

static int sub_ps(const struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"json", no_argument, NULL, 'j'}, {"no-adopt", no_argument, NULL, 'n'}, {0}};
        const char *project = project_of(cli);
        struct proto_response resp;
        struct berr *err = NULL;
        bool json = false, no_adopt = false;
        int o;

        if (!project)
                return 2;
        while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                if (o == 'j')
                        json = true;
                else if (o == 'n')
                        no_adopt = true;
                else
                        return cli_usage_error(cli_find_command("super"), "super ps: bad flag");
        }
        if (no_adopt)
                return ps_from_state(cli, project, json);
        if (call(cli, project, PROTO_OP_PS, NULL, 0, -1, &resp, &err) < 0)
                return fail(err);
        print_ps(&resp, json);
        proto_response_done(&resp);
        return 0;
}

static int sub_simple(const struct cli *cli, enum proto_op op, int argc, char **argv)
{
        static const struct option opts[] = {{"timeout", required_argument, NULL, 't'},
                                             {"signal", required_argument, NULL, 's'},
                                             {0}};
        const char *project = project_of(cli);
        cleanup_strv char **services = NULL;
        struct proto_response resp;
        struct berr *err = NULL;
        int64_t timeout_ms = -1;
        int sig = 0, o;

        if (!project)
                return 2;
        while ((o = getopt_long(argc, argv, "t:s:", opts, NULL)) != -1) {
                char *end;

                if (o == 't') {
                        long t = strtol(optarg, &end, 10);

                        if (*end || t < 0)
                                return cli_usage_error(cli_find_command("super"),
                                                       "-t: not a number of seconds");
                        timeout_ms = t * 1000;
                } else if (o == 's') {
                        sig = super_parse_signal(optarg);
                        if (sig < 0)
                                return cli_usage_error(cli_find_command("super"),
                                                       "-s: unknown signal \"%s\"", optarg);
                } else {
                        return cli_usage_error(cli_find_command("super"), "unknown flag");
                }
        }
        services = rest(argc, argv);
        if (call(cli, project, op, services, sig, timeout_ms, &resp, &err) < 0)
                return fail(err);
        if (op == PROTO_OP_WAIT)
                for (size_t i = 0; i < resp.n_ctrs; i++)
                        printf("%s %d\n", resp.ctrs[i].name, resp.ctrs[i].exit_code);
        proto_response_done(&resp);
        return 0;
}

static int sub_events(const struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
        const char *project = project_of(cli);
        cleanup_strv char **services = NULL;
        struct proto_request req = {.op = PROTO_OP_EVENTS, .timeout_ms = -1};
        struct proto_response resp;
        struct ctl_conn *c = NULL;
        struct berr *err = NULL;
        bool json = false;
        int o, r;

        if (!project)
                return 2;
        while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                if (o != 'j')
                        return cli_usage_error(cli_find_command("super"), "unknown flag");
                json = true;
        }
        services = rest(argc, argv);
        req.services = services;
        if (ensure_supervisor(cli, project, &c, &err) < 0 ||
            ctl_call(c, &req, &resp, -1, &err) < 0) {
                ctl_close(c);
                return fail(err);
        }
        proto_response_done(&resp);
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (;;) {
                struct proto_event ev;
                bool is_event = false;

                r = ctl_next(c, &resp, &ev, &is_event, -1, &err);
                if (r <= 0)
                        break;
                if (!is_event) {
                        proto_response_done(&resp);
                        continue;
                }
                if (json) {
                        struct strbuf b = STRBUF_INIT;

                        proto_encode_event(&b, &ev);
                        fputs(b.buf, stdout);
                        strbuf_done(&b);
                } else {
                        char ts[TIMEFMT_RFC3339NANO_MAX];

                        timefmt_rfc3339nano(ev.time_ns, ts, sizeof(ts));
                        printf("%s container %s %s", ts, ev.type,
                               ev.container ? ev.container : project);
                        if (ev.exit_code >= 0)
                                printf(" (exit_code=%d)", ev.exit_code);
                        if (ev.health)
                                printf(" (health=%s)", ev.health);
                        printf("\n");
                }
                proto_event_done(&ev);
        }
        ctl_close(c);
        if (r < 0)
                return fail(err);
        return 0;
}

static int sub_status(const struct cli *cli)
{
        const char *project = project_of(cli);
        pid_t holder = 0;

        if (!project)
                return 2;
        if (lock_is_held(cli->run, project, &holder)) {
                printf("running %d\n", (int)holder);
                return 0;
        }
        printf("not running\n");
        return 1;
}

int cmd_super(struct cli *cli, int argc, char **argv)
{
        const char *sub;

        if (argc < 2)
                return cli_usage_error(cli_find_command("super"), "a subcommand is required");
        sub = argv[1];
        argc--;
        argv++;
        cli_getopt_reset();
        if (strcmp(sub, "up") == 0)
                return sub_up(cli, argc, argv);
        if (strcmp(sub, "ps") == 0)
                return sub_ps(cli, argc, argv);
        if (strcmp(sub, "start") == 0)
                return sub_simple(cli, PROTO_OP_START, argc, argv);
        if (strcmp(sub, "stop") == 0)
                return sub_simple(cli, PROTO_OP_STOP, argc, argv);
        if (strcmp(sub, "restart") == 0)
                return sub_simple(cli, PROTO_OP_RESTART, argc, argv);
        if (strcmp(sub, "kill") == 0)
                return sub_simple(cli, PROTO_OP_KILL, argc, argv);
        if (strcmp(sub, "wait") == 0)
                return sub_simple(cli, PROTO_OP_WAIT, argc, argv);
        if (strcmp(sub, "ready") == 0)
                return sub_simple(cli, PROTO_OP_READY, argc, argv);
        if (strcmp(sub, "down") == 0)
                return sub_simple(cli, PROTO_OP_DOWN, argc, argv);
        if (strcmp(sub, "events") == 0)
                return sub_events(cli, argc, argv);
        if (strcmp(sub, "status") == 0)
                return sub_status(cli);
        if (strcmp(sub, "logs") == 0) {
                const char *project = project_of(cli);

                return project ? cmd_super_logs(cli, project, argc, argv) : 2;
        }
        return cli_usage_error(cli_find_command("super"), "unknown subcommand \"%s\"", sub);
}
