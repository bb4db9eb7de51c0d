/* SPDX-License-Identifier: MIT */
/* The supervisor's life cycle: lock, run directory, state, re-adoption, the loop, shutdown, and
 * supervisor_spawn() which daemonises it for a CLI. */
#define LOG_MODULE_NAME "supervisor"
#include "orchestrator/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/fdutil.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "orchestrator/lock.h"
#include "orchestrator/supervisor_internal.h"
#include "orchestrator/timefmt.h"

void sup_service_done(struct sup_service *s)
{
        free(s->name);
        free(s->config_hash);
        health_config_done(&s->health);
        if (s->free_backend_config)
                s->free_backend_config(s->backend_config);
        memset(s, 0, sizeof(*s));
}

void sup_config_done(struct sup_config *c)
{
        for (size_t i = 0; i < c->n_services; i++)
                sup_service_done(&c->services[i]);
        free(c->services);
        free(c->project);
        if (c->loop_done)
                c->loop_done(c->loop_ud);
        if (c->backend)
                c->backend->ops->free(c->backend);
        memset(c, 0, sizeof(*c));
}

struct state_container *sup_ctr_state(struct sup_ctr *c)
{
        return &c->sup->state->ctrs[c->idx];
}

static void on_trim(evutil_socket_t fd, short what, void *ud)
{
        (void)fd;
        (void)what;
        (void)ud;
        /* starts, state documents and requests leave freed chunks all over the heap; without
         * this they stay resident (glibc only trims the top of the heap by itself) */
        malloc_trim(0);
}

void sup_trim_later(struct supervisor *s)
{
        const struct timeval tv = {SUP_TRIM_DELAY_MS / 1000, (SUP_TRIM_DELAY_MS % 1000) * 1000};

        if (!s->base)
                return;
        if (!s->ev_trim)
                s->ev_trim = evtimer_new(s->base, on_trim, s);
        evtimer_add(s->ev_trim, &tv); /* re-adding postpones it */
}

void sup_save_state(struct supervisor *s)
{
        cleanup_berr struct berr *err = NULL;

        sup_trim_later(s);
        if (s->remove_state && s->down)
                return;
        if (state_save(s->cfg.root, s->state, &err) < 0) {
                cleanup_free char *t = berr_text(err);

                log_warn("save state: %s", t);
        }
}

void sup_emit(struct supervisor *s, const char *type, struct sup_ctr *c, int exit_code,
              const char *health)
{
        struct proto_event ev = {
                .time_ns = timefmt_now_ns(),
                .type = (char *)type,
                .container = c ? c->name : NULL,
                .service = c ? c->svc->name : NULL,
                .exit_code = exit_code,
                .health = (char *)health,
        };
        struct strbuf b = STRBUF_INIT;

        log_debug("event %s %s", type, c ? c->name : "");
        proto_encode_event(&b, &ev);
        sup_ctl_broadcast(s, c ? c->svc->name : NULL, b.buf, b.len);
        strbuf_done(&b);
}

static void on_sigchld(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        sup_reap_children(arg);
}

static void on_sigterm(evutil_socket_t fd, short what, void *arg)
{
        struct supervisor *s = arg;
        bool any = false;

        (void)fd;
        (void)what;
        log_info("stopping every container and exiting (signal)");
        s->down = true;
        for (size_t i = 0; i < s->n_ctrs; i++) {
                sup_ctr_stop(&s->ctrs[i], -1);
                any |= sup_ctr_running(&s->ctrs[i]);
        }
        if (!any)
                event_base_loopexit(s->base, NULL);
}

/* Match the configured services with the recorded containers (adding what is new) and make one
 * sup_ctr per container. */
static int build_containers(struct supervisor *s, struct berr **err)
{
        size_t n = 0, k = 0;
        int r;

        for (size_t i = 0; i < s->cfg.n_services; i++)
                n += s->cfg.services[i].replicas;
        for (size_t i = 0; i < s->cfg.n_services; i++) {
                struct sup_service *svc = &s->cfg.services[i];

                for (unsigned num = 1; num <= svc->replicas; num++) {
                        cleanup_free char *name =
                                xasprintf("%s-%s-%u", s->cfg.project, svc->name, num);
                        struct state_container *st = state_find(s->state, name);

                        if (!st) {
                                st = state_add(s->state, svc->name, num);
                                st->created_ns = timefmt_now_ns();
                        }
                        free(st->config_hash);
                        st->config_hash = svc->config_hash ? xstrdup(svc->config_hash) : NULL;
                }
        }
        s->ctrs = xcalloc(n ? n : 1, sizeof(*s->ctrs));
        for (size_t i = 0; i < s->cfg.n_services; i++) {
                struct sup_service *svc = &s->cfg.services[i];

                for (unsigned num = 1; num <= svc->replicas; num++) {
                        struct sup_ctr *c = &s->ctrs[k++];
                        cleanup_free char *name =
                                xasprintf("%s-%s-%u", s->cfg.project, svc->name, num);

                        c->sup = s;
                        c->svc = svc;
                        c->idx = (size_t)(state_find(s->state, name) - s->state->ctrs);
                        c->name = TAKE_PTR(name);
                        s->n_ctrs++;
                        r = sup_ctr_init(c, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int load_state(struct supervisor *s, struct berr **err)
{
        int r = state_load(s->cfg.root, s->cfg.project, &s->state, err);

        if (r == -ENOENT) {
                berr_freep(err);
                s->state = state_project_new(s->cfg.project);
                return 0;
        }
        return r;
}

int supervisor_new(struct sup_config *cfg, struct supervisor **ret, struct berr **err)
{
        struct supervisor *s;
        cleanup_free char *fifo_dir = NULL;
        int r;

        if (!state_project_name_valid(cfg->project))
                return berr_msg(err, EINVAL, "invalid project name \"%s\"", cfg->project);
        s = xcalloc(1, sizeof(*s));
        s->cfg = *cfg;
        memset(cfg, 0, sizeof(*cfg));
        s->lock_fd = -1;
        s->run_dir = lock_run_dir(s->cfg.run, s->cfg.project);
        s->state_dir = state_project_dir(s->cfg.root, s->cfg.project);
        r = lock_take(s->cfg.run, s->cfg.project, err);
        if (r < 0)
                goto fail;
        s->lock_fd = r;
        fault_point("super.lock");
        fifo_dir = xasprintf("%s/fifo", s->run_dir);
        r = mkdir_p(fifo_dir, 0700, err);
        if (r < 0)
                goto fail;
        s->base = event_base_new();
        if (!s->base) {
                r = berr_msg(err, ENOMEM, "event_base_new failed");
                goto fail;
        }
        if (s->cfg.loop_init) {
                r = s->cfg.loop_init(s->base, s->cfg.loop_ud, err);
                if (r < 0)
                        goto fail;
        }
        r = load_state(s, err);
        if (r < 0)
                goto fail;
        r = build_containers(s, err);
        if (r < 0)
                goto fail;
        s->state->supervisor_pid = getpid();
        signal(SIGPIPE, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        s->ev_sigchld = evsignal_new(s->base, SIGCHLD, on_sigchld, s);
        s->ev_sigterm = evsignal_new(s->base, SIGTERM, on_sigterm, s);
        s->ev_sigint = evsignal_new(s->base, SIGINT, on_sigterm, s);
        event_add(s->ev_sigchld, NULL);
        event_add(s->ev_sigterm, NULL);
        event_add(s->ev_sigint, NULL);
        r = sup_ctl_listen(s, err);
        if (r < 0)
                goto fail;
        fault_point("super.listen");
        *ret = s;
        return 0;
fail:
        supervisor_free(s);
        return r;
}

/* What was running (or about to restart) when the last supervisor died: adopt it, or, if it
 * died meanwhile, apply its restart policy as to any exit (status unknown: -1, a failure). */
static bool adopt_or_decide(struct sup_ctr *c)
{
        struct state_container *st = sup_ctr_state(c);
        cleanup_berr struct berr *err = NULL;
        struct restart_decision d;

        bool paused = st->status == CTR_PAUSED;

        if (paused) /* frozen by `berth pause`: adopted as it is */
                st->status = CTR_RUNNING;
        if (st->status != CTR_RUNNING && st->status != CTR_RESTARTING)
                return false;
        if (st->status == CTR_RUNNING && st->pid > 0 && sup_ctr_adopt(c, &err) > 0) {
                log_info("%s: re-adopted pid %d", c->name, (int)st->pid);
                if (paused)
                        st->status = CTR_PAUSED;
                return false;
        }
        if (st->status == CTR_RUNNING) {
                st->status = CTR_EXITED;
                st->exit_code = -1;
                st->pid = 0;
                st->finished_ns = timefmt_now_ns();
        }
        if (st->manual_stop)
                return false;
        d = restart_decide(&c->svc->restart, &c->rs, -1, 0, false, timefmt_mono_ms());
        st->restart_attempts = c->rs.attempts;
        st->backoff_ms = c->rs.backoff_ms;
        return d.action == RESTART_ACTION_RESTART;
}

/* Start what should run; the failures (one line each) go to *failures for the caller of up. */
static void start_all(struct supervisor *s, struct strbuf *failures)
{
        for (size_t i = 0; i < s->n_ctrs; i++) {
                struct sup_ctr *c = &s->ctrs[i];
                struct state_container *st = sup_ctr_state(c);
                bool want;
                cleanup_berr struct berr *err = NULL;

                c->rs.attempts = st->restart_attempts;
                c->rs.backoff_ms = st->backoff_ms;
                want = adopt_or_decide(c);
                if (!s->cfg.no_start && !sup_ctr_running(c)) {
                        /* `up`: everything runs again, as a user start */
                        st->manual_stop = false;
                        c->rs = (struct restart_state){0};
                        want = true;
                }
                if (want && sup_ctr_start(c, &err) < 0) {
                        cleanup_free char *t = berr_text(err);

                        log_error("%s", t);
                        strbuf_printf(failures, "%s%s", failures->len ? "; " : "", t);
                }
        }
        sup_save_state(s);
}

static void remove_tree(const char *path)
{
        pid_t pid = fork();

        /* rm -rf without reimplementing it; paths are ours (validated project name) */
        if (pid == 0) {
                execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
                _exit(127);
        }
        if (pid > 0)
                (void)waitpid(pid, NULL, 0);
}

int supervisor_run(struct supervisor *s, int ready_fd, struct berr **err)
{
        struct strbuf failures = STRBUF_INIT;

        (void)err;
        start_all(s, &failures);
        if (ready_fd >= 0) {
                /* "fail <text>": the supervisor runs, but some container did not start */
                if (failures.len) {
                        cleanup_free char *line = xasprintf("fail %s\n", failures.buf);

                        (void)write_all(ready_fd, line, strlen(line));
                } else {
                        (void)write_all(ready_fd, "ok\n", 3);
                }
                close(ready_fd);
        }
        strbuf_done(&failures);
        log_info("supervising project %s (%zu containers)", s->cfg.project, s->n_ctrs);
        event_base_dispatch(s->base);
        log_info("supervisor of %s exiting", s->cfg.project);
        return 0;
}

void supervisor_free(struct supervisor *s)
{
        bool remove = s && s->down && s->remove_state;

        if (!s)
                return;
        for (size_t i = 0; i < s->n_ctrs; i++)
                sup_ctr_done(&s->ctrs[i]);
        free(s->ctrs);
        if (s->cfg.loop_done)
                s->cfg.loop_done(s->cfg.loop_ud);
        s->cfg.loop_done = NULL;
        if (remove) {
                fault_point("super.state");
                remove_tree(s->state_dir);
                remove_tree(s->run_dir);
        } else if (s->state && s->lock_fd >= 0) {
                s->state->supervisor_pid = 0;
                sup_save_state(s);
        }
        if (s->lock_fd >= 0)
                close(s->lock_fd);
        /* last: a client's answer (and its EOF) tells it everything above is done */
        sup_ctl_close(s);
        if (s->ev_sigchld)
                event_free(s->ev_sigchld);
        if (s->ev_sigterm)
                event_free(s->ev_sigterm);
        if (s->ev_sigint)
                event_free(s->ev_sigint);
        if (s->ev_trim)
                event_free(s->ev_trim);
        if (s->base)
                event_base_free(s->base);
        state_project_free(s->state);
        free(s->run_dir);
        free(s->state_dir);
        free(s->sock_path);
        sup_config_done(&s->cfg);
        free(s);
}

/* ---- daemonising --------------------------------------------------------------------------- */

static void report(int fd, const struct berr *e)
{
        cleanup_free char *t = berr_text(e);
        cleanup_free char *line = xasprintf("err %d %s\n", e->code, t);

        (void)write_all(fd, line, strlen(line));
}

_Noreturn void supervisor_daemon_main(struct sup_config *cfg, int ready_fd)
{
        cleanup_free char *dir = lock_run_dir(cfg->run, cfg->project);
        cleanup_free char *logpath = xasprintf("%s/supervisor.log", dir);
        struct supervisor *s = NULL;
        struct berr *err = NULL;
        int fd;

        /* the supervisor's log is for after the fact: keep its life cycle in it */
        if (log_get_level() < LOG_LEVEL_INFO)
                log_set_level(LOG_LEVEL_INFO);
        (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        (void)prctl(PR_SET_NAME, "berth-super", 0, 0, 0);
        if (chdir("/") < 0)
                _exit(1);
        umask(022);
        fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
                dup2(fd, 0);
                dup2(fd, 1);
                if (fd > 2)
                        close(fd);
        }
        if (mkdir_p(dir, 0700, &err) == 0) {
                fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
                if (fd >= 0) {
                        dup2(fd, 2);
                        close(fd);
                }
        }
        berr_freep(&err);
        if (supervisor_new(cfg, &s, &err) < 0) {
                report(ready_fd, err);
                _exit(1);
        }
        supervisor_run(s, ready_fd, &err);
        supervisor_free(s);
        _exit(0);
}

/* Fork twice (the caller's child becomes a session leader, its child the daemon, which runs
 * child(ud, ready_fd) and never returns); then wait for the daemon's ready line. */
static int spawn_daemon(void (*child)(void *ud, int ready_fd), void *ud,
                        void (*parent_done)(void *), struct berr **err)
{
        cleanup_free char *buf = NULL;
        int p[2], r, status;
        size_t len;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return berr_set(err, errno, "pipe");
        pid = fork();
        if (pid < 0) {
                r = berr_set(err, errno, "fork");
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                close(p[0]);
                /* nothing of the caller's (a test runner's pipes...) may stay open in a daemon */
                if (p[1] > 3)
                        (void)close_range(3, (unsigned)p[1] - 1, 0);
                (void)close_range((unsigned)p[1] + 1, ~0u, 0);
                if (setsid() < 0)
                        _exit(1);
                pid = fork();
                if (pid != 0)
                        _exit(pid < 0 ? 1 : 0);
                child(ud, p[1]);
                _exit(1);
        }
        close(p[1]);
        if (parent_done)
                parent_done(ud);
        (void)waitpid(pid, &status, 0);
        r = read_all(p[0], 64 * 1024, &buf, &len, err);
        close(p[0]);
        if (r < 0)
                return r;
        if (strncmp(buf, "ok\n", 3) == 0)
                return 0;
        if (len > 0 && buf[len - 1] == '\n')
                buf[len - 1] = 0;
        if (strncmp(buf, "fail ", 5) == 0)
                return berr_msg(err, ECHILD, "%s", buf + 5);
        if (strncmp(buf, "err ", 4) == 0) {
                char *msg = NULL;
                long code = strtol(buf + 4, &msg, 10);

                if (msg && *msg == ' ')
                        msg++;
                return berr_msg(err, code > 0 ? (int)code : EIO, "%s", msg ? msg : "");
        }
        return berr_msg(err, EIO, "the supervisor exited before it was ready");
}

static void fork_child(void *ud, int ready_fd)
{
        supervisor_daemon_main(ud, ready_fd);
}

static void fork_parent_done(void *ud)
{
        sup_config_done(ud);
}

int supervisor_spawn(struct sup_config *cfg, struct berr **err)
{
        return spawn_daemon(fork_child, cfg, fork_parent_done, err);
}

struct exec_args {
        const char *exe;
        const char *plan;
};

#define SUP_MALLOC_TUNABLES "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0"

/* The plan goes in a memfd (any length, no pipe to feed); it and ready_fd are inherited. */
static void exec_child(void *ud, int ready_fd)
{
        const struct exec_args *a = ud;
        struct berr *err = NULL;
        char fd_arg[16], ready_arg[16];
        int fd = memfd_create("berth-supervisor-plan", 0);

        if (fd < 0) {
                berr_set(&err, errno, "memfd_create");
                goto fail;
        }
        if (write_all(fd, a->plan, strlen(a->plan)) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
                berr_set(&err, errno, "write the supervisor's plan");
                goto fail;
        }
        if (fcntl(ready_fd, F_SETFD, 0) < 0) {
                berr_set(&err, errno, "fcntl");
                goto fail;
        }
        /* glibc's per-thread cache and fast bins keep freed chunks out of reach of malloc_trim
         * (up to 7 per size class: ~200 KiB for a process that sits idle); the supervisor
         * allocates little after its start, so it goes without them (docs/performance.md) */
        {
                const char *t = getenv("GLIBC_TUNABLES");
                cleanup_free char *v =
                        xasprintf("%s%s" SUP_MALLOC_TUNABLES, t ? t : "", t && *t ? ":" : "");

                (void)setenv("GLIBC_TUNABLES", v, 1);
        }
        snprintf(fd_arg, sizeof(fd_arg), "%d", fd);
        snprintf(ready_arg, sizeof(ready_arg), "%d", ready_fd);
        execl(a->exe, "berth-supervisor", fd_arg, ready_arg, (char *)NULL);
        berr_set(&err, errno, "exec %s", a->exe);
fail:
        report(ready_fd, err);
        _exit(1);
}

int supervisor_spawn_exec(const char *exe, const char *plan, struct berr **err)
{
        struct exec_args a = {.exe = exe, .plan = plan};

        return spawn_daemon(exec_child, &a, NULL, err);
}
