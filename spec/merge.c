/* SPDX-License-Identifier: MIT */
/* spec/merge: compose's rules for layering one normalised file over another (and an extending
 * service over the one it extends): mappings merge key by key; `command`, `entrypoint`,
 * `healthcheck.test` and `profiles` are replaced; `ports` de-duplicate; `volumes`, `secrets`,
 * `configs`, `env_file` are keyed (by target or path) with the later file winning; other lists
 * append without duplicates; scalars are replaced. `!reset` removes, `!override` replaces. */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "spec/internal.h"

static bool node_equal(const struct spec_node *a, const struct spec_node *b)
{
        if (a->kind != b->kind || a->n != b->n)
                return false;
        if (a->kind == SPEC_SCALAR)
                return strcmp(a->str, b->str) == 0;
        for (size_t i = 0; i < a->n; i++) {
                if (a->kind == SPEC_MAP && strcmp(a->keys[i]->str, b->keys[i]->str) != 0)
                        return false;
                if (!node_equal(a->vals[i], b->vals[i]))
                        return false;
        }
        return true;
}

static bool ends_with(const char *pat, const char *suffix)
{
        size_t a = strlen(pat), b = strlen(suffix);

        return a >= b && strcmp(pat + a - b, suffix) == 0;
}

/* The key an entry of a keyed list is identified by, or NULL for plain lists. */
static const char *list_key(const char *pat, const struct spec_node *it)
{
        if (it->kind != SPEC_MAP)
                return NULL;
        if (strcmp(pat, "services.*.volumes") == 0)
                return spec_map_str(it, "target");
        if (strcmp(pat, "services.*.secrets") == 0 || strcmp(pat, "services.*.configs") == 0) {
                const char *t = spec_map_str(it, "target");

                return t ? t : spec_map_str(it, "source");
        }
        if (strcmp(pat, "services.*.env_file") == 0)
                return spec_map_str(it, "path");
        if (strcmp(pat, "services.*.devices") == 0)
                return spec_map_str(it, "target");
        return NULL;
}

static bool replaces_list(const char *pat)
{
        return strcmp(pat, "services.*.command") == 0 ||
               strcmp(pat, "services.*.entrypoint") == 0 ||
               strcmp(pat, "services.*.healthcheck.test") == 0 ||
               strcmp(pat, "services.*.profiles") == 0 || ends_with(pat, ".ipam.config");
}

static void merge_list(struct spec_node *base, struct spec_node *over, const char *pat)
{
        for (size_t i = 0; i < over->n; i++) {
                struct spec_node *it = over->vals[i];
                const char *k = list_key(pat, it);
                bool placed = false;

                for (size_t j = 0; j < base->n && !placed; j++) {
                        const char *bk = list_key(pat, base->vals[j]);

                        if ((k && bk && strcmp(k, bk) == 0) || node_equal(base->vals[j], it)) {
                                spec_node_free(base->vals[j]);
                                base->vals[j] = it;
                                placed = true;
                        }
                }
                if (!placed)
                        spec_seq_push(base, it);
                over->vals[i] = NULL;
        }
        over->n = 0;
        spec_node_free(over);
}

static void clear_tag(struct spec_node *n, const char *tag)
{
        if (spec_node_has_tag(n, tag)) {
                free(n->tag);
                n->tag = NULL;
        }
}

static void merge_value(struct spec_node *base, struct spec_node *over, const char *pat);

static char *child_pat(const char *pat, const char *key)
{
        if (strcmp(pat, "services") == 0)
                return xstrdup("services.*");
        return *pat ? xasprintf("%s.%s", pat, key) : xstrdup(key);
}

static void merge_map(struct spec_node *base, struct spec_node *over, const char *pat)
{
        for (size_t i = 0; i < over->n; i++) {
                const char *k = over->keys[i]->str;
                struct spec_node *v = over->vals[i];
                long bi = spec_map_index(base, k);
                char *cp;

                if (spec_node_has_tag(v, "!reset")) {
                        if (bi >= 0)
                                spec_node_remove(base, (size_t)bi);
                        continue;
                }
                over->vals[i] = NULL;
                if (bi < 0) {
                        clear_tag(v, "!override");
                        spec_map_push(base, over->keys[i], v);
                        over->keys[i] = NULL;
                        continue;
                }
                cp = child_pat(pat, k);
                merge_value(base->vals[bi], v, cp);
                free(cp);
        }
        spec_node_free(over);
}

/* Merge over into base in place; over is consumed. */
static void merge_value(struct spec_node *base, struct spec_node *over, const char *pat)
{
        if (spec_node_has_tag(over, "!override") || base->kind != over->kind ||
            over->kind == SPEC_SCALAR || (over->kind == SPEC_SEQ && replaces_list(pat))) {
                clear_tag(over, "!override");
                spec_node_replace(base, over);
                return;
        }
        if (over->kind == SPEC_MAP)
                merge_map(base, over, pat);
        else
                merge_list(base, over, pat);
}

void spec_merge(struct spec_node *base, struct spec_node *over, const char *path)
{
        merge_value(base, over, path);
}

void spec_strip_resets(struct spec_node *n)
{
        if (n->kind == SPEC_SCALAR)
                return;
        for (size_t i = 0; i < n->n;) {
                if (spec_node_has_tag(n->vals[i], "!reset")) {
                        spec_node_remove(n, i);
                        continue;
                }
                clear_tag(n->vals[i], "!override");
                spec_strip_resets(n->vals[i]);
                i++;
        }
}
