/* SPDX-License-Identifier: MIT */
#include "orchestrator/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000LL

int64_t timefmt_now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

uint64_t timefmt_mono_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void timefmt_rfc3339nano(int64_t ns, char *buf, size_t size)
{
        time_t sec = (time_t)(ns / NS_PER_S);
        long frac = (long)(ns % NS_PER_S);
        struct tm tm;

        if (frac < 0) {
                frac += NS_PER_S;
                sec--;
        }
        gmtime_r(&sec, &tm);
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static int digits(const char **p, int n, int *ret)
{
        int v = 0;

        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char)(*p)[i]))
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

static int expect(const char **p, char c)
{
        if (**p != c)
                return -EINVAL;
        (*p)++;
        return 0;
}

int timefmt_parse_rfc3339(const char *s, int64_t *ret_ns)
{
        struct tm tm = {0};
        int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
        int64_t frac = 0;
        const char *p = s;
        time_t t;

        if (!s || digits(&p, 4, &y) < 0 || expect(&p, '-') < 0 || digits(&p, 2, &mo) < 0 ||
            expect(&p, '-') < 0 || digits(&p, 2, &d) < 0)
                return -EINVAL;
        if (*p == 'T' || *p == 't' || *p == ' ') {
                p++;
                if (digits(&p, 2, &h) < 0 || expect(&p, ':') < 0 || digits(&p, 2, &mi) < 0 ||
                    expect(&p, ':') < 0 || digits(&p, 2, &sec) < 0)
                        return -EINVAL;
                if (*p == '.') {
                        int64_t scale = NS_PER_S / 10;

                        p++;
                        if (!isdigit((unsigned char)*p))
                                return -EINVAL;
                        for (; isdigit((unsigned char)*p); p++) {
                                frac += (*p - '0') * scale;
                                scale /= 10;
                        }
                }
                if (*p == 'Z' || *p == 'z') {
                        p++;
                } else if (*p == '+' || *p == '-') {
                        int sign = *p == '-' ? -1 : 1, oh, om;

                        p++;
                        if (digits(&p, 2, &oh) < 0 || expect(&p, ':') < 0 ||
                            digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
                                return -EINVAL;
                        off = sign * (oh * 3600 + om * 60);
                } else {
                        return -EINVAL;
                }
        }
        if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        t = timegm(&tm);
        *ret_ns = ((int64_t)t - off) * NS_PER_S + frac;
        return 0;
}

static int64_t unit_ns(const char *u, size_t len)
{
        static const struct {
                const char *name;
                int64_t ns;
        } units[] = {
                {"ns", 1},
                {"us", 1000},
                {"\xc2\xb5s", 1000},
                {"ms", 1000000},
                {"s", NS_PER_S},
                {"m", 60 * NS_PER_S},
                {"h", 3600 * NS_PER_S},
                {"d", 86400 * NS_PER_S},
        };
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
                if (strlen(units[i].name) == len && memcmp(units[i].name, u, len) == 0)
                        return units[i].ns;
        return 0;
}

int timefmt_parse_duration(const char *s, int64_t *ret_ns)
{
        const char *p = s;
        double total = 0;
        bool neg = false;

        if (!s || !*s)
                return -EINVAL;
        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (strcmp(p, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;
        while (*p) {
                double v = 0, scale = 1;
                bool any = false;
                const char *u;
                int64_t mult;

                for (; isdigit((unsigned char)*p); p++, any = true)
                        v = v * 10 + (*p - '0');
                if (*p == '.') {
                        p++;
                        for (; isdigit((unsigned char)*p); p++, any = true) {
                                scale /= 10;
                                v += (*p - '0') * scale;
                        }
                }
                if (!any)
                        return -EINVAL;
                u = p;
                while (*p && !isdigit((unsigned char)*p) && *p != '.')
                        p++;
                mult = unit_ns(u, (size_t)(p - u));
                if (mult == 0)
                        return -EINVAL;
                total += v * (double)mult;
                if (total > 9.2e18)
                        return -ERANGE;
        }
        *ret_ns = (int64_t)(neg ? -total : total);
        return 0;
}

int timefmt_parse_since(const char *s, int64_t now_ns, int64_t *ret_ns)
{
        int64_t v;
        const char *p;
        bool numeric = s && *s;

        if (!s)
                return -EINVAL;
        if (timefmt_parse_rfc3339(s, &v) == 0) {
                *ret_ns = v;
                return 0;
        }
        for (p = s; *p; p++)
                if (!isdigit((unsigned char)*p) && *p != '.')
                        numeric = false;
        if (numeric) {
                double d;
                char *end;

                errno = 0;
                d = strtod(s, &end);
                if (errno || *end)
                        return -EINVAL;
                *ret_ns = (int64_t)(d * (double)NS_PER_S);
                return 0;
        }
        if (timefmt_parse_duration(s, &v) == 0) {
                *ret_ns = now_ns - v;
                return 0;
        }
        return -EINVAL;
}

bool timefmt_until_passed(int64_t ns)
{
        return timefmt_now_ns() > ns;
}
