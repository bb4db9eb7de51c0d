/* SPDX-License-Identifier: MIT */
/* Fuzz target: runtime/manifest. The first byte picks the Content-Type the registry claims; the
 * rest is parsed as a manifest or index (resolved to a platform) and as an image config. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "runtime/image.h"
#include "runtime/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
        NULL,
        MEDIA_OCI_INDEX,
        MEDIA_OCI_MANIFEST,
        MEDIA_DOCKER_LIST,
        MEDIA_DOCKER_V2,
        MEDIA_DOCKER_V1_JWS,
        "application/json",
        "text/plain; charset=utf-8",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct manifest m;
        struct image_config c;
        struct berr *err = NULL;
        const char *ct;

        if (size < 1 || size > 256 * 1024)
                return 0;
        ct = content_types[data[0] % (sizeof(content_types) / sizeof(content_types[0]))];
        if (manifest_parse((const char *)data + 1, size - 1, ct, &m, &err) == 0) {
                if (manifest_is_index(&m)) {
                        struct platform p = {0};
                        const struct descriptor *d;

                        platform_host(&p);
                        if (manifest_select(&m, &p, &d, &err) == 0 && !d->digest)
                                abort();
                        platform_done(&p);
                }
                manifest_done(&m);
        }
        berr_free(err);
        err = NULL;
        if (image_config_parse((const char *)data + 1, size - 1, &c, &err) == 0) {
                if (!c.diff_ids || !c.user || !c.working_dir)
                        abort();
                image_config_done(&c);
        }
        berr_free(err);
        return 0;
}
