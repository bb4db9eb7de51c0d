/* SPDX-License-Identifier: MIT */
/* common/strbuf: a growable, always NUL-terminated byte buffer. */
#pragma once

#include <stddef.h>

struct strbuf {
        char *buf;
        size_t len;
        size_t cap;
};

#define STRBUF_INIT        \
        {                  \
                NULL, 0, 0 \
        }

void strbuf_add(struct strbuf *b, const void *p, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_putc(struct strbuf *b, char c);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string (never NULL); the buffer stays owned by b. */
const char *strbuf_str(struct strbuf *b);
/* Hand the contents to the caller (never NULL) and reset b. */
char *strbuf_take(struct strbuf *b);
void strbuf_done(struct strbuf *b);
