/* SPDX-License-Identifier: MIT */
/* `berth run SERVICE [COMMAND...]`: a one-off container `<project>-<service>-run-<12 hex>` with
 * the service's config (command, entrypoint, environment, user, workdir overridable), its
 * dependencies started first as `up -d` would (unless --no-deps), attached to the service's
 * networks, published ports only with --service-ports or -p. It is not the supervisor's: this
 * process spawns it, passes stdin/stdout/stderr through (or, when stdin and stdout are terminals
 * and no -T, gives it a pty of its own relayed by orchestrator/term.h), forwards SIGINT/SIGTERM (a
 * second one kills), and exits with its exit code; with -d a detached berth process waits on it
 * instead. Either way it is removed when it exits (cgroup, directories, address, its published
 * ports), and `down` removes one that still runs (orchestrator/oneoff.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/random.h>
#include <sys/wait.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/netmgr.h"
#include "orchestrator/backend.h"
#include "orchestrator/backend_ctr.h"
#include "orchestrator/cli.h"
#include "orchestrator/cli_fmt.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/images.h"
#include "orchestrator/oneoff.h"
#include "orchestrator/plan.h"
#include "orchestrator/progress.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "orchestrator/term.h"
#include "runtime/image.h"
#include "runtime/runtime.h"
#include "spec/spec.h"

const char cmd_run_usage[] =
        "[OPTIONS] SERVICE [COMMAND] [ARGS...]\n"
        "\n"
        "Run a one-off command on a service\n"
        "\n"
        "Options:\n"
        "  -d, --detach                Run container in background and print container ID\n"
        "      --entrypoint string     Override the entrypoint of the image\n"
        "  -e, --env stringArray       Set environment variables\n"
        "  -i, --interactive           Keep STDIN open (default true; --interactive=false closes it)\n"
        "      --name string           Assign a name to the container\n"
        "      --no-deps               Don't start linked services\n"
        "  -p, --publish stringArray   Publish a container's port(s) to the host\n"
        "      --pull string           Pull image before running (\"always\"|\"missing\"|\"never\")\n"
        "      --quiet-pull            Pull without printing progress information\n"
        "      --rm                    Automatically remove the container when it exits (berth always does)\n"
        "  -P, --service-ports         Run command with all service's ports enabled and mapped to the host\n"
        "  -T, --no-TTY                Disable pseudo-TTY allocation (by default one is allocated\n"
        "                              when stdin and stdout are terminals)\n"
        "  -u, --user string           Run as specified username or uid\n"
        "  -v, --volume stringArray    Bind mount a volume\n"
        "  -w, --workdir string        Working directory inside the container\n";

struct run_opts {
        struct term_flags term;
        bool detach, no_deps, service_ports, quiet_pull;
        char *entrypoint, *name, *user, *workdir;
        const char *pull;
        char **env, **publish, **volumes;
        char *service;
        char **command;
};

static int parse(const struct command *self, int argc, char **argv, struct run_opts *o)
{
        enum {
                O_ENTRY = 256,
                O_NAME,
                O_NO_DEPS,
                O_PULL,
                O_QUIET_PULL,
                O_RM,
                O_USE_ALIASES,
                O_BUILD,
                O_CAP,
                O_VOLUME
        };
        static const struct option opts[] = {
                {"detach", no_argument, NULL, 'd'},
                {"entrypoint", required_argument, NULL, O_ENTRY},
                {"env", required_argument, NULL, 'e'},
                {"name", required_argument, NULL, O_NAME},
                {"no-deps", no_argument, NULL, O_NO_DEPS},
                {"publish", required_argument, NULL, 'p'},
                {"pull", required_argument, NULL, O_PULL},
                {"quiet-pull", no_argument, NULL, O_QUIET_PULL},
                {"rm", no_argument, NULL, O_RM},
                {"service-ports", no_argument, NULL, 'P'},
                {"no-TTY", no_argument, NULL, 'T'},
                {"interactive", optional_argument, NULL, 'i'},
                {"tty", no_argument, NULL, 't'},
                {"user", required_argument, NULL, 'u'},
                {"workdir", required_argument, NULL, 'w'},
                {"use-aliases", no_argument, NULL, O_USE_ALIASES},
                {"build", no_argument, NULL, O_BUILD},
                {"cap-add", required_argument, NULL, O_CAP},
                {"cap-drop", required_argument, NULL, O_CAP},
                {"volume", required_argument, NULL, O_VOLUME},
                {0},
        };
        int c;

        o->term.interactive = true;
        while ((c = getopt_long(argc, argv, "+:de:p:PTitu:w:l:v:", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        o->detach = o->term.detach = true;
                        break;
                case O_ENTRY:
                        o->entrypoint = optarg;
                        break;
                case 'e':
                        if (strchr(optarg, '='))
                                o->env = strv_push(o->env, optarg);
                        else if (getenv(optarg))
                                o->env = strv_push_take(o->env,
                                                        xasprintf("%s=%s", optarg, getenv(optarg)));
                        break;
                case O_NAME:
                        if (!cli_fmt_container_name_valid(optarg))
                                return cli_usage_error(self,
                                                       "--name: \"%s\" is not a valid "
                                                       "container name",
                                                       optarg);
                        o->name = optarg;
                        break;
                case O_NO_DEPS:
                        o->no_deps = true;
                        break;
                case 'p':
                        o->publish = strv_push(o->publish, optarg);
                        break;
                case O_PULL:
                        if (!strv_contains((char *[]){"always", "missing", "never", NULL}, optarg))
                                return cli_usage_error(
                                        self, "--pull: \"%s\" is not one of always, missing, never",
                                        optarg);
                        o->pull = optarg;
                        break;
                case O_QUIET_PULL:
                        o->quiet_pull = true;
                        break;
                case 'P':
                        o->service_ports = true;
                        break;
                case 'T':
                case 't':
                case 'i':
                        if (term_flags_opt(&o->term, c, optarg) < 0)
                                return cli_usage_error(
                                        self, "--interactive: \"%s\" is not a boolean", optarg);
                        break;
                case O_RM:
                case O_USE_ALIASES:
                        break;
                case 'u':
                        o->user = optarg;
                        break;
                case 'w':
                        o->workdir = optarg;
                        break;
                case 'l':
                        break; /* labels: berth has no container labels */
                case O_BUILD:
                        return cli_usage_error(self, "--build: berth cannot build images yet");
                case 'v':
                        o->volumes = strv_push(o->volumes, optarg);
                        break;
                case O_CAP:
                        return cli_usage_error(self, "%s is not supported yet", argv[optind - 1]);
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error(self, "requires at least 1 argument: SERVICE");
        o->service = argv[optind];
        if (optind + 1 < argc)
                o->command = argv + optind + 1;
        return 0;
}

/* Start the dependencies as `up -d DEP...` does (their own dependencies, conditions, pulls). */
static int start_deps(struct cli *cli, struct stack *st, const struct run_opts *o)
{
        char *one[] = {o->service, NULL};
        cleanup_strv char **all = stack_with_deps(st, one, false);
        cleanup_strv char **argv = NULL;
        int r;

        argv = strv_push(argv, "up");
        argv = strv_push(argv, "-d");
        if (o->quiet_pull)
                argv = strv_push(argv, "--quiet-pull");
        if (o->pull) {
                argv = strv_push(argv, "--pull");
                argv = strv_push(argv, o->pull);
        }
        strv_foreach (s, all)
                if (strcmp(s, o->service) != 0)
                        argv = strv_push(argv, s);
        if (strv_length(argv) == (size_t)(2 + (o->quiet_pull ? 1 : 0) + (o->pull ? 2 : 0)))
                return 0; /* no dependencies */
        cli_getopt_reset();
        r = cmd_up(cli, (int)strv_length(argv), argv);
        cli_getopt_reset();
        return r;
}

static void env_set(char ***env, const char *kv)
{
        size_t klen = strcspn(kv, "=");
        char **v = *env;
        size_t n = 0;

        for (size_t i = 0; v && v[i]; i++) {
                if (strncmp(v[i], kv, klen) == 0 && v[i][klen] == '=') {
                        free(v[i]);
                        continue;
                }
                v[n++] = v[i];
        }
        if (v)
                v[n] = NULL;
        *env = strv_push(v, kv);
}

/* -v SRC:DST[:ro|rw], DST alone (anonymous), SRC a path (bind; relative to the project
 * directory) or a volume of the project. */
static int add_volume(struct stack *st, struct plan_service *s, const char *spec, struct berr **err)
{
        cleanup_strv char **f = strv_split(spec, ":");
        size_t n = strv_length(f);
        struct rt_mount m = {0};
        const char *src = n >= 2 ? f[0] : NULL, *dst = n >= 2 ? f[1] : f[0];

        if (n < 1 || n > 3 || !dst || dst[0] != '/' ||
            (n == 3 && strcmp(f[2], "ro") != 0 && strcmp(f[2], "rw") != 0))
                return berr_msg(err, EINVAL,
                                "--volume %s: not SRC:DST[:ro|rw] with an absolute "
                                "DST",
                                spec);
        m.target = xstrdup(dst);
        m.read_only = n == 3 && strcmp(f[2], "ro") == 0;
        if (!src) {
                m.type = RT_MOUNT_VOLUME; /* anonymous: made in the container's directory */
        } else if (src[0] == '/' || src[0] == '.' || src[0] == '~') {
                m.type = RT_MOUNT_BIND;
                m.recursive = true;
                m.create_source = true;
                m.source =
                        src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", st->p->working_dir, src);
        } else {
                const struct spec_volume *v = NULL;
                cleanup_free char *full = NULL;

                for (size_t i = 0; i < st->p->nvolumes; i++)
                        if (strcmp(st->p->volumes[i].key, src) == 0)
                                v = &st->p->volumes[i];
                if (!v) {
                        free(m.target);
                        return berr_msg(err, ENOENT, "--volume %s: no volume `%s` in the project",
                                        spec, src);
                }
                full = v->name ? xstrdup(v->name) : xasprintf("%s_%s", st->name, v->key);
                m.type = RT_MOUNT_VOLUME;
                m.copy_up = true;
                m.source = plan_volume_dir(st->cli->root, st->name, full);
                if (mkdir_p(m.source, 0755, err) < 0) {
                        free(m.target);
                        free(m.source);
                        return -(*err)->code;
                }
        }
        s->mounts = xrealloc(s->mounts, (s->n_mounts + 1) * sizeof(*s->mounts));
        s->mounts[s->n_mounts++] = m;
        return 0;
}

/* The service's plan with this run's overrides. */
static int customise(struct stack *st, struct plan_service *s, const struct run_opts *o,
                     struct berr **err)
{
        const struct spec_service *svc = spec_project_service(st->p, o->service);
        cleanup_strv char **ep = NULL;

        if (o->command || o->entrypoint) {
                struct image *img = NULL;
                char **argv;
                int r = image_open(st->cli->root, svc->image, &img, err);

                if (r < 0)
                        return r;
                if (o->entrypoint)
                        ep = strv_split(o->entrypoint, " ");
                /* --entrypoint drops the service's command too, as docker's does */
                char *none[] = {NULL};
                char *const *cmd = o->command ? o->command : o->entrypoint ? none : svc->command;

                argv = plan_merge_argv(img->config.entrypoint, img->config.cmd,
                                       o->entrypoint ? ep : svc->entrypoint, cmd);
                image_free(img);
                if (!argv || !argv[0]) {
                        strv_free(argv);
                        return berr_msg(err, EINVAL, "service `%s`: no command to run", o->service);
                }
                strv_free(s->argv);
                s->argv = argv;
        }
        strv_foreach (kv, o->env)
                env_set(&s->env, kv);
        if (o->user) {
                free(s->user);
                s->user = xstrdup(o->user);
        }
        if (o->workdir) {
                free(s->cwd);
                s->cwd = xstrdup(o->workdir);
        }
        /* ports: none unless asked */
        if (!o->service_ports) {
                free(s->ports);
                s->ports = NULL;
                s->n_ports = 0;
        }
        strv_foreach (spec, o->publish) {
                struct net_port p;

                if (net_port_parse(spec, &p, err) < 0)
                        return berr_wrap(err, "--publish %s", spec);
                s->ports = xrealloc(s->ports, (s->n_ports + 1) * sizeof(*s->ports));
                s->ports[s->n_ports++] = p;
        }
        strv_foreach (spec, o->volumes)
                if (add_volume(st, s, spec, err) < 0)
                        return -(*err)->code;
        s->replicas = 1;
        return 0;
}

/* Re-publish the project's ports with (add) or without this container's. */
static int ports_update(struct stack *st, const struct plan_service *s, const char *name, bool add,
                        struct berr **err)
{
        cleanup_free struct net_port_binding *b = NULL;
        cleanup_free struct net_port *v = NULL;
        size_t n = 0, k = 0;
        int r;

        bool mine = false;

        if (s->n_ports == 0)
                return 0;
        r = net_ports_list(st->name, st->cli->root, &b, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                mine |= strcmp(b[i].container, name) == 0;
        /* nothing of ours published (or the project went down meanwhile): leave the table be */
        if (!add && !mine)
                return 0;
        v = xcalloc(n + s->n_ports + 1, sizeof(*v));
        for (size_t i = 0; i < n; i++) {
                if (strcmp(b[i].container, name) == 0)
                        continue;
                v[k].container = b[i].container;
                snprintf(v[k].host_ip, sizeof(v[k].host_ip), "%s",
                         strcmp(b[i].host_ip, "0.0.0.0") == 0 ? "" : b[i].host_ip);
                v[k].host_port = b[i].host_port;
                v[k].container_port = b[i].container_port;
                v[k].proto = b[i].proto;
                k++;
        }
        for (size_t i = 0; add && i < s->n_ports; i++) {
                v[k] = s->ports[i];
                v[k].container = name;
                k++;
        }
        return net_ports_apply(st->name, st->cli->root, v, k, NULL, NULL, err);
}

static char *oneoff_name(const char *project, const char *service)
{
        unsigned char rnd[6];
        char hex[13];

        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                abort();
        for (size_t i = 0; i < sizeof(rnd); i++)
                snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
        return xasprintf("%s-%s-run-%s", project, service, hex);
}

static volatile sig_atomic_t got_signal, n_signals;

static void on_signal(int sig)
{
        got_signal = sig;
        n_signals++;
}

/* Everything the container leaves. Idempotent. */
static void cleanup_ctr(struct stack *st, const struct plan_service *s, const char *name)
{
        struct berr *e = NULL;

        if (ports_update(st, s, name, false, &e) < 0) {
                berr_print(e, stderr);
                berr_freep(&e);
        }
        if (backend_ctr_remove(st->cli->root, st->name, name, true, &e) < 0) {
                berr_print(e, stderr);
                berr_freep(&e);
        }
        oneoff_forget(st->cli->root, st->name, name);
}

/* Wait for the container's pid 1, forwarding signals; its docker exit code. */
static int wait_ctr(const struct backend_proc *p, const char *cgroup)
{
        struct rt_exit ex = {0};
        struct berr *e = NULL;
        int status = 0, forwarded = 0;

        for (;;) {
                pid_t r = waitpid(p->pid, &status, 0);

                if (r == p->pid)
                        break;
                if (r < 0 && errno != EINTR)
                        return 125;
                while (forwarded < n_signals) {
                        forwarded++;
                        if (forwarded == 1)
                                (void)kill(p->pid, got_signal);
                        else
                                (void)rt_kill(cgroup, p->pid, SIGKILL, true, NULL);
                }
        }
        if (rt_exit_reason(cgroup, status, &ex, &e) < 0) {
                berr_free(e);
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        return ex.code;
}

struct forward {
        const struct backend_proc *p;
        const char *cgroup;
        int count;
};

/* A signal to berth while the terminal is relayed: passed on, a second one kills (as without). */
static void forward_signal(int sig, void *ud)
{
        struct forward *f = ud;

        if (++f->count == 1)
                (void)kill(f->p->pid, sig);
        else
                (void)rt_kill(f->cgroup, f->p->pid, SIGKILL, true, NULL);
}

static void relay(const struct backend_proc *p, const char *cgroup, int master, bool interactive)
{
        cleanup_berr struct berr *err = NULL;
        struct forward f = {.p = p, .cgroup = cgroup};
        struct term_relay r = {.in_fd = interactive ? 0 : -1,
                               .out_fd = 1,
                               .master = master,
                               .pidfd = p->pidfd,
                               .on_signal = forward_signal,
                               .ud = &f};

        if (term_relay_run(&r, &err) < 0) {
                berr_print(err, stderr);
                (void)rt_kill(cgroup, p->pid, SIGKILL, true, NULL);
        }
}

/* The one-off container's life: spawn, (report to a detaching parent,) wait, clean up. */
static int run_ctr(struct stack *st, struct plan_service *s, const char *name,
                   const struct term_flags *term, int report_fd)
{
        struct backend *b = backend_ctr_new();
        struct backend_proc p = {.pidfd = -1};
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *cgroup = NULL;
        struct sigaction sa = {.sa_handler = on_signal};
        bool detach = term->detach;
        struct backend_ctr_io io = {
                .stdio = {detach || !term->interactive ? -1 : 0, detach ? -1 : 1, detach ? -1 : 2},
                .tty = term_want_tty(term, isatty(0), isatty(1)),
                .tty_master = -1};
        int code;

        if (io.tty)
                (void)term_size(1, &io.tty_rows, &io.tty_cols);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        if (oneoff_record(st->cli->root, st->name, name, getpid(), &err) < 0 ||
            backend_ctr_start_with(b, s, name, &io, &p, &err) < 0) {
                code = err->code == ENOENT ? 127 : err->code == EACCES ? 126 : 125;
                goto fail;
        }
        cgroup = ctr_query_cgroup(st->cli->root, name);
        if (ports_update(st, s, name, true, &err) < 0) {
                (void)rt_kill(cgroup, p.pid, SIGKILL, true, NULL);
                (void)waitpid(p.pid, NULL, 0);
                if (io.tty_master >= 0)
                        close(io.tty_master);
                code = 125;
                goto fail;
        }
        if (report_fd >= 0) {
                (void)!write(report_fd, "ok\n", 3);
                close(report_fd);
        }
        if (io.tty_master >= 0) {
                relay(&p, cgroup, io.tty_master, term->interactive);
                close(io.tty_master);
        }
        code = wait_ctr(&p, cgroup);
        if (p.pidfd >= 0)
                close(p.pidfd);
        cleanup_ctr(st, s, name);
        b->ops->free(b);
        return code;
fail:
        if (report_fd >= 0) {
                cleanup_free char *msg = berr_text(err);

                dprintf(report_fd, "%d %s\n", code, msg);
                close(report_fd);
        } else {
                berr_print(err, stderr);
        }
        cleanup_ctr(st, s, name);
        b->ops->free(b);
        return code;
}

/* -d: a detached berth process owns the container; print its name once it runs. */
static int run_detached(struct stack *st, struct plan_service *s, const char *name,
                        const struct term_flags *term)
{
        int fds[2];
        char buf[4096];
        ssize_t n;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0) {
                perror("berth: pipe");
                return 1;
        }
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                perror("berth: fork");
                return 1;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                close(fds[0]);
                (void)setsid();
                if (null >= 0) {
                        dup2(null, 0);
                        dup2(null, 1);
                        dup2(null, 2);
                }
                _exit(run_ctr(st, s, name, term, fds[1]) & 0xff);
        }
        close(fds[1]);
        n = read(fds[0], buf, sizeof(buf) - 1);
        close(fds[0]);
        if (n <= 0) {
                fprintf(stderr, "berth: container %s: the process that runs it died\n", name);
                return 125;
        }
        buf[n] = '\0';
        if (strncmp(buf, "ok\n", 3) == 0) {
                puts(name);
                return 0;
        }
        {
                char *sp = strchr(buf, ' ');

                fprintf(stderr, "berth: %s", sp ? sp + 1 : buf);
                return atoi(buf) ? atoi(buf) : 125;
        }
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("run");
        struct run_opts o = {0};
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *name = NULL;
        struct plan_service *s = NULL;
        struct progress pr, quiet;
        char *one[2] = {NULL, NULL};
        struct stack st;
        size_t idx = 0;
        int r;

        if ((r = parse(self, argc, argv, &o)) != 0)
                goto out_opts;
        one[0] = o.service;
        if ((r = stack_load(cli, &st)) != 0)
                goto out_opts;
        progress_init(&pr, cli, stderr);
        quiet = pr;
        if (o.quiet_pull)
                quiet.mode = PROGRESS_QUIET;
        if ((r = project_check_names(st.p, one)) != 0)
                goto out;
        if (!o.no_deps && (r = start_deps(cli, &st, &o)) != 0)
                goto out;
        r = 1;
        if ((!o.pull || strcmp(o.pull, "never") != 0) &&
            images_ensure(cli->root, st.p, one, o.pull, false, &quiet, &err) < 0)
                goto fail;
        if (stack_plan(&st, one, &err) < 0 || stack_net_up(&st, &err) < 0)
                goto fail;
        for (idx = 0; idx < st.p->nservices; idx++)
                if (strcmp(st.p->services[idx].name, o.service) == 0)
                        break;
        s = st.svcs[idx];
        if (customise(&st, s, &o, &err) < 0)
                goto fail;
        name = o.name ? xstrdup(o.name) : oneoff_name(st.name, o.service);
        {
                cleanup_free char *dir = plan_container_dir(cli->root, name);

                if (access(dir, F_OK) == 0) {
                        fprintf(stderr, "berth: the container name \"%s\" is already in use\n",
                                name);
                        r = 1;
                        goto out;
                }
        }
        progress_done(&pr);
        r = o.detach ? run_detached(&st, s, name, &o.term) : run_ctr(&st, s, name, &o.term, -1);
        goto out_st;
fail:
        berr_print(err, stderr);
out:
        progress_done(&pr);
out_st:
        stack_done(&st);
out_opts:
        strv_free(o.env);
        strv_free(o.publish);
        strv_free(o.volumes);
        return r;
}
