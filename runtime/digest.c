/* SPDX-License-Identifier: MIT */
#include "runtime/digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"

struct digester {
        EVP_MD_CTX *ctx;
};

struct digester *digester_new(void)
{
        struct digester *d = xcalloc(1, sizeof(*d));

        d->ctx = EVP_MD_CTX_new();
        if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
                abort();
        return d;
}

void digester_update(struct digester *d, const void *buf, size_t len)
{
        if (len && EVP_DigestUpdate(d->ctx, buf, len) != 1)
                abort();
}

char *digester_final(struct digester *d)
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        char *out;

        if (EVP_DigestFinal_ex(d->ctx, md, &n) != 1)
                abort();
        out = xmalloc(7 + 2 * n + 1);
        memcpy(out, "sha256:", 7);
        for (unsigned int i = 0; i < n; i++)
                sprintf(out + 7 + 2 * i, "%02x", md[i]);
        return out;
}

void digester_free(struct digester *d)
{
        if (!d)
                return;
        EVP_MD_CTX_free(d->ctx);
        free(d);
}

void digester_freep(struct digester **d)
{
        digester_free(*d);
        *d = NULL;
}

char *digest_buffer(const void *buf, size_t len)
{
        CLEANUP(digester_freep) struct digester *d = digester_new();

        digester_update(d, buf, len);
        return digester_final(d);
}

int digest_fd(int fd, char **ret_digest, struct berr **err)
{
        CLEANUP(digester_freep) struct digester *d = digester_new();
        char buf[65536];

        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berr_set(err, errno, "read for digest");
                if (n == 0)
                        break;
                digester_update(d, buf, (size_t)n);
        }
        *ret_digest = digester_final(d);
        return 0;
}

const char *digest_hex(const char *digest)
{
        const char *c = strchr(digest, ':');

        return c ? c + 1 : digest;
}
