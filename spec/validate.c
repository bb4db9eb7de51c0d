/* SPDX-License-Identifier: MIT */
/* spec/validate: checks across the merged project: every service has an image or a build,
 * references (depends_on, links, volumes_from, network_mode, networks, named volumes, secrets,
 * configs) point at something defined, no dependency cycle (named in order), container names
 * are unique. */
#include <stdlib.h>
#include <string.h>

#include "common/graph.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/internal.h"

struct vctx {
        struct loader *l;
        struct spec_node *tree;
        struct spec_node *services;
};

/* Services are sorted by name before validation (project.c): binary search. */
static long service_index(const struct vctx *v, const char *name)
{
        size_t lo = 0, hi = v->services->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(spec_map_key(v->services, mid), name);

                if (c == 0)
                        return (long)mid;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

static bool defined(const struct vctx *v, const char *kind, const char *key)
{
        return spec_map_get(spec_map_get(v->tree, kind), key) != NULL;
}

static bool disabled(const struct vctx *v, const char *svc)
{
        return strv_contains(v->l->disabled, svc);
}

static void check_service_ref(struct vctx *v, const struct spec_node *at, const char *path,
                              const char *svc, const char *what)
{
        if (service_index(v, svc) >= 0 || disabled(v, svc))
                return; /* a service its profiles disable may still be named, as in compose */
        spec_err(v->l->diags, at, path, "%s undefined service \"%s\"", what, svc);
}

static void check_depends(struct vctx *v, struct spec_node *svc, const char *spath)
{
        struct spec_node *deps = spec_map_get(svc, "depends_on");

        for (size_t i = 0; deps && deps->kind == SPEC_MAP && i < deps->n;) {
                const char *dep = spec_map_key(deps, i);
                const char *req = spec_map_str(deps->vals[i], "required");
                char *p = spec_path_key(spath, "depends_on");

                if (service_index(v, dep) < 0 && !disabled(v, dep) && req &&
                    strcmp(req, "false") == 0) {
                        spec_node_remove(deps, i); /* optional and absent: dropped */
                        free(p);
                        continue;
                }
                check_service_ref(v, deps->keys[i], p, dep, "depends on");
                free(p);
                i++;
        }
}

static void check_links(struct vctx *v, struct spec_node *svc, const char *spath)
{
        struct spec_node *links = spec_map_get(svc, "links");
        struct spec_node *vf = spec_map_get(svc, "volumes_from");
        const char *nm = spec_map_str(svc, "network_mode");

        for (size_t i = 0; links && links->kind == SPEC_SEQ && i < links->n; i++) {
                char *name = xstrdup(links->vals[i]->str), *colon = strchr(name, ':');
                char *p = xasprintf("%s.links[%zu]", spath, i);

                if (colon)
                        *colon = '\0';
                check_service_ref(v, links->vals[i], p, name, "links to");
                free(name);
                free(p);
        }
        for (size_t i = 0; vf && vf->kind == SPEC_SEQ && i < vf->n; i++) {
                char *name = xstrdup(vf->vals[i]->str), *colon;
                char *p = xasprintf("%s.volumes_from[%zu]", spath, i);

                if (strncmp(name, "container:", 10) != 0) {
                        if ((colon = strchr(name, ':')))
                                *colon = '\0';
                        check_service_ref(v, vf->vals[i], p, name, "takes volumes from");
                }
                free(name);
                free(p);
        }
        if (nm && strncmp(nm, "service:", 8) == 0) {
                char *p = spec_path_key(spath, "network_mode");

                check_service_ref(v, spec_map_get(svc, "network_mode"), p, nm + 8,
                                  "shares the network of");
                free(p);
        }
}

static void check_resources(struct vctx *v, struct spec_node *svc, const char *spath)
{
        struct spec_node *nets = spec_map_get(svc, "networks");
        struct spec_node *vols = spec_map_get(svc, "volumes");
        static const char *const refs[] = {"secrets", "configs"};

        for (size_t i = 0; nets && nets->kind == SPEC_MAP && i < nets->n; i++) {
                char *p = xasprintf("%s.networks", spath);

                if (!defined(v, "networks", spec_map_key(nets, i)))
                        spec_err(v->l->diags, nets->keys[i], p, "undefined network \"%s\"",
                                 spec_map_key(nets, i));
                free(p);
        }
        for (size_t i = 0; vols && vols->kind == SPEC_SEQ && i < vols->n; i++) {
                const char *type = spec_map_str(vols->vals[i], "type");
                const char *src = spec_map_str(vols->vals[i], "source");
                char *p = xasprintf("%s.volumes[%zu]", spath, i);

                if (type && strcmp(type, "volume") == 0 && src && !defined(v, "volumes", src))
                        spec_err(v->l->diags, vols->vals[i], p, "undefined volume \"%s\"", src);
                free(p);
        }
        for (size_t k = 0; k < 2; k++) {
                struct spec_node *r = spec_map_get(svc, refs[k]);

                for (size_t i = 0; r && r->kind == SPEC_SEQ && i < r->n; i++) {
                        const char *src = spec_map_str(r->vals[i], "source");
                        char *p = xasprintf("%s.%s[%zu]", spath, refs[k], i);

                        if (src && !defined(v, refs[k], src))
                                spec_err(v->l->diags, r->vals[i], p, "undefined %.6s \"%s\"",
                                         refs[k], src);
                        free(p);
                }
        }
}

/* Whether an error was already reported inside this key path (no follow-up noise). */
static bool errors_under(const struct spec_diags *d, const char *path)
{
        size_t n = strlen(path);

        for (size_t i = 0; i < d->n; i++)
                if (d->v[i].severity == SPEC_ERROR && d->v[i].path &&
                    strncmp(d->v[i].path, path, n) == 0 &&
                    (d->v[i].path[n] == '.' || d->v[i].path[n] == '\0'))
                        return true;
        return false;
}

static void check_service(struct vctx *v, size_t i, char ***names)
{
        struct spec_node *svc = v->services->vals[i];
        const char *name = spec_map_key(v->services, i);
        const char *cn = spec_map_str(svc, "container_name");
        char *spath = spec_path_key("services", name);

        if (!spec_map_get(svc, "image") && !spec_map_get(svc, "build") &&
            !errors_under(v->l->diags, spath))
                spec_err(v->l->diags, v->services->keys[i], spath,
                         "a service needs an `image` or a `build`");
        if (cn && strv_contains(*names, cn))
                spec_err(v->l->diags, spec_map_get(svc, "container_name"), spath,
                         "container name \"%s\" is already used by another service", cn);
        else if (cn)
                *names = strv_push(*names, cn);
        check_depends(v, svc, spath);
        check_links(v, svc, spath);
        check_resources(v, svc, spath);
        free(spath);
}

static void check_cycles(struct vctx *v)
{
        size_t n = v->services->n, *path, len;
        struct graph *g = graph_new(n);
        struct strbuf b = STRBUF_INIT;

        for (size_t i = 0; i < n; i++) {
                const struct spec_node *deps = spec_map_get(v->services->vals[i], "depends_on");

                for (size_t d = 0; deps && deps->kind == SPEC_MAP && d < deps->n; d++) {
                        long j = service_index(v, spec_map_key(deps, d));

                        if (j >= 0)
                                graph_add_edge(g, i, (size_t)j);
                }
        }
        path = xcalloc(n + 1, sizeof(*path));
        len = graph_find_cycle(g, path);
        for (size_t k = 0; k < len; k++)
                strbuf_printf(&b, "%s%s", k ? " -> " : "", spec_map_key(v->services, path[k]));
        if (len) {
                const struct spec_node *svc = v->services->vals[path[0]];
                char *p = xasprintf("services.%s.depends_on", spec_map_key(v->services, path[0]));

                spec_err(v->l->diags, spec_map_get(svc, "depends_on"), p, "dependency cycle: %s",
                         strbuf_str(&b));
                free(p);
        }
        strbuf_done(&b);
        free(path);
        graph_free(g);
}

void spec_validate(struct loader *l, struct spec_node *tree)
{
        struct vctx v = {.l = l, .tree = tree, .services = spec_map_get(tree, "services")};
        char **names = NULL;

        if (!v.services || v.services->kind != SPEC_MAP)
                return;
        for (size_t i = 0; i < v.services->n; i++)
                if (v.services->vals[i]->kind == SPEC_MAP)
                        check_service(&v, i, &names);
        strv_free(names);
        check_cycles(&v);
}
