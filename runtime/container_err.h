/* SPDX-License-Identifier: MIT */
/* runtime/container_err: the return value for "an error was already set in *err", safe when the
 * caller passed no error sink (err == NULL), as cleanup paths do. */
#pragma once

#include <errno.h>

#include "common/error.h"

static inline int berr_code(struct berr **err)
{
        return err && *err ? -(*err)->code : -EIO;
}
