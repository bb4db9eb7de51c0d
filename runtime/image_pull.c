/* SPDX-License-Identifier: MIT */
/* image_pull: reference -> registry manifest (index resolved to the platform) -> blobs in
 * parallel, verified -> layers unpacked once -> reference recorded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "runtime/image.h"
#include "runtime/image_internal.h"
#include "runtime/manifest.h"
#include "runtime/reference.h"
#include "runtime/registry.h"
#include "runtime/store.h"

#define PULL_PARALLEL 4

struct pull {
        struct reference ref;
        char *ref_text; /* canonical */
        struct store *store;
        struct registry *reg;
        const struct image_pull_opts *opts;
        struct manifest manifest;
        char *manifest_digest;
        struct image_config config;
};

static void pull_done(struct pull *p)
{
        reference_done(&p->ref);
        free(p->ref_text);
        store_free(p->store);
        registry_free(p->reg);
        manifest_done(&p->manifest);
        free(p->manifest_digest);
        image_config_done(&p->config);
}

static void report(struct pull *p, enum image_progress_event ev, const char *digest, int64_t cur,
                   int64_t total)
{
        struct image_progress ip = {ev, p->ref_text, digest, cur, total};

        if (p->opts && p->opts->progress)
                p->opts->progress(&ip, p->opts->userdata);
}

static void on_blob_progress(const char *digest, int64_t cur, int64_t total, int done, void *ud)
{
        struct pull *p = ud;

        if (strcmp(digest, p->manifest.config.digest) == 0)
                return;
        report(p,
               done == 2 ? IMAGE_PROGRESS_EXISTS
               : done    ? IMAGE_PROGRESS_VERIFIED
                         : IMAGE_PROGRESS_DOWNLOADING,
               digest, cur, total);
}

/* Fetch the manifest for `ref`, store it, parse it. */
static int fetch_manifest(struct pull *p, const char *ref, char **ret_digest, struct manifest *ret,
                          struct berr **err)
{
        cleanup_free char *body = NULL, *ctype = NULL, *digest = NULL;
        size_t len;
        int r;

        r = registry_get_manifest(p->reg, ref, &body, &len, &ctype, &digest, err);
        if (r < 0)
                return r;
        r = manifest_parse(body, len, ctype, ret, err);
        if (r < 0)
                return berr_wrap(err, "manifest `%s`", ref);
        r = store_put_blob(p->store, body, len, digest, NULL, err);
        if (r < 0) {
                manifest_done(ret);
                return r;
        }
        *ret_digest = TAKE_PTR(digest);
        return 0;
}

static int resolve_manifest(struct pull *p, struct berr **err)
{
        const char *want = p->ref.digest ? p->ref.digest : p->ref.tag;
        struct platform plat = {0};
        const struct descriptor *d;
        struct manifest index = {0};
        cleanup_free char *index_digest = NULL;
        int r;

        r = fetch_manifest(p, want, &p->manifest_digest, &p->manifest, err);
        if (r < 0 || !manifest_is_index(&p->manifest))
                return r;
        index = p->manifest;
        memset(&p->manifest, 0, sizeof(p->manifest));
        index_digest = TAKE_PTR(p->manifest_digest);
        if (p->opts && p->opts->platform)
                r = platform_parse(p->opts->platform, &plat, err);
        else
                platform_host(&plat);
        if (r >= 0)
                r = manifest_select(&index, &plat, &d, err);
        if (r >= 0) {
                cleanup_free char *sub = xstrdup(d->digest);

                r = fetch_manifest(p, sub, &p->manifest_digest, &p->manifest, err);
                if (r >= 0 && manifest_is_index(&p->manifest))
                        r = berr_msg(err, EINVAL, "index %s points to another index", sub);
        }
        platform_done(&plat);
        manifest_done(&index);
        return r;
}

static int fetch_config(struct pull *p, struct berr **err)
{
        cleanup_free char *buf = NULL;
        size_t len;
        int r;

        r = registry_fetch_blobs(p->reg, p->store, &p->manifest.config, 1, 1, NULL, NULL, err);
        if (r < 0)
                return r;
        r = store_read_blob(p->store, p->manifest.config.digest, CONFIG_MAX_SIZE, &buf, &len, err);
        if (r < 0)
                return r;
        r = image_config_parse(buf, len, &p->config, err);
        if (r < 0)
                return r;
        return image_check_layers(&p->manifest, &p->config, err);
}

struct unpack_ctx {
        struct pull *p;
        char **digests;
        size_t *index; /* position in the manifest */
};

static void on_layer(size_t i, int done, void *ud)
{
        struct unpack_ctx *u = ud;
        const struct descriptor *d = &u->p->manifest.layers[u->index[i]];

        report(u->p, done ? IMAGE_PROGRESS_DONE : IMAGE_PROGRESS_EXTRACTING, d->digest,
               done ? d->size : 0, d->size);
}

static int fetch_layers(struct pull *p, struct berr **err)
{
        const struct manifest *m = &p->manifest;
        cleanup_free struct descriptor *todo = xcalloc(m->n_layers + 1, sizeof(*todo));
        cleanup_free char **digests = xcalloc(m->n_layers + 1, sizeof(char *));
        cleanup_free char **diff_ids = xcalloc(m->n_layers + 1, sizeof(char *));
        cleanup_free size_t *index = xcalloc(m->n_layers + 1, sizeof(size_t));
        struct unpack_ctx u = {p, digests, index};
        size_t n = 0;
        int r;

        for (size_t i = 0; i < m->n_layers; i++) {
                if (store_has_layer(p->store, p->config.diff_ids[i])) {
                        report(p, IMAGE_PROGRESS_EXISTS, m->layers[i].digest, 0, m->layers[i].size);
                        continue;
                }
                report(p, IMAGE_PROGRESS_WAITING, m->layers[i].digest, 0, m->layers[i].size);
                todo[n] = m->layers[i];
                digests[n] = m->layers[i].digest;
                diff_ids[n] = p->config.diff_ids[i];
                index[n++] = i;
        }
        r = registry_fetch_blobs(p->reg, p->store, todo, n, PULL_PARALLEL, on_blob_progress, p,
                                 err);
        if (r < 0)
                return r;
        /* unpacking is bound by file creation latency, so layers go in parallel */
        return image_ensure_layers(p->store, digests, diff_ids, n, PULL_PARALLEL, on_layer, &u,
                                   err);
}

static int pull_run(struct pull *p, const char *root, struct berr **err)
{
        cleanup_close int gc = -1;
        int r;

        r = store_open(root, &p->store, err);
        if (r < 0)
                return r;
        gc = store_lock_gc(p->store, false, err);
        if (gc < 0)
                return gc;
        r = registry_open(p->ref.domain, p->ref.path, &p->reg, err);
        if (r < 0)
                return r;
        r = resolve_manifest(p, err);
        if (r < 0)
                return r;
        report(p, IMAGE_PROGRESS_RESOLVED, p->manifest_digest, 0, 0);
        r = fetch_config(p, err);
        if (r < 0)
                return r;
        r = fetch_layers(p, err);
        if (r < 0)
                return r;
        return store_ref_set(p->store, p->ref_text, p->manifest_digest, p->manifest.config.digest,
                             err);
}

int image_pull(const char *root, const char *name, const struct image_pull_opts *opts,
               char **ret_id, struct berr **err)
{
        struct pull p = {.opts = opts};
        int r;

        r = reference_parse(name, &p.ref, err);
        if (r < 0)
                return r;
        p.ref_text = reference_string(&p.ref);
        r = pull_run(&p, root, err);
        if (r < 0)
                berr_wrap(err, "pull `%s`", name);
        else if (ret_id)
                *ret_id = xstrdup(p.manifest.config.digest);
        pull_done(&p);
        return r;
}
