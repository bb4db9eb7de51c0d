/* SPDX-License-Identifier: MIT */
#include "orchestrator/proto.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define PROTO_MAX_SERVICES 4096

static const char *const op_names[PROTO_OP__MAX] = {
        [PROTO_OP_PS] = "ps",           [PROTO_OP_START] = "start", [PROTO_OP_STOP] = "stop",
        [PROTO_OP_RESTART] = "restart", [PROTO_OP_KILL] = "kill",   [PROTO_OP_WAIT] = "wait",
        [PROTO_OP_EVENTS] = "events",   [PROTO_OP_DOWN] = "down",   [PROTO_OP_PAUSE] = "pause",
        [PROTO_OP_UNPAUSE] = "unpause", [PROTO_OP_READY] = "ready",
};

const char *proto_op_to_string(enum proto_op op)
{
        if ((int)op < 0 || op >= PROTO_OP__MAX)
                return NULL;
        return op_names[op];
}

enum proto_op proto_op_from_string(const char *s)
{
        for (int i = 0; s && i < PROTO_OP__MAX; i++)
                if (strcmp(s, op_names[i]) == 0)
                        return (enum proto_op)i;
        return PROTO_OP__INVALID;
}

static void dump_line(struct strbuf *b, json_t *o)
{
        char *s = json_dumps(o, JSON_COMPACT);

        if (!s)
                abort();
        strbuf_puts(b, s);
        strbuf_putc(b, '\n');
        free(s);
        json_decref(o);
}

static void set_opt_str(json_t *o, const char *k, const char *v)
{
        if (v)
                json_object_set_new(o, k, json_string(v));
}

void proto_encode_request(struct strbuf *b, const struct proto_request *req)
{
        json_t *o = json_object();

        json_object_set_new(o, "v", json_integer(PROTO_VERSION));
        json_object_set_new(o, "id", json_integer((json_int_t)req->id));
        json_object_set_new(o, "op", json_string(proto_op_to_string(req->op)));
        if (req->services) {
                json_t *a = json_array();

                for (char **s = req->services; *s; s++)
                        json_array_append_new(a, json_string(*s));
                json_object_set_new(o, "services", a);
        }
        if (req->signal)
                json_object_set_new(o, "signal", json_integer(req->signal));
        if (req->timeout_ms >= 0)
                json_object_set_new(o, "timeout_ms", json_integer(req->timeout_ms));
        dump_line(b, o);
}

static json_t *container_json(const struct proto_container *c)
{
        json_t *o = json_object();

        set_opt_str(o, "name", c->name);
        set_opt_str(o, "service", c->service);
        json_object_set_new(o, "number", json_integer(c->number));
        set_opt_str(o, "status", c->status);
        set_opt_str(o, "health", c->health);
        json_object_set_new(o, "pid", json_integer(c->pid));
        json_object_set_new(o, "exit_code", json_integer(c->exit_code));
        json_object_set_new(o, "restart_count", json_integer(c->restart_count));
        json_object_set_new(o, "started_ns", json_integer(c->started_ns));
        json_object_set_new(o, "finished_ns", json_integer(c->finished_ns));
        return o;
}

void proto_encode_response(struct strbuf *b, const struct proto_response *resp)
{
        json_t *o = json_object();

        json_object_set_new(o, "id", json_integer((json_int_t)resp->id));
        json_object_set_new(o, "ok", json_boolean(resp->ok));
        if (!resp->ok)
                json_object_set_new(o, "error", json_string(resp->error ? resp->error : "failed"));
        if (resp->ctrs) {
                json_t *a = json_array();

                for (size_t i = 0; i < resp->n_ctrs; i++)
                        json_array_append_new(a, container_json(&resp->ctrs[i]));
                json_object_set_new(o, "containers", a);
        }
        dump_line(b, o);
}

void proto_encode_event(struct strbuf *b, const struct proto_event *ev)
{
        json_t *o = json_object();

        json_object_set_new(o, "event", json_string(ev->type ? ev->type : "unknown"));
        json_object_set_new(o, "time_ns", json_integer(ev->time_ns));
        set_opt_str(o, "container", ev->container);
        set_opt_str(o, "service", ev->service);
        if (ev->exit_code >= 0)
                json_object_set_new(o, "exit_code", json_integer(ev->exit_code));
        set_opt_str(o, "health", ev->health);
        dump_line(b, o);
}

static json_t *parse(const char *line, size_t len, struct berr **err)
{
        json_error_t jerr;
        json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);

        if (!o) {
                berr_msg(err, EPROTO, "malformed message: %s", jerr.text);
                return NULL;
        }
        if (!json_is_object(o)) {
                json_decref(o);
                berr_msg(err, EPROTO, "malformed message: not an object");
                return NULL;
        }
        return o;
}

static int get_id(json_t *o, uint64_t *ret, struct berr **err)
{
        json_t *v = json_object_get(o, "id");

        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return berr_msg(err, EPROTO, "malformed message: \"id\" must be an integer >= 0");
        *ret = (uint64_t)json_integer_value(v);
        return 0;
}

static char *opt_str(json_t *o, const char *k)
{
        json_t *v = json_object_get(o, k);

        return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static json_int_t opt_int(json_t *o, const char *k, json_int_t dflt)
{
        json_t *v = json_object_get(o, k);

        return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static int decode_services(json_t *o, char ***ret, struct berr **err)
{
        json_t *a = json_object_get(o, "services"), *it;
        char **v;
        size_t i;

        *ret = NULL;
        if (!a || json_is_null(a))
                return 0;
        if (!json_is_array(a) || json_array_size(a) > PROTO_MAX_SERVICES)
                return berr_msg(err, EPROTO, "malformed request: \"services\" must be an array");
        v = xcalloc(json_array_size(a) + 1, sizeof(char *));
        json_array_foreach(a, i, it)
        {
                if (!json_is_string(it)) {
                        strv_free(v);
                        return berr_msg(err, EPROTO,
                                        "malformed request: services[%zu] is not a string", i);
                }
                v[i] = xstrdup(json_string_value(it));
        }
        *ret = v;
        return 0;
}

int proto_decode_request(const char *line, size_t len, struct proto_request *ret, struct berr **err)
{
        json_t *o = parse(line, len, err);
        struct proto_request req = {.timeout_ms = -1};
        const char *op;
        json_int_t sig, tmo;
        int r;

        if (!o)
                return -EPROTO;
        r = get_id(o, &req.id, err);
        if (r < 0)
                goto out;
        if (opt_int(o, "v", PROTO_VERSION) != PROTO_VERSION) {
                r = berr_msg(err, EPROTO, "protocol version %lld not supported (this is %d)",
                             (long long)opt_int(o, "v", 0), PROTO_VERSION);
                goto out;
        }
        op = json_string_value(json_object_get(o, "op"));
        req.op = proto_op_from_string(op);
        if ((int)req.op < 0) {
                r = berr_msg(err, EPROTO, "unknown operation \"%s\"", op ? op : "(none)");
                goto out;
        }
        sig = opt_int(o, "signal", 0);
        tmo = opt_int(o, "timeout_ms", -1);
        if (sig < 0 || sig >= NSIG || tmo < -1 || tmo > 24LL * 3600 * 1000) {
                r = berr_msg(err, EPROTO, "malformed request: signal or timeout out of range");
                goto out;
        }
        req.signal = (int)sig;
        req.timeout_ms = tmo;
        r = decode_services(o, &req.services, err);
        if (r < 0)
                goto out;
        *ret = req;
out:
        json_decref(o);
        return r;
}

static void decode_container(json_t *o, struct proto_container *c)
{
        memset(c, 0, sizeof(*c));
        c->name = opt_str(o, "name");
        c->service = opt_str(o, "service");
        c->number = (unsigned)opt_int(o, "number", 0);
        c->status = opt_str(o, "status");
        c->health = opt_str(o, "health");
        c->pid = (pid_t)opt_int(o, "pid", 0);
        c->exit_code = (int)opt_int(o, "exit_code", -1);
        c->restart_count = (unsigned)opt_int(o, "restart_count", 0);
        c->started_ns = opt_int(o, "started_ns", 0);
        c->finished_ns = opt_int(o, "finished_ns", 0);
}

static int decode_response(json_t *o, struct proto_response *resp, struct berr **err)
{
        json_t *a, *it;
        size_t i;
        int r;

        memset(resp, 0, sizeof(*resp));
        r = get_id(o, &resp->id, err);
        if (r < 0)
                return r;
        if (!json_is_boolean(json_object_get(o, "ok")))
                return berr_msg(err, EPROTO, "malformed response: \"ok\" must be a boolean");
        resp->ok = json_is_true(json_object_get(o, "ok"));
        resp->error = opt_str(o, "error");
        a = json_object_get(o, "containers");
        if (json_is_array(a)) {
                resp->ctrs = xcalloc(json_array_size(a) + 1, sizeof(*resp->ctrs));
                json_array_foreach(a, i, it)
                {
                        if (json_is_object(it))
                                decode_container(it, &resp->ctrs[resp->n_ctrs++]);
                }
        }
        return 0;
}

int proto_decode_message(const char *line, size_t len, struct proto_response *ret_resp,
                         struct proto_event *ret_ev, bool *ret_is_event, struct berr **err)
{
        json_t *o = parse(line, len, err);
        int r = 0;

        if (!o)
                return -EPROTO;
        if (json_object_get(o, "event")) {
                const char *type = json_string_value(json_object_get(o, "event"));

                if (!type) {
                        r = berr_msg(err, EPROTO, "malformed event: \"event\" must be a string");
                        goto out;
                }
                memset(ret_ev, 0, sizeof(*ret_ev));
                ret_ev->type = xstrdup(type);
                ret_ev->time_ns = opt_int(o, "time_ns", 0);
                ret_ev->container = opt_str(o, "container");
                ret_ev->service = opt_str(o, "service");
                ret_ev->exit_code = (int)opt_int(o, "exit_code", -1);
                ret_ev->health = opt_str(o, "health");
                *ret_is_event = true;
        } else {
                r = decode_response(o, ret_resp, err);
                if (r < 0)
                        proto_response_done(ret_resp);
                *ret_is_event = false;
        }
out:
        json_decref(o);
        return r;
}

void proto_request_done(struct proto_request *r)
{
        strv_free(r->services);
        r->services = NULL;
}

void proto_container_done(struct proto_container *c)
{
        free(c->name);
        free(c->service);
        free(c->status);
        free(c->health);
        memset(c, 0, sizeof(*c));
}

void proto_response_done(struct proto_response *r)
{
        for (size_t i = 0; i < r->n_ctrs; i++)
                proto_container_done(&r->ctrs[i]);
        free(r->ctrs);
        free(r->error);
        memset(r, 0, sizeof(*r));
}

void proto_event_done(struct proto_event *e)
{
        free(e->type);
        free(e->container);
        free(e->service);
        free(e->health);
        memset(e, 0, sizeof(*e));
}

void proto_reader_init(struct proto_reader *r, size_t max)
{
        memset(r, 0, sizeof(*r));
        r->max = max ? max : PROTO_LINE_MAX;
}

void proto_reader_done(struct proto_reader *r)
{
        strbuf_done(&r->buf);
}

void proto_reader_feed(struct proto_reader *r, const void *data, size_t len)
{
        if (r->start > 0) {
                memmove(r->buf.buf, r->buf.buf + r->start, r->buf.len - r->start);
                r->buf.len -= r->start;
                r->start = 0;
        }
        strbuf_add(&r->buf, data, len);
}

int proto_reader_next(struct proto_reader *r, const char **line, size_t *len)
{
        const char *base = r->buf.buf + r->start;
        size_t avail = r->buf.len - r->start;
        const char *nl = avail ? memchr(base, '\n', avail) : NULL;

        if (!nl) {
                if (avail > r->max)
                        return -EMSGSIZE;
                return 0;
        }
        if ((size_t)(nl - base) > r->max)
                return -EMSGSIZE;
        *line = base;
        *len = (size_t)(nl - base);
        r->start += *len + 1;
        return 1;
}
