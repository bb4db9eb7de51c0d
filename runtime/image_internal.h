/* SPDX-License-Identifier: MIT */
/* runtime/image_internal: helpers shared by image.c, image_pull.c and image_load.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "runtime/image.h"

struct berr;
struct manifest;
struct store;

/* Unpack blob `digest` into layers/<diff_id> unless it is there already (under the layer's
 * lock, so concurrent pulls unpack once). The unpacked stream must hash to diff_id. */
int image_ensure_layer(struct store *s, const char *digest, const char *diff_id, struct berr **err);
/* Called from worker threads, serialised by the caller's lock: index i started (done=0) or
 * finished (done=1). */
typedef void (*image_layer_fn)(size_t i, int done, void *userdata);
/* image_ensure_layer for n layers, up to `parallel` at a time (threads). The first error wins;
 * layers already started still finish (each is atomic). */
int image_ensure_layers(struct store *s, char *const *digests, char *const *diff_ids, size_t n,
                        int parallel, image_layer_fn cb, void *userdata, struct berr **err);
/* Read and parse the manifest and config blobs of an image in the store. */
int image_read(struct store *s, const char *manifest_digest, struct manifest *ret_manifest,
               struct image_config *ret_config, struct berr **err);
/* Check that a manifest and its config agree (one diff_id per layer). */
int image_check_layers(const struct manifest *m, const struct image_config *c, struct berr **err);
