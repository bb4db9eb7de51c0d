/* SPDX-License-Identifier: MIT */
/* The supervisor's control socket: accept CLIs, decode their requests (orchestrator/proto.h),
 * act on containers, answer at once or when the containers got there, stream events. */
#define LOG_MODULE_NAME "supervisor"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/supervisor_internal.h"

static void client_free(struct sup_client *cl)
{
        struct supervisor *s = cl->sup;
        struct sup_client **pp;
        struct sup_pending **pq;

        for (pp = &s->clients; *pp; pp = &(*pp)->next)
                if (*pp == cl) {
                        *pp = cl->next;
                        break;
                }
        for (pq = &s->pending; *pq;) {
                struct sup_pending *p = *pq;

                if (p->client == cl) {
                        *pq = p->next;
                        free(p->ctrs);
                        free(p);
                } else {
                        pq = &p->next;
                }
        }
        bufferevent_free(cl->bev);
        proto_reader_done(&cl->rd);
        strv_free(cl->event_services);
        free(cl);
        sup_trim_later(s);
}

static void send_line(struct sup_client *cl, const char *line, size_t len)
{
        struct evbuffer *out = bufferevent_get_output(cl->bev);

        evbuffer_add(out, line, len);
}

static void respond(struct sup_client *cl, const struct proto_response *resp)
{
        struct strbuf b = STRBUF_INIT;

        proto_encode_response(&b, resp);
        send_line(cl, b.buf, b.len);
        strbuf_done(&b);
}

static void respond_error(struct sup_client *cl, uint64_t id, const char *msg)
{
        struct proto_response resp = {.id = id, .ok = false, .error = (char *)msg};

        respond(cl, &resp);
}

static void fill_container(struct sup_ctr *c, struct proto_container *pc)
{
        struct state_container *st = sup_ctr_state(c);

        pc->name = st->name;
        pc->service = st->service;
        pc->number = st->number;
        pc->status = (char *)ctr_status_to_string(st->status);
        pc->health = st->health;
        pc->pid = st->pid;
        pc->exit_code = st->exit_code;
        pc->restart_count = st->restart_count;
        pc->started_ns = st->started_ns;
        pc->finished_ns = st->finished_ns;
}

static void respond_ctrs(struct sup_client *cl, uint64_t id, struct sup_ctr **ctrs, size_t n)
{
        struct proto_response resp = {.id = id, .ok = true};

        resp.ctrs = xcalloc(n + 1, sizeof(*resp.ctrs));
        resp.n_ctrs = n;
        for (size_t i = 0; i < n; i++)
                fill_container(ctrs[i], &resp.ctrs[i]);
        respond(cl, &resp);
        free(resp.ctrs);
}

void sup_ctl_broadcast(struct supervisor *s, const char *service, const char *line, size_t len)
{
        for (struct sup_client *cl = s->clients; cl; cl = cl->next) {
                if (!cl->events)
                        continue;
                if (service && cl->event_services && !strv_contains(cl->event_services, service))
                        continue;
                if (evbuffer_get_length(bufferevent_get_output(cl->bev)) > SUP_CLIENT_OUT_MAX) {
                        /* not freed here: a request handler up the stack may own cl */
                        log_warn("an events client stopped reading: no more events for it");
                        cl->events = false;
                        continue;
                }
                send_line(cl, line, len);
        }
}

static bool ctr_settled(const struct sup_ctr *c)
{
        return !c->stopping && !c->start_on_exit;
}

enum pending_state {
        PENDING_WAIT,
        PENDING_DONE,
        PENDING_FAILED,
};

/* READY: running and, with a healthcheck, healthy; failed once exited for good or unhealthy. */
static enum pending_state ready_state(struct sup_ctr *c, char **ret_why)
{
        struct state_container *st = sup_ctr_state(c);

        if (!sup_ctr_running(c)) {
                if (evtimer_pending(c->ev_restart, NULL) || c->start_on_exit || c->stopping)
                        return PENDING_WAIT;
                *ret_why = xasprintf("container %s exited (%d)", c->name, st->exit_code);
                return PENDING_FAILED;
        }
        if (c->hs.status == HEALTH_UNHEALTHY) {
                *ret_why = xasprintf("container %s is unhealthy", c->name);
                return PENDING_FAILED;
        }
        return c->hs.status == HEALTH_STARTING ? PENDING_WAIT : PENDING_DONE;
}

static enum pending_state pending_state(const struct sup_pending *p, char **ret_why)
{
        enum pending_state res = PENDING_DONE;

        for (size_t i = 0; i < p->n_ctrs; i++) {
                struct sup_ctr *c = p->ctrs[i];

                if (p->op == PROTO_OP_READY) {
                        enum pending_state r = ready_state(c, ret_why);

                        if (r == PENDING_FAILED)
                                return r;
                        if (r == PENDING_WAIT)
                                res = r;
                        continue;
                }
                if (!ctr_settled(c))
                        return PENDING_WAIT;
                switch (p->op) {
                case PROTO_OP_STOP:
                case PROTO_OP_DOWN:
                        if (sup_ctr_running(c))
                                return PENDING_WAIT;
                        break;
                case PROTO_OP_WAIT:
                        if (sup_ctr_running(c) || evtimer_pending(c->ev_restart, NULL))
                                return PENDING_WAIT;
                        break;
                default:
                        break;
                }
        }
        return res;
}

/* Before closing a client for good: write what is queued, blocking (bounded by the kernel's
 * socket buffer and the client reading). The bufferevent keeps its output's front frozen to
 * drain it itself; we take over. */
static void flush_now(struct sup_client *cl)
{
        struct evbuffer *out = bufferevent_get_output(cl->bev);
        evutil_socket_t fd = bufferevent_getfd(cl->bev);
        int fl = fcntl(fd, F_GETFL);

        if (fl >= 0)
                (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        evbuffer_unfreeze(out, 1);
        while (evbuffer_get_length(out) > 0)
                if (evbuffer_write(out, fd) <= 0)
                        break;
}

void sup_ctl_check_pending(struct supervisor *s)
{
        struct sup_pending **pq = &s->pending;
        bool any_running = false;

        while (*pq) {
                struct sup_pending *p = *pq;
                cleanup_free char *why = NULL;
                enum pending_state st = pending_state(p, &why);

                if (st == PENDING_WAIT) {
                        pq = &p->next;
                        continue;
                }
                *pq = p->next;
                /* a `down` answer is flushed by sup_ctl_close() as the supervisor exits */
                if (st == PENDING_FAILED)
                        respond_error(p->client, p->id, why);
                else
                        respond_ctrs(p->client, p->id, p->ctrs, p->n_ctrs);
                free(p->ctrs);
                free(p);
        }
        if (!s->down)
                return;
        for (size_t i = 0; i < s->n_ctrs; i++)
                any_running |= sup_ctr_running(&s->ctrs[i]);
        if (!any_running && !s->pending)
                event_base_loopexit(s->base, NULL);
}

/* The containers a request names: every container of the listed services, or all. */
static int select_ctrs(struct supervisor *s, char **services, struct sup_ctr ***ret, size_t *ret_n,
                       struct berr **err)
{
        struct sup_ctr **v = xcalloc(s->n_ctrs + 1, sizeof(*v));
        size_t n = 0;

        for (char **svc = services; svc && *svc; svc++) {
                bool found = false;

                for (size_t i = 0; i < s->cfg.n_services; i++)
                        found |= strcmp(s->cfg.services[i].name, *svc) == 0;
                if (!found) {
                        free(v);
                        return berr_msg(err, ENOENT, "no such service: %s", *svc);
                }
        }
        for (size_t i = 0; i < s->n_ctrs; i++)
                if (!services || strv_contains(services, s->ctrs[i].svc->name))
                        v[n++] = &s->ctrs[i];
        *ret = v;
        *ret_n = n;
        return 0;
}

static void add_pending(struct supervisor *s, struct sup_client *cl,
                        const struct proto_request *req, struct sup_ctr **ctrs, size_t n)
{
        struct sup_pending *p = xcalloc(1, sizeof(*p)), **pq;

        p->client = cl;
        p->id = req->id;
        p->op = req->op;
        p->ctrs = ctrs;
        p->n_ctrs = n;
        for (pq = &s->pending; *pq; pq = &(*pq)->next)
                ;
        *pq = p;
}

static void do_start(struct sup_client *cl, const struct proto_request *req, struct sup_ctr **v,
                     size_t n)
{
        struct strbuf errs = STRBUF_INIT;

        for (size_t i = 0; i < n; i++) {
                cleanup_berr struct berr *err = NULL;
                struct state_container *st = sup_ctr_state(v[i]);

                st->manual_stop = false;
                v[i]->rs = (struct restart_state){0};
                if (sup_ctr_start(v[i], &err) < 0) {
                        cleanup_free char *t = berr_text(err);

                        strbuf_printf(&errs, "%s%s", errs.len ? "; " : "", t);
                }
        }
        if (errs.len)
                respond_error(cl, req->id, errs.buf);
        else
                respond_ctrs(cl, req->id, v, n);
        strbuf_done(&errs);
}

/* pause/unpause: the CLI froze or thawed the cgroups; record it. v keeps the changed ones. */
static void set_paused(struct supervisor *s, struct sup_ctr **v, size_t *n, bool paused)
{
        size_t k = 0;

        for (size_t i = 0; i < *n; i++) {
                struct state_container *st = sup_ctr_state(v[i]);

                if (!sup_ctr_running(v[i]) || st->status != (paused ? CTR_RUNNING : CTR_PAUSED))
                        continue;
                st->status = paused ? CTR_PAUSED : CTR_RUNNING;
                sup_emit(s, paused ? "pause" : "unpause", v[i], -1, NULL);
                v[k++] = v[i];
        }
        *n = k;
        if (k)
                sup_save_state(s);
}

static void handle_request(struct sup_client *cl, const struct proto_request *req)
{
        struct supervisor *s = cl->sup;
        cleanup_berr struct berr *err = NULL;
        struct sup_ctr **v = NULL;
        size_t n = 0;

        if (select_ctrs(s, req->services, &v, &n, &err) < 0) {
                respond_error(cl, req->id, err->msg);
                return;
        }
        /* a second `down` (its first CLI was killed, or two ran at once) waits with the first */
        if (s->down && req->op != PROTO_OP_PS && req->op != PROTO_OP_EVENTS &&
            req->op != PROTO_OP_WAIT && req->op != PROTO_OP_READY && req->op != PROTO_OP_DOWN) {
                respond_error(cl, req->id, "the project is going down");
                free(v);
                return;
        }
        switch (req->op) {
        case PROTO_OP_PS:
                respond_ctrs(cl, req->id, v, n);
                break;
        case PROTO_OP_START:
                do_start(cl, req, v, n);
                break;
        case PROTO_OP_STOP:
        case PROTO_OP_DOWN:
                if (req->op == PROTO_OP_DOWN) {
                        s->down = true;
                        s->remove_state = true;
                        fault_point("super.down");
                }
                for (size_t i = 0; i < n; i++)
                        sup_ctr_stop(v[i], req->timeout_ms);
                add_pending(s, cl, req, TAKE_PTR(v), n);
                sup_ctl_check_pending(s);
                break;
        case PROTO_OP_RESTART:
                for (size_t i = 0; i < n; i++) {
                        bool was = sup_ctr_running(v[i]);

                        sup_ctr_stop(v[i], req->timeout_ms);
                        sup_ctr_state(v[i])->manual_stop = false;
                        v[i]->rs = (struct restart_state){0};
                        if (was)
                                v[i]->start_on_exit = true;
                        else
                                (void)sup_ctr_start(v[i], &err);
                        berr_freep(&err);
                }
                add_pending(s, cl, req, TAKE_PTR(v), n);
                sup_ctl_check_pending(s);
                break;
        case PROTO_OP_KILL:
                for (size_t i = 0; i < n; i++)
                        sup_ctr_kill(v[i], req->signal ? req->signal : SIGKILL);
                respond_ctrs(cl, req->id, v, n);
                break;
        case PROTO_OP_WAIT:
        case PROTO_OP_READY:
                add_pending(s, cl, req, TAKE_PTR(v), n);
                sup_ctl_check_pending(s);
                break;
        case PROTO_OP_PAUSE:
        case PROTO_OP_UNPAUSE:
                set_paused(s, v, &n, req->op == PROTO_OP_PAUSE);
                respond_ctrs(cl, req->id, v, n);
                break;
        case PROTO_OP_EVENTS:
                cl->events = true;
                strv_free(cl->event_services);
                cl->event_services = req->services ? strv_copy(req->services) : NULL;
                respond_ctrs(cl, req->id, v, 0);
                break;
        default:
                respond_error(cl, req->id, "unsupported operation");
                break;
        }
        free(v);
}

static void on_read(struct bufferevent *bev, void *arg)
{
        struct sup_client *cl = arg;
        struct evbuffer *in = bufferevent_get_input(bev);
        char buf[16 * 1024];
        const char *line;
        size_t len;
        int n, r;

        if (cl->discard) {
                evbuffer_drain(in, evbuffer_get_length(in));
                return;
        }
        while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0)
                proto_reader_feed(&cl->rd, buf, (size_t)n);
        while ((r = proto_reader_next(&cl->rd, &line, &len)) > 0) {
                cleanup_berr struct berr *err = NULL;
                struct proto_request req;

                if (proto_decode_request(line, len, &req, &err) < 0) {
                        respond_error(cl, 0, err->msg);
                        continue;
                }
                handle_request(cl, &req);
                proto_request_done(&req);
        }
        if (r == -EMSGSIZE) {
                respond_error(cl, 0, "request too large");
                proto_reader_done(&cl->rd);
                proto_reader_init(&cl->rd, PROTO_LINE_MAX);
                evbuffer_drain(in, evbuffer_get_length(in));
                cl->discard = true;
        }
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
        (void)bev;
        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
                client_free(arg);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg)
{
        struct supervisor *s = arg;
        struct sup_client *cl = xcalloc(1, sizeof(*cl));

        (void)l;
        (void)sa;
        (void)salen;
        cl->sup = s;
        cl->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
        proto_reader_init(&cl->rd, PROTO_LINE_MAX);
        bufferevent_setcb(cl->bev, on_read, NULL, on_event, cl);
        bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
        cl->next = s->clients;
        s->clients = cl;
}

int sup_ctl_listen(struct supervisor *s, struct berr **err)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        cleanup_close int dirfd = -1;
        int r;

        s->sock_path = xasprintf("%s/control.sock", s->run_dir);
        dirfd = open(s->run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return berr_set(err, errno, "open `%s`", s->run_dir);
        r = ctl_sockaddr(s->sock_path, dirfd, &sa);
        if (r < 0)
                return berr_set(err, -r, "socket path `%s`", s->sock_path);
        /* we hold the project lock: a socket file left here belongs to a dead supervisor */
        (void)unlinkat(dirfd, "control.sock", 0);
        s->listener = evconnlistener_new_bind(s->base, on_accept, s,
                                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 64,
                                              (struct sockaddr *)&sa, (int)sizeof(sa));
        if (!s->listener)
                return berr_set(err, errno, "listen on `%s`", s->sock_path);
        if (fchmodat(dirfd, "control.sock", 0600, 0) < 0)
                log_debug("chmod control.sock: %m");
        return 0;
}

void sup_ctl_close(struct supervisor *s)
{
        while (s->clients) {
                flush_now(s->clients);
                client_free(s->clients);
        }
        if (s->listener) {
                evconnlistener_free(s->listener);
                s->listener = NULL;
                if (s->sock_path && !(s->down && s->remove_state))
                        (void)unlink(s->sock_path);
        }
}
