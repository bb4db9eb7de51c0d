/* SPDX-License-Identifier: MIT */
/* runtime/store: the content-addressed image store under $BERTH_ROOT/images.
 *   blobs/sha256/<hex>   manifests, configs, compressed layers; a blob appears under its digest
 *                        only after its bytes were hashed and matched (O_TMPFILE + linkat, or a
 *                        temp file + rename): a partial or corrupt blob is never visible
 *   layers/<hex>/        unpacked layer trees keyed by diff_id, shared by every image; built in
 *                        tmp/ and renamed into place whole
 *   refs.json            reference -> {manifest, config} index, rewritten atomically
 *   locks/               flock files: one per layer (concurrent pulls unpack once), refs, gc
 *   tmp/                 work space; entries of dead processes are removed by store_open()
 * Digests passed in must be valid "sha256:<64 hex>" (checked: they become file names). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;
struct store;
struct store_writer;

int store_open(const char *berth_root, struct store **ret, struct berr **err);
void store_free(struct store *s);
void store_freep(struct store **s);
const char *store_path(const struct store *s);

/* ---- blobs ---- */
bool store_has_blob(struct store *s, const char *digest);
/* Absolute path of a blob (caller frees); the blob may not exist. */
char *store_blob_path(struct store *s, const char *digest);
/* Open a blob read-only; -ENOENT when absent. */
int store_open_blob(struct store *s, const char *digest, int *ret_fd, struct berr **err);
/* Read a whole blob (at most max bytes) and check it still hashes to its digest. */
int store_read_blob(struct store *s, const char *digest, size_t max, char **ret_buf,
                    size_t *ret_len, struct berr **err);
/* Streamed write of a blob expected to hash to `digest` (and be `size` bytes, -1 = unknown). */
int store_blob_begin(struct store *s, const char *digest, int64_t size, struct store_writer **ret,
                     struct berr **err);
int store_blob_write(struct store_writer *w, const void *buf, size_t len, struct berr **err);
int64_t store_blob_written(const struct store_writer *w);
/* Verify and publish; on mismatch -EBADMSG "digest mismatch" and nothing is published. Frees w. */
int store_blob_commit(struct store_writer *w, struct berr **err);
/* Drop a write in progress (NULL-safe); nothing is left behind. */
void store_blob_abort(struct store_writer *w);
/* Whole-buffer write; digest NULL = compute it. ret_digest optional. */
int store_put_blob(struct store *s, const void *buf, size_t len, const char *digest,
                   char **ret_digest, struct berr **err);

/* ---- unpacked layers ---- */
/* layers/<hex> for a diff_id (caller frees). */
char *store_layer_path(struct store *s, const char *diff_id);
bool store_has_layer(struct store *s, const char *diff_id);
/* Exclusive flock on the layer's lock file; returns the fd to close to unlock. */
int store_lock_layer(struct store *s, const char *diff_id, struct berr **err);
/* A fresh empty directory under tmp/ to unpack into (caller frees the path). */
int store_layer_tmpdir(struct store *s, char **ret_path, struct berr **err);
/* Rename tmp into layers/<hex>; if it appeared meanwhile, tmp is removed. */
int store_layer_commit(struct store *s, const char *tmp, const char *diff_id, struct berr **err);
/* rm -rf of a path inside the store, never following symlinks. */
int store_remove_tree(struct store *s, const char *path, struct berr **err);

/* ---- references ---- */
struct store_ref {
        char *ref;      /* canonical reference */
        char *manifest; /* manifest digest */
        char *config;   /* config digest (the image ID) */
};
int store_ref_set(struct store *s, const char *ref, const char *manifest, const char *config,
                  struct berr **err);
/* -ENOENT when unknown. */
int store_ref_get(struct store *s, const char *ref, struct store_ref *ret, struct berr **err);
int store_ref_remove(struct store *s, const char *ref, struct berr **err);
int store_ref_list(struct store *s, struct store_ref **ret, size_t *ret_n, struct berr **err);
void store_ref_done(struct store_ref *r);
void store_refs_free(struct store_ref *r, size_t n);

/* Shared lock held by pulls and loads; exclusive by garbage collection. Returns the fd. */
int store_lock_gc(struct store *s, bool exclusive, struct berr **err);
