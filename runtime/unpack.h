/* SPDX-License-Identifier: MIT */
/* runtime/unpack: one image layer (a tar stream, plain, gzip or zstd: libarchive detects it)
 * into an empty directory, in the form overlayfs wants: `.wh.NAME` becomes a 0/0 character
 * device NAME, `.wh..wh..opq` sets trusted.overlay.opaque=y on its directory. Hardlinks,
 * symlinks, xattrs, device nodes, owners, modes and mtimes are kept. Every entry is created
 * relative to a directory fd resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS):
 * an entry that escapes the layer root (`..`, an absolute path, or through a symlink) is
 * rejected with an error naming the layer. The diff_id (sha256 of the uncompressed tar) is
 * computed in the same pass. */
#pragma once

#include <stdint.h>

struct berr;

struct unpack_result {
        char *diff_id;  /* "sha256:..." of the uncompressed stream */
        uint64_t bytes; /* bytes of regular file data written */
        uint64_t entries;
};

/* Unpack the layer read from in_fd into the directory dir_fd. layer names the layer in errors
 * (usually its digest). On error the directory is left partly filled: the caller removes it. */
int unpack_layer(int in_fd, int dir_fd, const char *layer, struct unpack_result *ret,
                 struct berr **err);
void unpack_result_done(struct unpack_result *r);
