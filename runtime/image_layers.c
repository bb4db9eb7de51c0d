/* SPDX-License-Identifier: MIT */
/* Unpacked layers in the store: built in tmp/, verified against the diff_id, renamed whole. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/fdutil.h"
#include "common/xalloc.h"
#include "runtime/image_internal.h"
#include "runtime/manifest.h"
#include "runtime/store.h"
#include "runtime/unpack.h"

static int unpack_into(struct store *s, const char *digest, const char *diff_id, const char *tmp,
                       struct berr **err)
{
        cleanup_free char *diff = xasprintf("%s/diff", tmp), *size_path = NULL, *size = NULL;
        cleanup_close int in = -1, dir = -1;
        struct unpack_result res = {0};
        int r;

        if (mkdir(diff, 0755) < 0)
                return berr_set(err, errno, "create `%s`", diff);
        dir = open(diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return berr_set(err, errno, "open `%s`", diff);
        r = store_open_blob(s, digest, &in, err);
        if (r < 0)
                return r;
        r = unpack_layer(in, dir, digest, &res, err);
        if (r < 0)
                return r;
        if (strcmp(res.diff_id, diff_id) != 0) {
                r = berr_msg(err, EBADMSG,
                             "layer %s: digest mismatch: uncompressed content hashes to %s, the "
                             "image config says %s",
                             digest, res.diff_id, diff_id);
                unpack_result_done(&res);
                return r;
        }
        fault_point("pull.unpack"); /* test hook: killed with an unpacked, uncommitted layer */
        size_path = xasprintf("%s/size", tmp);
        size = xasprintf("%" PRIu64 "\n", res.bytes);
        unpack_result_done(&res);
        return atomic_write_file(size_path, size, strlen(size), 0644, err);
}

int image_ensure_layer(struct store *s, const char *digest, const char *diff_id, struct berr **err)
{
        cleanup_close int lock = -1;
        cleanup_free char *tmp = NULL;
        int r;

        if (store_has_layer(s, diff_id))
                return 0;
        lock = store_lock_layer(s, diff_id, err);
        if (lock < 0)
                return lock;
        if (store_has_layer(s, diff_id))
                return 0; /* another pull unpacked it while we waited */
        r = store_layer_tmpdir(s, &tmp, err);
        if (r < 0)
                return r;
        r = unpack_into(s, digest, diff_id, tmp, err);
        if (r >= 0)
                r = store_layer_commit(s, tmp, diff_id, err);
        if (r < 0) {
                struct berr *tmp_err = NULL;

                (void)store_remove_tree(s, tmp, &tmp_err);
                berr_free(tmp_err);
        }
        return r;
}

struct layer_queue {
        pthread_mutex_t lock;
        struct store *store;
        char *const *digests, *const *diff_ids;
        size_t n, next;
        image_layer_fn cb;
        void *userdata;
        struct berr *err; /* first error */
};

static void *layer_worker(void *arg)
{
        struct layer_queue *q = arg;

        for (;;) {
                struct berr *err = NULL;
                size_t i;
                int r;

                pthread_mutex_lock(&q->lock);
                if (q->next >= q->n || q->err) {
                        pthread_mutex_unlock(&q->lock);
                        return NULL;
                }
                i = q->next++;
                if (q->cb)
                        q->cb(i, 0, q->userdata);
                pthread_mutex_unlock(&q->lock);
                r = image_ensure_layer(q->store, q->digests[i], q->diff_ids[i], &err);
                pthread_mutex_lock(&q->lock);
                if (r < 0 && !q->err)
                        q->err = err;
                else
                        berr_free(err);
                if (r >= 0 && q->cb)
                        q->cb(i, 1, q->userdata);
                pthread_mutex_unlock(&q->lock);
        }
}

int image_ensure_layers(struct store *s, char *const *digests, char *const *diff_ids, size_t n,
                        int parallel, image_layer_fn cb, void *userdata, struct berr **err)
{
        struct layer_queue q = {.store = s,
                                .digests = digests,
                                .diff_ids = diff_ids,
                                .n = n,
                                .cb = cb,
                                .userdata = userdata};
        pthread_t threads[8];
        int nt = 0;

        if (parallel > 8)
                parallel = 8;
        pthread_mutex_init(&q.lock, NULL);
        /* the calling thread is a worker too */
        for (; nt < parallel - 1 && (size_t)nt + 1 < n; nt++)
                if (pthread_create(&threads[nt], NULL, layer_worker, &q) != 0)
                        break;
        layer_worker(&q);
        for (int i = 0; i < nt; i++)
                pthread_join(threads[i], NULL);
        pthread_mutex_destroy(&q.lock);
        if (q.err) {
                *err = q.err;
                return -q.err->code;
        }
        return 0;
}

int image_check_layers(const struct manifest *m, const struct image_config *c, struct berr **err)
{
        size_t n = 0;

        while (c->diff_ids[n])
                n++;
        if (n != m->n_layers)
                return berr_msg(err, EINVAL,
                                "the manifest lists %zu layers but the config has %zu diff_ids",
                                m->n_layers, n);
        return 0;
}

int image_read(struct store *s, const char *manifest_digest, struct manifest *ret_manifest,
               struct image_config *ret_config, struct berr **err)
{
        cleanup_free char *mbuf = NULL, *cbuf = NULL;
        size_t mlen, clen;
        int r;

        r = store_read_blob(s, manifest_digest, MANIFEST_MAX_SIZE, &mbuf, &mlen, err);
        if (r < 0)
                return r;
        r = manifest_parse(mbuf, mlen, NULL, ret_manifest, err);
        if (r < 0)
                return berr_wrap(err, "manifest %s", manifest_digest);
        if (manifest_is_index(ret_manifest)) {
                manifest_done(ret_manifest);
                return berr_msg(err, EINVAL, "%s is an index, not an image manifest",
                                manifest_digest);
        }
        r = store_read_blob(s, ret_manifest->config.digest, CONFIG_MAX_SIZE, &cbuf, &clen, err);
        if (r >= 0)
                r = image_config_parse(cbuf, clen, ret_config, err);
        if (r >= 0) {
                r = image_check_layers(ret_manifest, ret_config, err);
                if (r < 0)
                        image_config_done(ret_config);
        }
        if (r < 0)
                manifest_done(ret_manifest);
        return r;
}
