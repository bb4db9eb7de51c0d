/* SPDX-License-Identifier: MIT */
/* runtime/digest: sha256 content digests ("sha256:<64 hex>") with libcrypto, streaming or over
 * a buffer or fd. The only file that includes OpenSSL headers. */
#pragma once

#include <stddef.h>

struct berr;
struct digester;

struct digester *digester_new(void);
void digester_update(struct digester *d, const void *buf, size_t len);
/* "sha256:<hex>" of everything fed so far (caller frees); d may not be updated afterwards. */
char *digester_final(struct digester *d);
void digester_free(struct digester *d);
void digester_freep(struct digester **d);

char *digest_buffer(const void *buf, size_t len);
/* Digest of fd from its current offset to EOF. */
int digest_fd(int fd, char **ret_digest, struct berr **err);
/* The hex part of "sha256:<hex>" (the input itself when it has no algorithm prefix). */
const char *digest_hex(const char *digest);
