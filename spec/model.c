/* SPDX-License-Identifier: MIT */
/* spec/model: the typed project (spec.h) read out of the canonical tree, and its release. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/graph.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/internal.h"
#include "spec/spec.h"
#include "spec/types.h"

/* ---- readers ------------------------------------------------------------------------------ */

static char *get_str(const struct spec_node *n, const char *key)
{
        const char *s = spec_map_str(n, key);

        return s ? xstrdup(s) : NULL;
}

static bool get_bool(const struct spec_node *n, const char *key)
{
        const char *s = spec_map_str(n, key);

        return s && strcmp(s, "true") == 0;
}

static int64_t get_int(const struct spec_node *n, const char *key, int64_t dflt)
{
        const char *s = spec_map_str(n, key);
        int64_t v;

        return s && spec_parse_int(s, INT64_MIN, INT64_MAX, &v) == 0 ? v : dflt;
}

static int64_t get_dur(const struct spec_node *n, const char *key)
{
        const char *s = spec_map_str(n, key);
        int64_t v;

        return s && spec_parse_duration(s, &v) == 0 ? v : -1;
}

static double get_float(const struct spec_node *n, const char *key)
{
        const char *s = spec_map_str(n, key);
        double v;

        return s && spec_parse_cpus(s, &v) == 0 ? v : 0;
}

static char **get_strv(const struct spec_node *n, const char *key)
{
        const struct spec_node *l = spec_map_get(n, key);
        char **v = NULL;

        if (!l || l->kind != SPEC_SEQ)
                return NULL;
        for (size_t i = 0; i < l->n; i++)
                v = strv_push(v, l->vals[i]->str);
        return v ? v : xcalloc(1, sizeof(char *));
}

static struct spec_kvs get_kvs(const struct spec_node *n, const char *key)
{
        const struct spec_node *m = spec_map_get(n, key);
        struct spec_kvs r = {0};

        if (!m || m->kind != SPEC_MAP)
                return r;
        r.v = xcalloc(m->n ? m->n : 1, sizeof(*r.v));
        for (size_t i = 0; i < m->n; i++) {
                r.v[r.n].key = xstrdup(spec_map_key(m, i));
                r.v[r.n++].value = spec_node_is_null(m->vals[i]) ? NULL : xstrdup(m->vals[i]->str);
        }
        return r;
}

/* ---- service parts ------------------------------------------------------------------------ */

static void read_ports(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *l = spec_map_get(svc, "ports");

        if (!l || l->kind != SPEC_SEQ)
                return;
        s->ports = xcalloc(l->n ? l->n : 1, sizeof(*s->ports));
        for (size_t i = 0; i < l->n; i++) {
                struct spec_port *p = &s->ports[s->nports++];
                const struct spec_node *m = l->vals[i];

                p->name = get_str(m, "name");
                p->target = (uint32_t)get_int(m, "target", 0);
                p->published = get_str(m, "published");
                p->host_ip = get_str(m, "host_ip");
                p->protocol = get_str(m, "protocol");
                p->mode = get_str(m, "mode");
                p->app_protocol = get_str(m, "app_protocol");
        }
}

static void read_mounts(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *l = spec_map_get(svc, "volumes");

        if (!l || l->kind != SPEC_SEQ)
                return;
        s->mounts = xcalloc(l->n ? l->n : 1, sizeof(*s->mounts));
        for (size_t i = 0; i < l->n; i++) {
                struct spec_mount *mt = &s->mounts[s->nmounts++];
                const struct spec_node *m = l->vals[i];
                const char *type = spec_map_str(m, "type");
                const struct spec_node *bind = spec_map_get(m, "bind");
                const struct spec_node *vol = spec_map_get(m, "volume");
                const struct spec_node *tmp = spec_map_get(m, "tmpfs");

                mt->type = !type                         ? SPEC_MOUNT_KIND_OTHER
                           : strcmp(type, "bind") == 0   ? SPEC_MOUNT_KIND_BIND
                           : strcmp(type, "volume") == 0 ? SPEC_MOUNT_KIND_VOLUME
                           : strcmp(type, "tmpfs") == 0  ? SPEC_MOUNT_KIND_TMPFS
                                                         : SPEC_MOUNT_KIND_OTHER;
                mt->source = get_str(m, "source");
                mt->target = get_str(m, "target");
                mt->read_only = get_bool(m, "read_only");
                mt->create_host_path = get_bool(bind, "create_host_path");
                mt->propagation = get_str(bind, "propagation");
                mt->selinux = get_str(bind, "selinux");
                mt->nocopy = get_bool(vol, "nocopy");
                mt->subpath = get_str(vol, "subpath");
                mt->tmpfs_size = get_int(tmp, "size", 0);
                mt->tmpfs_mode = (uint32_t)get_int(tmp, "mode", 0);
        }
}

static void read_deps(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *m = spec_map_get(svc, "depends_on");

        if (!m || m->kind != SPEC_MAP)
                return;
        s->depends_on = xcalloc(m->n ? m->n : 1, sizeof(*s->depends_on));
        for (size_t i = 0; i < m->n; i++) {
                struct spec_dependency *d = &s->depends_on[s->ndepends_on++];

                d->service = xstrdup(spec_map_key(m, i));
                d->condition = get_str(m->vals[i], "condition");
                d->required = get_bool(m->vals[i], "required");
                d->restart = get_bool(m->vals[i], "restart");
        }
}

static void read_networks(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *m = spec_map_get(svc, "networks");

        if (!m || m->kind != SPEC_MAP)
                return;
        s->networks = xcalloc(m->n ? m->n : 1, sizeof(*s->networks));
        for (size_t i = 0; i < m->n; i++) {
                struct spec_service_network *n = &s->networks[s->nnetworks++];
                const struct spec_node *v = m->vals[i];

                n->name = xstrdup(spec_map_key(m, i));
                n->aliases = get_strv(v, "aliases");
                n->ipv4_address = get_str(v, "ipv4_address");
                n->ipv6_address = get_str(v, "ipv6_address");
                n->mac_address = get_str(v, "mac_address");
                n->priority = get_int(v, "priority", 0);
        }
}

static void read_healthcheck(struct spec_healthcheck *h, const struct spec_node *svc)
{
        const struct spec_node *m = spec_map_get(svc, "healthcheck");

        h->interval_ns = h->timeout_ns = h->start_period_ns = h->start_interval_ns = -1;
        h->retries = -1;
        if (!m || m->kind != SPEC_MAP)
                return;
        h->present = true;
        h->disable = get_bool(m, "disable");
        h->test = get_strv(m, "test");
        h->interval_ns = get_dur(m, "interval");
        h->timeout_ns = get_dur(m, "timeout");
        h->start_period_ns = get_dur(m, "start_period");
        h->start_interval_ns = get_dur(m, "start_interval");
        h->retries = get_int(m, "retries", -1);
        if (h->test && h->test[0] && strcmp(h->test[0], "NONE") == 0)
                h->disable = true;
}

static void read_refs(struct spec_file_ref **ret, size_t *n, const struct spec_node *svc,
                      const char *key)
{
        const struct spec_node *l = spec_map_get(svc, key);

        if (!l || l->kind != SPEC_SEQ)
                return;
        *ret = xcalloc(l->n ? l->n : 1, sizeof(**ret));
        for (size_t i = 0; i < l->n; i++) {
                struct spec_file_ref *r = &(*ret)[(*n)++];

                r->source = get_str(l->vals[i], "source");
                r->target = get_str(l->vals[i], "target");
                r->uid = get_str(l->vals[i], "uid");
                r->gid = get_str(l->vals[i], "gid");
                r->mode = get_int(l->vals[i], "mode", -1);
        }
}

static void read_ulimits(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *m = spec_map_get(svc, "ulimits");

        if (!m || m->kind != SPEC_MAP)
                return;
        s->ulimits = xcalloc(m->n ? m->n : 1, sizeof(*s->ulimits));
        for (size_t i = 0; i < m->n; i++) {
                struct spec_ulimit *u = &s->ulimits[s->nulimits++];
                const struct spec_node *v = m->vals[i];
                int64_t single = 0;

                u->name = xstrdup(spec_map_key(m, i));
                if (v->kind == SPEC_SCALAR &&
                    spec_parse_int(v->str, INT64_MIN, INT64_MAX, &single) == 0) {
                        u->soft = u->hard = single;
                } else {
                        u->soft = get_int(v, "soft", 0);
                        u->hard = get_int(v, "hard", 0);
                }
        }
}

static void read_devices(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *l = spec_map_get(svc, "devices");

        if (!l || l->kind != SPEC_SEQ)
                return;
        s->devices = xcalloc(l->n ? l->n : 1, sizeof(*s->devices));
        for (size_t i = 0; i < l->n; i++) {
                struct spec_device *d = &s->devices[s->ndevices++];

                d->source = get_str(l->vals[i], "source");
                d->target = get_str(l->vals[i], "target");
                d->permissions = get_str(l->vals[i], "permissions");
        }
}

static void read_deploy(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *d = spec_map_get(svc, "deploy");
        const struct spec_node *res = spec_map_get(d, "resources");
        const struct spec_node *lim = spec_map_get(res, "limits");
        const struct spec_node *rsv = spec_map_get(res, "reservations");
        const struct spec_node *rp = spec_map_get(d, "restart_policy");
        const struct spec_node *log = spec_map_get(svc, "logging");

        s->replicas = get_int(d, "replicas", get_int(svc, "scale", 1));
        s->limits = (struct spec_resources){get_float(lim, "cpus"), get_int(lim, "memory", 0),
                                            get_int(lim, "pids", 0)};
        s->reservations = (struct spec_resources){get_float(rsv, "cpus"), get_int(rsv, "memory", 0),
                                                  get_int(rsv, "pids", 0)};
        s->restart_policy_condition = rp ? get_str(rp, "condition") : NULL;
        if (rp && !s->restart_policy_condition)
                s->restart_policy_condition = xstrdup("any");
        s->restart_policy_max_attempts = get_int(rp, "max_attempts", 0);
        s->restart_policy_delay_ns = get_dur(rp, "delay");
        s->logging_driver = get_str(log, "driver");
        s->logging_options = get_kvs(log, "options");
        s->blkio_weight = get_int(spec_map_get(svc, "blkio_config"), "weight", 0);
}

/* Plain attributes: one row each, sorted by key, read in one pass over the service's keys. */
enum mtype {
        M_STR,
        M_BOOL,
        M_INT,
        M_FLOAT,
        M_DUR,
        M_STRV,
        M_KVS,
};

struct mfield {
        const char *key;
        enum mtype type;
        size_t off;
};

#define F(k, t, member)                                     \
        {                                                   \
                k, t, offsetof(struct spec_service, member) \
        }
static const struct mfield service_table[] = {
        F("cap_add", M_STRV, cap_add),
        F("cap_drop", M_STRV, cap_drop),
        F("command", M_STRV, command),
        F("container_name", M_STR, container_name),
        F("cpu_period", M_INT, cpu_period),
        F("cpu_quota", M_INT, cpu_quota),
        F("cpu_shares", M_INT, cpu_shares),
        F("cpus", M_FLOAT, cpus),
        F("cpuset", M_STR, cpuset),
        F("dns", M_STRV, dns),
        F("dns_opt", M_STRV, dns_opt),
        F("dns_search", M_STRV, dns_search),
        F("domainname", M_STR, domainname),
        F("entrypoint", M_STRV, entrypoint),
        F("environment", M_KVS, environment),
        F("expose", M_STRV, expose),
        F("extra_hosts", M_STRV, extra_hosts),
        F("group_add", M_STRV, group_add),
        F("hostname", M_STR, hostname),
        F("image", M_STR, image),
        F("init", M_BOOL, init),
        F("ipc", M_STR, ipc),
        F("labels", M_KVS, labels),
        F("links", M_STRV, links),
        F("mem_limit", M_INT, mem_limit),
        F("mem_reservation", M_INT, mem_reservation),
        F("memswap_limit", M_INT, memswap_limit),
        F("network_mode", M_STR, network_mode),
        F("oom_score_adj", M_INT, oom_score_adj),
        F("pid", M_STR, pid),
        F("pids_limit", M_INT, pids_limit),
        F("privileged", M_BOOL, privileged),
        F("profiles", M_STRV, profiles),
        F("pull_policy", M_STR, pull_policy),
        F("read_only", M_BOOL, read_only),
        F("restart", M_STR, restart),
        F("security_opt", M_STRV, security_opt),
        F("shm_size", M_INT, shm_size),
        F("stdin_open", M_BOOL, stdin_open),
        F("stop_grace_period", M_DUR, stop_grace_period_ns),
        F("stop_signal", M_STR, stop_signal),
        F("sysctls", M_KVS, sysctls),
        F("tmpfs", M_STRV, tmpfs),
        F("tty", M_BOOL, tty),
        F("user", M_STR, user),
        F("uts", M_STR, uts),
        F("volumes_from", M_STRV, volumes_from),
        F("working_dir", M_STR, working_dir),
};
#undef F

static int mfield_cmp(const void *key, const void *row)
{
        return strcmp(key, ((const struct mfield *)row)->key);
}

static void read_field(struct spec_service *s, const struct mfield *f, const struct spec_node *svc,
                       const char *key)
{
        void *at = (char *)s + f->off;

        switch (f->type) {
        case M_STR:
                *(char **)at = get_str(svc, key);
                break;
        case M_BOOL:
                *(bool *)at = get_bool(svc, key);
                break;
        case M_INT:
                *(int64_t *)at = get_int(svc, key, 0);
                break;
        case M_FLOAT:
                *(double *)at = get_float(svc, key);
                break;
        case M_DUR:
                *(int64_t *)at = get_dur(svc, key);
                break;
        case M_STRV:
                *(char ***)at = get_strv(svc, key);
                break;
        case M_KVS:
                *(struct spec_kvs *)at = get_kvs(svc, key);
                break;
        }
}

static void read_plain(struct spec_service *s, const struct spec_node *svc)
{
        const struct spec_node *b = spec_map_get(svc, "build");

        s->stop_grace_period_ns = -1;
        for (size_t i = 0; i < svc->n; i++) {
                const char *k = spec_map_key(svc, i);
                const struct mfield *f = bsearch(k, service_table, ARRAY_SIZE(service_table),
                                                 sizeof(service_table[0]), mfield_cmp);

                if (f)
                        read_field(s, f, svc, k);
        }
        s->build_context = get_str(b, "context");
        s->build_dockerfile = get_str(b, "dockerfile");
}

static void read_service(struct spec_service *s, const char *name, const struct spec_node *svc)
{
        s->name = xstrdup(name);
        s->node = svc;
        read_plain(s, svc);
        read_ports(s, svc);
        read_mounts(s, svc);
        read_deps(s, svc);
        read_networks(s, svc);
        read_healthcheck(&s->healthcheck, svc);
        read_refs(&s->secrets, &s->nsecrets, svc, "secrets");
        read_refs(&s->configs, &s->nconfigs, svc, "configs");
        read_ulimits(s, svc);
        read_devices(s, svc);
        read_deploy(s, svc);
}

/* ---- top-level resources ------------------------------------------------------------------ */

static void read_networks_top(struct spec_project *p, const struct spec_node *m)
{
        if (!m || m->kind != SPEC_MAP)
                return;
        p->networks = xcalloc(m->n ? m->n : 1, sizeof(*p->networks));
        for (size_t i = 0; i < m->n; i++) {
                struct spec_network *n = &p->networks[p->nnetworks++];
                const struct spec_node *v = m->vals[i];
                const struct spec_node *cfg = spec_map_get(spec_map_get(v, "ipam"), "config");
                const struct spec_node *c0 =
                        cfg && cfg->kind == SPEC_SEQ && cfg->n ? cfg->vals[0] : NULL;

                n->key = xstrdup(spec_map_key(m, i));
                n->name = get_str(v, "name");
                n->driver = get_str(v, "driver");
                n->external = get_bool(v, "external");
                n->internal = get_bool(v, "internal");
                n->attachable = get_bool(v, "attachable");
                n->enable_ipv6 = get_bool(v, "enable_ipv6");
                n->driver_opts = get_kvs(v, "driver_opts");
                n->labels = get_kvs(v, "labels");
                n->subnet = get_str(c0, "subnet");
                n->gateway = get_str(c0, "gateway");
                n->ip_range = get_str(c0, "ip_range");
        }
}

static void read_volumes_top(struct spec_project *p, const struct spec_node *m)
{
        if (!m || m->kind != SPEC_MAP)
                return;
        p->volumes = xcalloc(m->n ? m->n : 1, sizeof(*p->volumes));
        for (size_t i = 0; i < m->n; i++) {
                struct spec_volume *v = &p->volumes[p->nvolumes++];

                v->key = xstrdup(spec_map_key(m, i));
                v->name = get_str(m->vals[i], "name");
                v->driver = get_str(m->vals[i], "driver");
                v->external = get_bool(m->vals[i], "external");
                v->driver_opts = get_kvs(m->vals[i], "driver_opts");
                v->labels = get_kvs(m->vals[i], "labels");
        }
}

static void read_secrets_top(struct spec_secret **ret, size_t *n, const struct spec_node *m)
{
        if (!m || m->kind != SPEC_MAP)
                return;
        *ret = xcalloc(m->n ? m->n : 1, sizeof(**ret));
        for (size_t i = 0; i < m->n; i++) {
                struct spec_secret *s = &(*ret)[(*n)++];

                s->key = xstrdup(spec_map_key(m, i));
                s->name = get_str(m->vals[i], "name");
                s->file = get_str(m->vals[i], "file");
                s->environment = get_str(m->vals[i], "environment");
                s->content = get_str(m->vals[i], "content");
                s->external = get_bool(m->vals[i], "external");
        }
}

struct spec_project *spec_model_build(struct spec_node *tree, const char *working_dir)
{
        struct spec_project *p = xcalloc(1, sizeof(*p));
        const struct spec_node *svcs = spec_map_get(tree, "services");

        p->tree = tree;
        p->name = get_str(tree, "name");
        p->working_dir = xstrdup(working_dir);
        if (svcs && svcs->kind == SPEC_MAP) {
                p->services = xcalloc(svcs->n ? svcs->n : 1, sizeof(*p->services));
                for (size_t i = 0; i < svcs->n; i++)
                        read_service(&p->services[p->nservices++], spec_map_key(svcs, i),
                                     svcs->vals[i]);
        }
        read_networks_top(p, spec_map_get(tree, "networks"));
        read_volumes_top(p, spec_map_get(tree, "volumes"));
        read_secrets_top(&p->secrets, &p->nsecrets, spec_map_get(tree, "secrets"));
        read_secrets_top(&p->configs, &p->nconfigs, spec_map_get(tree, "configs"));
        return p;
}

/* ---- queries ------------------------------------------------------------------------------ */

const struct spec_service *spec_project_service(const struct spec_project *p, const char *name)
{
        for (size_t i = 0; i < p->nservices; i++)
                if (strcmp(p->services[i].name, name) == 0)
                        return &p->services[i];
        return NULL;
}

int spec_project_waves(const struct spec_project *p, int *waves)
{
        struct graph *g = graph_new(p->nservices);
        int r;

        for (size_t i = 0; i < p->nservices; i++)
                for (size_t d = 0; d < p->services[i].ndepends_on; d++)
                        for (size_t j = 0; j < p->nservices; j++)
                                if (strcmp(p->services[j].name,
                                           p->services[i].depends_on[d].service) == 0)
                                        graph_add_edge(g, i, j);
        r = graph_waves(g, waves);
        graph_free(g);
        return r;
}

/* ---- release ------------------------------------------------------------------------------ */

static void kvs_free(struct spec_kvs *k)
{
        for (size_t i = 0; i < k->n; i++) {
                free(k->v[i].key);
                free(k->v[i].value);
        }
        free(k->v);
}

static void service_free_parts(struct spec_service *s)
{
        for (size_t i = 0; i < s->nports; i++) {
                free(s->ports[i].name);
                free(s->ports[i].published);
                free(s->ports[i].host_ip);
                free(s->ports[i].protocol);
                free(s->ports[i].mode);
                free(s->ports[i].app_protocol);
        }
        free(s->ports);
        for (size_t i = 0; i < s->nmounts; i++) {
                free(s->mounts[i].source);
                free(s->mounts[i].target);
                free(s->mounts[i].propagation);
                free(s->mounts[i].selinux);
                free(s->mounts[i].subpath);
        }
        free(s->mounts);
        for (size_t i = 0; i < s->ndepends_on; i++) {
                free(s->depends_on[i].service);
                free(s->depends_on[i].condition);
        }
        free(s->depends_on);
        for (size_t i = 0; i < s->nnetworks; i++) {
                free(s->networks[i].name);
                strv_free(s->networks[i].aliases);
                free(s->networks[i].ipv4_address);
                free(s->networks[i].ipv6_address);
                free(s->networks[i].mac_address);
        }
        free(s->networks);
        for (size_t i = 0; i < s->nulimits; i++)
                free(s->ulimits[i].name);
        free(s->ulimits);
        for (size_t i = 0; i < s->ndevices; i++) {
                free(s->devices[i].source);
                free(s->devices[i].target);
                free(s->devices[i].permissions);
        }
        free(s->devices);
        for (size_t k = 0; k < 2; k++) {
                struct spec_file_ref *r = k ? s->configs : s->secrets;
                size_t n = k ? s->nconfigs : s->nsecrets;

                for (size_t i = 0; i < n; i++) {
                        free(r[i].source);
                        free(r[i].target);
                        free(r[i].uid);
                        free(r[i].gid);
                }
                free(r);
        }
}

static void service_free(struct spec_service *s)
{
        char **strs[] = {&s->name,
                         &s->image,
                         &s->container_name,
                         &s->build_context,
                         &s->build_dockerfile,
                         &s->network_mode,
                         &s->restart,
                         &s->user,
                         &s->working_dir,
                         &s->hostname,
                         &s->domainname,
                         &s->ipc,
                         &s->pid,
                         &s->uts,
                         &s->cpuset,
                         &s->stop_signal,
                         &s->pull_policy,
                         &s->restart_policy_condition,
                         &s->logging_driver};
        char ***vs[] = {&s->command,     &s->entrypoint,   &s->expose,     &s->cap_add,
                        &s->cap_drop,    &s->dns,          &s->dns_search, &s->dns_opt,
                        &s->extra_hosts, &s->security_opt, &s->tmpfs,      &s->profiles,
                        &s->links,       &s->volumes_from, &s->group_add,  &s->healthcheck.test};

        for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
                free(*strs[i]);
        for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
                strv_free(*vs[i]);
        kvs_free(&s->environment);
        kvs_free(&s->labels);
        kvs_free(&s->sysctls);
        kvs_free(&s->logging_options);
        service_free_parts(s);
}

void spec_project_free(struct spec_project *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->nservices; i++)
                service_free(&p->services[i]);
        free(p->services);
        for (size_t i = 0; i < p->nnetworks; i++) {
                struct spec_network *n = &p->networks[i];

                free(n->key), free(n->name), free(n->driver);
                free(n->subnet), free(n->gateway), free(n->ip_range);
                kvs_free(&n->driver_opts);
                kvs_free(&n->labels);
        }
        free(p->networks);
        for (size_t i = 0; i < p->nvolumes; i++) {
                free(p->volumes[i].key), free(p->volumes[i].name), free(p->volumes[i].driver);
                kvs_free(&p->volumes[i].driver_opts);
                kvs_free(&p->volumes[i].labels);
        }
        free(p->volumes);
        for (size_t k = 0; k < 2; k++) {
                struct spec_secret *s = k ? p->configs : p->secrets;
                size_t n = k ? p->nconfigs : p->nsecrets;

                for (size_t i = 0; i < n; i++) {
                        free(s[i].key), free(s[i].name), free(s[i].file);
                        free(s[i].environment), free(s[i].content);
                }
                free(s);
        }
        spec_node_free(p->tree);
        strv_free(p->names);
        strv_free(p->files);
        strv_free(p->all_profiles);
        strv_free(p->disabled_services);
        free(p->name);
        free(p->working_dir);
        free(p);
}
