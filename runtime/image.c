/* SPDX-License-Identifier: MIT */
/* Images in the store: open by reference or ID, list, remove with garbage collection. */
#include "runtime/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/digest.h"
#include "runtime/image_internal.h"
#include "runtime/manifest.h"
#include "runtime/reference.h"
#include "runtime/store.h"

void image_free(struct image *img)
{
        if (!img)
                return;
        free(img->id);
        free(img->manifest_digest);
        strv_free(img->layer_dirs);
        image_config_done(&img->config);
        free(img);
}

void image_freep(struct image **img)
{
        image_free(*img);
        *img = NULL;
}

static bool is_hex(const char *s)
{
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

/* An ID ("sha256:<hex>" or a hex prefix of at least 12) matching exactly one image. */
static int find_by_id(struct store *s, const char *name, struct store_ref *ret, struct berr **err)
{
        const char *hex = strncmp(name, "sha256:", 7) == 0 ? name + 7 : name;
        struct store_ref *refs = NULL;
        size_t n = 0, found = SIZE_MAX;
        int r;

        if (strlen(hex) < 12 || strlen(hex) > 64 || !is_hex(hex))
                return -ENOENT;
        r = store_ref_list(s, &refs, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if (strncmp(digest_hex(refs[i].config), hex, strlen(hex)) != 0)
                        continue;
                if (found != SIZE_MAX && strcmp(refs[found].config, refs[i].config) != 0) {
                        store_refs_free(refs, n);
                        return berr_msg(err, EINVAL, "image ID prefix `%s` is ambiguous", name);
                }
                found = i;
        }
        if (found == SIZE_MAX) {
                store_refs_free(refs, n);
                return -ENOENT;
        }
        *ret = refs[found];
        memset(&refs[found], 0, sizeof(refs[found]));
        store_refs_free(refs, n);
        return 0;
}

/* Resolve name to a recorded reference (by reference first, then by ID). */
static int resolve(struct store *s, const char *name, struct store_ref *ret, struct berr **err)
{
        struct reference ref = {0};
        cleanup_free char *canon = NULL;
        struct berr *perr = NULL;
        int r;

        r = find_by_id(s, name, ret, err);
        if (r != -ENOENT)
                return r;
        if (reference_parse(name, &ref, &perr) < 0) {
                *err = perr;
                return -EINVAL;
        }
        canon = reference_string(&ref);
        reference_done(&ref);
        r = store_ref_get(s, canon, ret, err);
        if (r == -ENOENT) {
                berr_freep(err);
                return berr_msg(err, ENOENT, "image `%s` not found", name);
        }
        return r;
}

static int open_image(struct store *s, const struct store_ref *sr, struct image **ret,
                      struct berr **err)
{
        struct manifest m = {0};
        struct image *img = xcalloc(1, sizeof(*img));
        size_t n;
        int r;

        r = image_read(s, sr->manifest, &m, &img->config, err);
        if (r < 0) {
                free(img);
                return r;
        }
        img->id = xstrdup(m.config.digest);
        img->manifest_digest = xstrdup(sr->manifest);
        n = m.n_layers;
        img->layer_dirs = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                const char *diff_id = img->config.diff_ids[n - 1 - i];
                cleanup_free char *dir = store_layer_path(s, diff_id);

                if (!store_has_layer(s, diff_id)) {
                        r = berr_msg(err, ENOENT, "layer %s of image `%s` is missing", diff_id,
                                     sr->ref);
                        break;
                }
                img->layer_dirs[i] = xasprintf("%s/diff", dir);
        }
        manifest_done(&m);
        if (r < 0) {
                image_free(img);
                return r;
        }
        *ret = img;
        return 0;
}

int image_open(const char *root, const char *name, struct image **ret, struct berr **err)
{
        CLEANUP(store_freep) struct store *s = NULL;
        struct store_ref sr = {0};
        int r;

        r = store_open(root, &s, err);
        if (r < 0)
                return r;
        r = resolve(s, name, &sr, err);
        if (r >= 0)
                r = open_image(s, &sr, ret, err);
        store_ref_done(&sr);
        return r;
}

/* ---- list ----------------------------------------------------------------------------------- */

static int64_t layer_size(struct store *s, const char *diff_id)
{
        cleanup_free char *dir = store_layer_path(s, diff_id);
        cleanup_free char *path = xasprintf("%s/size", dir);
        cleanup_free char *buf = NULL;
        struct berr *tmp = NULL;
        size_t len;

        if (read_file(path, 64, &buf, &len, &tmp) < 0) {
                berr_free(tmp);
                return 0;
        }
        return strtoll(buf, NULL, 10);
}

static void summarize(struct store *s, const struct store_ref *sr, struct image_summary *out)
{
        struct manifest m = {0};
        struct image_config c = {0};
        struct berr *tmp = NULL;

        out->ref = strncmp(sr->ref, "sha256:", 7) == 0 ? NULL : xstrdup(sr->ref);
        out->id = xstrdup(sr->config);
        out->digest = xstrdup(sr->manifest);
        if (image_read(s, sr->manifest, &m, &c, &tmp) < 0) {
                berr_free(tmp);
                return;
        }
        out->created = c.created ? xstrdup(c.created) : NULL;
        for (size_t i = 0; c.diff_ids[i]; i++)
                out->size += layer_size(s, c.diff_ids[i]);
        manifest_done(&m);
        image_config_done(&c);
}

static int cmp_summary(const void *a, const void *b)
{
        const struct image_summary *x = a, *y = b;

        return strcmp(x->ref ? x->ref : x->id, y->ref ? y->ref : y->id);
}

int image_list(const char *root, struct image_summary **ret, size_t *ret_n, struct berr **err)
{
        CLEANUP(store_freep) struct store *s = NULL;
        struct store_ref *refs = NULL;
        struct image_summary *out;
        size_t n = 0;
        int r;

        r = store_open(root, &s, err);
        if (r < 0)
                return r;
        r = store_ref_list(s, &refs, &n, err);
        if (r < 0)
                return r;
        out = xcalloc(n + 1, sizeof(*out));
        for (size_t i = 0; i < n; i++)
                summarize(s, &refs[i], &out[i]);
        qsort(out, n, sizeof(*out), cmp_summary);
        store_refs_free(refs, n);
        *ret = out;
        *ret_n = n;
        return 0;
}

void image_summaries_free(struct image_summary *s, size_t n)
{
        for (size_t i = 0; s && i < n; i++) {
                free(s[i].ref);
                free(s[i].id);
                free(s[i].digest);
                free(s[i].created);
        }
        free(s);
}

/* ---- remove + garbage collection ------------------------------------------------------------ */

/* Everything the remaining references need: manifests, configs, layer blobs, diff_ids. */
static char **live_set(struct store *s, struct store_ref *refs, size_t n)
{
        char **live = NULL;

        for (size_t i = 0; i < n; i++) {
                struct manifest m = {0};
                struct image_config c = {0};
                struct berr *tmp = NULL;

                live = strv_push(live, digest_hex(refs[i].manifest));
                live = strv_push(live, digest_hex(refs[i].config));
                if (image_read(s, refs[i].manifest, &m, &c, &tmp) < 0) {
                        berr_free(tmp);
                        continue;
                }
                for (size_t j = 0; j < m.n_layers; j++) {
                        live = strv_push(live, digest_hex(m.layers[j].digest));
                        live = strv_push(live, digest_hex(c.diff_ids[j]));
                }
                manifest_done(&m);
                image_config_done(&c);
        }
        return live;
}

static void sweep(struct store *s, const char *sub, char **live)
{
        cleanup_free char *dir = xasprintf("%s/%s", store_path(s), sub);
        cleanup_closedir DIR *d = opendir(dir);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                cleanup_free char *path = NULL;
                struct berr *tmp = NULL;

                if (de->d_name[0] == '.' || strv_contains(live, de->d_name))
                        continue;
                path = xasprintf("%s/%s", dir, de->d_name);
                (void)store_remove_tree(s, path, &tmp);
                berr_free(tmp);
        }
}

static int collect_garbage(struct store *s, struct berr **err)
{
        cleanup_close int gc = -1;
        cleanup_strv char **live = NULL;
        struct store_ref *refs = NULL;
        size_t n = 0;
        int r;

        gc = store_lock_gc(s, true, err);
        if (gc < 0)
                return gc;
        r = store_ref_list(s, &refs, &n, err);
        if (r < 0)
                return r;
        live = live_set(s, refs, n);
        store_refs_free(refs, n);
        sweep(s, "blobs/sha256", live);
        sweep(s, "layers", live);
        return 0;
}

int image_remove(const char *root, const char *name, struct berr **err)
{
        CLEANUP(store_freep) struct store *s = NULL;
        struct store_ref sr = {0};
        int r;

        r = store_open(root, &s, err);
        if (r < 0)
                return r;
        r = resolve(s, name, &sr, err);
        if (r < 0)
                return r;
        r = store_ref_remove(s, sr.ref, err);
        store_ref_done(&sr);
        if (r < 0)
                return r;
        return collect_garbage(s, err);
}
