/* SPDX-License-Identifier: MIT */
#include "orchestrator/plan_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/plan.h"

/* ---- writing ------------------------------------------------------------------------------- */

static void put_str(json_t *o, const char *k, const char *s)
{
        if (s)
                json_object_set_new(o, k, json_string(s));
}

static void put_strv(json_t *o, const char *k, char *const *v)
{
        json_t *a;

        if (!v)
                return;
        a = json_array();
        for (; *v; v++)
                json_array_append_new(a, json_string(*v));
        json_object_set_new(o, k, a);
}

/* 64-bit unsigned values (RLIM_INFINITY...) travel as their two's-complement int64. */
static void put_int(json_t *o, const char *k, int64_t i)
{
        if (i)
                json_object_set_new(o, k, json_integer((json_int_t)i));
}

static void put_bool(json_t *o, const char *k, bool b)
{
        if (b)
                json_object_set_new(o, k, json_true());
}

static json_t *mount_json(const struct rt_mount *m)
{
        json_t *o = json_object();

        put_int(o, "type", m->type);
        put_str(o, "source", m->source);
        put_str(o, "target", m->target);
        put_bool(o, "read_only", m->read_only);
        put_bool(o, "recursive", m->recursive);
        put_bool(o, "create_source", m->create_source);
        put_bool(o, "copy_up", m->copy_up);
        put_int(o, "propagation", m->propagation);
        put_int(o, "tmpfs_size", (int64_t)m->tmpfs_size);
        put_int(o, "tmpfs_mode", m->tmpfs_mode);
        put_str(o, "options", m->options);
        return o;
}

static json_t *attach_json(const struct plan_attach *a)
{
        json_t *o = json_object();

        put_str(o, "network", a->network);
        put_str(o, "ipv4_address", a->ipv4_address);
        put_str(o, "mac_address", a->mac_address);
        put_strv(o, "aliases", a->aliases);
        return o;
}

static json_t *resources_json(const struct rt_resources *r)
{
        json_t *o = json_object();

        put_int(o, "memory", r->memory);
        put_int(o, "memory_reservation", r->memory_reservation);
        put_int(o, "memory_swap", r->memory_swap);
        put_int(o, "cpu_quota", r->cpu_quota);
        put_int(o, "cpu_period", (int64_t)r->cpu_period);
        put_int(o, "cpu_shares", (int64_t)r->cpu_shares);
        put_str(o, "cpuset_cpus", r->cpuset_cpus);
        put_str(o, "cpuset_mems", r->cpuset_mems);
        put_int(o, "pids_limit", r->pids_limit);
        put_int(o, "blkio_weight", r->blkio_weight);
        return o;
}

json_t *plan_service_to_json(const struct plan_service *s)
{
        json_t *o = json_object(), *a, *h;

        put_str(o, "project", s->project);
        put_str(o, "name", s->name);
        put_str(o, "root", s->root);
        put_str(o, "image_ref", s->image_ref);
        put_str(o, "image_digest", s->image_digest);
        put_int(o, "replicas", s->replicas);
        put_str(o, "container_name", s->container_name);
        put_strv(o, "argv", s->argv);
        put_strv(o, "env", s->env);
        put_str(o, "cwd", s->cwd);
        put_str(o, "user", s->user);
        put_str(o, "hostname", s->hostname);
        put_str(o, "domainname", s->domainname);
        put_strv(o, "lowerdirs", s->lowerdirs);
        put_bool(o, "read_only", s->read_only);
        put_bool(o, "privileged", s->privileged);
        put_bool(o, "init", s->init);
        put_bool(o, "tty", s->tty);
        put_bool(o, "stdin_open", s->stdin_open);
        put_bool(o, "no_new_privs_off", s->no_new_privs_off);
        put_int(o, "seccomp", s->seccomp);
        put_str(o, "seccomp_profile", s->seccomp_profile);
        put_strv(o, "cap_add", s->cap_add);
        put_strv(o, "cap_drop", s->cap_drop);
        put_strv(o, "sysctls", s->sysctls);
        a = json_array();
        for (size_t i = 0; i < s->n_mounts; i++)
                json_array_append_new(a, mount_json(&s->mounts[i]));
        json_object_set_new(o, "mounts", a);
        a = json_array();
        for (size_t i = 0; i < s->n_ulimits; i++)
                json_array_append_new(a, json_pack("[iII]", s->ulimits[i].resource,
                                                   (json_int_t)s->ulimits[i].soft,
                                                   (json_int_t)s->ulimits[i].hard));
        json_object_set_new(o, "ulimits", a);
        a = json_array();
        for (size_t i = 0; i < s->n_devices; i++) {
                json_t *d = json_object();

                put_str(d, "host_path", s->devices[i].host_path);
                put_str(d, "container_path", s->devices[i].container_path);
                put_str(d, "permissions", s->devices[i].permissions);
                put_int(d, "mode", s->devices[i].mode);
                json_array_append_new(a, d);
        }
        json_object_set_new(o, "devices", a);
        put_int(o, "shm_size", (int64_t)s->shm_size);
        json_object_set_new(o, "resources", resources_json(&s->resources));
        put_int(o, "net_mode", s->net_mode);
        put_str(o, "net_mode_service", s->net_mode_service);
        a = json_array();
        for (size_t i = 0; i < s->n_attach; i++)
                json_array_append_new(a, attach_json(&s->attach[i]));
        json_object_set_new(o, "attach", a);
        put_strv(o, "extra_hosts", s->extra_hosts);
        put_strv(o, "dns", s->dns);
        put_strv(o, "dns_search", s->dns_search);
        put_strv(o, "dns_opt", s->dns_opt);
        put_strv(o, "links", s->links);
        json_object_set_new(o, "restart",
                            json_pack("{s:i,s:i,s:I,s:I}", "policy", s->restart.policy,
                                      "max_attempts", (int)s->restart.max_attempts, "delay_ms",
                                      (json_int_t)s->restart.delay_ms, "window_ms",
                                      (json_int_t)s->restart.window_ms));
        h = json_pack("{s:i,s:I,s:I,s:I,s:I,s:i}", "kind", s->health.kind, "interval_ms",
                      (json_int_t)s->health.interval_ms, "timeout_ms",
                      (json_int_t)s->health.timeout_ms, "start_period_ms",
                      (json_int_t)s->health.start_period_ms, "start_interval_ms",
                      (json_int_t)s->health.start_interval_ms, "retries", (int)s->health.retries);
        put_strv(h, "argv", s->health.argv);
        json_object_set_new(o, "health", h);
        put_int(o, "stop_signal", s->stop_signal);
        put_int(o, "stop_grace_ms", (int64_t)s->stop_grace_ms);
        put_int(o, "log_max_size", (int64_t)s->log.max_size);
        put_int(o, "log_max_file", s->log.max_file);
        put_str(o, "config_hash", s->config_hash);
        return o;
}

/* ---- reading ------------------------------------------------------------------------------- */

/* Reading collects the first problem in *bad (the field's name) and goes on with defaults. */
struct rd {
        const char *bad;
};

static char *get_str(struct rd *rd, const json_t *o, const char *k)
{
        const json_t *v = json_object_get(o, k);

        if (!v)
                return NULL;
        if (!json_is_string(v)) {
                rd->bad = rd->bad ? rd->bad : k;
                return NULL;
        }
        return xstrdup(json_string_value(v));
}

static char **get_strv(struct rd *rd, const json_t *o, const char *k)
{
        const json_t *v = json_object_get(o, k), *e;
        char **r = NULL;
        size_t i;

        if (!v)
                return NULL;
        if (!json_is_array(v)) {
                rd->bad = rd->bad ? rd->bad : k;
                return NULL;
        }
        r = xcalloc(json_array_size(v) + 1, sizeof(*r));
        for (i = 0; i < json_array_size(v); i++) {
                e = json_array_get(v, i);
                if (!json_is_string(e)) {
                        rd->bad = rd->bad ? rd->bad : k;
                        r[i] = xstrdup("");
                        continue;
                }
                r[i] = xstrdup(json_string_value(e));
        }
        return r;
}

static int64_t get_int(struct rd *rd, const json_t *o, const char *k)
{
        const json_t *v = json_object_get(o, k);

        if (!v)
                return 0;
        if (!json_is_integer(v)) {
                rd->bad = rd->bad ? rd->bad : k;
                return 0;
        }
        return (int64_t)json_integer_value(v);
}

static bool get_bool(struct rd *rd, const json_t *o, const char *k)
{
        const json_t *v = json_object_get(o, k);

        if (!v)
                return false;
        if (!json_is_boolean(v)) {
                rd->bad = rd->bad ? rd->bad : k;
                return false;
        }
        return json_is_true(v);
}

static const json_t *get_array(struct rd *rd, const json_t *o, const char *k)
{
        const json_t *v = json_object_get(o, k);

        if (v && !json_is_array(v)) {
                rd->bad = rd->bad ? rd->bad : k;
                return NULL;
        }
        return v;
}

static const json_t *get_object(struct rd *rd, const json_t *o, const char *k)
{
        const json_t *v = json_object_get(o, k);

        if (!v || !json_is_object(v)) {
                rd->bad = rd->bad ? rd->bad : k;
                return NULL;
        }
        return v;
}

static void mount_from(struct rd *rd, const json_t *o, struct rt_mount *m)
{
        m->type = (enum rt_mount_type)get_int(rd, o, "type");
        m->source = get_str(rd, o, "source");
        m->target = get_str(rd, o, "target");
        m->read_only = get_bool(rd, o, "read_only");
        m->recursive = get_bool(rd, o, "recursive");
        m->create_source = get_bool(rd, o, "create_source");
        m->copy_up = get_bool(rd, o, "copy_up");
        m->propagation = (enum rt_propagation)get_int(rd, o, "propagation");
        m->tmpfs_size = (uint64_t)get_int(rd, o, "tmpfs_size");
        m->tmpfs_mode = (uint32_t)get_int(rd, o, "tmpfs_mode");
        m->options = get_str(rd, o, "options");
}

static void resources_from(struct rd *rd, const json_t *o, struct rt_resources *r)
{
        if (!o)
                return;
        r->memory = get_int(rd, o, "memory");
        r->memory_reservation = get_int(rd, o, "memory_reservation");
        r->memory_swap = get_int(rd, o, "memory_swap");
        r->cpu_quota = get_int(rd, o, "cpu_quota");
        r->cpu_period = (uint64_t)get_int(rd, o, "cpu_period");
        r->cpu_shares = (uint64_t)get_int(rd, o, "cpu_shares");
        r->cpuset_cpus = get_str(rd, o, "cpuset_cpus");
        r->cpuset_mems = get_str(rd, o, "cpuset_mems");
        r->pids_limit = get_int(rd, o, "pids_limit");
        r->blkio_weight = (uint16_t)get_int(rd, o, "blkio_weight");
}

static void restart_from(struct rd *rd, const json_t *o, struct restart_spec *r)
{
        if (!o)
                return;
        r->policy = (enum restart_policy)get_int(rd, o, "policy");
        r->max_attempts = (unsigned)get_int(rd, o, "max_attempts");
        r->delay_ms = (uint64_t)get_int(rd, o, "delay_ms");
        r->window_ms = (uint64_t)get_int(rd, o, "window_ms");
}

static void health_from(struct rd *rd, const json_t *o, struct health_config *h)
{
        if (!o)
                return;
        h->kind = (enum health_test_kind)get_int(rd, o, "kind");
        h->argv = get_strv(rd, o, "argv");
        h->interval_ms = (uint64_t)get_int(rd, o, "interval_ms");
        h->timeout_ms = (uint64_t)get_int(rd, o, "timeout_ms");
        h->start_period_ms = (uint64_t)get_int(rd, o, "start_period_ms");
        h->start_interval_ms = (uint64_t)get_int(rd, o, "start_interval_ms");
        h->retries = (unsigned)get_int(rd, o, "retries");
}

int plan_service_from_json(const json_t *o, struct plan_service **ret, struct berr **err)
{
        struct rd rd = {0};
        struct plan_service *s;
        const json_t *a, *e;
        size_t i;

        if (!json_is_object(o))
                return berr_msg(err, EINVAL, "service plan: not an object");
        s = xcalloc(1, sizeof(*s));
        s->project = get_str(&rd, o, "project");
        s->name = get_str(&rd, o, "name");
        s->root = get_str(&rd, o, "root");
        s->image_ref = get_str(&rd, o, "image_ref");
        s->image_digest = get_str(&rd, o, "image_digest");
        s->replicas = (unsigned)get_int(&rd, o, "replicas");
        s->container_name = get_str(&rd, o, "container_name");
        s->argv = get_strv(&rd, o, "argv");
        s->env = get_strv(&rd, o, "env");
        s->cwd = get_str(&rd, o, "cwd");
        s->user = get_str(&rd, o, "user");
        s->hostname = get_str(&rd, o, "hostname");
        s->domainname = get_str(&rd, o, "domainname");
        s->lowerdirs = get_strv(&rd, o, "lowerdirs");
        s->read_only = get_bool(&rd, o, "read_only");
        s->privileged = get_bool(&rd, o, "privileged");
        s->init = get_bool(&rd, o, "init");
        s->tty = get_bool(&rd, o, "tty");
        s->stdin_open = get_bool(&rd, o, "stdin_open");
        s->no_new_privs_off = get_bool(&rd, o, "no_new_privs_off");
        s->seccomp = (enum rt_seccomp_mode)get_int(&rd, o, "seccomp");
        s->seccomp_profile = get_str(&rd, o, "seccomp_profile");
        s->cap_add = get_strv(&rd, o, "cap_add");
        s->cap_drop = get_strv(&rd, o, "cap_drop");
        s->sysctls = get_strv(&rd, o, "sysctls");
        if ((a = get_array(&rd, o, "mounts")) && json_array_size(a)) {
                s->mounts = xcalloc(json_array_size(a), sizeof(*s->mounts));
                for (i = 0; i < json_array_size(a); i++)
                        mount_from(&rd, json_array_get(a, i), &s->mounts[s->n_mounts++]);
        }
        if ((a = get_array(&rd, o, "ulimits")) && json_array_size(a)) {
                s->ulimits = xcalloc(json_array_size(a), sizeof(*s->ulimits));
                for (i = 0; i < json_array_size(a); i++) {
                        e = json_array_get(a, i);
                        struct rt_ulimit *u = &s->ulimits[s->n_ulimits++];
                        json_int_t soft = 0, hard = 0;

                        if (json_unpack((json_t *)e, "[iII]", &u->resource, &soft, &hard) < 0)
                                rd.bad = rd.bad ? rd.bad : "ulimits";
                        u->soft = (uint64_t)soft;
                        u->hard = (uint64_t)hard;
                }
        }
        if ((a = get_array(&rd, o, "devices")) && json_array_size(a)) {
                s->devices = xcalloc(json_array_size(a), sizeof(*s->devices));
                for (i = 0; i < json_array_size(a); i++) {
                        struct rt_device *d = &s->devices[s->n_devices++];

                        e = json_array_get(a, i);
                        d->host_path = get_str(&rd, e, "host_path");
                        d->container_path = get_str(&rd, e, "container_path");
                        d->permissions = get_str(&rd, e, "permissions");
                        d->mode = (uint32_t)get_int(&rd, e, "mode");
                        if (!d->host_path)
                                rd.bad = rd.bad ? rd.bad : "devices";
                }
        }
        s->shm_size = (uint64_t)get_int(&rd, o, "shm_size");
        resources_from(&rd, get_object(&rd, o, "resources"), &s->resources);
        s->net_mode = (enum rt_net_mode)get_int(&rd, o, "net_mode");
        s->net_mode_service = get_str(&rd, o, "net_mode_service");
        if ((a = get_array(&rd, o, "attach")) && json_array_size(a)) {
                s->attach = xcalloc(json_array_size(a), sizeof(*s->attach));
                for (i = 0; i < json_array_size(a); i++) {
                        e = json_array_get(a, i);
                        struct plan_attach *pa = &s->attach[s->n_attach++];

                        pa->network = get_str(&rd, e, "network");
                        pa->ipv4_address = get_str(&rd, e, "ipv4_address");
                        pa->mac_address = get_str(&rd, e, "mac_address");
                        pa->aliases = get_strv(&rd, e, "aliases");
                }
        }
        s->extra_hosts = get_strv(&rd, o, "extra_hosts");
        s->dns = get_strv(&rd, o, "dns");
        s->dns_search = get_strv(&rd, o, "dns_search");
        s->dns_opt = get_strv(&rd, o, "dns_opt");
        s->links = get_strv(&rd, o, "links");
        restart_from(&rd, get_object(&rd, o, "restart"), &s->restart);
        health_from(&rd, get_object(&rd, o, "health"), &s->health);
        s->stop_signal = (int)get_int(&rd, o, "stop_signal");
        s->stop_grace_ms = (uint64_t)get_int(&rd, o, "stop_grace_ms");
        s->log.max_size = (uint64_t)get_int(&rd, o, "log_max_size");
        s->log.max_file = (unsigned)get_int(&rd, o, "log_max_file");
        s->config_hash = get_str(&rd, o, "config_hash");
        if (!s->project || !s->name || !s->root)
                rd.bad = rd.bad ? rd.bad : "project/name/root";
        if (rd.bad) {
                int r = berr_msg(err, EINVAL, "service plan %s: bad field \"%s\"",
                                 s->name ? s->name : "?", rd.bad);

                plan_service_free(s);
                return r;
        }
        *ret = s;
        return 0;
}
