/* SPDX-License-Identifier: MIT */
/* spec/normalize_service: the service table and the handlers of the attributes that have a
 * short and a long syntax (ports, volumes, depends_on, networks, env_file, secrets, configs,
 * build, healthcheck, command, ulimits, extra_hosts, devices). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/schema.h"
#include "spec/types.h"

static struct spec_node *str_node(const char *s, const struct spec_node *pos, bool quoted)
{
        struct spec_node *n = spec_node_new_scalar(s, pos);

        n->quoted = quoted;
        return n;
}

static void map_put(struct spec_node *m, const char *k, const char *v, bool quoted)
{
        spec_map_set(m, k, str_node(v, m, quoted));
}

/* ---- command, entrypoint, healthcheck.test ------------------------------------------------ */

static void n_command(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        char **words = NULL;
        struct spec_node *l;

        if (n->kind != SPEC_SCALAR) {
                n_strlist(c, f, n, path);
                return;
        }
        if (spec_shell_split(n->str, &words) < 0) {
                spec_err(c->diags, n, path, "unterminated quote in \"%s\"", n->str);
                return;
        }
        l = spec_node_new(SPEC_SEQ, n->file, n->line, n->col);
        strv_foreach (w, words)
                spec_seq_push(l, str_node(w, n, true));
        strv_free(words);
        spec_node_replace(n, l);
}

static void n_hc_test(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        struct spec_node *l;

        if (n->kind != SPEC_SCALAR || spec_node_is_null(n)) {
                n_strlist(c, f, n, path);
                return;
        }
        l = spec_node_new(SPEC_SEQ, n->file, n->line, n->col);
        spec_seq_push(l, str_node("CMD-SHELL", n, true));
        spec_seq_push(l, str_node(n->str, n, true));
        spec_node_replace(n, l);
}

static const struct field healthcheck_fields[] = {
        {"test", n_hc_test, NULL, 0},
        {"interval", n_duration, NULL, 0},
        {"timeout", n_duration, NULL, 0},
        {"start_period", n_duration, NULL, 0},
        {"start_interval", n_duration, NULL, 0},
        {"retries", n_int, NULL, 0},
        {"disable", n_bool, NULL, 0},
        {0},
};

/* ---- ports -------------------------------------------------------------------------------- */

static void port_published(struct norm *c, const struct field *f, struct spec_node *n,
                           const char *path)
{
        (void)f;
        if (n->kind != SPEC_SCALAR || spec_node_is_null(n)) {
                spec_err(c->diags, n, path, "expected a port or a range, found %s",
                         spec_kind_name(n));
                return;
        }
        {
                struct spec_port_spec *ps = NULL;
                size_t np = 0;
                char *spec = xasprintf("%s:1", n->str), *m = NULL;

                if (spec_parse_port(spec, &ps, &np, &m) < 0) {
                        spec_err(c->diags, n, path, "\"%s\" is not a port (1-65535)", n->str);
                        free(m);
                }
                spec_port_specs_free(ps, np);
                free(spec);
        }
        n->quoted = true;
}

static void port_target(struct norm *c, const struct field *f, struct spec_node *n,
                        const char *path)
{
        int64_t v;

        (void)f;
        if (n->kind != SPEC_SCALAR || spec_parse_int(n->str, 1, 65535, &v) < 0) {
                if (n->kind == SPEC_SCALAR)
                        spec_err(c->diags, n, path, "\"%s\" is not a port (1-65535)", n->str);
                else
                        spec_err(c->diags, n, path, "expected a port, found %s", spec_kind_name(n));
                return;
        }
        n->quoted = false;
}

static void port_protocol(struct norm *c, const struct field *f, struct spec_node *n,
                          const char *path)
{
        n_str(c, f, n, path);
        if (n->kind == SPEC_SCALAR && strcmp(n->str, "tcp") && strcmp(n->str, "udp") &&
            strcmp(n->str, "sctp"))
                spec_err(c->diags, n, path, "\"%s\" is not a protocol (tcp, udp or sctp)", n->str);
}

static void port_mode(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        n_str(c, f, n, path);
        if (n->kind == SPEC_SCALAR && strcmp(n->str, "ingress") && strcmp(n->str, "host"))
                spec_err(c->diags, n, path, "\"%s\" is not a port mode (ingress or host)", n->str);
}

static const struct field port_fields[] = {
        {"name", n_str, NULL, 0},
        {"target", port_target, NULL, 0},
        {"published", port_published, NULL, 0},
        {"host_ip", n_str, NULL, 0},
        {"protocol", port_protocol, NULL, 0},
        {"app_protocol", n_str, NULL, 0},
        {"mode", port_mode, NULL, 0},
        {0},
};

static void port_defaults(struct spec_node *m)
{
        if (!spec_map_get(m, "mode"))
                map_put(m, "mode", "ingress", true);
        if (!spec_map_get(m, "protocol"))
                map_put(m, "protocol", "tcp", true);
}

static void port_long(struct norm *c, struct spec_node *it, const char *path)
{
        norm_table(c, port_fields, it, path);
        if (!spec_map_get(it, "target"))
                spec_err(c->diags, it, path, "a port needs a `target`");
        port_defaults(it);
}

/* Expand one short port spec into long entries appended to out. */
static void port_short(struct norm *c, struct spec_node *it, const char *path,
                       struct spec_node *out)
{
        struct spec_port_spec *ps = NULL;
        size_t np = 0;
        char *msg = NULL;

        if (spec_parse_port(it->str, &ps, &np, &msg) < 0) {
                spec_err(c->diags, it, path, "%s", msg);
                free(msg);
                return;
        }
        for (size_t k = 0; k < np; k++) {
                struct spec_node *m = spec_node_new(SPEC_MAP, it->file, it->line, it->col);
                char t[16];

                map_put(m, "mode", "ingress", true);
                if (ps[k].host_ip)
                        map_put(m, "host_ip", ps[k].host_ip, true);
                snprintf(t, sizeof(t), "%u", ps[k].target);
                map_put(m, "target", t, false);
                if (ps[k].published)
                        map_put(m, "published", ps[k].published, true);
                map_put(m, "protocol", ps[k].protocol, true);
                spec_seq_push(out, m);
        }
        spec_port_specs_free(ps, np);
}

static void n_ports(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        struct spec_node *out;

        (void)f;
        if (!norm_want(c, n, SPEC_SEQ, path))
                return;
        out = spec_node_new(SPEC_SEQ, n->file, n->line, n->col);
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *it = n->vals[i];
                char *p = spec_path_index(path, i);

                if (it->kind == SPEC_MAP) {
                        port_long(c, it, p);
                        spec_seq_push(out, spec_node_copy(it));
                } else if (norm_want(c, it, SPEC_SCALAR, p)) {
                        port_short(c, it, p, out);
                }
                free(p);
        }
        spec_node_replace(n, out);
}

static void n_expose(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        n_strlist(c, f, n, path);
}

/* ---- volumes ------------------------------------------------------------------------------ */

static const struct field bind_fields[] = {
        {"propagation", n_str, NULL, 0},
        {"create_host_path", n_bool, NULL, 0},
        {"selinux", n_str, NULL, 0},
        {"recursive", n_str, NULL, F_WARN},
        {0},
};

static const struct field volopt_fields[] = {
        {"nocopy", n_bool, NULL, 0},
        {"subpath", n_str, NULL, 0},
        {"labels", n_kvmap, NULL, 0},
        {0},
};

static const struct field tmpfsopt_fields[] = {
        {"size", n_bytes, NULL, 0},
        {"mode", n_int, NULL, 0},
        {0},
};

static void vol_type(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        static const char *const types[] = {"bind", "volume", "tmpfs", "npipe", "cluster", "image"};

        n_str(c, f, n, path);
        if (n->kind != SPEC_SCALAR)
                return;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(n->str, types[i]) == 0)
                        return;
        spec_err(c->diags, n, path, "\"%s\" is not a volume type (bind, volume, tmpfs)", n->str);
}

static const struct field mount_fields[] = {
        {"type", vol_type, NULL, 0},         {"source", n_str, NULL, 0},
        {"target", n_str, NULL, 0},          {"read_only", n_bool, NULL, 0},
        {"consistency", n_str, NULL, 0},     {"bind", n_map, bind_fields, 0},
        {"volume", n_map, volopt_fields, 0}, {"tmpfs", n_map, tmpfsopt_fields, 0},
        {"image", n_any, NULL, F_WARN},      {0},
};

static void mount_long(struct norm *c, struct spec_node *m, const char *path)
{
        const char *type, *src, *tgt;

        norm_table(c, mount_fields, m, path);
        type = spec_map_str(m, "type");
        src = spec_map_str(m, "source");
        tgt = spec_map_str(m, "target");
        if (!type)
                spec_err(c->diags, m, path, "a volume needs a `type`");
        if (!tgt)
                spec_err(c->diags, m, path, "a volume needs a `target`");
        else if (*tgt != '/')
                spec_err(c->diags, spec_map_get(m, "target"), path,
                         "volume target \"%s\" is not an absolute path", tgt);
        if (type && strcmp(type, "bind") == 0) {
                char *abs;

                if (!src) {
                        spec_err(c->diags, m, path, "a bind mount needs a `source`");
                        return;
                }
                abs = spec_abs_path(c->base_dir, src, c->lookup, c->userdata);
                spec_node_set_str(spec_map_get(m, "source"), abs);
                free(abs);
        }
}

static struct spec_node *mount_from_short(const struct spec_volume_spec *v, char *abs,
                                          const struct spec_node *pos)
{
        struct spec_node *m = spec_node_new(SPEC_MAP, pos->file, pos->line, pos->col);
        struct spec_node *sub;

        map_put(m, "type", v->type == SPEC_MOUNT_BIND ? "bind" : "volume", true);
        if (v->source)
                map_put(m, "source", abs ? abs : v->source, true);
        map_put(m, "target", v->target, true);
        if (v->read_only)
                map_put(m, "read_only", "true", false);
        if (v->consistency)
                map_put(m, "consistency", v->consistency, true);
        sub = spec_node_new(SPEC_MAP, pos->file, pos->line, pos->col);
        if (v->type == SPEC_MOUNT_BIND) {
                if (v->propagation)
                        map_put(sub, "propagation", v->propagation, true);
                map_put(sub, "create_host_path", "true", false);
                if (v->selinux)
                        map_put(sub, "selinux", v->selinux, true);
                spec_map_set(m, "bind", sub);
        } else {
                if (v->nocopy)
                        map_put(sub, "nocopy", "true", false);
                spec_map_set(m, "volume", sub);
        }
        return m;
}

static void mount_short(struct norm *c, struct spec_node *it, const char *path)
{
        struct spec_volume_spec v;
        char *msg = NULL, *abs = NULL;

        if (spec_parse_volume(it->str, &v, &msg) < 0) {
                spec_err(c->diags, it, path, "%s", msg);
                free(msg);
                return;
        }
        if (v.type == SPEC_MOUNT_BIND)
                abs = spec_abs_path(c->base_dir, v.source, c->lookup, c->userdata);
        spec_node_replace(it, mount_from_short(&v, abs, it));
        free(abs);
        spec_volume_spec_done(&v);
}

static void n_volumes(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        (void)f;
        if (!norm_want(c, n, SPEC_SEQ, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *it = n->vals[i];
                char *p = spec_path_index(path, i);

                if (it->kind == SPEC_MAP)
                        mount_long(c, it, p);
                else if (norm_want(c, it, SPEC_SCALAR, p))
                        mount_short(c, it, p);
                free(p);
        }
}

/* ---- depends_on --------------------------------------------------------------------------- */

static void dep_condition(struct norm *c, const struct field *f, struct spec_node *n,
                          const char *path)
{
        n_str(c, f, n, path);
        if (n->kind == SPEC_SCALAR && strcmp(n->str, "service_started") &&
            strcmp(n->str, "service_healthy") && strcmp(n->str, "service_completed_successfully"))
                spec_err(c->diags, n, path,
                         "\"%s\" is not a condition (service_started, service_healthy, "
                         "service_completed_successfully)",
                         n->str);
}

static const struct field dep_fields[] = {
        {"condition", dep_condition, NULL, 0},
        {"required", n_bool, NULL, 0},
        {"restart", n_bool, NULL, 0},
        {0},
};

static struct spec_node *dep_default(const struct spec_node *pos)
{
        struct spec_node *m = spec_node_new(SPEC_MAP, pos->file, pos->line, pos->col);

        map_put(m, "condition", "service_started", true);
        map_put(m, "required", "true", false);
        return m;
}

static void n_depends_on(struct norm *c, const struct field *f, struct spec_node *n,
                         const char *path)
{
        (void)f;
        if (n->kind == SPEC_SEQ) {
                struct spec_node *m = spec_node_new(SPEC_MAP, n->file, n->line, n->col);

                for (size_t i = 0; i < n->n; i++) {
                        char *p = spec_path_index(path, i);

                        if (norm_want(c, n->vals[i], SPEC_SCALAR, p)) {
                                spec_map_push(m, spec_node_copy(n->vals[i]),
                                              dep_default(n->vals[i]));
                                m->keys[m->n - 1]->quoted = true;
                        }
                        free(p);
                }
                spec_node_replace(n, m);
                return;
        }
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *v = n->vals[i];
                char *p = spec_path_key(path, spec_map_key(n, i));

                if (spec_node_is_null(v))
                        spec_node_replace(v, spec_node_new(SPEC_MAP, NULL, 0, 0));
                if (norm_want(c, v, SPEC_MAP, p)) {
                        norm_table(c, dep_fields, v, p);
                        if (!spec_map_get(v, "condition"))
                                map_put(v, "condition", "service_started", true);
                        if (!spec_map_get(v, "required"))
                                map_put(v, "required", "true", false);
                }
                free(p);
        }
}

/* ---- networks, env_file, secrets and configs ---------------------------------------------- */

static const struct field svc_net_fields[] = {
        {"aliases", n_strlist, NULL, 0},         {"ipv4_address", n_str, NULL, 0},
        {"ipv6_address", n_str, NULL, F_WARN},   {"link_local_ips", n_strlist, NULL, F_WARN},
        {"mac_address", n_str, NULL, 0},         {"priority", n_int, NULL, 0},
        {"gw_priority", n_int, NULL, 0},         {"driver_opts", n_kvmap, NULL, F_WARN},
        {"interface_name", n_str, NULL, F_WARN}, {0},
};

static void n_svc_networks(struct norm *c, const struct field *f, struct spec_node *n,
                           const char *path)
{
        (void)f;
        if (n->kind == SPEC_SEQ) {
                struct spec_node *m = spec_node_new(SPEC_MAP, n->file, n->line, n->col);

                for (size_t i = 0; i < n->n; i++) {
                        char *p = spec_path_index(path, i);

                        if (norm_want(c, n->vals[i], SPEC_SCALAR, p))
                                spec_map_set(m, n->vals[i]->str,
                                             spec_node_new(SPEC_SCALAR, n->vals[i]->file,
                                                           n->vals[i]->line, n->vals[i]->col));
                        free(p);
                }
                spec_node_replace(n, m);
                return;
        }
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                char *p = spec_path_key(path, spec_map_key(n, i));

                if (!spec_node_is_null(n->vals[i]) && norm_want(c, n->vals[i], SPEC_MAP, p))
                        norm_table(c, svc_net_fields, n->vals[i], p);
                free(p);
        }
}

static const struct field env_file_fields[] = {
        {"path", n_path, NULL, 0},
        {"required", n_bool, NULL, 0},
        {"format", n_str, NULL, 0},
        {0},
};

static void n_env_file(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        (void)f;
        if (n->kind == SPEC_SCALAR && !spec_node_is_null(n)) {
                struct spec_node *l = spec_node_new(SPEC_SEQ, n->file, n->line, n->col);

                spec_seq_push(l, spec_node_copy(n));
                spec_node_replace(n, l);
        }
        if (!norm_want(c, n, SPEC_SEQ, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *it = n->vals[i];
                char *p = spec_path_index(path, i);

                if (it->kind == SPEC_SCALAR && !spec_node_is_null(it)) {
                        struct spec_node *m = spec_node_new(SPEC_MAP, it->file, it->line, it->col);

                        spec_map_set(m, "path", spec_node_copy(it));
                        spec_node_replace(it, m);
                }
                if (norm_want(c, it, SPEC_MAP, p)) {
                        norm_table(c, env_file_fields, it, p);
                        if (!spec_map_get(it, "path"))
                                spec_err(c->diags, it, p, "an env_file needs a `path`");
                        if (!spec_map_get(it, "required"))
                                map_put(it, "required", "true", false);
                }
                free(p);
        }
}

static const struct field file_ref_fields[] = {
        {"source", n_str, NULL, 0}, {"target", n_str, NULL, 0}, {"uid", n_str, NULL, 0},
        {"gid", n_str, NULL, 0},    {"mode", n_int, NULL, 0},   {0},
};

static void n_file_refs(struct norm *c, const struct field *f, struct spec_node *n,
                        const char *path)
{
        (void)f;
        if (!norm_want(c, n, SPEC_SEQ, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *it = n->vals[i];
                char *p = spec_path_index(path, i);

                if (it->kind == SPEC_SCALAR && !spec_node_is_null(it)) {
                        struct spec_node *m = spec_node_new(SPEC_MAP, it->file, it->line, it->col);

                        spec_map_set(m, "source", spec_node_copy(it));
                        spec_map_get(m, "source")->quoted = true;
                        spec_node_replace(it, m);
                } else if (norm_want(c, it, SPEC_MAP, p)) {
                        norm_table(c, file_ref_fields, it, p);
                        if (!spec_map_get(it, "source"))
                                spec_err(c->diags, it, p, "a reference needs a `source`");
                }
                free(p);
        }
}

/* ---- small syntaxes ----------------------------------------------------------------------- */

static void n_restart(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        char *msg = NULL;

        n_str(c, f, n, path);
        if (n->kind == SPEC_SCALAR && !spec_node_is_null(n) &&
            spec_parse_restart(n->str, &msg) < 0) {
                spec_err(c->diags, n, path, "%s", msg);
                free(msg);
        }
}

static void n_signal(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        int sig;

        n_str(c, f, n, path);
        if (n->kind == SPEC_SCALAR && spec_parse_signal(n->str, &sig) < 0)
                spec_err(c->diags, n, path, "\"%s\" is not a signal", n->str);
}

static void n_ulimits(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        static const struct field lim_fields[] = {
                {"soft", n_int, NULL, 0},
                {"hard", n_int, NULL, 0},
                {0},
        };

        (void)f;
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *v = n->vals[i];
                char *p = spec_path_key(path, spec_map_key(n, i));

                if (v->kind == SPEC_MAP) {
                        norm_table(c, lim_fields, v, p);
                        if (!spec_map_get(v, "soft") || !spec_map_get(v, "hard"))
                                spec_err(c->diags, v, p, "a ulimit needs `soft` and `hard`");
                } else {
                        n_int(c, f, v, p);
                }
                free(p);
        }
}

static void n_extra_hosts(struct norm *c, const struct field *f, struct spec_node *n,
                          const char *path)
{
        struct spec_node *l;

        if (n->kind == SPEC_SEQ) {
                n_strlist(c, f, n, path);
                for (size_t i = 0; i < n->n; i++) {
                        struct spec_node *it = n->vals[i];
                        char *colon = it->kind == SPEC_SCALAR ? strchr(it->str, ':') : NULL;
                        char *p = spec_path_index(path, i);

                        if (it->kind == SPEC_SCALAR && !strchr(it->str, '=') && colon)
                                *colon = '=';
                        if (it->kind == SPEC_SCALAR && !strchr(it->str, '='))
                                spec_err(c->diags, it, p, "\"%s\" is not HOST:IP or HOST=IP",
                                         it->str);
                        free(p);
                }
                return;
        }
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        l = spec_node_new(SPEC_SEQ, n->file, n->line, n->col);
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *v = n->vals[i];

                for (size_t k = 0; k < (v->kind == SPEC_SEQ ? v->n : 1); k++) {
                        const struct spec_node *ip = v->kind == SPEC_SEQ ? v->vals[k] : v;
                        char *s = xasprintf("%s=%s", spec_map_key(n, i),
                                            ip->kind == SPEC_SCALAR ? ip->str : "");

                        spec_seq_push(l, str_node(s, ip, true));
                        free(s);
                }
        }
        spec_node_replace(n, l);
}

static void n_devices(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        (void)f;
        if (!norm_want(c, n, SPEC_SEQ, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *it = n->vals[i];
                struct spec_node *m;
                char **parts;
                size_t np;

                if (it->kind != SPEC_SCALAR || spec_node_is_null(it))
                        continue; /* long form kept as written */
                parts = strv_split(it->str, ":");
                np = strv_length(parts);
                m = spec_node_new(SPEC_MAP, it->file, it->line, it->col);
                if (np >= 1)
                        map_put(m, "source", parts[0], true);
                map_put(m, "target", np >= 2 ? parts[1] : np ? parts[0] : "", true);
                map_put(m, "permissions", np >= 3 ? parts[2] : "rwm", true);
                strv_free(parts);
                spec_node_replace(it, m);
        }
}

/* ---- build, extends, logging, deploy ------------------------------------------------------ */

static const struct field build_fields[] = {
        {"context", n_path, NULL, 0},
        {"dockerfile", n_str, NULL, 0},
        {"dockerfile_inline", n_str, NULL, 0},
        {"args", n_kvmap, NULL, F_NULLABLE},
        {"ssh", n_any, NULL, 0},
        {"labels", n_kvmap, NULL, 0},
        {"cache_from", n_strlist, NULL, 0},
        {"cache_to", n_strlist, NULL, 0},
        {"no_cache", n_bool, NULL, 0},
        {"additional_contexts", n_kvmap, NULL, 0},
        {"network", n_str, NULL, 0},
        {"pull", n_bool, NULL, 0},
        {"target", n_str, NULL, 0},
        {"shm_size", n_bytes, NULL, 0},
        {"extra_hosts", n_extra_hosts, NULL, 0},
        {"isolation", n_str, NULL, 0},
        {"privileged", n_bool, NULL, 0},
        {"secrets", n_file_refs, NULL, 0},
        {"tags", n_strlist, NULL, 0},
        {"ulimits", n_ulimits, NULL, 0},
        {"platforms", n_strlist, NULL, 0},
        {"entitlements", n_strlist, NULL, 0},
        {"provenance", n_any, NULL, 0},
        {"sbom", n_any, NULL, 0},
        {0},
};

static void n_build(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        (void)f;
        if (n->kind == SPEC_SCALAR && !spec_node_is_null(n)) {
                struct spec_node *m = spec_node_new(SPEC_MAP, n->file, n->line, n->col);

                spec_map_set(m, "context", spec_node_copy(n));
                spec_node_replace(n, m);
        }
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        if (!spec_map_get(n, "context"))
                map_put(n, "context", ".", true);
        norm_table(c, build_fields, n, path);
        if (!spec_map_get(n, "dockerfile") && !spec_map_get(n, "dockerfile_inline"))
                map_put(n, "dockerfile", "Dockerfile", true);
}

static void n_extends(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        static const struct field ext_fields[] = {
                {"service", n_str, NULL, 0},
                {"file", n_str, NULL, 0},
                {0},
        };

        (void)f;
        if (n->kind == SPEC_SCALAR && !spec_node_is_null(n)) {
                struct spec_node *m = spec_node_new(SPEC_MAP, n->file, n->line, n->col);

                spec_map_set(m, "service", spec_node_copy(n));
                spec_node_replace(n, m);
        }
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        norm_table(c, ext_fields, n, path);
        if (!spec_map_get(n, "service"))
                spec_err(c->diags, n, path, "extends needs a `service`");
}

static const struct field logging_fields[] = {
        {"driver", n_str, NULL, 0},
        {"options", n_kvmap, NULL, 0},
        {0},
};

static const struct field resource_fields[] = {
        {"cpus", n_float, NULL, 0},
        {"memory", n_bytes, NULL, 0},
        {"pids", n_int, NULL, 0},
        {"devices", n_any, NULL, F_WARN},
        {"generic_resources", n_any, NULL, F_WARN},
        {0},
};

static const struct field resources_fields[] = {
        {"limits", n_map, resource_fields, 0},
        {"reservations", n_map, resource_fields, 0},
        {0},
};

static const struct field restart_policy_fields[] = {
        {"condition", n_str, NULL, 0},
        {"delay", n_duration, NULL, 0},
        {"max_attempts", n_int, NULL, 0},
        {"window", n_duration, NULL, 0},
        {0},
};

static const struct field deploy_fields[] = {
        {"mode", n_str, NULL, 0},
        {"replicas", n_int, NULL, 0},
        {"labels", n_kvmap, NULL, 0},
        {"update_config", n_any, NULL, F_WARN},
        {"rollback_config", n_any, NULL, F_WARN},
        {"resources", n_map, resources_fields, 0},
        {"restart_policy", n_map, restart_policy_fields, 0},
        {"placement", n_any, NULL, F_WARN},
        {"endpoint_mode", n_str, NULL, F_WARN},
        {0},
};

static const struct field blkio_dev_fields[] = {
        {"path", n_str, NULL, 0},
        {"rate", n_bytes, NULL, 0},
        {"weight", n_int, NULL, 0},
        {0},
};

static const struct field blkio_fields[] = {
        {"weight", n_int, NULL, 0},
        {"weight_device", n_listof, blkio_dev_fields, F_WARN},
        {"device_read_bps", n_listof, blkio_dev_fields, F_WARN},
        {"device_write_bps", n_listof, blkio_dev_fields, F_WARN},
        {"device_read_iops", n_listof, blkio_dev_fields, F_WARN},
        {"device_write_iops", n_listof, blkio_dev_fields, F_WARN},
        {0},
};

/* ---- the service table -------------------------------------------------------------------- */

const struct field spec_service_fields[] = {
        {"annotations", n_kvmap, NULL, 0},
        {"attach", n_bool, NULL, 0},
        {"blkio_config", n_map, blkio_fields, 0},
        {"build", n_build, NULL, F_WARN},
        {"cap_add", n_strlist, NULL, 0},
        {"cap_drop", n_strlist, NULL, 0},
        {"cgroup", n_str, NULL, F_WARN},
        {"cgroup_parent", n_str, NULL, F_WARN},
        {"command", n_command, NULL, F_NULLABLE},
        {"configs", n_file_refs, NULL, 0},
        {"container_name", n_str, NULL, 0},
        {"cpu_count", n_int, NULL, F_WARN},
        {"cpu_percent", n_int, NULL, F_WARN},
        {"cpu_period", n_int, NULL, 0},
        {"cpu_quota", n_int, NULL, 0},
        {"cpu_rt_period", n_duration, NULL, F_WARN},
        {"cpu_rt_runtime", n_duration, NULL, F_WARN},
        {"cpu_shares", n_int, NULL, 0},
        {"cpus", n_float, NULL, 0},
        {"cpuset", n_str, NULL, 0},
        {"credential_spec", n_any, NULL, F_WARN},
        {"depends_on", n_depends_on, NULL, 0},
        {"deploy", n_map, deploy_fields, 0},
        {"develop", n_any, NULL, F_WARN},
        {"device_cgroup_rules", n_strlist, NULL, F_WARN},
        {"devices", n_devices, NULL, 0},
        {"dns", n_str_or_list, NULL, 0},
        {"dns_opt", n_strlist, NULL, 0},
        {"dns_search", n_str_or_list, NULL, 0},
        {"domainname", n_str, NULL, 0},
        {"entrypoint", n_command, NULL, F_NULLABLE},
        {"env_file", n_env_file, NULL, 0},
        {"environment", n_kvmap, NULL, F_NULLABLE},
        {"expose", n_expose, NULL, 0},
        {"extends", n_extends, NULL, 0},
        {"external_links", n_strlist, NULL, F_WARN},
        {"extra_hosts", n_extra_hosts, NULL, 0},
        {"gpus", n_any, NULL, F_WARN},
        {"group_add", n_strlist, NULL, 0},
        {"healthcheck", n_map, healthcheck_fields, 0},
        {"hostname", n_str, NULL, 0},
        {"image", n_str, NULL, 0},
        {"init", n_bool, NULL, 0},
        {"ipc", n_str, NULL, 0},
        {"isolation", n_str, NULL, F_WARN},
        {"label_file", n_str_or_list, NULL, F_WARN},
        {"labels", n_kvmap, NULL, 0},
        {"links", n_strlist, NULL, 0},
        {"logging", n_map, logging_fields, 0},
        {"mac_address", n_str, NULL, 0},
        {"mem_limit", n_bytes, NULL, 0},
        {"mem_reservation", n_bytes, NULL, 0},
        {"mem_swappiness", n_int, NULL, F_WARN},
        {"memswap_limit", n_bytes, NULL, 0},
        {"models", n_any, NULL, F_WARN},
        {"network_mode", n_str, NULL, 0},
        {"networks", n_svc_networks, NULL, 0},
        {"oom_kill_disable", n_bool, NULL, F_WARN},
        {"oom_score_adj", n_int, NULL, 0},
        {"pid", n_str, NULL, 0},
        {"pids_limit", n_int, NULL, 0},
        {"platform", n_str, NULL, F_WARN},
        {"ports", n_ports, NULL, 0},
        {"post_start", n_any, NULL, F_WARN},
        {"pre_stop", n_any, NULL, F_WARN},
        {"privileged", n_bool, NULL, 0},
        {"profiles", n_strlist, NULL, 0},
        {"provider", n_any, NULL, F_WARN},
        {"pull_policy", n_str, NULL, 0},
        {"read_only", n_bool, NULL, 0},
        {"restart", n_restart, NULL, 0},
        {"runtime", n_str, NULL, F_WARN},
        {"scale", n_int, NULL, 0},
        {"secrets", n_file_refs, NULL, 0},
        {"security_opt", n_strlist, NULL, 0},
        {"shm_size", n_bytes, NULL, 0},
        {"stdin_open", n_bool, NULL, 0},
        {"stop_grace_period", n_duration, NULL, 0},
        {"stop_signal", n_signal, NULL, 0},
        {"storage_opt", n_kvmap, NULL, F_WARN},
        {"sysctls", n_kvmap, NULL, 0},
        {"tmpfs", n_str_or_list, NULL, 0},
        {"tty", n_bool, NULL, 0},
        {"ulimits", n_ulimits, NULL, 0},
        {"use_api_socket", n_bool, NULL, F_WARN},
        {"user", n_str, NULL, 0},
        {"userns_mode", n_str, NULL, F_WARN},
        {"uts", n_str, NULL, 0},
        {"volumes", n_volumes, NULL, 0},
        {"volumes_from", n_strlist, NULL, 0},
        {"working_dir", n_str, NULL, 0},
        {0},
};
