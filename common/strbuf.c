/* SPDX-License-Identifier: MIT */
#include "common/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

static void reserve(struct strbuf *b, size_t extra)
{
        if (b->len + extra + 1 <= b->cap)
                return;
        b->buf = xgrow(b->buf, &b->cap, b->len + extra + 1, 1);
}

void strbuf_add(struct strbuf *b, const void *p, size_t n)
{
        reserve(b, n);
        if (n)
                memcpy(b->buf + b->len, p, n);
        b->len += n;
        b->buf[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
        strbuf_add(b, s, strlen(s));
}

void strbuf_putc(struct strbuf *b, char c)
{
        strbuf_add(b, &c, 1);
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
        va_list ap, ap2;
        int n;

        va_start(ap, fmt);
        va_copy(ap2, ap);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n > 0) {
                reserve(b, (size_t)n);
                (void)vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap2);
                b->len += (size_t)n;
        }
        va_end(ap2);
}

const char *strbuf_str(struct strbuf *b)
{
        reserve(b, 0);
        return b->buf;
}

char *strbuf_take(struct strbuf *b)
{
        char *p;

        reserve(b, 0);
        p = b->buf;
        b->buf = NULL;
        b->len = b->cap = 0;
        return p;
}

void strbuf_done(struct strbuf *b)
{
        free(b->buf);
        b->buf = NULL;
        b->len = b->cap = 0;
}
