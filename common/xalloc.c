/* SPDX-License-Identifier: MIT */
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
        static const char m[] = "berth: out of memory\n";

        (void)!fwrite(m, 1, sizeof(m) - 1, stderr);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);

        if (!p)
                oom();
        return p;
}

void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);

        if (!p)
                oom();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
        size_t c = *cap;

        if (need <= c)
                return p;
        if (c < 8)
                c = 8;
        while (c < need)
                c *= 2;
        p = xrealloc(p, c * size);
        memset((char *)p + *cap * size, 0, (c - *cap) * size);
        *cap = c;
        return p;
}

char *xstrdup(const char *s)
{
        char *p = strdup(s ? s : "");

        if (!p)
                oom();
        return p;
}

char *xstrndup(const char *s, size_t n)
{
        char *p = strndup(s, n);

        if (!p)
                oom();
        return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
        char *p = NULL;

        if (vasprintf(&p, fmt, ap) < 0)
                oom();
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *p;

        va_start(ap, fmt);
        p = xvasprintf(fmt, ap);
        va_end(ap);
        return p;
}
