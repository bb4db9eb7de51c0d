/* SPDX-License-Identifier: MIT */
/* The supervisor's work on one container: start, exit, restart policy, stop, healthchecks and
 * log capture (orchestrator/supervisor_internal.h). */
#define LOG_MODULE_NAME "supervisor"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "orchestrator/supervisor_internal.h"
#include "orchestrator/timefmt.h"

static void on_log(evutil_socket_t fd, short what, void *arg);
static void on_exit_event(evutil_socket_t fd, short what, void *arg);
static void on_probe_exit(evutil_socket_t fd, short what, void *arg);
static void on_restart_timer(evutil_socket_t fd, short what, void *arg);
static void schedule_probe(struct sup_ctr *c, uint64_t delay_ms);

/* The log callbacks need the container and the stream: two small tables of (c, stream) would
 * do, but the stream is recovered from which fd fired instead. */
static enum log_stream stream_of(struct sup_ctr *c, evutil_socket_t fd)
{
        return fd == c->fifo_rd[LOG_STREAM_STDERR] ? LOG_STREAM_STDERR : LOG_STREAM_STDOUT;
}

static struct timeval tv_ms(uint64_t ms)
{
        struct timeval tv = {.tv_sec = (time_t)(ms / 1000),
                             .tv_usec = (suseconds_t)(ms % 1000) * 1000};

        return tv;
}

static void free_event(struct event **ev)
{
        if (*ev) {
                event_free(*ev);
                *ev = NULL;
        }
}

bool sup_ctr_running(const struct sup_ctr *c)
{
        return c->proc.pid > 0;
}

int sup_ctr_init(struct sup_ctr *c, struct berr **err)
{
        struct supervisor *s = c->sup;
        cleanup_free char *log_path = xasprintf("%s/logs/%s.log", s->state_dir, c->name);
        int r;

        c->proc.pidfd = c->probe.pidfd = -1;
        for (int i = 0; i < LOG_STREAM__MAX; i++) {
                c->fifo_rd[i] = -1;
                c->fifo_path[i] = xasprintf("%s/fifo/%s.%s", s->run_dir, c->name,
                                            log_stream_to_string((enum log_stream)i));
        }
        r = log_writer_open(log_path, &c->svc->log, &c->log, err);
        if (r < 0)
                return r;
        c->ev_restart = evtimer_new(s->base, on_restart_timer, c);
        return 0;
}

static void close_reader(struct sup_ctr *c, enum log_stream st)
{
        free_event(&c->ev_log[st]);
        if (c->fifo_rd[st] >= 0) {
                close(c->fifo_rd[st]);
                c->fifo_rd[st] = -1;
        }
}

void sup_ctr_done(struct sup_ctr *c)
{
        for (int i = 0; i < LOG_STREAM__MAX; i++) {
                close_reader(c, (enum log_stream)i);
                free(c->fifo_path[i]);
        }
        free_event(&c->ev_exit);
        free_event(&c->ev_restart);
        free_event(&c->ev_kill);
        free_event(&c->ev_health);
        free_event(&c->ev_probe_exit);
        free_event(&c->ev_probe_timeout);
        if (c->proc.pidfd >= 0)
                close(c->proc.pidfd);
        if (c->probe.pidfd >= 0)
                close(c->probe.pidfd);
        log_writer_close(c->log);
        free(c->name);
}

/* Read what the FIFO holds, up to the budget; on EOF (no writer left) close our end. */
static void drain_log(struct sup_ctr *c, enum log_stream st, size_t budget)
{
        char buf[64 * 1024];
        size_t done = 0;

        while (c->fifo_rd[st] >= 0 && done < budget) {
                ssize_t n = read(c->fifo_rd[st], buf, sizeof(buf));
                cleanup_berr struct berr *err = NULL;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                close_reader(c, st);
                        return;
                }
                if (n == 0) {
                        (void)log_writer_flush(c->log, st, timefmt_now_ns(), &err);
                        close_reader(c, st);
                        return;
                }
                /* one warning when writes start failing (a full disk), one when they work again */
                if (log_writer_write(c->log, st, buf, (size_t)n, timefmt_now_ns(), &err) < 0) {
                        cleanup_free char *t = berr_text(err);

                        if (c->log_dropped == 0)
                                log_warn("%s: %s, dropping output until writes work again", c->name,
                                         t);
                        c->log_dropped += (uint64_t)n;
                } else if (c->log_dropped) {
                        log_warn("%s: log writes work again, %" PRIu64 " bytes were dropped",
                                 c->name, c->log_dropped);
                        c->log_dropped = 0;
                }
                done += (size_t)n;
        }
}

static void on_log(evutil_socket_t fd, short what, void *arg)
{
        struct sup_ctr *c = arg;

        (void)what;
        drain_log(c, stream_of(c, fd), SUP_LOG_READ_BUDGET);
}

static int open_reader(struct sup_ctr *c, enum log_stream st, struct berr **err)
{
        if (c->fifo_rd[st] >= 0)
                return 0;
        c->fifo_rd[st] = open(c->fifo_path[st], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (c->fifo_rd[st] < 0)
                return berr_set(err, errno, "open `%s`", c->fifo_path[st]);
        c->ev_log[st] = event_new(c->sup->base, c->fifo_rd[st], EV_READ | EV_PERSIST, on_log, c);
        event_add(c->ev_log[st], NULL);
        return 0;
}

/* The container's end: opened read-write, so the FIFO always has a reader while the container
 * lives and a write never fails with EPIPE, even with no supervisor (docs/orchestrator.md). */
static int open_fifo(struct sup_ctr *c, enum log_stream st, int *ret_fd, struct berr **err)
{
        int fd;

        if (mkfifo(c->fifo_path[st], 0600) < 0 && errno != EEXIST)
                return berr_set(err, errno, "mkfifo `%s`", c->fifo_path[st]);
        fd = open(c->fifo_path[st], O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return berr_set(err, errno, "open `%s`", c->fifo_path[st]);
        (void)fcntl(fd, F_SETPIPE_SZ, SUP_FIFO_SIZE);
        *ret_fd = fd;
        return open_reader(c, st, err);
}

/* tty: true. The pty master is the container's stdout reader: what it prints is logged with the
 * terminal's \r\n, as docker logs it; EIO (every slave closed) ends it like a FIFO's EOF. */
static int take_tty(struct sup_ctr *c, int master, struct berr **err)
{
        int fl = fcntl(master, F_GETFL);

        if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0) {
                close(master);
                return berr_set(err, errno, "pty master");
        }
        close_reader(c, LOG_STREAM_STDOUT);
        c->fifo_rd[LOG_STREAM_STDOUT] = master;
        c->ev_log[LOG_STREAM_STDOUT] =
                event_new(c->sup->base, master, EV_READ | EV_PERSIST, on_log, c);
        event_add(c->ev_log[LOG_STREAM_STDOUT], NULL);
        return 0;
}

static void arm_exit(struct sup_ctr *c)
{
        if (c->proc.child && c->sup->cfg.sigchld_only)
                return;
        c->ev_exit = event_new(c->sup->base, c->proc.pidfd, EV_READ, on_exit_event, c);
        event_add(c->ev_exit, NULL);
}

static void mark_running(struct sup_ctr *c, bool adopted)
{
        struct state_container *st = sup_ctr_state(c);

        st->pid = c->proc.pid;
        st->pid_start = c->proc.start;
        st->status = CTR_RUNNING;
        if (!adopted) {
                st->started_ns = timefmt_now_ns();
                c->started_mono = timefmt_mono_ms();
        } else {
                int64_t ran = (timefmt_now_ns() - st->started_ns) / 1000000;

                c->started_mono = timefmt_mono_ms() - (uint64_t)(ran > 0 ? ran : 0);
        }
        health_reset(&c->svc->health, &c->hs, timefmt_mono_ms());
        free(st->health);
        st->health =
                c->hs.status == HEALTH_NONE ? NULL : xstrdup(health_status_to_string(c->hs.status));
        if (c->hs.status != HEALTH_NONE)
                schedule_probe(c, health_next_delay(&c->svc->health, &c->hs, timefmt_mono_ms()));
}

int sup_ctr_start(struct sup_ctr *c, struct berr **err)
{
        struct supervisor *s = c->sup;
        struct state_container *st = sup_ctr_state(c);
        cleanup_close int out = -1, errfd = -1;
        int r;

        if (sup_ctr_running(c))
                return 0;
        evtimer_del(c->ev_restart);
        c->start_on_exit = false;
        r = open_fifo(c, LOG_STREAM_STDOUT, &out, err);
        if (r >= 0)
                r = open_fifo(c, LOG_STREAM_STDERR, &errfd, err);
        c->proc.tty_master = -1;
        if (r >= 0)
                r = s->cfg.backend->ops->start(s->cfg.backend, c->svc->backend_config, c->name, out,
                                               errfd, &c->proc, err);
        if (r >= 0 && c->proc.tty_master >= 0) {
                r = take_tty(c, c->proc.tty_master, err);
                c->proc.tty_master = -1;
                if (r < 0) {
                        /* reaped by the SIGCHLD fallback */
                        (void)s->cfg.backend->ops->kill(s->cfg.backend, &c->proc, SIGKILL, true,
                                                        NULL);
                        close(c->proc.pidfd);
                        c->proc = (struct backend_proc){.pidfd = -1};
                }
        }
        if (r < 0) {
                st->status = CTR_EXITED;
                st->exit_code = 127;
                st->finished_ns = timefmt_now_ns();
                sup_save_state(s);
                return berr_wrap(err, "container %s", c->name);
        }
        fault_point("super.ctr.create");
        arm_exit(c);
        mark_running(c, false);
        sup_save_state(s);
        fault_point("super.ctr.start");
        sup_emit(s, "start", c, -1, NULL);
        return 0;
}

int sup_ctr_adopt(struct sup_ctr *c, struct berr **err)
{
        struct supervisor *s = c->sup;
        struct state_container *st = sup_ctr_state(c);
        int r;

        c->rs.attempts = st->restart_attempts;
        c->rs.backoff_ms = st->backoff_ms;
        /* open the readers first: whatever the container wrote meanwhile is in the FIFO */
        for (int i = 0; i < LOG_STREAM__MAX; i++)
                if (access(c->fifo_path[i], F_OK) == 0)
                        (void)open_reader(c, (enum log_stream)i, err);
        berr_freep(err);
        r = s->cfg.backend->ops->adopt(s->cfg.backend, c->svc->backend_config, c->name, st->pid,
                                       st->pid_start, &c->proc, err);
        if (r < 0) {
                log_info("%s: not adopted: %s", c->name, (*err)->msg);
                berr_freep(err);
                c->proc = (struct backend_proc){.pidfd = -1};
                return 0;
        }
        arm_exit(c);
        mark_running(c, true);
        /* a health status it had is re-learnt from the next probes */
        return 1;
}

static void on_restart_timer(evutil_socket_t fd, short what, void *arg)
{
        struct sup_ctr *c = arg;
        cleanup_berr struct berr *err = NULL;

        (void)fd;
        (void)what;
        sup_ctr_state(c)->restart_count++;
        if (sup_ctr_start(c, &err) < 0) {
                cleanup_free char *t = berr_text(err);

                log_error("%s", t);
                sup_ctl_check_pending(c->sup);
                return;
        }
        sup_emit(c->sup, "restart", c, -1, NULL);
        sup_ctl_check_pending(c->sup);
}

static void cancel_health(struct sup_ctr *c)
{
        if (c->ev_health)
                evtimer_del(c->ev_health);
        if (c->probe.pid > 0)
                (void)kill(-c->probe.pid, SIGKILL);
}

static int exit_code_of(const siginfo_t *si)
{
        if (si->si_code == CLD_EXITED)
                return si->si_status;
        return 128 + si->si_status;
}

static int reap(struct backend_proc *p)
{
        siginfo_t si = {0};

        if (!p->child)
                return -1;
        if (waitid(P_PIDFD, (id_t)p->pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid != 0)
                return exit_code_of(&si);
        /* the SIGCHLD path may have reaped it already through waitpid */
        return -1;
}

static void handle_exit(struct sup_ctr *c, int code)
{
        struct supervisor *s = c->sup;
        struct state_container *st = sup_ctr_state(c);
        uint64_t ran = timefmt_mono_ms() - c->started_mono;
        bool manual = c->stopping || st->manual_stop;
        struct restart_decision d;

        free_event(&c->ev_exit);
        close(c->proc.pidfd);
        c->proc = (struct backend_proc){.pidfd = -1};
        if (c->ev_kill)
                evtimer_del(c->ev_kill);
        cancel_health(c);
        for (int i = 0; i < LOG_STREAM__MAX; i++)
                drain_log(c, (enum log_stream)i, SIZE_MAX);
        st->pid = 0;
        st->pid_start = 0;
        st->status = CTR_EXITED;
        st->exit_code = code;
        st->finished_ns = timefmt_now_ns();
        c->stopping = false;
        sup_emit(s, "die", c, code, NULL);
        if (s->down)
                fault_point("super.ctr.stopped");
        if (c->start_on_exit) {
                cleanup_berr struct berr *err = NULL;

                if (sup_ctr_start(c, &err) < 0)
                        log_error("%s", err->msg);
        } else if (!s->down) {
                d = restart_decide(&c->svc->restart, &c->rs, code, ran, manual, timefmt_mono_ms());
                st->restart_attempts = c->rs.attempts;
                st->backoff_ms = c->rs.backoff_ms;
                if (d.action == RESTART_ACTION_RESTART) {
                        struct timeval tv = tv_ms(d.delay_ms);

                        st->status = CTR_RESTARTING;
                        evtimer_add(c->ev_restart, &tv);
                } else if (d.action == RESTART_ACTION_GIVE_UP) {
                        sup_emit(s, "give_up", c, code, NULL);
                }
        }
        sup_save_state(s);
        sup_ctl_check_pending(s);
}

/* Clean up (the rest of the group dies) while the zombie still pins its pid, then reap. */
static void exited(struct sup_ctr *c)
{
        struct supervisor *s = c->sup;

        s->cfg.backend->ops->cleanup(s->cfg.backend, c->svc->backend_config, &c->proc);
        handle_exit(c, reap(&c->proc));
}

static void on_exit_event(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        exited(arg);
}

static void on_kill_timer(evutil_socket_t fd, short what, void *arg)
{
        struct sup_ctr *c = arg;
        cleanup_berr struct berr *err = NULL;

        (void)fd;
        (void)what;
        if (!sup_ctr_running(c))
                return;
        log_info("%s: still running after the stop grace period, sending SIGKILL", c->name);
        (void)c->sup->cfg.backend->ops->kill(c->sup->cfg.backend, &c->proc, SIGKILL, true, &err);
}

void sup_ctr_stop(struct sup_ctr *c, int64_t grace_ms)
{
        struct supervisor *s = c->sup;
        struct state_container *st = sup_ctr_state(c);
        cleanup_berr struct berr *err = NULL;
        int sig = c->svc->stop_signal ? c->svc->stop_signal : SIGTERM;
        struct timeval tv;

        st->manual_stop = true;
        c->start_on_exit = false;
        if (evtimer_pending(c->ev_restart, NULL)) {
                evtimer_del(c->ev_restart);
                st->status = CTR_EXITED;
        }
        if (!sup_ctr_running(c) || c->stopping) {
                sup_save_state(s);
                return;
        }
        c->stopping = true;
        tv = tv_ms(grace_ms >= 0 ? (uint64_t)grace_ms : c->svc->stop_grace_ms);
        if (s->cfg.backend->ops->kill(s->cfg.backend, &c->proc, sig, false, &err) < 0)
                log_warn("%s: %s", c->name, err->msg);
        if (!c->ev_kill)
                c->ev_kill = evtimer_new(s->base, on_kill_timer, c);
        evtimer_add(c->ev_kill, &tv);
        sup_save_state(s);
        sup_emit(s, "stop", c, -1, NULL);
}

void sup_ctr_kill(struct sup_ctr *c, int sig)
{
        struct supervisor *s = c->sup;
        cleanup_berr struct berr *err = NULL;

        if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == c->svc->stop_signal)
                sup_ctr_state(c)->manual_stop = true;
        if (!sup_ctr_running(c))
                return;
        if (s->cfg.backend->ops->kill(s->cfg.backend, &c->proc, sig, false, &err) < 0)
                log_warn("%s: %s", c->name, err->msg);
        sup_save_state(s);
        sup_emit(s, "kill", c, -1, NULL);
}

/* ---- healthchecks ------------------------------------------------------------------------ */

static void apply_health(struct sup_ctr *c, enum health_result res)
{
        struct state_container *st = sup_ctr_state(c);

        if (!sup_ctr_running(c))
                return;
        if (health_on_result(&c->svc->health, &c->hs, res, timefmt_mono_ms())) {
                const char *h = health_status_to_string(c->hs.status);

                free(st->health);
                st->health = xstrdup(h);
                sup_save_state(c->sup);
                sup_emit(c->sup, "health_status", c, -1, h);
                sup_ctl_check_pending(c->sup);
        }
        schedule_probe(c, health_next_delay(&c->svc->health, &c->hs, timefmt_mono_ms()));
}

static void finish_probe(struct sup_ctr *c, enum health_result res)
{
        free_event(&c->ev_probe_exit);
        if (c->ev_probe_timeout)
                evtimer_del(c->ev_probe_timeout);
        if (c->probe.pidfd >= 0)
                close(c->probe.pidfd);
        c->probe = (struct backend_proc){.pidfd = -1};
        apply_health(c, res);
}

static void on_probe_exit(evutil_socket_t fd, short what, void *arg)
{
        struct sup_ctr *c = arg;
        bool timed_out = c->ev_probe_timeout && !evtimer_pending(c->ev_probe_timeout, NULL);
        int code;

        (void)fd;
        (void)what;
        /* the probe leads its own group: take down anything it left behind, then reap */
        (void)kill(-c->probe.pid, SIGKILL);
        code = reap(&c->probe);
        finish_probe(c, timed_out   ? HEALTH_RESULT_TIMEOUT
                        : code == 0 ? HEALTH_RESULT_OK
                                    : HEALTH_RESULT_FAIL);
}

static void on_probe_timeout(evutil_socket_t fd, short what, void *arg)
{
        struct sup_ctr *c = arg;

        (void)fd;
        (void)what;
        if (c->probe.pid > 0)
                (void)kill(-c->probe.pid, SIGKILL);
}

static void on_health_timer(evutil_socket_t fd, short what, void *arg)
{
        struct sup_ctr *c = arg;
        struct supervisor *s = c->sup;
        cleanup_berr struct berr *err = NULL;
        struct timeval tv;

        (void)fd;
        (void)what;
        if (!sup_ctr_running(c) || c->probe.pid > 0)
                return;
        if (sup_ctr_state(c)->status == CTR_PAUSED) { /* a probe would freeze too */
                schedule_probe(c, c->svc->health.interval_ms);
                return;
        }
        if (s->cfg.backend->ops->probe(s->cfg.backend, c->svc->backend_config, &c->proc,
                                       c->svc->health.argv, &c->probe, &err) < 0) {
                log_debug("%s: healthcheck: %s", c->name, err->msg);
                c->probe = (struct backend_proc){.pidfd = -1};
                apply_health(c, HEALTH_RESULT_FAIL);
                return;
        }
        if (!s->cfg.sigchld_only) {
                c->ev_probe_exit = event_new(s->base, c->probe.pidfd, EV_READ, on_probe_exit, c);
                event_add(c->ev_probe_exit, NULL);
        }
        if (!c->ev_probe_timeout)
                c->ev_probe_timeout = evtimer_new(s->base, on_probe_timeout, c);
        tv = tv_ms(c->svc->health.timeout_ms);
        evtimer_add(c->ev_probe_timeout, &tv);
}

static void schedule_probe(struct sup_ctr *c, uint64_t delay_ms)
{
        struct timeval tv = tv_ms(delay_ms);

        if (!c->ev_health)
                c->ev_health = evtimer_new(c->sup->base, on_health_timer, c);
        evtimer_add(c->ev_health, &tv);
}

/* ---- SIGCHLD fallback -------------------------------------------------------------------- */

void sup_reap_children(struct supervisor *s)
{
        for (;;) {
                siginfo_t si = {0};
                bool tracked = false;

                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
                        return;
                for (size_t i = 0; i < s->n_ctrs && !tracked; i++) {
                        struct sup_ctr *c = &s->ctrs[i];

                        if (c->proc.pid == si.si_pid && c->proc.child) {
                                tracked = true;
                                exited(c);
                        } else if (c->probe.pid == si.si_pid) {
                                tracked = true;
                                on_probe_exit(-1, 0, c);
                        }
                }
                if (!tracked)
                        (void)waitpid(si.si_pid, NULL, WNOHANG);
        }
}
