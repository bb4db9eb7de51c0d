/* SPDX-License-Identifier: MIT */
#include "orchestrator/plan.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include <openssl/evp.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/spec.h"
#include "spec/types.h"

char *plan_container_dir(const char *root, const char *name)
{
        return xasprintf("%s/containers/%s", root, name);
}

char *plan_volume_dir(const char *root, const char *project, const char *name)
{
        (void)project;
        return xasprintf("%s/volumes/%s", root, name);
}

char *plan_anon_volumes_dir(const char *root, const char *project, const char *name)
{
        if (name)
                return xasprintf("%s/volumes/_anon/%s/%s", root, project, name);
        return xasprintf("%s/volumes/_anon/%s", root, project);
}

char *plan_anon_volume_dir(const char *root, const char *project, const char *name,
                           const char *target)
{
        uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a of the target path */

        for (const char *c = target; *c; c++)
                h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
        return xasprintf("%s/volumes/_anon/%s/%s/%016llx", root, project, name,
                         (unsigned long long)h);
}

char *plan_container_name(const struct plan_service *s, unsigned n)
{
        if (s->container_name && s->replicas <= 1)
                return xstrdup(s->container_name);
        return xasprintf("%s-%s-%u", s->project, s->name, n);
}

static bool argv_nonempty(char *const *v)
{
        return v && v[0];
}

static char **strv_append_all(char **v, char *const *more)
{
        for (size_t i = 0; more && more[i]; i++)
                v = strv_push(v, more[i]);
        return v;
}

char **plan_merge_argv(char *const *img_entrypoint, char *const *img_cmd,
                       char *const *svc_entrypoint, char *const *svc_command)
{
        char **argv = xcalloc(1, sizeof(char *));

        /* compose: an entrypoint in the file clears the image's Entrypoint AND Cmd. */
        if (svc_entrypoint) {
                argv = strv_append_all(argv, svc_entrypoint);
                return strv_append_all(argv, svc_command);
        }
        argv = strv_append_all(argv, img_entrypoint);
        return strv_append_all(argv, svc_command ? svc_command : img_cmd);
}

/* Set or replace "K=V" in an environment vector. */
static char **env_set(char **env, const char *key, const char *value)
{
        size_t klen = strlen(key);

        for (size_t i = 0; env && env[i]; i++) {
                if (strncmp(env[i], key, klen) == 0 && env[i][klen] == '=') {
                        free(env[i]);
                        env[i] = xasprintf("%s=%s", key, value);
                        return env;
                }
        }
        return strv_push_take(env, xasprintf("%s=%s", key, value));
}

static char **merge_env(char *const *img_env, const struct spec_kvs *svc_env)
{
        char **env = strv_copy(img_env);

        for (size_t i = 0; i < svc_env->n; i++) {
                const struct spec_kv *kv = &svc_env->v[i];
                const char *v = kv->value;

                /* `- KEY` without a value takes the host's, or is left out (compose). */
                if (!v)
                        v = getenv(kv->key);
                if (v)
                        env = env_set(env, kv->key, v);
        }
        return env;
}

static int parse_security_opts(struct plan_service *s, char *const *opts, struct berr **err)
{
        for (size_t i = 0; opts && opts[i]; i++) {
                const char *o = opts[i];
                size_t klen = strcspn(o, "=:");
                const char *val = o[klen] ? o + klen + 1 : NULL;

                if (strncmp(o, "no-new-privileges", klen) == 0 && klen == 17) {
                        if (!val || strcmp(val, "true") == 0)
                                s->no_new_privs_off = false;
                        else if (strcmp(val, "false") == 0)
                                s->no_new_privs_off = true;
                        else
                                return berr_msg(
                                        err, EINVAL,
                                        "service `%s`: security_opt `%s`: expected no-new-privileges[:true|false]",
                                        s->name, o);
                } else if (strncmp(o, "seccomp", klen) == 0 && klen == 7 && val) {
                        if (strcmp(val, "unconfined") == 0) {
                                s->seccomp = RT_SECCOMP_UNCONFINED;
                        } else {
                                s->seccomp = RT_SECCOMP_PROFILE;
                                free(s->seccomp_profile);
                                s->seccomp_profile = xstrdup(val);
                        }
                } else if ((strncmp(o, "label", klen) == 0 && klen == 5) ||
                           (strncmp(o, "apparmor", klen) == 0 && klen == 8)) {
                        continue; /* no LSM on this host kind; reported by spec as a warning */
                } else {
                        return berr_msg(
                                err, EINVAL,
                                "service `%s`: security_opt `%s` is not supported (no-new-privileges, seccomp=unconfined|FILE)",
                                s->name, o);
                }
        }
        return 0;
}

static void add_mount(struct plan_service *s, const struct rt_mount *m)
{
        s->mounts = xrealloc(s->mounts, (s->n_mounts + 1) * sizeof(*s->mounts));
        s->mounts[s->n_mounts++] = *m;
}

/* An image VOLUME that the service mounts nothing on becomes an anonymous volume, filled from
 * the image the first time, as docker does. */
static void plan_image_volumes(struct plan_service *s, const struct plan_image *img)
{
        strv_foreach (v, img->volumes) {
                bool covered = false;

                if (v[0] != '/')
                        continue;
                for (size_t i = 0; i < s->n_mounts && !covered; i++)
                        covered = strcmp(s->mounts[i].target, v) == 0;
                if (!covered)
                        add_mount(s, &(struct rt_mount){
                                             .type = RT_MOUNT_VOLUME,
                                             .target = xstrdup(v),
                                             .copy_up = true,
                                     });
        }
}

static const struct spec_volume *find_volume(const struct spec_project *p, const char *key)
{
        for (size_t i = 0; i < p->nvolumes; i++)
                if (strcmp(p->volumes[i].key, key) == 0)
                        return &p->volumes[i];
        return NULL;
}

static int plan_mounts(struct plan_service *s, const struct spec_project *p,
                       const struct spec_service *svc, struct berr **err)
{
        for (size_t i = 0; i < svc->nmounts; i++) {
                const struct spec_mount *sm = &svc->mounts[i];
                struct rt_mount m = {0};

                m.target = xstrdup(sm->target);
                m.read_only = sm->read_only;
                switch (sm->type) {
                case SPEC_MOUNT_KIND_BIND:
                        m.type = RT_MOUNT_BIND;
                        m.source = xstrdup(sm->source);
                        m.recursive = true;
                        m.create_source = sm->create_host_path;
                        break;
                case SPEC_MOUNT_KIND_VOLUME:
                        m.type = RT_MOUNT_VOLUME;
                        m.copy_up = !sm->nocopy;
                        if (sm->source) {
                                const struct spec_volume *v = find_volume(p, sm->source);
                                cleanup_free char *full = NULL;

                                if (v && v->name)
                                        full = xstrdup(v->name);
                                else
                                        full = xasprintf("%s_%s", p->name, sm->source);
                                m.source = plan_volume_dir(s->root, p->name, full);
                        }
                        /* anonymous: source stays NULL, made per container */
                        break;
                case SPEC_MOUNT_KIND_TMPFS:
                        m.type = RT_MOUNT_TMPFS;
                        m.tmpfs_size = sm->tmpfs_size > 0 ? (uint64_t)sm->tmpfs_size : 0;
                        m.tmpfs_mode = sm->tmpfs_mode;
                        break;
                default:
                        free(m.target);
                        return berr_msg(
                                err, ENOTSUP,
                                "service `%s`: volume `%s`: only bind, volume and tmpfs mounts are supported",
                                s->name, sm->target);
                }
                add_mount(s, &m);
        }
        for (size_t i = 0; svc->tmpfs && svc->tmpfs[i]; i++) {
                const char *t = svc->tmpfs[i];
                const char *colon = strchr(t, ':');
                struct rt_mount m = {.type = RT_MOUNT_TMPFS};

                m.target = colon ? xstrndup(t, (size_t)(colon - t)) : xstrdup(t);
                if (colon && colon[1])
                        m.options = xstrdup(colon + 1);
                add_mount(s, &m);
        }
        return 0;
}

static int plan_devices(struct plan_service *s, const struct spec_service *svc, struct berr **err)
{
        if (!svc->ndevices)
                return 0;
        s->devices = xcalloc(svc->ndevices, sizeof(*s->devices));
        for (size_t i = 0; i < svc->ndevices; i++) {
                const struct spec_device *d = &svc->devices[i];
                const char *perm = d->permissions && *d->permissions ? d->permissions : "rwm";

                if (!d->source || d->source[0] != '/' ||
                    (d->target && *d->target && d->target[0] != '/'))
                        return berr_msg(err, EINVAL,
                                        "service `%s`: devices[%zu]: `%s` needs absolute paths "
                                        "(HOST[:CONTAINER[:PERMISSIONS]])",
                                        s->name, i, d->source ? d->source : "");
                if (strspn(perm, "rwm") != strlen(perm))
                        return berr_msg(err, EINVAL,
                                        "service `%s`: devices[%zu]: permissions `%s`: expected "
                                        "letters of `rwm`",
                                        s->name, i, perm);
                s->devices[i].host_path = xstrdup(d->source);
                s->devices[i].container_path = d->target && *d->target ? xstrdup(d->target) : NULL;
                s->devices[i].permissions = xstrdup(perm);
                s->n_devices++;
        }
        return 0;
}

static int plan_ulimits(struct plan_service *s, const struct spec_service *svc, struct berr **err)
{
        if (!svc->nulimits)
                return 0;
        s->ulimits = xcalloc(svc->nulimits, sizeof(*s->ulimits));
        for (size_t i = 0; i < svc->nulimits; i++) {
                int res = rt_ulimit_resource(svc->ulimits[i].name);

                if (res < 0)
                        return berr_msg(err, EINVAL, "service `%s`: ulimits: unknown limit `%s`",
                                        s->name, svc->ulimits[i].name);
                s->ulimits[s->n_ulimits].resource = res;
                s->ulimits[s->n_ulimits].soft = (uint64_t)svc->ulimits[i].soft;
                s->ulimits[s->n_ulimits].hard = (uint64_t)svc->ulimits[i].hard;
                s->n_ulimits++;
        }
        return 0;
}

static void plan_resources(struct plan_service *s, const struct spec_service *svc)
{
        struct rt_resources *r = &s->resources;
        double cpus = svc->cpus > 0 ? svc->cpus : svc->limits.cpus;

        r->memory = svc->mem_limit ? svc->mem_limit : svc->limits.memory;
        r->memory_reservation =
                svc->mem_reservation ? svc->mem_reservation : svc->reservations.memory;
        r->memory_swap = svc->memswap_limit;
        if (svc->cpu_quota)
                r->cpu_quota = svc->cpu_quota;
        else if (cpus > 0)
                r->cpu_quota = (int64_t)(cpus * 100000.0);
        r->cpu_period = svc->cpu_period > 0 ? (uint64_t)svc->cpu_period : 0;
        r->cpu_shares = svc->cpu_shares > 0 ? (uint64_t)svc->cpu_shares : 0;
        r->cpuset_cpus = svc->cpuset ? xstrdup(svc->cpuset) : NULL;
        r->pids_limit = svc->pids_limit ? svc->pids_limit : svc->limits.pids;
        r->blkio_weight = svc->blkio_weight > 0 ? (uint16_t)svc->blkio_weight : 0;
}

static int plan_network_mode(struct plan_service *s, const struct spec_service *svc,
                             struct berr **err)
{
        const char *nm = svc->network_mode;

        s->net_mode = RT_NET_NEW;
        if (!nm || strcmp(nm, "bridge") == 0 || strcmp(nm, "default") == 0) {
                if (svc->nnetworks == 0) {
                        s->attach = xcalloc(1, sizeof(*s->attach));
                        s->attach[0].network = xstrdup("default");
                        s->n_attach = 1;
                        return 0;
                }
                s->attach = xcalloc(svc->nnetworks, sizeof(*s->attach));
                for (size_t i = 0; i < svc->nnetworks; i++) {
                        const struct spec_service_network *n = &svc->networks[i];
                        struct plan_attach *a = &s->attach[s->n_attach++];

                        a->network = xstrdup(n->name);
                        a->ipv4_address = n->ipv4_address ? xstrdup(n->ipv4_address) : NULL;
                        a->mac_address = n->mac_address ? xstrdup(n->mac_address) : NULL;
                        a->aliases = strv_copy(n->aliases);
                }
                return 0;
        }
        if (strcmp(nm, "none") == 0)
                return 0;
        if (strcmp(nm, "host") == 0) {
                s->net_mode = RT_NET_HOST;
                return 0;
        }
        if (strncmp(nm, "service:", 8) == 0) {
                s->net_mode = RT_NET_JOIN;
                s->net_mode_service = xstrdup(nm + 8);
                return 0;
        }
        return berr_msg(
                err, ENOTSUP,
                "service `%s`: network_mode `%s` is not supported (bridge, none, host, service:NAME)",
                s->name, nm);
}

static int parse_port_range(const char *s, uint16_t *start, uint16_t *end)
{
        unsigned a = 0, b = 0;
        int n = 0;

        if (!s || !*s)
                return 0;
        if (sscanf(s, "%u-%u%n", &a, &b, &n) == 2 && s[n] == '\0') {
                *start = (uint16_t)a;
                *end = (uint16_t)b;
                return 0;
        }
        if (sscanf(s, "%u%n", &a, &n) == 1 && s[n] == '\0' && a <= 65535) {
                *start = (uint16_t)a;
                return 0;
        }
        return -EINVAL;
}

static int plan_ports(struct plan_service *s, const struct spec_service *svc, struct berr **err)
{
        if (!svc->nports)
                return 0;
        s->ports = xcalloc(svc->nports, sizeof(*s->ports));
        for (size_t i = 0; i < svc->nports; i++) {
                const struct spec_port *sp = &svc->ports[i];
                struct net_port *np = &s->ports[s->n_ports];

                if (sp->protocol && strcmp(sp->protocol, "udp") == 0)
                        np->proto = NET_PROTO_UDP;
                else if (!sp->protocol || strcmp(sp->protocol, "tcp") == 0)
                        np->proto = NET_PROTO_TCP;
                else
                        return berr_msg(
                                err, ENOTSUP,
                                "service `%s`: ports[%zu]: protocol `%s` is not supported (tcp, udp)",
                                s->name, i, sp->protocol);
                if (sp->host_ip)
                        snprintf(np->host_ip, sizeof(np->host_ip), "%s", sp->host_ip);
                np->container_port = (uint16_t)sp->target;
                if (parse_port_range(sp->published, &np->host_port, &np->host_port_end) < 0)
                        return berr_msg(err, EINVAL,
                                        "service `%s`: ports[%zu]: \"%s\" is not a port or range",
                                        s->name, i, sp->published);
                if (np->host_port_end)
                        np->container_port_end = (uint16_t)(np->container_port +
                                                            (np->host_port_end - np->host_port));
                s->n_ports++;
        }
        return 0;
}

static int plan_restart(struct plan_service *s, const struct spec_service *svc, struct berr **err)
{
        if (svc->restart_policy_condition) {
                enum restart_policy pol;

                if (restart_condition_parse(svc->restart_policy_condition, &pol) < 0)
                        return berr_msg(
                                err, EINVAL,
                                "service `%s`: deploy.restart_policy.condition `%s`: expected none, on-failure or any",
                                s->name, svc->restart_policy_condition);
                s->restart.policy = pol;
                if (svc->restart_policy_max_attempts > 0)
                        s->restart.max_attempts = (unsigned)svc->restart_policy_max_attempts;
                if (svc->restart_policy_delay_ns > 0)
                        s->restart.delay_ms = (uint64_t)svc->restart_policy_delay_ns / 1000000;
                return 0;
        }
        if (restart_spec_parse(svc->restart ? svc->restart : "no", &s->restart) < 0)
                return berr_msg(
                        err, EINVAL,
                        "service `%s`: restart `%s`: expected no, always, on-failure[:N] or unless-stopped",
                        s->name, svc->restart);
        return 0;
}

static uint64_t ns_to_ms(int64_t ns)
{
        return ns > 0 ? (uint64_t)ns / 1000000 : 0;
}

static int plan_health(struct plan_service *s, const struct spec_service *svc,
                       const struct plan_image *img, struct berr **err)
{
        const struct spec_healthcheck *h = &svc->healthcheck;
        char *const *test = img->healthcheck_test;
        int64_t interval = img->hc_interval_ns, timeout = img->hc_timeout_ns;
        int64_t start_period = img->hc_start_period_ns, start_interval = img->hc_start_interval_ns;
        int64_t retries = img->hc_retries;

        if (h->present) {
                if (h->disable) {
                        s->health.kind = HEALTH_TEST_NONE;
                        return 0;
                }
                if (h->test)
                        test = h->test;
                if (h->interval_ns >= 0)
                        interval = h->interval_ns;
                if (h->timeout_ns >= 0)
                        timeout = h->timeout_ns;
                if (h->start_period_ns >= 0)
                        start_period = h->start_period_ns;
                if (h->start_interval_ns >= 0)
                        start_interval = h->start_interval_ns;
                if (h->retries >= 0)
                        retries = h->retries;
        }
        if (!test || !test[0]) {
                s->health.kind = HEALTH_TEST_NONE;
                return 0;
        }
        if (health_config_set_test(&s->health, test) < 0)
                return berr_msg(
                        err, EINVAL,
                        "service `%s`: healthcheck.test: expected [\"CMD\", ...], [\"CMD-SHELL\", \"...\"] or [\"NONE\"]",
                        s->name);
        s->health.interval_ms = ns_to_ms(interval);
        s->health.timeout_ms = ns_to_ms(timeout);
        s->health.start_period_ms = ns_to_ms(start_period);
        s->health.start_interval_ms = ns_to_ms(start_interval);
        s->health.retries = retries > 0 ? (unsigned)retries : 0;
        health_config_defaults(&s->health);
        return 0;
}

static int plan_stop(struct plan_service *s, const struct spec_service *svc,
                     const struct plan_image *img, struct berr **err)
{
        const char *sig = svc->stop_signal ? svc->stop_signal : img->stop_signal;

        s->stop_signal = SIGTERM;
        if (sig && spec_parse_signal(sig, &s->stop_signal) < 0)
                return berr_msg(err, EINVAL, "service `%s`: stop_signal `%s` is not a signal",
                                s->name, sig);
        s->stop_grace_ms =
                svc->stop_grace_period_ns >= 0 ? ns_to_ms(svc->stop_grace_period_ns) : 10000;
        return 0;
}

static int plan_logging(struct plan_service *s, const struct spec_service *svc, struct berr **err)
{
        for (size_t i = 0; i < svc->logging_options.n; i++) {
                const struct spec_kv *kv = &svc->logging_options.v[i];
                int64_t v = 0;

                if (!kv->value)
                        continue;
                if (strcmp(kv->key, "max-size") == 0) {
                        if (spec_parse_bytes(kv->value, &v) < 0 || v <= 0)
                                return berr_msg(
                                        err, EINVAL,
                                        "service `%s`: logging.options.max-size `%s` is not a size",
                                        s->name, kv->value);
                        s->log.max_size = (uint64_t)v;
                } else if (strcmp(kv->key, "max-file") == 0) {
                        char *end = NULL;
                        long n = strtol(kv->value, &end, 10);

                        if (!end || *end || n < 1)
                                return berr_msg(
                                        err, EINVAL,
                                        "service `%s`: logging.options.max-file `%s` is not a positive number",
                                        s->name, kv->value);
                        s->log.max_file = (unsigned)n;
                }
        }
        return 0;
}

static void hash_strv(struct strbuf *b, const char *key, char *const *v)
{
        strbuf_printf(b, "%s[", key);
        for (size_t i = 0; v && v[i]; i++)
                strbuf_printf(b, "%zu:%s,", strlen(v[i]), v[i]);
        strbuf_puts(b, "]\n");
}

/* The config hash covers everything the container is made from, so a change to any of it
 * recreates the container and nothing else does. */
static void plan_hash(struct plan_service *s)
{
        struct strbuf b = STRBUF_INIT;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        char hex[2 * EVP_MAX_MD_SIZE + 1];

        strbuf_printf(&b, "image=%s\ndigest=%s\ncwd=%s\nuser=%s\nhost=%s\ndomain=%s\n",
                      s->image_ref ? s->image_ref : "", s->image_digest ? s->image_digest : "",
                      s->cwd ? s->cwd : "", s->user ? s->user : "", s->hostname ? s->hostname : "",
                      s->domainname ? s->domainname : "");
        hash_strv(&b, "argv", s->argv);
        hash_strv(&b, "env", s->env);
        hash_strv(&b, "cap_add", s->cap_add);
        hash_strv(&b, "cap_drop", s->cap_drop);
        hash_strv(&b, "sysctls", s->sysctls);
        hash_strv(&b, "extra_hosts", s->extra_hosts);
        hash_strv(&b, "dns", s->dns);
        strbuf_printf(&b, "flags=%d%d%d%d%d seccomp=%d:%s shm=%llu net=%d:%s\n", s->read_only,
                      s->privileged, s->init, s->no_new_privs_off, (int)s->net_mode,
                      (int)s->seccomp, s->seccomp_profile ? s->seccomp_profile : "",
                      (unsigned long long)s->shm_size, (int)s->net_mode,
                      s->net_mode_service ? s->net_mode_service : "");
        /* only when set, so the hash of every container without them stays what it was */
        if (s->tty || s->stdin_open)
                strbuf_printf(&b, "tty=%d%d\n", s->tty, s->stdin_open);
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct rt_mount *m = &s->mounts[i];

                strbuf_printf(&b, "mount=%d:%s:%s:%d:%d:%llu:%o:%s\n", (int)m->type,
                              m->source ? m->source : "", m->target, m->read_only, m->copy_up,
                              (unsigned long long)m->tmpfs_size, m->tmpfs_mode,
                              m->options ? m->options : "");
        }
        for (size_t i = 0; i < s->n_devices; i++)
                strbuf_printf(&b, "device=%s:%s:%s\n", s->devices[i].host_path,
                              s->devices[i].container_path ? s->devices[i].container_path : "",
                              s->devices[i].permissions);
        for (size_t i = 0; i < s->n_ulimits; i++)
                strbuf_printf(&b, "ulimit=%d:%llu:%llu\n", s->ulimits[i].resource,
                              (unsigned long long)s->ulimits[i].soft,
                              (unsigned long long)s->ulimits[i].hard);
        strbuf_printf(&b, "res=%lld:%lld:%lld:%lld:%llu:%llu:%s:%lld:%u\n",
                      (long long)s->resources.memory, (long long)s->resources.memory_reservation,
                      (long long)s->resources.memory_swap, (long long)s->resources.cpu_quota,
                      (unsigned long long)s->resources.cpu_period,
                      (unsigned long long)s->resources.cpu_shares,
                      s->resources.cpuset_cpus ? s->resources.cpuset_cpus : "",
                      (long long)s->resources.pids_limit, s->resources.blkio_weight);
        for (size_t i = 0; i < s->n_attach; i++) {
                strbuf_printf(&b, "net=%s:%s:%s\n", s->attach[i].network,
                              s->attach[i].ipv4_address ? s->attach[i].ipv4_address : "",
                              s->attach[i].mac_address ? s->attach[i].mac_address : "");
                hash_strv(&b, "aliases", s->attach[i].aliases);
        }
        if (s->links && s->links[0])
                hash_strv(&b, "links", s->links);
        for (size_t i = 0; i < s->n_ports; i++)
                strbuf_printf(&b, "port=%s:%u-%u:%u-%u/%d\n", s->ports[i].host_ip,
                              s->ports[i].host_port, s->ports[i].host_port_end,
                              s->ports[i].container_port, s->ports[i].container_port_end,
                              (int)s->ports[i].proto);
        (void)EVP_Digest(b.buf, b.len, md, &mdlen, EVP_sha256(), NULL);
        for (unsigned i = 0; i < mdlen; i++)
                snprintf(hex + 2 * i, 3, "%02x", md[i]);
        s->config_hash = xstrdup(hex);
        strbuf_done(&b);
}

int plan_service_build(const struct spec_project *p, const struct spec_service *svc,
                       const struct plan_image *img, const char *root, struct plan_service **ret,
                       struct berr **err)
{
        struct plan_service *s = xcalloc(1, sizeof(*s));
        int r;

        s->project = xstrdup(p->name);
        s->name = xstrdup(svc->name);
        s->root = xstrdup(root);
        s->image_ref = xstrdup(img->ref ? img->ref : svc->image);
        s->image_digest = img->digest ? xstrdup(img->digest) : NULL;
        s->replicas = svc->replicas > 0 ? (unsigned)svc->replicas : 1;
        s->container_name = svc->container_name ? xstrdup(svc->container_name) : NULL;
        s->argv = plan_merge_argv(img->entrypoint, img->cmd, svc->entrypoint, svc->command);
        s->env = merge_env(img->env, &svc->environment);
        s->cwd = xstrdup(svc->working_dir ? svc->working_dir
                                          : (img->workdir && *img->workdir ? img->workdir : "/"));
        s->user = svc->user ? xstrdup(svc->user)
                            : (img->user && *img->user ? xstrdup(img->user) : NULL);
        s->hostname = svc->hostname ? xstrdup(svc->hostname) : NULL;
        s->domainname = svc->domainname ? xstrdup(svc->domainname) : NULL;
        s->lowerdirs = strv_copy(img->lowerdirs);
        s->read_only = svc->read_only;
        s->privileged = svc->privileged;
        s->init = svc->init;
        s->tty = svc->tty;
        s->stdin_open = svc->stdin_open;
        s->seccomp = RT_SECCOMP_DEFAULT;
        s->cap_add = strv_copy(svc->cap_add);
        s->cap_drop = strv_copy(svc->cap_drop);
        s->shm_size = svc->shm_size > 0 ? (uint64_t)svc->shm_size : 0;
        s->extra_hosts = strv_copy(svc->extra_hosts);
        s->dns = strv_copy(svc->dns);
        s->dns_search = strv_copy(svc->dns_search);
        s->dns_opt = strv_copy(svc->dns_opt);
        s->links = strv_copy(svc->links);
        s->sysctls = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < svc->sysctls.n; i++)
                s->sysctls = strv_push_take(
                        s->sysctls,
                        xasprintf("%s=%s", svc->sysctls.v[i].key,
                                  svc->sysctls.v[i].value ? svc->sysctls.v[i].value : ""));
        if (!argv_nonempty(s->argv)) {
                r = berr_msg(
                        err, EINVAL,
                        "service `%s`: no command: the image has no Entrypoint or Cmd and the service sets neither entrypoint nor command",
                        s->name);
                goto fail;
        }
        plan_resources(s, svc);
        if ((r = parse_security_opts(s, svc->security_opt, err)) < 0 ||
            (r = plan_mounts(s, p, svc, err)) < 0 || (plan_image_volumes(s, img), 0) ||
            (r = plan_ulimits(s, svc, err)) < 0 || (r = plan_devices(s, svc, err)) < 0 ||
            (r = plan_network_mode(s, svc, err)) < 0 || (r = plan_ports(s, svc, err)) < 0 ||
            (r = plan_restart(s, svc, err)) < 0 || (r = plan_health(s, svc, img, err)) < 0 ||
            (r = plan_stop(s, svc, img, err)) < 0 || (r = plan_logging(s, svc, err)) < 0)
                goto fail;
        plan_hash(s);
        *ret = s;
        return 0;
fail:
        plan_service_free(s);
        return r;
}

void plan_service_free(struct plan_service *s)
{
        if (!s)
                return;
        free(s->project);
        free(s->name);
        free(s->root);
        free(s->image_ref);
        free(s->image_digest);
        free(s->container_name);
        strv_free(s->argv);
        strv_free(s->env);
        free(s->cwd);
        free(s->user);
        free(s->hostname);
        free(s->domainname);
        strv_free(s->lowerdirs);
        free(s->seccomp_profile);
        strv_free(s->cap_add);
        strv_free(s->cap_drop);
        strv_free(s->sysctls);
        for (size_t i = 0; i < s->n_mounts; i++) {
                free(s->mounts[i].source);
                free(s->mounts[i].target);
                free(s->mounts[i].options);
        }
        free(s->mounts);
        free(s->ulimits);
        for (size_t i = 0; i < s->n_devices; i++) {
                free(s->devices[i].host_path);
                free(s->devices[i].container_path);
                free(s->devices[i].permissions);
        }
        free(s->devices);
        free(s->resources.cpuset_cpus);
        free(s->resources.cpuset_mems);
        free(s->net_mode_service);
        for (size_t i = 0; i < s->n_attach; i++) {
                free(s->attach[i].network);
                free(s->attach[i].ipv4_address);
                free(s->attach[i].mac_address);
                strv_free(s->attach[i].aliases);
        }
        free(s->attach);
        free(s->ports);
        strv_free(s->extra_hosts);
        strv_free(s->dns);
        strv_free(s->dns_search);
        strv_free(s->dns_opt);
        strv_free(s->links);
        health_config_done(&s->health);
        free(s->config_hash);
        free(s);
}

static const struct spec_network *find_network(const struct spec_project *p, const char *key)
{
        for (size_t i = 0; i < p->nnetworks; i++)
                if (strcmp(p->networks[i].key, key) == 0)
                        return &p->networks[i];
        return NULL;
}

static bool service_uses_network(const struct spec_service *svc, const char *key)
{
        const char *nm = svc->network_mode;

        if (nm && strcmp(nm, "bridge") != 0 && strcmp(nm, "default") != 0)
                return false;
        if (svc->nnetworks == 0)
                return strcmp(key, "default") == 0;
        for (size_t i = 0; i < svc->nnetworks; i++)
                if (strcmp(svc->networks[i].name, key) == 0)
                        return true;
        return false;
}

static const char *kv_get(const struct spec_kvs *kvs, const char *key)
{
        for (size_t i = 0; i < kvs->n; i++)
                if (strcmp(kvs->v[i].key, key) == 0)
                        return kvs->v[i].value;
        return NULL;
}

static void add_network(struct plan_project *pp, const struct spec_project *p, const char *key)
{
        const struct spec_network *n = find_network(p, key);
        struct plan_network *pn;
        const char *mtu;

        for (size_t i = 0; i < pp->n_networks; i++)
                if (strcmp(pp->networks[i].key, key) == 0)
                        return;
        pp->networks = xrealloc(pp->networks, (pp->n_networks + 1) * sizeof(*pp->networks));
        pn = &pp->networks[pp->n_networks++];
        memset(pn, 0, sizeof(*pn));
        pn->key = xstrdup(key);
        if (n && n->name)
                pn->full_name = xstrdup(n->name);
        else
                pn->full_name = xasprintf("%s_%s", p->name, key);
        if (!n)
                return;
        pn->internal = n->internal;
        pn->external = n->external;
        pn->subnet = n->subnet ? xstrdup(n->subnet) : NULL;
        pn->gateway = n->gateway ? xstrdup(n->gateway) : NULL;
        if (kv_get(&n->driver_opts, "com.docker.network.bridge.name"))
                pn->bridge_name =
                        xstrdup(kv_get(&n->driver_opts, "com.docker.network.bridge.name"));
        mtu = kv_get(&n->driver_opts, "com.docker.network.driver.mtu");
        if (mtu)
                pn->mtu = atoi(mtu);
}

int plan_project_build(const struct spec_project *p, const char *root, struct plan_project **ret,
                       struct berr **err)
{
        struct plan_project *pp = xcalloc(1, sizeof(*pp));

        (void)err;
        pp->name = xstrdup(p->name);
        pp->root = xstrdup(root);
        for (size_t i = 0; i < p->nservices; i++) {
                const struct spec_service *svc = &p->services[i];

                if (service_uses_network(svc, "default"))
                        add_network(pp, p, "default");
                for (size_t j = 0; j < svc->nnetworks; j++)
                        if (service_uses_network(svc, svc->networks[j].name))
                                add_network(pp, p, svc->networks[j].name);
        }
        *ret = pp;
        return 0;
}

void plan_project_free(struct plan_project *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_networks; i++) {
                free(p->networks[i].key);
                free(p->networks[i].full_name);
                free(p->networks[i].bridge_name);
                free(p->networks[i].subnet);
                free(p->networks[i].gateway);
        }
        free(p->networks);
        free(p->name);
        free(p->root);
        free(p);
}

struct net_network_config *plan_net_networks(const struct plan_project *p)
{
        struct net_network_config *v = xcalloc(p->n_networks ? p->n_networks : 1, sizeof(*v));

        for (size_t i = 0; i < p->n_networks; i++) {
                const struct plan_network *n = &p->networks[i];

                v[i].name = n->key;
                v[i].full_name = n->full_name;
                v[i].bridge_name = n->bridge_name;
                v[i].mtu = n->mtu;
                v[i].subnet = n->subnet;
                v[i].gateway = n->gateway;
                v[i].internal = n->internal;
                v[i].external = n->external;
        }
        return v;
}

void plan_rt_config(const struct plan_service *s, const char *name, struct rt_config *cfg)
{
        char *dir = plan_container_dir(s->root, name);

        cfg->id = xstrdup(name);
        cfg->project = s->project;
        cfg->lowerdirs = s->lowerdirs;
        cfg->upperdir = xasprintf("%s/upper", dir);
        cfg->workdir = xasprintf("%s/work", dir);
        cfg->mountpoint = xasprintf("%s/merged", dir);
        cfg->read_only = s->read_only;
        cfg->argv = s->argv;
        cfg->env = s->env;
        cfg->cwd = s->cwd;
        cfg->user = s->user;
        /* docker's default is the container's short ID; its name says more and is unique */
        cfg->hostname = s->hostname ? s->hostname : cfg->id;
        cfg->domainname = s->domainname;
        cfg->mounts = xcalloc(s->n_mounts ? s->n_mounts : 1, sizeof(*cfg->mounts));
        for (size_t i = 0; i < s->n_mounts; i++) {
                cfg->mounts[i] = s->mounts[i];
                cfg->mounts[i].source = s->mounts[i].source ? xstrdup(s->mounts[i].source) : NULL;
                if (s->mounts[i].type == RT_MOUNT_VOLUME && !s->mounts[i].source)
                        cfg->mounts[i].source = plan_anon_volume_dir(s->root, s->project, name,
                                                                     s->mounts[i].target);
        }
        cfg->n_mounts = s->n_mounts;
        cfg->shm_size = s->shm_size;
        cfg->ulimits = s->ulimits;
        cfg->n_ulimits = s->n_ulimits;
        cfg->devices = s->devices;
        cfg->n_devices = s->n_devices;
        cfg->sysctls = s->sysctls;
        cfg->cap_add = s->cap_add;
        cfg->cap_drop = s->cap_drop;
        cfg->privileged = s->privileged;
        cfg->no_new_privs_off = s->no_new_privs_off;
        cfg->seccomp = s->seccomp;
        cfg->seccomp_profile = s->seccomp_profile;
        cfg->init = s->init;
        cfg->resources = s->resources;
        cfg->net = s->net_mode;
        cfg->hosts_file = xasprintf("%s/hosts", dir);
        cfg->hostname_file = xasprintf("%s/hostname", dir);
        cfg->resolv_conf_file = xasprintf("%s/resolv.conf", dir);
        free(dir);
}

void plan_rt_config_done(struct rt_config *cfg)
{
        free(cfg->id);
        free(cfg->upperdir);
        free(cfg->workdir);
        free(cfg->mountpoint);
        for (size_t i = 0; i < cfg->n_mounts; i++)
                free(cfg->mounts[i].source);
        free(cfg->mounts);
        free(cfg->hosts_file);
        free(cfg->hostname_file);
        free(cfg->resolv_conf_file);
        free(cfg->netns_path);
        memset(cfg, 0, sizeof(*cfg));
}
