/* SPDX-License-Identifier: MIT */
/* spec/load: spec_project_load(): which files (-f, COMPOSE_FILE, discovery in the working
 * directory and its parents), which environment (.env or --env-file below the shell), which
 * project directory and name, then each file through load_file.c, merged in order. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/internal.h"
#include "spec/spec.h"
#include "spec/types.h"

static const char *const base_names[] = {"compose.yaml", "compose.yml", "docker-compose.yaml",
                                         "docker-compose.yml"};
static const char *const override_names[] = {"compose.override.yaml", "compose.override.yml",
                                             "docker-compose.override.yaml",
                                             "docker-compose.override.yml"};

static bool exists(const char *p)
{
        return access(p, F_OK) == 0;
}

static char *abs_from(const char *dir, const char *p)
{
        if (strcmp(p, "-") == 0 || p[0] == '/')
                return xstrdup(p);
        return spec_abs_path(dir, p, NULL, NULL);
}

static char *dir_of(const char *path)
{
        char *c = xstrdup(path), *d = xstrdup(dirname(c));

        free(c);
        return d;
}

/* ---- environment -------------------------------------------------------------------------- */

static int load_env_file(struct loader *l, const char *path, const char *display, bool required)
{
        size_t len;
        char *text, *msg = NULL;
        int line = 0;

        if (!required && !exists(path))
                return 0;
        text = spec_read_text(l, path, display, NULL, NULL, &len);
        if (!text)
                return -EINVAL;
        if (spec_dotenv_parse(text, len, l->shell, l->userdata, &l->dotenv, &line, &msg) < 0) {
                spec_diag_add(l->diags, SPEC_ERROR, display, line, 1, NULL, "%s", msg);
                free(msg);
                free(text);
                return -EINVAL;
        }
        free(text);
        return 0;
}

static int load_env(struct loader *l, const char *env_dir)
{
        char *dotenv;
        int r;

        if (l->o->no_external_files)
                return 0;
        strv_foreach (f, l->o->env_files) {
                char *abs = abs_from(l->cwd, f);

                r = load_env_file(l, abs, f, true);
                free(abs);
                if (r < 0)
                        return r;
        }
        if (l->o->env_files)
                return 0;
        dotenv = xasprintf("%s/.env", env_dir);
        r = load_env_file(l, dotenv, ".env", false);
        free(dotenv);
        return r;
}

/* ---- files -------------------------------------------------------------------------------- */

/* The first compose file in dir (and its override), or NULL. */
static char **discover_in(struct loader *l, const char *dir)
{
        char **found = NULL;

        for (size_t i = 0; i < 4; i++) {
                char *p = xasprintf("%s/%s", dir, base_names[i]);

                if (!exists(p)) {
                        free(p);
                        continue;
                }
                if (found)
                        spec_diag_add(l->diags, SPEC_WARNING, NULL, 0, 0, NULL,
                                      "found several compose files in %s; using %s", dir, found[0]);
                else
                        found = strv_push_take(found, p), p = NULL;
                free(p);
        }
        for (size_t i = 0; found && i < 4; i++) {
                char *p = xasprintf("%s/%s", dir, override_names[i]);

                if (exists(p)) {
                        found = strv_push_take(found, p);
                        break;
                }
                free(p);
        }
        return found;
}

static char **discover(struct loader *l, const char *start)
{
        char *dir = xstrdup(start);

        for (;;) {
                char **found = discover_in(l, dir);
                char *up;

                if (found || strcmp(dir, "/") == 0) {
                        free(dir);
                        return found;
                }
                up = dir_of(dir);
                free(dir);
                dir = up;
        }
}

static char **files_from_env(struct loader *l, const char *env_dir)
{
        const char *cf = spec_loader_env("COMPOSE_FILE", l);
        const char *sep = spec_loader_env("COMPOSE_PATH_SEPARATOR", l);
        char **parts, **out = NULL;

        if (!cf || !*cf)
                return NULL;
        parts = strv_split(cf, sep && *sep ? sep : ":");
        strv_foreach (p, parts)
                out = strv_push_take(out, abs_from(env_dir, p));
        strv_free(parts);
        return out;
}

static int pick_files(struct loader *l, const char *env_dir)
{
        strv_foreach (f, l->o->files)
                l->files = strv_push_take(l->files, abs_from(l->cwd, f));
        if (!l->files && l->o->buffer)
                l->files = strv_push(l->files, l->o->buffer_name ? l->o->buffer_name : "-");
        if (!l->files)
                l->files = files_from_env(l, env_dir);
        if (!l->files)
                l->files = discover(l, l->o->project_dir ? env_dir : l->cwd);
        if (!l->files) {
                spec_diag_add(l->diags, SPEC_ERROR, NULL, 0, 0, NULL,
                              "no configuration file provided: not found");
                return -EINVAL;
        }
        return 0;
}

/* How a file is named in messages: as given with -f, else relative to the working dir. */
static char *display_name(struct loader *l, size_t i)
{
        const char *f = l->files[i];
        size_t n = strlen(l->cwd);

        if (l->o->files && i < strv_length(l->o->files))
                return xstrdup(l->o->files[i]);
        if (strncmp(f, l->cwd, n) == 0 && f[n] == '/')
                return xstrdup(f + n + 1);
        return xstrdup(f);
}

/* ---- name --------------------------------------------------------------------------------- */

static char *project_name(struct loader *l, const struct spec_node *tree)
{
        const char *env = spec_loader_env("COMPOSE_PROJECT_NAME", l);
        const struct spec_node *top = spec_map_get(tree, "name");
        const char *base;

        if (l->o->project_name) {
                if (!spec_project_name_valid(l->o->project_name)) {
                        spec_diag_add(l->diags, SPEC_ERROR, NULL, 0, 0, NULL,
                                      "invalid project name \"%s\": must consist only of "
                                      "lowercase alphanumeric characters, hyphens, and "
                                      "underscores as well as start with a letter or number",
                                      l->o->project_name);
                        return NULL;
                }
                return xstrdup(l->o->project_name);
        }
        if (env && *env)
                return spec_project_name_normalize(env);
        if (top && top->kind == SPEC_SCALAR && *top->str) {
                char *n = spec_project_name_normalize(top->str);

                if (*n)
                        return n;
                free(n);
        }
        base = strrchr(l->project_dir, '/');
        return spec_project_name_normalize(base && base[1] ? base + 1 : l->project_dir);
}

/* ---- the whole load ----------------------------------------------------------------------- */

static struct spec_node *load_all(struct loader *l)
{
        struct spec_node *tree = NULL;

        for (size_t i = 0; l->files[i]; i++) {
                char *disp = display_name(l, i);
                struct spec_node *doc = spec_load_file(l, l->files[i], disp, l->project_dir, NULL);

                free(disp);
                if (!doc)
                        continue;
                if (!tree)
                        tree = doc;
                else
                        spec_merge(tree, doc, "");
        }
        return tree;
}

/* Resources from `include` join the project; the project may not redefine them. */
static void add_imports(struct loader *l, struct spec_node *tree)
{
        if (!l->imports)
                return;
        for (size_t k = 0; k < l->imports->n; k++) {
                const char *kind = spec_map_key(l->imports, k);
                struct spec_node *src = l->imports->vals[k], *dst = spec_map_get(tree, kind);

                if (!dst) {
                        spec_map_set(tree, kind, spec_node_new(SPEC_MAP, NULL, 0, 0));
                        dst = spec_map_get(tree, kind);
                }
                for (size_t i = 0; i < src->n; i++) {
                        long at = spec_map_index(dst, spec_map_key(src, i));

                        if (at >= 0) {
                                spec_err(l->diags, dst->keys[at], kind,
                                         "\"%s\" conflicts with an imported resource",
                                         spec_map_key(src, i));
                                continue;
                        }
                        spec_map_set(dst, spec_map_key(src, i), spec_node_copy(src->vals[i]));
                }
        }
}

static void loader_done(struct loader *l)
{
        spec_dotenv_done(&l->dotenv);
        free(l->cwd);
        free(l->project_dir);
        strv_free(l->stack);
        strv_free(l->files);
        strv_free(l->all_profiles);
        strv_free(l->disabled);
        spec_node_free(l->imports);
}

static int loader_setup(struct loader *l)
{
        const struct spec_load_opts *o = l->o;
        char *env_dir;
        int r;

        l->cwd = o->cwd ? xstrdup(o->cwd) : getcwd(NULL, 0);
        if (!l->cwd)
                return -errno;
        if (o->project_dir) {
                env_dir = abs_from(l->cwd, o->project_dir);
        } else if (o->files && strcmp(o->files[0], "-") != 0) {
                char *abs = abs_from(l->cwd, o->files[0]);

                env_dir = dir_of(abs);
                free(abs);
        } else {
                env_dir = xstrdup(l->cwd);
        }
        r = load_env(l, env_dir);
        if (r == 0)
                r = pick_files(l, env_dir);
        if (r == 0)
                l->project_dir = o->project_dir                               ? xstrdup(env_dir)
                                 : strcmp(l->files[0], "-") == 0 || o->buffer ? xstrdup(l->cwd)
                                                                              : dir_of(l->files[0]);
        free(env_dir);
        return r;
}

int spec_project_load(const struct spec_load_opts *opts, spec_env_lookup_fn lookup, void *userdata,
                      struct spec_project **ret, struct spec_diags *diags, struct berr **err)
{
        struct loader l = {.o = opts, .shell = lookup, .userdata = userdata, .diags = diags};
        struct spec_node *tree = NULL;
        char *name = NULL;
        int r;

        *ret = NULL;
        r = loader_setup(&l);
        if (r < -EINVAL || (r < 0 && r != -EINVAL)) {
                loader_done(&l);
                return berr_set(err, -r, "determine the working directory");
        }
        if (r == 0)
                tree = load_all(&l);
        if (tree) {
                add_imports(&l, tree);
                spec_strip_resets(tree);
                name = project_name(&l, tree);
        }
        if (tree && name)
                spec_project_finish(&l, tree, name);
        if (tree && spec_diags_count(diags, SPEC_ERROR) == 0) {
                *ret = spec_model_build(TAKE_PTR(tree), l.project_dir);
                (*ret)->files = TAKE_PTR(l.files);
                (*ret)->names = TAKE_PTR(l.names);
                (*ret)->all_profiles = TAKE_PTR(l.all_profiles);
                (*ret)->disabled_services = TAKE_PTR(l.disabled);
        }
        spec_node_free(tree);
        free(name);
        strv_free(l.names);
        spec_diags_sort(diags);
        loader_done(&l);
        return *ret ? 0 : -EINVAL;
}
