/* SPDX-License-Identifier: MIT */
/* Fuzz target: runtime/reference. Any input either fails with an error or parses into a
 * reference whose canonical text parses again to the same canonical text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "runtime/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        cleanup_free char *s = NULL, *canon = NULL, *canon2 = NULL, *fam = NULL;
        struct reference r = {0}, r2 = {0};
        struct berr *err = NULL;

        if (size > 4096)
                return 0;
        s = xstrndup((const char *)data, size);
        if (reference_parse(s, &r, &err) < 0) {
                if (!err || !err->msg)
                        abort();
                berr_free(err);
                return 0;
        }
        canon = reference_string(&r);
        fam = reference_familiar(&r);
        if (reference_parse(canon, &r2, &err) < 0)
                abort(); /* the canonical form must parse */
        canon2 = reference_string(&r2);
        if (strcmp(canon, canon2) != 0)
                abort();
        (void)reference_api_host(&r2);
        reference_done(&r);
        reference_done(&r2);
        return 0;
}
