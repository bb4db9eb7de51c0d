/* SPDX-License-Identifier: MIT */
#include "common/strv.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/xalloc.h"

size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

char **strv_push_take(char **v, char *s)
{
        size_t n = strv_length(v);

        v = xrealloc(v, (n + 2) * sizeof(char *));
        v[n] = s;
        v[n + 1] = NULL;
        return v;
}

char **strv_push(char **v, const char *s)
{
        return strv_push_take(v, xstrdup(s));
}

char **strv_copy(char *const *v)
{
        char **r = xcalloc(strv_length(v) + 1, sizeof(char *));
        size_t i;

        for (i = 0; v && v[i]; i++)
                r[i] = xstrdup(v[i]);
        return r;
}

bool strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

char *strv_join(char *const *v, const char *sep)
{
        struct strbuf b = STRBUF_INIT;

        for (size_t i = 0; v && v[i]; i++) {
                if (i)
                        strbuf_puts(&b, sep);
                strbuf_puts(&b, v[i]);
        }
        return strbuf_take(&b);
}

char **strv_split(const char *s, const char *seps)
{
        char **v = xcalloc(1, sizeof(char *));

        while (s && *s) {
                size_t n = strcspn(s, seps);

                if (n)
                        v = strv_push_take(v, xstrndup(s, n));
                s += n;
                if (*s)
                        s++;
        }
        return v;
}

void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}
