/* SPDX-License-Identifier: MIT */
#include "common/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

static int set_v(struct berr **err, int code, bool synthetic, const char *fmt, va_list ap)
{
        struct berr *e;

        if (code <= 0)
                code = EIO;
        if (!err)
                return -code;
        if (*err) {
                /* Setting twice is a programming error; keep the first cause. */
                return -(*err)->code;
        }
        e = xcalloc(1, sizeof(*e));
        e->code = code;
        e->synthetic = synthetic;
        e->msg = xvasprintf(fmt, ap);
        *err = e;
        return -code;
}

int berr_set(struct berr **err, int code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = set_v(err, code, false, fmt, ap);
        va_end(ap);
        return r;
}

int berr_msg(struct berr **err, int code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = set_v(err, code, true, fmt, ap);
        va_end(ap);
        return r;
}

int berr_wrap(struct berr **err, const char *fmt, ...)
{
        va_list ap;
        char *prefix, *msg;

        if (!err || !*err)
                return -EIO;
        va_start(ap, fmt);
        prefix = xvasprintf(fmt, ap);
        va_end(ap);
        /* the same context added by two layers ("container x: container x: ...") says nothing
         * more the second time */
        if (strncmp((*err)->msg, prefix, strlen(prefix)) == 0 &&
            strncmp((*err)->msg + strlen(prefix), ": ", 2) == 0) {
                free(prefix);
                return -(*err)->code;
        }
        msg = xasprintf("%s: %s", prefix, (*err)->msg);
        free(prefix);
        free((*err)->msg);
        (*err)->msg = msg;
        return -(*err)->code;
}

char *berr_text(const struct berr *e)
{
        if (!e)
                return xstrdup("unknown error");
        if (e->synthetic)
                return xstrdup(e->msg);
        return xasprintf("%s: %s", e->msg, strerror(e->code));
}

void berr_print(const struct berr *e, FILE *f)
{
        char *t = berr_text(e);

        fprintf(f, "berth: %s\n", t);
        free(t);
}

void berr_free(struct berr *e)
{
        if (!e)
                return;
        free(e->msg);
        free(e);
}

void berr_freep(struct berr **e)
{
        berr_free(*e);
        *e = NULL;
}
