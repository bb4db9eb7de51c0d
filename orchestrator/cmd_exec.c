/* SPDX-License-Identifier: MIT */
/* `berth exec SERVICE COMMAND [ARGS...]`: run a command in a service's running container, as
 * `docker compose exec`: rt_exec into its namespaces and cgroup with the service's runtime config
 * (caps, seccomp, user, environment), the command's exit code as berth's (127 when it is not
 * found, 126 when not executable). With a terminal on stdin and stdout (and no -T, -d), the
 * command gets a pty of the container as its controlling terminal and orchestrator/term.h relays
 * it; otherwise stdin/stdout/stderr are passed through. */
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
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/backend_ctr.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/plan.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "orchestrator/term.h"
#include "runtime/runtime.h"
#include "runtime/syscalls.h"
#include "spec/spec.h"

const char cmd_exec_usage[] =
        "[OPTIONS] SERVICE COMMAND [ARGS...]\n"
        "\n"
        "Execute a command in a running container\n"
        "\n"
        "Options:\n"
        "  -d, --detach            Detached mode: Run command in the background\n"
        "  -e, --env stringArray   Set environment variables\n"
        "      --index int         Index of the container if service has multiple replicas (default 1)\n"
        "  -i, --interactive       Keep STDIN open (default true; --interactive=false closes it)\n"
        "  -T, --no-TTY            Disable pseudo-TTY allocation (by default one is allocated when\n"
        "                          stdin and stdout are terminals)\n"
        "      --privileged        Give extended privileges to the process\n"
        "  -u, --user string       Run the command as this user\n"
        "  -w, --workdir string    Path to workdir directory for this command\n";

struct exec_opts {
        struct term_flags term;
        bool detach, privileged;
        char **env;
        const char *user, *workdir;
        unsigned index;
};

static int parse(const struct command *self, int argc, char **argv, struct exec_opts *o)
{
        enum {
                O_INDEX = 256,
                O_PRIV
        };
        static const struct option opts[] = {
                {"detach", no_argument, NULL, 'd'},
                {"env", required_argument, NULL, 'e'},
                {"index", required_argument, NULL, O_INDEX},
                {"no-TTY", no_argument, NULL, 'T'},
                {"interactive", optional_argument, NULL, 'i'},
                {"tty", no_argument, NULL, 't'},
                {"privileged", no_argument, NULL, O_PRIV},
                {"user", required_argument, NULL, 'u'},
                {"workdir", required_argument, NULL, 'w'},
                {0},
        };
        char *end;
        long v;
        int c;

        o->index = 1;
        o->term.interactive = true;
        /* '+': options end at SERVICE, so the command's own flags stay its own */
        while ((c = getopt_long(argc, argv, "+:de:Titu:w:", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        o->detach = o->term.detach = true;
                        break;
                case 'e':
                        if (strchr(optarg, '=')) {
                                o->env = strv_push(o->env, optarg);
                        } else if (getenv(optarg)) {
                                o->env = strv_push_take(o->env,
                                                        xasprintf("%s=%s", optarg, getenv(optarg)));
                        }
                        break;
                case O_INDEX:
                        v = strtol(optarg, &end, 10);
                        if (*end || v < 1)
                                return cli_usage_error(self,
                                                       "--index: \"%s\" is not a replica "
                                                       "number",
                                                       optarg);
                        o->index = (unsigned)v;
                        break;
                case O_PRIV:
                        o->privileged = true;
                        break;
                case 'T':
                case 't':
                case 'i':
                        if (term_flags_opt(&o->term, c, optarg) < 0)
                                return cli_usage_error(
                                        self, "--interactive: \"%s\" is not a boolean", optarg);
                        break;
                case 'u':
                        o->user = optarg;
                        break;
                case 'w':
                        o->workdir = optarg;
                        break;
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind < 2)
                return cli_usage_error(self, "requires at least 2 arguments: SERVICE COMMAND");
        return 0;
}

struct forward {
        int pidfd;
        int count;
};

/* A signal the CLI gets with a tty (keys go through the pty): the first few are passed on, then
 * SIGKILL, so the user's terminal always comes back. */
static void forward_signal(int sig, void *ud)
{
        struct forward *f = ud;

        f->count++;
        (void)sys_pidfd_send_signal(f->pidfd, f->count < 3 ? sig : SIGKILL, NULL, 0);
}

static int wait_code(pid_t pid)
{
        int status = 0;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return 125;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* With a tty: relay until the command exits. */
static int relay(const struct rt_process *p, bool interactive)
{
        cleanup_berr struct berr *err = NULL;
        struct forward f = {.pidfd = p->pidfd};
        struct term_relay r = {.in_fd = interactive ? 0 : -1,
                               .out_fd = 1,
                               .master = p->tty_master,
                               .pidfd = p->pidfd,
                               .on_signal = forward_signal,
                               .ud = &f};

        if (term_relay_run(&r, &err) < 0) {
                berr_print(err, stderr);
                (void)sys_pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
        }
        return wait_code(p->pid);
}

static int run_exec(struct stack *st, const char *service, char **cmd, const struct exec_opts *o)
{
        char *one[] = {(char *)service, NULL};
        cleanup_berr struct berr *err = NULL;
        struct proto_container *v = NULL;
        const struct proto_container *c;
        const struct plan_service *ps = NULL;
        cleanup_free char *cgroup = NULL;
        struct rt_exec_opts eo = {.argv = cmd,
                                  .env = o->env,
                                  .cwd = (char *)o->workdir,
                                  .user = (char *)o->user,
                                  .stdio = {0, 1, 2}};
        struct rt_process ctr = {0}, p = {0};
        struct rt_config cfg;
        size_t n = 0;
        bool live;
        int code = 1;

        if (ctr_query_list(st, &v, &n, &live, &err) < 0) {
                berr_print(err, stderr);
                return 1;
        }
        c = ctr_query_find(v, n, service, o->index);
        if (!c || strcmp(c->status, "running") != 0 || c->pid <= 0) {
                if (c)
                        fprintf(stderr, "berth: container %s is not running (%s)\n", c->name,
                                c->status);
                else
                        fprintf(stderr, "berth: service \"%s\" is not running container #%u\n",
                                service, o->index);
                goto out;
        }
        if (stack_plan(st, one, &err) < 0) {
                berr_print(err, stderr);
                goto out;
        }
        for (size_t i = 0; i < st->p->nservices; i++)
                if (strcmp(st->p->services[i].name, service) == 0)
                        ps = st->svcs[i];
        cgroup = ctr_query_cgroup(st->cli->root, c->name);
        ctr.pid = c->pid;
        ctr.pidfd = -1;
        ctr.cgroup = cgroup;
        backend_ctr_rt_config(ps, c->name, &cfg);
        if (o->privileged)
                cfg.privileged = true;
        if (o->detach)
                eo.stdio[0] = eo.stdio[1] = eo.stdio[2] = -1;
        else if (!o->term.interactive)
                eo.stdio[0] = -1;
        eo.tty = term_want_tty(&o->term, isatty(0), isatty(1));
        if (eo.tty)
                (void)term_size(1, &eo.tty_rows, &eo.tty_cols);
        if (rt_exec(&cfg, &ctr, &eo, &p, &err) < 0) {
                berr_print(err, stderr);
                /* docker's codes: 127 not found, 126 not executable, 125 anything else */
                code = err->code == ENOENT ? 127 : err->code == EACCES ? 126 : 125;
                plan_rt_config_done(&cfg);
                goto out;
        }
        plan_rt_config_done(&cfg);
        if (o->detach) {
                /* it stays in the container's pid namespace; its parent (us) goes */
                code = 0;
        } else if (eo.tty) {
                code = relay(&p, o->term.interactive);
                close(p.tty_master);
        } else {
                /* Ctrl-C goes to the process group, the command included */
                signal(SIGINT, SIG_IGN);
                signal(SIGQUIT, SIG_IGN);
                code = wait_code(p.pid);
        }
        rt_process_done(&p);
out:
        ctr_query_free(v, n);
        return code;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("exec");
        struct exec_opts o = {0};
        char *one[2] = {NULL, NULL};
        struct stack st;
        int r;

        if ((r = parse(self, argc, argv, &o)) != 0) {
                strv_free(o.env);
                return r;
        }
        one[0] = argv[optind];
        if ((r = stack_load(cli, &st)) != 0) {
                strv_free(o.env);
                return r;
        }
        r = project_check_names(st.p, one);
        if (r == 0)
                r = run_exec(&st, argv[optind], argv + optind + 1, &o);
        stack_done(&st);
        strv_free(o.env);
        return r;
}
