/* SPDX-License-Identifier: MIT */
#include "spec/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/xalloc.h"

void spec_diag_add(struct spec_diags *d, enum spec_severity sev, const char *file, int line,
                   int col, const char *path, const char *fmt, ...)
{
        struct spec_diag *e;
        size_t max = d->max ? d->max : 1000;
        va_list ap;

        if (d->n >= max)
                return;
        d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
        e = &d->v[d->n++];
        e->severity = sev;
        e->file = file ? xstrdup(file) : NULL;
        e->line = line;
        e->col = col;
        e->path = path && *path ? xstrdup(path) : NULL;
        va_start(ap, fmt);
        e->msg = xvasprintf(fmt, ap);
        va_end(ap);
}

size_t spec_diags_count(const struct spec_diags *d, enum spec_severity sev)
{
        size_t n = 0;

        for (size_t i = 0; i < d->n; i++)
                n += d->v[i].severity == sev;
        return n;
}

bool spec_diags_has(const struct spec_diags *d, enum spec_severity sev, const char *msg)
{
        for (size_t i = 0; i < d->n; i++)
                if (d->v[i].severity == sev && strcmp(d->v[i].msg, msg) == 0)
                        return true;
        return false;
}

static int cmp_str(const char *a, const char *b)
{
        if (!a || !b)
                return (a != NULL) - (b != NULL);
        return strcmp(a, b);
}

static int cmp_diag(const void *pa, const void *pb)
{
        const struct spec_diag *a = pa, *b = pb;
        int r = cmp_str(a->file, b->file);

        if (r)
                return r;
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        if (a->col != b->col)
                return a->col < b->col ? -1 : 1;
        r = cmp_str(a->path, b->path);
        return r ? r : strcmp(a->msg, b->msg);
}

static void diag_free(struct spec_diag *e)
{
        free(e->file);
        free(e->path);
        free(e->msg);
}

void spec_diags_sort(struct spec_diags *d)
{
        size_t w = 0;

        if (d->n > 1)
                qsort(d->v, d->n, sizeof(*d->v), cmp_diag);
        for (size_t i = 0; i < d->n; i++) {
                if (w > 0 && d->v[w - 1].severity == d->v[i].severity &&
                    cmp_diag(&d->v[w - 1], &d->v[i]) == 0) {
                        diag_free(&d->v[i]);
                        continue;
                }
                d->v[w++] = d->v[i];
        }
        d->n = w;
}

char *spec_diag_format(const struct spec_diag *e)
{
        struct strbuf b = STRBUF_INIT;

        if (e->severity == SPEC_WARNING)
                strbuf_puts(&b, "warning: ");
        if (e->file) {
                strbuf_puts(&b, e->file);
                if (e->line > 0)
                        strbuf_printf(&b, ":%d:%d", e->line, e->col);
                strbuf_puts(&b, ": ");
        }
        if (e->path)
                strbuf_printf(&b, "%s: ", e->path);
        strbuf_puts(&b, e->msg);
        return strbuf_take(&b);
}

void spec_diags_print(const struct spec_diags *d, enum spec_severity sev, FILE *f)
{
        for (size_t i = 0; i < d->n; i++) {
                char *s;

                if (d->v[i].severity != sev)
                        continue;
                s = spec_diag_format(&d->v[i]);
                fprintf(f, "%s\n", s);
                free(s);
        }
}

void spec_diags_done(struct spec_diags *d)
{
        for (size_t i = 0; i < d->n; i++)
                diag_free(&d->v[i]);
        free(d->v);
        d->v = NULL;
        d->n = d->cap = 0;
}
