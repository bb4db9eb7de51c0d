/* SPDX-License-Identifier: MIT */
/* `berth up [SERVICE...]`: create and start the project's containers, as `docker compose up`:
 * images pulled per pull_policy, every service planned (compose errors and missing images stop
 * everything before anything is made), networks and port conflicts checked, changed containers
 * recreated, then services started in dependency order through the project's supervisor.
 * With -d it returns (after --wait, once running and healthy); otherwise it streams the logs
 * until Ctrl-C, which stops the project (a second Ctrl-C kills), and exits 130. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/images.h"
#include "orchestrator/logs_view.h"
#include "orchestrator/plan.h"
#include "orchestrator/progress.h"
#include "orchestrator/project.h"
#include "orchestrator/reconcile.h"
#include "orchestrator/stack.h"
#include "orchestrator/startup.h"
#include "orchestrator/timefmt.h"
#include "spec/spec.h"

const char cmd_up_usage[] =
        "[OPTIONS] [SERVICE...]\n"
        "\n"
        "Create and start containers\n"
        "\n"
        "Options:\n"
        "      --abort-on-container-exit   Stops all containers if any container was stopped\n"
        "      --attach stringArray        Restrict attaching to the specified services\n"
        "  -d, --detach                    Detached mode: run containers in the background\n"
        "      --exit-code-from string     Return the exit code of the selected service container\n"
        "      --force-recreate            Recreate containers even if their configuration hasn't changed\n"
        "      --no-attach stringArray     Do not attach (stream logs) to the specified services\n"
        "      --no-color                  Produce monochrome output\n"
        "      --no-deps                   Don't start linked services\n"
        "      --no-log-prefix             Don't print prefix in logs\n"
        "      --no-recreate               If containers already exist, don't recreate them\n"
        "      --no-start                  Don't start the services after creating them\n"
        "      --pull string               Pull image before running (\"always\"|\"missing\"|\"never\")\n"
        "      --quiet-pull                Pull without printing progress information\n"
        "      --remove-orphans            Remove containers for services not defined in the Compose file\n"
        "  -t, --timeout int               Use this timeout in seconds for container shutdown\n"
        "      --timestamps                Show timestamps\n"
        "      --wait                      Wait for services to be running|healthy. Implies detached mode\n"
        "      --wait-timeout int          Maximum duration to wait for the project to be running|healthy\n";

struct up_opts {
        bool detach, wait, no_start, no_deps, timestamps, no_color, no_prefix, quiet_pull;
        bool abort_on_exit;
        struct reconcile_opts rec;
        const char *pull;
        const char *exit_code_from;
        int64_t wait_timeout_ms;
        char **attach, **no_attach, **services;
        char **scale; /* "SERVICE=NUM" */
};

static int parse(const struct command *self, int argc, char **argv, struct up_opts *o)
{
        enum {
                O_ABORT = 256,
                O_ATTACH,
                O_EXIT_FROM,
                O_FORCE,
                O_NO_ATTACH,
                O_NO_COLOR,
                O_NO_DEPS,
                O_NO_PREFIX,
                O_NO_RECREATE,
                O_NO_START,
                O_PULL,
                O_QUIET_PULL,
                O_ORPHANS,
                O_TS,
                O_WAIT,
                O_WAIT_TIMEOUT,
                O_SCALE,
                O_BUILD,
                O_NO_BUILD
        };
        static const struct option opts[] = {
                {"abort-on-container-exit", no_argument, NULL, O_ABORT},
                {"attach", required_argument, NULL, O_ATTACH},
                {"detach", no_argument, NULL, 'd'},
                {"exit-code-from", required_argument, NULL, O_EXIT_FROM},
                {"force-recreate", no_argument, NULL, O_FORCE},
                {"no-attach", required_argument, NULL, O_NO_ATTACH},
                {"no-color", no_argument, NULL, O_NO_COLOR},
                {"no-deps", no_argument, NULL, O_NO_DEPS},
                {"no-log-prefix", no_argument, NULL, O_NO_PREFIX},
                {"no-recreate", no_argument, NULL, O_NO_RECREATE},
                {"no-start", no_argument, NULL, O_NO_START},
                {"pull", required_argument, NULL, O_PULL},
                {"quiet-pull", no_argument, NULL, O_QUIET_PULL},
                {"remove-orphans", no_argument, NULL, O_ORPHANS},
                {"timeout", required_argument, NULL, 't'},
                {"timestamps", no_argument, NULL, O_TS},
                {"wait", no_argument, NULL, O_WAIT},
                {"wait-timeout", required_argument, NULL, O_WAIT_TIMEOUT},
                {"scale", required_argument, NULL, O_SCALE},
                {"build", no_argument, NULL, O_BUILD},
                {"no-build", no_argument, NULL, O_NO_BUILD},
                {0},
        };
        int c;
        char *end;

        o->rec.timeout_ms = -1;
        o->wait_timeout_ms = -1;
        while ((c = getopt_long(argc, argv, ":dt:", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        o->detach = true;
                        break;
                case O_ABORT:
                        o->abort_on_exit = true;
                        break;
                case O_ATTACH:
                        o->attach = strv_push(o->attach, optarg);
                        break;
                case O_NO_ATTACH:
                        o->no_attach = strv_push(o->no_attach, optarg);
                        break;
                case O_EXIT_FROM:
                        o->exit_code_from = optarg;
                        o->abort_on_exit = true;
                        break;
                case O_FORCE:
                        o->rec.force_recreate = true;
                        break;
                case O_NO_RECREATE:
                        o->rec.no_recreate = true;
                        break;
                case O_ORPHANS:
                        o->rec.remove_orphans = true;
                        break;
                case O_NO_COLOR:
                        o->no_color = true;
                        break;
                case O_NO_DEPS:
                        o->no_deps = true;
                        break;
                case O_NO_PREFIX:
                        o->no_prefix = true;
                        break;
                case O_NO_START:
                        o->no_start = true;
                        break;
                case O_PULL:
                        if (!strv_contains((char *[]){"always", "missing", "never", "policy", NULL},
                                           optarg))
                                return cli_usage_error(
                                        self, "--pull: \"%s\" is not one of always, missing, never",
                                        optarg);
                        o->pull = strcmp(optarg, "policy") == 0 ? NULL : optarg;
                        break;
                case O_QUIET_PULL:
                        o->quiet_pull = true;
                        break;
                case 't':
                        o->rec.timeout_ms = strtol(optarg, &end, 10) * 1000;
                        if (*end || o->rec.timeout_ms < 0)
                                return cli_usage_error(
                                        self, "--timeout: \"%s\" is not a number of seconds",
                                        optarg);
                        break;
                case O_TS:
                        o->timestamps = true;
                        break;
                case O_WAIT:
                        o->wait = true;
                        o->detach = true;
                        break;
                case O_WAIT_TIMEOUT:
                        o->wait_timeout_ms = strtol(optarg, &end, 10) * 1000;
                        if (*end || o->wait_timeout_ms < 0)
                                return cli_usage_error(
                                        self, "--wait-timeout: \"%s\" is not a number of seconds",
                                        optarg);
                        break;
                case O_SCALE: {
                        const char *eq = strchr(optarg, '=');
                        long n = eq ? strtol(eq + 1, &end, 10) : -1;

                        if (!eq || eq == optarg || *end || n < 0 || n > 1000)
                                return cli_usage_error(self, "--scale: \"%s\" is not SERVICE=NUM",
                                                       optarg);
                        o->scale = strv_push(o->scale, optarg);
                        break;
                }
                case O_BUILD:
                        return cli_usage_error(self, "--build: berth cannot build images yet");
                case O_NO_BUILD:
                        break;
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (o->detach && o->abort_on_exit)
                return cli_usage_error(self,
                                       "--abort-on-container-exit and --detach are incompatible");
        for (int i = optind; i < argc; i++)
                o->services = strv_push(o->services, argv[i]);
        return 0;
}

static void up_opts_done(struct up_opts *o)
{
        strv_free(o->attach);
        strv_free(o->no_attach);
        strv_free(o->services);
        strv_free(o->scale);
        strv_free(o->rec.targets);
        strv_free(o->rec.restart_after);
}

/* --scale SERVICE=NUM overrides deploy.replicas (the config hash does not cover the count, so
 * scaling neither recreates nor restarts the replicas that stay). */
static int apply_scale(struct stack *st, char *const *scale, struct berr **err)
{
        strv_foreach (sc, scale) {
                cleanup_free char *svc = xstrndup(sc, strcspn(sc, "="));
                bool found = false;

                for (size_t i = 0; i < st->p->nservices; i++) {
                        if (strcmp(st->p->services[i].name, svc) != 0)
                                continue;
                        found = true;
                        if (st->svcs[i])
                                st->svcs[i]->replicas =
                                        (unsigned)strtoul(strchr(sc, '=') + 1, NULL, 10);
                }
                if (!found)
                        return berr_msg(err, ENOENT, "--scale: no such service: %s", svc);
        }
        return 0;
}

/* Everything before any container exists: images, plans, networks. */
static int prepare(struct stack *st, struct up_opts *o, struct progress *pr, struct berr **err)
{
        struct progress quiet = *pr;
        int r;

        if (o->quiet_pull)
                quiet.mode = PROGRESS_QUIET;
        o->rec.targets = stack_with_deps(st, o->services, o->no_deps);
        if (!o->pull || strcmp(o->pull, "never") != 0) {
                r = images_ensure(st->cli->root, st->p, o->rec.targets, o->pull, false, &quiet,
                                  err);
                if (r < 0)
                        return r;
        }
        r = stack_plan(st, o->rec.targets, err);
        if (r < 0)
                return r;
        /* services not asked for keep running under the new supervisor when their images are here
         */
        for (size_t i = 0; i < st->p->nservices; i++) {
                char *one[] = {st->p->services[i].name, NULL};
                struct berr *e = NULL;

                if (stack_plan(st, one, &e) < 0)
                        berr_free(e);
        }
        fault_point("up.images");
        r = apply_scale(st, o->scale, err);
        if (r < 0)
                return r;
        r = stack_net_up(st, err);
        if (r < 0)
                return berr_wrap(err, "project %s: networks", st->name);
        fault_point("up.net");
        return 0;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
        (void)sig;
        interrupted++;
}

static pid_t spawn_logs(const struct stack *st, const struct up_opts *o, int64_t since_ns)
{
        pid_t pid = fork();

        if (pid == 0) {
                struct logs_view_opts lo = {.filter = {.tail = -1, .since_ns = since_ns},
                                            .follow = true};
                cleanup_strv char **svcs = NULL;
                struct berr *err = NULL;

                signal(SIGINT, SIG_IGN);
                strv_foreach (s, o->rec.targets) {
                        if ((o->attach && !strv_contains(o->attach, s)) ||
                            strv_contains(o->no_attach, s))
                                continue;
                        svcs = strv_push(svcs, s);
                }
                lo.services = svcs ? svcs : xcalloc(1, sizeof(char *));
                lo.fmt.timestamps = o->timestamps;
                lo.fmt.no_prefix = o->no_prefix;
                lo.fmt.color = !o->no_color && cli_use_ansi(st->cli, 1);
                if (!svcs)
                        _exit(0);
                _exit(logs_view(st->cli->root, st->name, &lo, 1, &interrupted, &err) < 0 ? 1 : 0);
        }
        return pid;
}

static int stop_all(struct stack *st, struct ctl_conn *conn, const struct up_opts *o, int sig)
{
        struct proto_request req = {.op = sig ? PROTO_OP_KILL : PROTO_OP_STOP,
                                    .signal = sig,
                                    .timeout_ms = o->rec.timeout_ms};
        struct proto_response resp = {0};
        cleanup_berr struct berr *err = NULL;

        (void)st;
        if (ctl_call(conn, &req, &resp, -1, &err) < 0) {
                berr_print(err, stderr);
                return 1;
        }
        for (size_t i = 0; i < resp.n_ctrs; i++)
                fprintf(stderr, " Container %s  Stopped\n", resp.ctrs[i].name);
        proto_response_done(&resp);
        return 0;
}

/* depends_on `restart: true`: the dependants of a recreated service restart once it runs. */
static int restart_dependants(struct ctl_conn *conn, struct up_opts *o, struct progress *pr,
                              struct berr **err)
{
        struct proto_request req = {.op = PROTO_OP_RESTART,
                                    .timeout_ms = o->rec.timeout_ms,
                                    .services = o->rec.restart_after};
        struct proto_response resp = {0};
        double t0 = progress_now();
        int r;

        if (!o->rec.restart_after || !o->rec.restart_after[0])
                return 0;
        r = ctl_call(conn, &req, &resp, -1, err);
        for (size_t i = 0; r >= 0 && i < resp.n_ctrs; i++)
                progress_event(pr, "Container", resp.ctrs[i].name, "Restarted", progress_now() - t0,
                               false);
        req.services = NULL;
        proto_response_done(&resp);
        return r;
}

/* Whether every attached container has exited for good (none running or about to restart). */
static bool all_exited(struct ctl_conn *conn, const struct up_opts *o)
{
        struct proto_request req = {
                .op = PROTO_OP_PS, .services = o->rec.targets, .timeout_ms = -1};
        struct proto_response resp = {0};
        struct berr *err = NULL;
        bool done = true;

        if (ctl_call(conn, &req, &resp, 10000, &err) < 0) {
                berr_free(err);
                return false;
        }
        for (size_t i = 0; i < resp.n_ctrs; i++)
                if (strcmp(resp.ctrs[i].status, "exited") != 0 &&
                    strcmp(resp.ctrs[i].status, "dead") != 0)
                        done = false;
        req.services = NULL;
        proto_response_done(&resp);
        return done;
}

/* Foreground: stream logs until Ctrl-C or, with --abort-on-container-exit, a container exits. */
static int attach(struct stack *st, struct ctl_conn *conn, const struct up_opts *o,
                  int64_t since_ns)
{
        struct sigaction sa = {.sa_handler = on_sigint};
        struct ctl_conn *ev = NULL;
        cleanup_berr struct berr *err = NULL;
        struct proto_request req = {.op = PROTO_OP_EVENTS, .timeout_ms = -1};
        struct proto_response resp = {0};
        int code = 0, status;
        pid_t logs, stopper;

        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        logs = spawn_logs(st, o, since_ns);
        if (ctl_connect(st->cli->run, st->name, &ev, &err) < 0 ||
            ctl_call(ev, &req, &resp, 10000, &err) < 0) {
                berr_print(err, stderr);
                code = 1;
                goto out;
        }
        proto_response_done(&resp);
        for (unsigned tick = 0; !interrupted; tick++) {
                struct proto_event e = {0};
                bool is_event = false;
                int r;

                /* containers that exited before the event stream was open send no event */
                if (tick % 5 == 0 && all_exited(conn, o))
                        break;
                r = ctl_next(ev, &resp, &e, &is_event, 200, &err);

                if (r < 0 && err && err->code != ETIMEDOUT && err->code != EAGAIN) {
                        break;
                }
                berr_freep(&err);
                if (r == 0)
                        break; /* the supervisor went away (down from elsewhere) */
                if (r > 0 && is_event && o->abort_on_exit && strcmp(e.type, "die") == 0 &&
                    (!o->exit_code_from || strcmp(e.service, o->exit_code_from) == 0)) {
                        code = e.exit_code;
                        fprintf(stderr, "Aborting on container exit...\n");
                        proto_event_done(&e);
                        stop_all(st, conn, o, 0);
                        goto out;
                }
                if (r > 0 && is_event && strcmp(e.type, "die") == 0 && all_exited(conn, o)) {
                        proto_event_done(&e);
                        break;
                }
                if (r > 0 && is_event)
                        proto_event_done(&e);
                else if (r > 0)
                        proto_response_done(&resp);
        }
        if (interrupted) {
                fprintf(stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
                code = 130;
                stopper = fork();
                if (stopper == 0) {
                        /* a second Ctrl-C while the stop runs kills everything */
                        signal(SIGINT, SIG_DFL);
                        _exit(stop_all(st, conn, o, 0));
                }
                while (stopper > 0 && waitpid(stopper, &status, 0) < 0 && errno == EINTR) {
                        if (interrupted > 1) {
                                stop_all(st, conn, o, SIGKILL);
                                break;
                        }
                }
        }
out:
        interrupted = 1;
        if (logs > 0) {
                kill(logs, SIGTERM);
                (void)waitpid(logs, NULL, 0);
        }
        if (ev)
                ctl_close(ev);
        return code;
}

int cmd_up(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("up");
        struct up_opts o = {0};
        struct stack st;
        struct progress pr;
        struct ctl_conn *conn = NULL;
        cleanup_berr struct berr *err = NULL;
        int64_t since = timefmt_now_ns();
        int r;

        if ((r = parse(self, argc, argv, &o)) != 0) {
                up_opts_done(&o);
                return r;
        }
        if ((r = stack_load(cli, &st)) != 0) {
                up_opts_done(&o);
                return r;
        }
        progress_init(&pr, cli, stderr);
        r = project_check_names(st.p, o.services);
        if (r != 0)
                goto out;
        fault_point("up.load");
        if (prepare(&st, &o, &pr, &err) < 0 || reconcile(&st, &o.rec, &pr, &err) < 0) {
                r = 1;
                goto fail;
        }
        fault_point("up.reconcile");
        if (stack_supervisor(&st, &conn, &err) < 0) {
                r = 1;
                goto fail;
        }
        fault_point("up.super");
        if (!o.no_start && startup_run(&st, conn, o.rec.targets, &pr, -1, &err) < 0) {
                r = 1;
                goto fail;
        }
        fault_point("up.start");
        if (!o.no_start && stack_ports_apply(&st, &err) < 0) {
                r = 1;
                goto fail;
        }
        fault_point("up.ports");
        if (!o.no_start && restart_dependants(conn, &o, &pr, &err) < 0) {
                r = 1;
                goto fail;
        }
        if (o.no_start) {
                r = 0;
                goto out;
        }
        fault_point("up.wait");
        if (o.wait) {
                r = startup_wait(&st, conn, o.rec.targets, o.wait_timeout_ms, &pr, &err) < 0 ? 1
                                                                                             : 0;
                if (r)
                        goto fail;
        }
        r = o.detach ? 0 : attach(&st, conn, &o, since);
        goto out;
fail:
        berr_print(err, stderr);
out:
        if (conn)
                ctl_close(conn);
        progress_done(&pr);
        stack_done(&st);
        up_opts_done(&o);
        return r;
}
