/* SPDX-License-Identifier: MIT */
/* spec/project: the steps that need the whole merged project: the project name, profiles,
 * env_file contents folded into environment, default network and resource names, and the
 * order of the top-level keys. Cross-references are checked in validate.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/internal.h"
#include "spec/spec.h"

/* ---- profiles ----------------------------------------------------------------------------- */

/* --profile wins; COMPOSE_PROFILES applies only without it, as in compose. */
static char **active_profiles(struct loader *l)
{
        const char *env = spec_loader_env("COMPOSE_PROFILES", l);

        if (l->o->profiles && l->o->profiles[0])
                return strv_copy(l->o->profiles);
        return env ? strv_split(env, ",") : NULL;
}

static bool service_enabled(const struct spec_node *svc, char **active)
{
        const struct spec_node *pr = spec_map_get(svc, "profiles");

        if (!pr || pr->kind != SPEC_SEQ || pr->n == 0)
                return true;
        if (strv_contains(active, "*"))
                return true;
        for (size_t i = 0; i < pr->n; i++)
                if (strv_contains(active, pr->vals[i]->str))
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void apply_profiles(struct loader *l, struct spec_node *services)
{
        char **active = active_profiles(l);

        for (size_t i = 0; i < services->n; i++) {
                const struct spec_node *pr = spec_map_get(services->vals[i], "profiles");

                for (size_t k = 0; pr && pr->kind == SPEC_SEQ && k < pr->n; k++)
                        if (!strv_contains(l->all_profiles, pr->vals[k]->str))
                                l->all_profiles = strv_push(l->all_profiles, pr->vals[k]->str);
        }
        for (size_t i = 0; i < services->n;) {
                if (service_enabled(services->vals[i], active)) {
                        i++;
                        continue;
                }
                l->disabled = strv_push(l->disabled, spec_map_key(services, i));
                spec_node_remove(services, i);
        }
        if (l->all_profiles)
                qsort(l->all_profiles, strv_length(l->all_profiles), sizeof(char *), cmp_str);
        strv_free(active);
}

/* ---- environment -------------------------------------------------------------------------- */

static void env_file_into(struct loader *l, const struct spec_node *ef, const char *path,
                          struct spec_dotenv *acc)
{
        const char *file = spec_map_str(ef, "path");
        const char *req = spec_map_str(ef, "required");
        size_t len;
        char *text, *msg = NULL;
        int line = 0;

        if (!file)
                return;
        if (l->o->no_external_files) {
                spec_err(l->diags, ef, path, "env_file is disabled");
                return;
        }
        if (access(file, F_OK) != 0) {
                char *d = spec_display_path(l, file);

                if (!req || strcmp(req, "false") != 0)
                        spec_err(l->diags, ef, path, "env file %s not found", d);
                free(d);
                return;
        }
        text = spec_read_text(l, file, file, ef, path, &len);
        if (!text)
                return;
        if (spec_dotenv_parse(text, len, spec_loader_env, l, acc, &line, &msg) < 0) {
                spec_diag_add(l->diags, SPEC_ERROR, file, line, 1, NULL, "%s", msg);
                free(msg);
        }
        free(text);
}

static void resolve_environment(struct loader *l, struct spec_node *svc, const char *spath)
{
        struct spec_node *efs = spec_map_get(svc, "env_file");
        struct spec_node *env = spec_map_get(svc, "environment");
        struct spec_dotenv acc = {0};

        for (size_t i = 0; efs && efs->kind == SPEC_SEQ && i < efs->n; i++) {
                char *p = xasprintf("%s.env_file[%zu]", spath, i);

                env_file_into(l, efs->vals[i], p, &acc);
                free(p);
        }
        if (acc.n && !env) {
                spec_map_set(svc, "environment", spec_node_new(SPEC_MAP, svc->file, 0, 0));
                env = spec_map_get(svc, "environment");
        }
        for (size_t i = 0; i < acc.n; i++) {
                struct spec_node *v;

                if (spec_map_index(env, acc.names[i]) >= 0)
                        continue;
                v = spec_node_new_scalar(acc.values[i], env);
                v->quoted = true;
                spec_map_set(env, acc.names[i], v);
        }
        spec_dotenv_done(&acc);
        spec_map_del(svc, "env_file");
        for (size_t i = 0; env && env->kind == SPEC_MAP && i < env->n; i++) {
                const char *v;

                if (!spec_node_is_null(env->vals[i]))
                        continue;
                v = spec_loader_env(spec_map_key(env, i), l);
                if (v) {
                        spec_node_set_str(env->vals[i], v);
                        env->vals[i]->quoted = true;
                }
        }
}

/* ---- implicit dependencies ---------------------------------------------------------------- */

static void add_dep(const struct spec_node *svc_parent, struct spec_node *svc, const char *name,
                    bool restart)
{
        struct spec_node *deps = spec_map_get(svc, "depends_on"), *d;

        if (!spec_map_get(svc_parent, name))
                return; /* an undefined service: validate.c names it where it is written */
        if (!deps) {
                spec_map_set(svc, "depends_on", spec_node_new(SPEC_MAP, NULL, 0, 0));
                deps = spec_map_get(svc, "depends_on");
        }
        if (deps->kind != SPEC_MAP || spec_map_get(deps, name))
                return;
        d = spec_node_new(SPEC_MAP, NULL, 0, 0);
        spec_map_set(d, "condition", spec_node_new_scalar("service_started", NULL));
        spec_map_get(d, "condition")->quoted = true;
        if (restart)
                spec_map_set(d, "restart", spec_node_new_scalar("true", NULL));
        spec_map_set(d, "required", spec_node_new_scalar("true", NULL));
        spec_map_set(deps, name, d);
        deps->keys[deps->n - 1]->quoted = true;
}

/* links, volumes_from and `service:` namespaces imply a dependency (compose's normaliser). */
static void implicit_deps(const struct spec_node *services, struct spec_node *svc)
{
        static const char *const ns[] = {"network_mode", "ipc", "pid", "uts", "cgroup"};
        const struct spec_node *links = spec_map_get(svc, "links");
        const struct spec_node *vf = spec_map_get(svc, "volumes_from");

        for (size_t i = 0; links && links->kind == SPEC_SEQ && i < links->n; i++) {
                char *name = xstrndup(links->vals[i]->str, strcspn(links->vals[i]->str, ":"));

                add_dep(services, svc, name, true);
                free(name);
        }
        for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                const char *v = spec_map_str(svc, ns[i]);

                if (v && strncmp(v, "service:", 8) == 0)
                        add_dep(services, svc, v + 8, true);
        }
        for (size_t i = 0; vf && vf->kind == SPEC_SEQ && i < vf->n; i++) {
                char *name;

                if (strncmp(vf->vals[i]->str, "container:", 10) == 0)
                        continue;
                name = xstrndup(vf->vals[i]->str, strcspn(vf->vals[i]->str, ":"));
                add_dep(services, svc, name, false);
                free(name);
        }
}

/* ---- service selection -------------------------------------------------------------------- */

static void mark_with_deps(const struct spec_node *services, const char *name, char ***keep)
{
        const struct spec_node *svc = spec_map_get(services, name);
        const struct spec_node *deps = spec_map_get(svc, "depends_on");

        if (!svc || strv_contains(*keep, name))
                return;
        *keep = strv_push(*keep, name);
        for (size_t i = 0; deps && deps->kind == SPEC_MAP && i < deps->n; i++)
                mark_with_deps(services, spec_map_key(deps, i), keep);
}

/* `berth config web` / `up web`: the named services and their dependencies only. */
static void select_services(struct loader *l, struct spec_node *services)
{
        char **keep = NULL;

        strv_foreach (n, l->o->services) {
                if (!spec_map_get(services, n))
                        spec_diag_add(l->diags, SPEC_ERROR, NULL, 0, 0, NULL, "no such service: %s",
                                      n);
                mark_with_deps(services, n, &keep);
        }
        for (size_t i = 0; i < services->n;)
                if (strv_contains(keep, spec_map_key(services, i)))
                        i++;
                else
                        spec_node_remove(services, i);
        strv_free(keep);
}

/* ---- unused resources --------------------------------------------------------------------- */

static bool used_by(const struct spec_node *services, const char *kind, const char *key)
{
        for (size_t i = 0; i < services->n; i++) {
                const struct spec_node *r = spec_map_get(services->vals[i], kind);

                if (r && r->kind == SPEC_MAP && spec_map_get(r, key))
                        return true;
                for (size_t k = 0; r && r->kind == SPEC_SEQ && k < r->n; k++) {
                        const char *src = spec_map_str(r->vals[k], "source");
                        const char *type = spec_map_str(r->vals[k], "type");

                        if (src && strcmp(src, key) == 0 &&
                            (strcmp(kind, "volumes") != 0 || (type && !strcmp(type, "volume"))))
                                return true;
                }
        }
        return false;
}

/* Like compose, keep only the networks, volumes, secrets and configs a service uses. */
static void drop_unused(struct spec_node *tree)
{
        static const char *const kinds[] = {"networks", "volumes", "secrets", "configs"};
        const struct spec_node *services = spec_map_get(tree, "services");

        for (size_t k = 0; k < 4; k++) {
                struct spec_node *m = spec_map_get(tree, kinds[k]);

                for (size_t i = 0; m && m->kind == SPEC_MAP && i < m->n;)
                        if (used_by(services, kinds[k], spec_map_key(m, i)))
                                i++;
                        else
                                spec_node_remove(m, i);
                if (m && m->kind == SPEC_MAP && m->n == 0)
                        spec_map_del(tree, kinds[k]);
        }
}

/* ---- defaults ----------------------------------------------------------------------------- */

static struct spec_node *top_map(struct spec_node *tree, const char *key)
{
        struct spec_node *m = spec_map_get(tree, key);

        if (!m) {
                spec_map_set(tree, key, spec_node_new(SPEC_MAP, NULL, 0, 0));
                m = spec_map_get(tree, key);
        }
        return m;
}

static void default_networks(struct spec_node *tree)
{
        struct spec_node *services = spec_map_get(tree, "services");
        bool used = false;

        for (size_t i = 0; services && i < services->n; i++) {
                struct spec_node *svc = services->vals[i];

                if (spec_map_get(svc, "network_mode") || spec_map_get(svc, "networks"))
                        continue;
                spec_map_set(svc, "networks", spec_node_new(SPEC_MAP, NULL, 0, 0));
                spec_map_set(spec_map_get(svc, "networks"), "default",
                             spec_node_new(SPEC_SCALAR, NULL, 0, 0));
                used = true;
        }
        for (size_t i = 0; services && i < services->n; i++) {
                struct spec_node *nets = spec_map_get(services->vals[i], "networks");

                if (nets && spec_map_get(nets, "default"))
                        used = true;
        }
        if (used && !spec_map_get(top_map(tree, "networks"), "default"))
                spec_map_set(spec_map_get(tree, "networks"), "default",
                             spec_node_new(SPEC_MAP, NULL, 0, 0));
}

/* name: <project>_<key> unless set (external resources keep their key). */
static void default_names(struct spec_node *tree, const char *kind, const char *project)
{
        struct spec_node *m = spec_map_get(tree, kind);

        for (size_t i = 0; m && m->kind == SPEC_MAP && i < m->n; i++) {
                struct spec_node *r = m->vals[i];
                const char *ext = spec_map_str(r, "external");
                char *name;
                struct spec_node *n;

                if (r->kind != SPEC_MAP || spec_map_get(r, "name"))
                        continue;
                name = ext && strcmp(ext, "true") == 0
                               ? xstrdup(spec_map_key(m, i))
                               : xasprintf("%s_%s", project, spec_map_key(m, i));
                n = spec_node_new_scalar(name, r);
                n->quoted = true;
                spec_map_set(r, "name", n);
                free(name);
        }
}

/* name, services, networks, volumes, secrets, configs first; services sorted by name. */
struct pair {
        struct spec_node *k, *v;
};

static int cmp_pair(const void *a, const void *b)
{
        return strcmp(((const struct pair *)a)->k->str, ((const struct pair *)b)->k->str);
}

static void sort_map(struct spec_node *m)
{
        struct pair *p;

        if (!m || m->kind != SPEC_MAP || m->n < 2)
                return;
        p = xcalloc(m->n, sizeof(*p));
        for (size_t i = 0; i < m->n; i++)
                p[i] = (struct pair){m->keys[i], m->vals[i]};
        qsort(p, m->n, sizeof(*p), cmp_pair);
        for (size_t i = 0; i < m->n; i++) {
                m->keys[i] = p[i].k;
                m->vals[i] = p[i].v;
        }
        free(p);
}

static void order_top(struct spec_node *tree)
{
        static const char *const order[] = {"configs",  "secrets",  "volumes",
                                            "networks", "services", "name"};

        for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
                long i = spec_map_index(tree, order[o]);

                if (i <= 0)
                        continue;
                {
                        struct spec_node *k = tree->keys[i], *v = tree->vals[i];

                        memmove(&tree->keys[1], &tree->keys[0], (size_t)i * sizeof(*tree->keys));
                        memmove(&tree->vals[1], &tree->vals[0], (size_t)i * sizeof(*tree->vals));
                        tree->keys[0] = k;
                        tree->vals[0] = v;
                }
        }
        sort_map(spec_map_get(tree, "services"));
        for (size_t i = 0; i < spec_map_get(tree, "services")->n; i++)
                sort_map(spec_map_get(tree, "services")->vals[i]);
}

void spec_project_finish(struct loader *l, struct spec_node *tree, const char *name)
{
        struct spec_node *services = top_map(tree, "services");
        struct spec_node *n = spec_node_new_scalar(name, spec_map_get(tree, "name"));

        n->quoted = true;
        spec_map_set(tree, "name", n);
        apply_profiles(l, services);
        for (size_t i = 0; i < services->n; i++) {
                char *p = spec_path_key("services", spec_map_key(services, i));

                if (services->vals[i]->kind == SPEC_MAP)
                        resolve_environment(l, services->vals[i], p);
                free(p);
        }
        for (size_t i = 0; i < services->n; i++)
                if (services->vals[i]->kind == SPEC_MAP)
                        implicit_deps(services, services->vals[i]);
        default_networks(tree);
        default_names(tree, "networks", name);
        default_names(tree, "volumes", name);
        default_names(tree, "secrets", name);
        default_names(tree, "configs", name);
        order_top(tree);
        spec_validate(l, tree);
        if (l->o->services && l->o->services[0])
                select_services(l, services);
        drop_unused(tree);
}
