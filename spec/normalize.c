/* SPDX-License-Identifier: MIT */
/* spec/normalize: the generic handlers and the top-level tables (networks, volumes, secrets,
 * configs, include). Services are in normalize_service.c. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/schema.h"
#include "spec/types.h"

/* ---- helpers ------------------------------------------------------------------------------ */

/* Paths are built for every key, so without printf. */
char *spec_path_key(const char *path, const char *key)
{
        size_t a = path ? strlen(path) : 0, b = strlen(key);
        char *r = xmalloc(a + b + 2);

        if (a) {
                memcpy(r, path, a);
                r[a++] = '.';
        }
        memcpy(r + a, key, b + 1);
        return r;
}

char *spec_path_index(const char *path, size_t i)
{
        char digits[24], *r;
        size_t a = path ? strlen(path) : 0, d = sizeof(digits);

        do
                digits[--d] = (char)('0' + i % 10);
        while ((i /= 10) && d > 0);
        r = xmalloc(a + (sizeof(digits) - d) + 3);
        memcpy(r, path ? path : "", a);
        r[a++] = '[';
        memcpy(r + a, digits + d, sizeof(digits) - d);
        a += sizeof(digits) - d;
        r[a++] = ']';
        r[a] = '\0';
        return r;
}

static void vdiag(struct spec_diags *d, enum spec_severity sev, const struct spec_node *n,
                  const char *path, const char *fmt, va_list ap)
{
        char *m = xvasprintf(fmt, ap);

        spec_diag_add(d, sev, n ? n->file : NULL, n ? n->line : 0, n ? n->col : 0, path, "%s", m);
        free(m);
}

void spec_err(struct spec_diags *d, const struct spec_node *n, const char *path, const char *fmt,
              ...)
{
        va_list ap;

        va_start(ap, fmt);
        vdiag(d, SPEC_ERROR, n, path, fmt, ap);
        va_end(ap);
}

void spec_warn_once(struct spec_diags *d, const struct spec_node *n, const char *path,
                    const char *fmt, ...)
{
        va_list ap;

        for (size_t i = 0; i < d->n; i++)
                if (d->v[i].severity == SPEC_WARNING && d->v[i].path && path &&
                    strcmp(d->v[i].path, path) == 0)
                        return;
        va_start(ap, fmt);
        vdiag(d, SPEC_WARNING, n, path, fmt, ap);
        va_end(ap);
}

const char *spec_kind_name(const struct spec_node *n)
{
        if (spec_node_is_null(n))
                return "null";
        return n->kind == SPEC_MAP ? "a mapping" : n->kind == SPEC_SEQ ? "a list" : "a string";
}

/* Lexical clean like Go's filepath.Clean: no symlink resolution, as compose does. */
static char *path_clean(char *p)
{
        char **parts = strv_split(p, "/"), **out = NULL;
        struct strbuf b = STRBUF_INIT;

        strv_foreach (c, parts) {
                size_t n = strv_length(out);

                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        if (n) {
                                free(out[n - 1]);
                                out[n - 1] = NULL;
                        }
                        continue;
                }
                out = strv_push(out, c);
        }
        strv_foreach (c, out)
                strbuf_printf(&b, "/%s", c);
        if (!b.len)
                strbuf_putc(&b, '/');
        strv_free(parts);
        strv_free(out);
        free(p);
        return strbuf_take(&b);
}

char *spec_abs_path(const char *base_dir, const char *p, spec_env_lookup_fn lookup, void *ud)
{
        if (p[0] == '~' && (p[1] == '/' || !p[1])) {
                const char *home = lookup ? lookup("HOME", ud) : NULL;

                return xasprintf("%s%s", home ? home : "", p + 1);
        }
        if (p[0] == '/')
                return path_clean(xstrdup(p));
        return path_clean(xasprintf("%s/%s", base_dir, p));
}

bool norm_want(struct norm *c, struct spec_node *n, enum spec_node_kind kind, const char *path)
{
        if (n->kind == kind && !(kind == SPEC_SCALAR && spec_node_is_null(n)))
                return true;
        spec_err(c->diags, n, path, "expected %s, found %s",
                 kind == SPEC_MAP   ? "a mapping"
                 : kind == SPEC_SEQ ? "a list"
                                    : "a string",
                 spec_kind_name(n));
        return false;
}

/* ---- scalar handlers ---------------------------------------------------------------------- */

void n_any(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        (void)c, (void)f, (void)n, (void)path;
}

void n_str(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        (void)f;
        if (norm_want(c, n, SPEC_SCALAR, path))
                n->quoted = true;
}

void n_path(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        char *p;

        n_str(c, f, n, path);
        if (n->kind != SPEC_SCALAR || !*n->str)
                return;
        p = spec_abs_path(c->base_dir, n->str, c->lookup, c->userdata);
        spec_node_set_str(n, p);
        free(p);
}

static void set_plain(struct spec_node *n, const char *s)
{
        spec_node_set_str(n, s);
        n->quoted = false;
        free(n->tag);
        n->tag = NULL;
}

void n_bool(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        bool b;

        (void)f;
        if (n->kind != SPEC_SCALAR || spec_parse_bool(n->str, n->quoted, &b) < 0) {
                spec_err(c->diags, n, path, "expected a boolean (true or false), found %s%s%s%s",
                         n->kind == SPEC_SCALAR ? "\"" : "",
                         n->kind == SPEC_SCALAR ? n->str : spec_kind_name(n),
                         n->kind == SPEC_SCALAR ? "\"" : "", "");
                return;
        }
        set_plain(n, b ? "true" : "false");
}

static void bad_scalar(struct norm *c, struct spec_node *n, const char *path, const char *what)
{
        if (n->kind == SPEC_SCALAR && !spec_node_is_null(n))
                spec_err(c->diags, n, path, "\"%s\" is not %s", n->str, what);
        else
                spec_err(c->diags, n, path, "expected %s, found %s", what, spec_kind_name(n));
}

void n_int(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        int64_t v;
        char buf[32];

        (void)f;
        if (n->kind != SPEC_SCALAR || spec_parse_int(n->str, INT64_MIN, INT64_MAX, &v) < 0) {
                bad_scalar(c, n, path, "an integer");
                return;
        }
        snprintf(buf, sizeof(buf), "%lld", (long long)v);
        set_plain(n, buf);
}

void n_float(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        double v;
        char buf[64];

        (void)f;
        if (n->kind != SPEC_SCALAR || spec_parse_cpus(n->str, &v) < 0) {
                bad_scalar(c, n, path, "a number");
                return;
        }
        snprintf(buf, sizeof(buf), "%g", v);
        set_plain(n, buf);
}

void n_duration(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        int64_t ns;
        char buf[48];

        (void)f;
        if (n->kind != SPEC_SCALAR || spec_parse_duration(n->str, &ns) < 0) {
                bad_scalar(c, n, path, "a duration (like 1m30s)");
                return;
        }
        spec_format_duration(ns, buf, sizeof(buf));
        spec_node_set_str(n, buf);
        n->quoted = true;
}

void n_bytes(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        int64_t v;
        char buf[32];

        (void)f;
        if (n->kind != SPEC_SCALAR || spec_parse_bytes(n->str, &v) < 0) {
                bad_scalar(c, n, path, "a byte size (like 512m)");
                return;
        }
        snprintf(buf, sizeof(buf), "%lld", (long long)v);
        spec_node_set_str(n, buf);
        n->quoted = true;
}

/* ---- collections -------------------------------------------------------------------------- */

void n_strlist(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        if (!norm_want(c, n, SPEC_SEQ, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                char *p = spec_path_index(path, i);

                n_str(c, f, n->vals[i], p);
                free(p);
        }
}

void n_str_or_list(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        if (n->kind == SPEC_SCALAR && !spec_node_is_null(n)) {
                struct spec_node *s = spec_node_copy(n);
                struct spec_node *l = spec_node_new(SPEC_SEQ, n->file, n->line, n->col);

                spec_seq_push(l, s);
                spec_node_replace(n, l);
        }
        n_strlist(c, f, n, path);
}

static void kv_from_list(struct norm *c, struct spec_node *n, const char *path, bool env)
{
        struct spec_node *m = spec_node_new(SPEC_MAP, n->file, n->line, n->col);

        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *it = n->vals[i];
                char *eq, *p = spec_path_index(path, i);
                struct spec_node *v;

                if (norm_want(c, it, SPEC_SCALAR, p)) {
                        eq = strchr(it->str, '=');
                        v = spec_node_new_scalar(eq ? eq + 1 : "", it);
                        v->quoted = eq || !env;
                        if (eq)
                                *eq = '\0';
                        spec_node_set_str(it, it->str);
                        spec_map_set(m, it->str, v);
                }
                free(p);
        }
        spec_node_replace(n, m);
}

void n_kvmap(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        bool env = f->flags & F_NULLABLE;

        if (n->kind == SPEC_SEQ) {
                kv_from_list(c, n, path, env);
                return;
        }
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                struct spec_node *v = n->vals[i];
                char *p = spec_path_key(path, spec_map_key(n, i));

                if (v->kind != SPEC_SCALAR)
                        spec_err(c->diags, v, p, "expected a string, number or boolean, found %s",
                                 spec_kind_name(v));
                else if (spec_node_is_null(v) && !env)
                        set_plain(v, ""), v->quoted = true;
                else if (!spec_node_is_null(v))
                        v->quoted = true;
                free(p);
        }
}

void n_map(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        if (norm_want(c, n, SPEC_MAP, path))
                norm_table(c, f->sub, n, path);
}

/* The deprecated `external: {name: x}` means `name: x` + `external: true` (compose). */
static void relocate_external_name(struct spec_node *v)
{
        struct spec_node *ext = spec_map_get(v, "external");
        const char *name = spec_map_str(ext, "name");

        if (!ext || ext->kind != SPEC_MAP || !name || spec_map_get(v, "name"))
                return;
        spec_map_set(v, "name", spec_node_copy(spec_map_get(ext, "name")));
}

void n_mapof(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        if (spec_node_is_null(n)) {
                spec_node_replace(n, spec_node_new(SPEC_MAP, NULL, 0, 0));
                return;
        }
        if (!norm_want(c, n, SPEC_MAP, path))
                return;
        for (size_t i = 0; i < n->n;) {
                struct spec_node *v = n->vals[i];
                char *p = spec_path_key(path, spec_map_key(n, i));
                bool ok;

                if (spec_node_is_null(v))
                        spec_node_replace(v, spec_node_new(SPEC_MAP, NULL, 0, 0));
                relocate_external_name(v);
                ok = norm_want(c, v, SPEC_MAP, p);
                if (ok)
                        norm_table(c, f->sub, v, p);
                free(p);
                if (ok)
                        i++;
                else
                        spec_node_remove(n, i);
        }
}

void n_listof(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        if (!norm_want(c, n, SPEC_SEQ, path))
                return;
        for (size_t i = 0; i < n->n; i++) {
                char *p = spec_path_index(path, i);

                if (norm_want(c, n->vals[i], SPEC_MAP, p))
                        norm_table(c, f->sub, n->vals[i], p);
                free(p);
        }
        for (size_t i = 0; i < n->n;)
                if (n->vals[i]->kind != SPEC_MAP)
                        spec_node_remove(n, i);
                else
                        i++;
}

/* Run a field's handler; false when the value is malformed and must be dropped. */
static bool norm_field(struct norm *c, const struct field *f, struct spec_node *v, char *path)
{
        size_t before = spec_diags_count(c->diags, SPEC_ERROR);
        bool container = f->fn == n_map || f->fn == n_mapof || f->fn == n_listof;
        bool ok;

        f->fn(c, f, v, path);
        if (container)
                ok = v->kind == (f->fn == n_listof ? SPEC_SEQ : SPEC_MAP);
        else
                ok = spec_diags_count(c->diags, SPEC_ERROR) == before;
        free(path);
        return ok;
}

void norm_table(struct norm *c, const struct field *table, struct spec_node *n, const char *path)
{
        for (size_t i = 0; i < n->n;) {
                const char *k = spec_map_key(n, i);
                const struct field *f = table;
                char *p;

                if (strncmp(k, "x-", 2) == 0) {
                        i++;
                        continue;
                }
                while (f->key && strcmp(f->key, k) != 0)
                        f++;
                if (!f->key) {
                        spec_err(c->diags, n->keys[i], path, "unknown key \"%s\"", k);
                        spec_node_remove(n, i);
                        continue;
                }
                if (spec_node_has_tag(n->vals[i], "!reset") ||
                    (spec_node_is_null(n->vals[i]) && (f->flags & F_NULLABLE) &&
                     f->fn != n_mapof)) {
                        i++;
                        continue;
                }
                p = spec_path_key(path, k);
                if (f->flags & F_WARN)
                        spec_warn_once(c->diags, n->keys[i], p,
                                       "not supported by berth yet; accepted and ignored");
                if (!norm_field(c, f, n->vals[i], p))
                        spec_node_remove(n, i); /* later steps only see well-formed values */
                else
                        i++;
        }
}

/* ---- top-level tables --------------------------------------------------------------------- */

/* external: true, or the legacy `external: {name: x}`. */
void n_external(struct norm *c, const struct field *f, struct spec_node *n, const char *path)
{
        if (n->kind == SPEC_MAP) {
                spec_warn_once(c->diags, n, path, "`external.name` is deprecated; use `name`");
                spec_node_replace(n, spec_node_new_scalar("true", n));
                n->quoted = false;
                return;
        }
        n_bool(c, f, n, path);
}

/* The default drivers are what berth implements; any other is accepted with a warning. */
static void driver_is(struct norm *c, struct spec_node *n, const char *path, const char *ours)
{
        n_str(c, NULL, n, path);
        if (n->kind == SPEC_SCALAR && strcmp(n->str, ours) != 0)
                spec_warn_once(c->diags, n, path,
                               "driver \"%s\" is not supported by berth yet; \"%s\" is used",
                               n->str, ours);
}

static void n_net_driver(struct norm *c, const struct field *f, struct spec_node *n,
                         const char *path)
{
        (void)f;
        driver_is(c, n, path, "bridge");
}

static void n_vol_driver(struct norm *c, const struct field *f, struct spec_node *n,
                         const char *path)
{
        (void)f;
        driver_is(c, n, path, "local");
}

static const struct field ipam_config_fields[] = {
        {"subnet", n_str, NULL, 0},
        {"ip_range", n_str, NULL, 0},
        {"gateway", n_str, NULL, 0},
        {"aux_addresses", n_kvmap, NULL, 0},
        {0},
};

static const struct field ipam_fields[] = {
        {"driver", n_str, NULL, F_WARN},
        {"config", n_listof, ipam_config_fields, 0},
        {"options", n_kvmap, NULL, F_WARN},
        {0},
};

static const struct field network_fields[] = {
        {"name", n_str, NULL, 0},
        {"driver", n_net_driver, NULL, 0},
        {"driver_opts", n_kvmap, NULL, 0},
        {"ipam", n_map, ipam_fields, 0},
        {"external", n_external, NULL, 0},
        {"internal", n_bool, NULL, 0},
        {"attachable", n_bool, NULL, 0},
        {"enable_ipv6", n_bool, NULL, F_WARN},
        {"enable_ipv4", n_bool, NULL, 0},
        {"labels", n_kvmap, NULL, 0},
        {0},
};

static const struct field volume_fields[] = {
        {"name", n_str, NULL, 0},
        {"driver", n_vol_driver, NULL, 0},
        {"driver_opts", n_kvmap, NULL, F_WARN},
        {"external", n_external, NULL, 0},
        {"labels", n_kvmap, NULL, 0},
        {0},
};

static const struct field secret_fields[] = {
        {"name", n_str, NULL, 0},
        {"file", n_path, NULL, 0},
        {"environment", n_str, NULL, 0},
        {"content", n_str, NULL, 0},
        {"external", n_external, NULL, 0},
        {"labels", n_kvmap, NULL, 0},
        {"driver", n_str, NULL, F_WARN},
        {"driver_opts", n_kvmap, NULL, F_WARN},
        {"template_driver", n_str, NULL, F_WARN},
        {0},
};

static const struct field model_fields[] = {
        {"name", n_str, NULL, 0},
        {"model", n_str, NULL, 0},
        {"context_size", n_int, NULL, 0},
        {"runtime_flags", n_strlist, NULL, 0},
        {0},
};

static const struct field top_fields[] = {
        {"name", n_str, NULL, 0},
        {"services", n_mapof, spec_service_fields, 0},
        {"networks", n_mapof, network_fields, 0},
        {"volumes", n_mapof, volume_fields, 0},
        {"secrets", n_mapof, secret_fields, 0},
        {"configs", n_mapof, secret_fields, 0},
        {"models", n_mapof, model_fields, F_WARN},
        {"include", n_any, NULL, 0}, /* resolved by the loader before normalisation */
        {0},
};

void spec_normalize_file(struct norm *c, struct spec_node *root)
{
        spec_map_del(root, "version"); /* legacy, ignored without a word as compose v2 does */
        norm_table(c, top_fields, root, "");
}

void spec_normalize_service(struct norm *c, struct spec_node *svc, const char *path)
{
        norm_table(c, spec_service_fields, svc, path);
}
