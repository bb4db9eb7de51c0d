/* SPDX-License-Identifier: MIT */
/* spec/load_file: one compose file from bytes to a normalised tree: read, parse, interpolate,
 * normalise, then resolve its `extends` (same file or another) and `include` entries. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/internal.h"
#include "spec/spec.h"

#define MAX_FILE_SIZE (16u << 20)
#define MAX_NESTING   32

const char *spec_loader_env(const char *name, void *loader)
{
        struct loader *l = loader;
        const char *v = l->shell ? l->shell(name, l->userdata) : NULL;

        return v ? v : spec_dotenv_get(&l->dotenv, name);
}

char *spec_read_text(struct loader *l, const char *path, const char *display,
                     const struct spec_node *ref, const char *refpath, size_t *ret_len)
{
        struct berr *err = NULL;
        char *buf = NULL;
        int r;

        if (strcmp(path, "-") == 0)
                r = read_all(l->o->stdin_fd, MAX_FILE_SIZE, &buf, ret_len, &err);
        else
                r = read_file(path, MAX_FILE_SIZE, &buf, ret_len, &err);
        if (r < 0) {
                const char *what = r == -ENOENT  ? "no such file"
                                   : r == -EFBIG ? "file too large (16 MiB at most)"
                                                 : strerror(-r);

                if (ref)
                        spec_err(l->diags, ref, refpath, "%s: %s", display, what);
                else
                        spec_diag_add(l->diags, SPEC_ERROR, display, 0, 0, NULL, "%s", what);
                berr_free(err);
                return NULL;
        }
        return buf;
}

char *spec_display_path(const struct loader *l, const char *abs)
{
        size_t n = strlen(l->cwd);

        if (strncmp(abs, l->cwd, n) == 0 && abs[n] == '/')
                return xstrdup(abs + n + 1);
        return xstrdup(abs);
}

static const char *intern(struct loader *l, const char *s)
{
        strv_foreach (n, l->names)
                if (strcmp(n, s) == 0)
                        return n;
        l->names = strv_push(l->names, s);
        return l->names[strv_length(l->names) - 1];
}

/* ---- interpolation over a tree ------------------------------------------------------------ */

struct missing_ctx {
        struct spec_diags *diags;
        const struct spec_node *at;
        const char *path;
};

void spec_interpolate_tree(const struct spec_interp *ip, struct spec_node *n, const char *path,
                           struct spec_diags *diags)
{
        if (n->kind == SPEC_SCALAR) {
                char *out = NULL, *msg = NULL;

                if (!strchr(n->str, '$'))
                        return;
                if (spec_interpolate(ip, n->str, &out, &msg) < 0) {
                        spec_err(diags, n, path, "%s", msg);
                        free(msg);
                        return;
                }
                free(n->str);
                n->str = out;
                return;
        }
        for (size_t i = 0; i < n->n; i++) {
                char *p = n->kind == SPEC_MAP ? spec_path_key(path, spec_map_key(n, i))
                                              : spec_path_index(path, i);

                spec_interpolate_tree(ip, n->vals[i], p, diags);
                free(p);
        }
}

struct interp_ud {
        struct loader *l;
        struct spec_node *at;
        const char *path;
};

static const char *interp_lookup(const char *name, void *ud)
{
        return spec_loader_env(name, ((struct interp_ud *)ud)->l);
}

static void interp_missing(const char *name, void *ud)
{
        struct interp_ud *u = ud;
        char *m = xasprintf("the \"%s\" variable is not set; defaulting to a blank string", name);

        if (!spec_diags_has(u->l->diags, SPEC_WARNING, m))
                spec_diag_add(u->l->diags, SPEC_WARNING, u->at ? u->at->file : NULL,
                              u->at ? u->at->line : 0, u->at ? u->at->col : 0, NULL, "%s", m);
        free(m);
}

/* Like spec_interpolate_tree, but remembers the node for the unset-variable warning. */
static void interpolate_file(struct loader *l, struct spec_node *n, const char *path)
{
        struct interp_ud u = {.l = l, .at = n, .path = path};
        struct spec_interp ip = {
                .lookup = interp_lookup, .userdata = &u, .missing = interp_missing};

        if (n->kind == SPEC_SCALAR) {
                spec_interpolate_tree(&ip, n, path, l->diags);
                return;
        }
        for (size_t i = 0; i < n->n; i++) {
                char *p;

                if (n->vals[i]->kind == SPEC_SCALAR && !strchr(n->vals[i]->str, '$'))
                        continue; /* nothing to substitute: no path to build */
                p = n->kind == SPEC_MAP ? spec_path_key(path, spec_map_key(n, i))
                                        : spec_path_index(path, i);
                interpolate_file(l, n->vals[i], p);
                free(p);
        }
}

/* ---- extends ------------------------------------------------------------------------------ */

static char *dir_of(const char *path)
{
        char *c = xstrdup(path), *d = xstrdup(dirname(c));

        free(c);
        return d;
}

static bool stack_has(struct loader *l, const char *key)
{
        return strv_contains(l->stack, key);
}

static void stack_pop(struct loader *l)
{
        size_t n = strv_length(l->stack);

        if (n) {
                free(l->stack[n - 1]);
                l->stack[n - 1] = NULL;
        }
}

static void resolve_extends(struct loader *l, struct spec_node *services, const char *file,
                            const char *base_dir, const char *name);

/* "a -> b -> a" from the stack entries "file#a", "file#b" that lead back to key. */
static char *loop_chain(struct loader *l, const char *key)
{
        struct strbuf b = STRBUF_INIT;
        bool in = false;

        strv_foreach (e, l->stack) {
                const char *h = strchr(e, '#');

                in = in || strcmp(e, key) == 0;
                if (in && h)
                        strbuf_printf(&b, "%s -> ", h + 1);
        }
        strbuf_puts(&b, strchr(key, '#') + 1);
        return strbuf_take(&b);
}

/* The base service named by `extends` (resolved, normalised), or NULL. ext may be freed by
 * the recursion (a loop), so everything needed from it is copied first. */
static struct spec_node *extends_base(struct loader *l, struct spec_node *services,
                                      const char *file, const char *base_dir,
                                      const struct spec_node *ext, const char *path)
{
        char *svc = xstrdup(spec_map_str(ext, "service") ? spec_map_str(ext, "service") : "");
        const char *o = spec_map_str(ext, "file");
        char *other = o ? xstrdup(o) : NULL, *abs = NULL, *disp;
        struct spec_node *at = spec_node_copy(spec_map_get(ext, other ? "file" : "service"));
        struct spec_node *doc = NULL, *base = NULL;

        if (other && l->o->no_external_files) {
                spec_err(l->diags, at, path, "extends from another file is disabled");
                goto out;
        }
        if (other) {
                abs = spec_abs_path(base_dir, other, spec_loader_env, l);
                disp = spec_display_path(l, abs);
                doc = spec_load_file(l, abs, disp, NULL, at);
                free(disp);
                if (!doc)
                        goto out;
                services = spec_map_get(doc, "services");
        }
        if (!spec_map_get(services, svc)) {
                spec_err(l->diags, at, path, "cannot extend service \"%s\": no such service%s%s",
                         svc, other ? " in " : "", other ? other : "");
                goto out;
        }
        if (!other) /* another file's services were resolved when it was loaded */
                resolve_extends(l, services, file, base_dir, svc);
        base = spec_node_copy(spec_map_get(services, svc));
out:
        spec_node_free(doc);
        spec_node_free(at);
        free(abs);
        free(svc);
        free(other);
        return base;
}

/* Replace services[name] by its extends base with itself merged on top. */
static void resolve_extends(struct loader *l, struct spec_node *services, const char *file,
                            const char *base_dir, const char *name_)
{
        struct spec_node *ext = spec_map_get(spec_map_get(services, name_), "extends"), *base;
        char *name, *key, *path;
        long i;

        if (!ext || ext->kind != SPEC_MAP)
                return;
        name = xstrdup(name_);
        key = xasprintf("%s#%s", file, name);
        path = xasprintf("services.%s.extends", name);
        if (stack_has(l, key) || strv_length(l->stack) >= MAX_NESTING) {
                char *chain = loop_chain(l, key);

                spec_err(l->diags, ext, path, "extends loop: %s", chain);
                free(chain);
                goto out; /* the frame that started the loop removes `extends` */
        }
        l->stack = strv_push(l->stack, key);
        base = extends_base(l, services, file, base_dir, ext, path);
        stack_pop(l);
        i = spec_map_index(services, name);
        if (i >= 0)
                spec_map_del(services->vals[i], "extends");
        if (base && i >= 0) {
                spec_map_del(base, "extends");
                spec_merge(base, services->vals[i], "services.*");
                services->vals[i] = base;
        } else {
                spec_node_free(base);
        }
out:
        free(name);
        free(key);
        free(path);
}

static void resolve_all_extends(struct loader *l, struct spec_node *doc, const char *file,
                                const char *base_dir)
{
        struct spec_node *services = spec_map_get(doc, "services");

        if (!services || services->kind != SPEC_MAP)
                return;
        for (size_t i = 0; i < services->n; i++) {
                char *name;

                if (!spec_map_get(services->vals[i], "extends"))
                        continue;
                name = xstrdup(spec_map_key(services, i));
                resolve_extends(l, services, file, base_dir, name);
                free(name);
        }
}

/* ---- include ------------------------------------------------------------------------------ */

static void import_resources(struct loader *l, struct spec_node *doc, const struct spec_node *at,
                             const char *path)
{
        static const char *const kinds[] = {"services", "networks", "volumes", "secrets",
                                            "configs"};

        if (!l->imports)
                l->imports = spec_node_new(SPEC_MAP, NULL, 0, 0);
        for (size_t k = 0; k < 5; k++) {
                struct spec_node *src = spec_map_get(doc, kinds[k]), *dst;

                if (!src || src->kind != SPEC_MAP)
                        continue;
                if (!(dst = spec_map_get(l->imports, kinds[k]))) {
                        spec_map_set(l->imports, kinds[k], spec_node_new(SPEC_MAP, NULL, 0, 0));
                        dst = spec_map_get(l->imports, kinds[k]);
                }
                for (size_t i = 0; i < src->n; i++) {
                        if (spec_map_index(dst, spec_map_key(src, i)) >= 0) {
                                spec_err(l->diags, at, path, "%s.%s is imported twice", kinds[k],
                                         spec_map_key(src, i));
                                continue;
                        }
                        spec_map_set(dst, spec_map_key(src, i), spec_node_copy(src->vals[i]));
                }
        }
}

static void include_one(struct loader *l, const struct spec_node *it, const char *base_dir,
                        const char *path)
{
        const struct spec_node *paths = it->kind == SPEC_MAP ? spec_map_get(it, "path") : it;
        const char *pdir = it->kind == SPEC_MAP ? spec_map_str(it, "project_directory") : NULL;
        struct spec_node *merged = NULL;

        if (!paths || (paths->kind != SPEC_SCALAR && paths->kind != SPEC_SEQ)) {
                spec_err(l->diags, it, path, "include needs a `path`");
                return;
        }
        for (size_t i = 0; i < (paths->kind == SPEC_SEQ ? paths->n : 1); i++) {
                const struct spec_node *p = paths->kind == SPEC_SEQ ? paths->vals[i] : paths;
                char *abs, *dir, *pd, *disp;
                struct spec_node *doc;

                if (p->kind != SPEC_SCALAR)
                        continue;
                abs = spec_abs_path(base_dir, p->str, spec_loader_env, l);
                dir = dir_of(abs);
                pd = pdir ? spec_abs_path(base_dir, pdir, spec_loader_env, l) : xstrdup(dir);
                disp = spec_display_path(l, abs);
                doc = spec_load_file(l, abs, disp, pd, p);
                free(disp);
                if (doc && !merged)
                        merged = doc;
                else if (doc)
                        spec_merge(merged, doc, "");
                free(abs);
                free(dir);
                free(pd);
        }
        if (merged)
                import_resources(l, merged, it, path);
        spec_node_free(merged);
}

static void resolve_includes(struct loader *l, struct spec_node *doc, const char *base_dir)
{
        struct spec_node *inc = spec_map_get(doc, "include");

        if (!inc)
                return;
        if (l->o->no_external_files) {
                spec_err(l->diags, inc, "include", "include is disabled");
        } else if (inc->kind != SPEC_SEQ) {
                spec_err(l->diags, inc, "include", "expected a list, found %s",
                         spec_kind_name(inc));
        } else {
                for (size_t i = 0; i < inc->n; i++) {
                        char *p = spec_path_index("include", i);

                        include_one(l, inc->vals[i], base_dir, p);
                        free(p);
                }
        }
        spec_map_del(doc, "include");
}

/* ---- one file ----------------------------------------------------------------------------- */

/* The documents of a file (a sequence of mappings), or NULL after a diagnostic. */
static struct spec_node *parse_file(struct loader *l, const char *path, const char *display,
                                    const struct spec_node *ref)
{
        struct spec_yaml_limits lim = SPEC_YAML_DEFAULT_LIMITS;
        const struct spec_load_opts *o = l->o;
        struct spec_node *docs = NULL;
        char *text = NULL;
        size_t len;
        int r;

        if (o->max_nodes)
                lim.max_nodes = o->max_nodes;
        if (o->buffer && l->files && strcmp(path, l->files[0]) == 0) {
                r = spec_yaml_parse_documents(display, o->buffer, o->buffer_len, &lim, &docs,
                                              l->diags);
        } else {
                text = spec_read_text(l, path, display, ref, NULL, &len);
                if (!text)
                        return NULL;
                r = spec_yaml_parse_documents(display, text, len, &lim, &docs, l->diags);
        }
        free(text);
        if (r < 0)
                return NULL;
        if (docs->n == 0)
                spec_diag_add(l->diags, SPEC_ERROR, display, 0, 0, NULL, "empty compose file");
        for (size_t i = 0; i < docs->n; i++)
                if (docs->vals[i]->kind != SPEC_MAP)
                        spec_err(l->diags, docs->vals[i], NULL,
                                 "expected a mapping at the top level, found %s",
                                 spec_kind_name(docs->vals[i]));
        for (size_t i = 0; i < docs->n; i++)
                if (docs->vals[i]->kind != SPEC_MAP) {
                        spec_node_free(docs);
                        return NULL;
                }
        if (docs->n == 0)
                spec_node_freep(&docs);
        return docs;
}

/* One document through interpolation, include, normalisation and extends. */
static void load_document(struct loader *l, struct spec_node *doc, const char *path,
                          const char *base_dir)
{
        struct norm c = {.diags = l->diags,
                         .lookup = spec_loader_env,
                         .userdata = l,
                         .no_files = l->o->no_external_files,
                         .base_dir = base_dir};

        if (!l->o->no_interpolate)
                interpolate_file(l, doc, "");
        resolve_includes(l, doc, base_dir);
        spec_normalize_file(&c, doc);
        resolve_all_extends(l, doc, path, base_dir);
}

struct spec_node *spec_load_file(struct loader *l, const char *path, const char *display,
                                 const char *base_dir, const struct spec_node *ref)
{
        struct spec_node *docs, *doc;
        char *dir = NULL;

        if (stack_has(l, path) || strv_length(l->stack) >= MAX_NESTING) {
                if (ref)
                        spec_err(l->diags, ref, NULL,
                                 "%s is already being loaded (an include or extends loop)",
                                 display);
                else
                        spec_diag_add(l->diags, SPEC_ERROR, display, 0, 0, NULL,
                                      "include or extends loop");
                return NULL;
        }
        display = intern(l, display);
        docs = parse_file(l, path, display, ref);
        if (!docs)
                return NULL;
        l->stack = strv_push(l->stack, path);
        if (!base_dir)
                base_dir = dir = strcmp(path, "-") == 0 ? xstrdup(l->cwd) : dir_of(path);
        for (size_t i = 0; i < docs->n; i++) /* every document is a layer, in order */
                load_document(l, docs->vals[i], path, base_dir);
        doc = docs->vals[0];
        for (size_t i = 1; i < docs->n; i++) {
                spec_merge(doc, docs->vals[i], "");
                docs->vals[i] = NULL;
        }
        docs->vals[0] = NULL;
        spec_node_free(docs);
        stack_pop(l);
        free(dir);
        return doc;
}
