/* SPDX-License-Identifier: MIT */
#include "orchestrator/cli_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"

void cli_fmt_size(int64_t bytes, char *buf, size_t len)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        double v = (double)(bytes < 0 ? 0 : bytes);
        size_t u = 0;

        while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000;
                u++;
        }
        snprintf(buf, len, "%.3g%s", v, units[u]);
}

void cli_fmt_split_ref(const char *ref, char **ret_repo, char **ret_tag)
{
        const char *at = strchr(ref, '@');
        const char *slash = strrchr(ref, '/');
        const char *colon = strrchr(slash ? slash : ref, ':');

        if (at) {
                *ret_repo = xstrndup(ref, (size_t)(at - ref));
                *ret_tag = xstrdup("<none>");
        } else if (colon) {
                *ret_repo = xstrndup(ref, (size_t)(colon - ref));
                *ret_tag = xstrdup(colon + 1);
        } else {
                *ret_repo = xstrdup(ref);
                *ret_tag = xstrdup("latest");
        }
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

char *cli_fmt_status_counts(char **statuses, bool *ret_running)
{
        struct strbuf b = STRBUF_INIT;
        size_t n = strv_length(statuses);

        if (n)
                qsort(statuses, n, sizeof(char *), cmp_str);
        *ret_running = false;
        for (size_t i = 0; i < n;) {
                size_t j = i;

                while (j < n && strcmp(statuses[j], statuses[i]) == 0)
                        j++;
                if (strcmp(statuses[i], "running") == 0)
                        *ret_running = true;
                strbuf_printf(&b, "%s%s(%zu)", b.len ? ", " : "", statuses[i], j - i);
                i = j;
        }
        return strbuf_take(&b);
}

bool cli_fmt_container_name_valid(const char *s)
{
        static const char alnum[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        size_t n = strlen(s);

        if (n < 2 || n > 128 || !strchr(alnum, s[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!strchr(alnum, s[i]) && !strchr("_.-", s[i]))
                        return false;
        return true;
}
