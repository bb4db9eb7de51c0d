/* SPDX-License-Identifier: MIT */
#include "spec/types.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"

/* ---- numbers ------------------------------------------------------------------------------ */

int spec_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret)
{
        char *end;
        long long v;

        if (!s || !*s || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int spec_parse_cpus(const char *s, double *ret)
{
        char *end;
        double v;

        if (!s || !*s || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtod(s, &end);
        if (errno || *end || !isfinite(v) || v < 0 || v > 1e6)
                return -EINVAL;
        *ret = v;
        return 0;
}

int spec_parse_bool(const char *s, bool loose, bool *ret)
{
        static const char *const yes[] = {"y", "yes", "on", "1"};
        static const char *const no[] = {"n", "no", "off", "0"};

        if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
                *ret = strcasecmp(s, "true") == 0;
                return 0;
        }
        for (size_t i = 0; loose && i < 4; i++) {
                if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
                        *ret = strcasecmp(s, yes[i]) == 0;
                        return 0;
                }
        }
        return -EINVAL;
}

/* ---- durations ---------------------------------------------------------------------------- */

static int64_t unit_ns(const char **p)
{
        static const struct {
                const char *name;
                int64_t ns;
        } units[] = {
                {"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000},  {"\xce\xbcs", 1000},
                {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000LL}, {"h", 3600000000000LL},
        };

        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                size_t l = strlen(units[i].name);

                if (strncmp(*p, units[i].name, l) == 0 &&
                    !(l == 1 && units[i].name[0] == 'm' && (*p)[1] == 's')) {
                        *p += l;
                        return units[i].ns;
                }
        }
        return 0;
}

int spec_parse_duration(const char *s, int64_t *ret_ns)
{
        const char *p = s;
        bool neg = false;
        long double total = 0;

        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (strcmp(p, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;
        while (*p) {
                long double v = 0, scale = 1;
                bool digits = false;
                int64_t u;

                for (; isdigit((unsigned char)*p); p++, digits = true)
                        v = v * 10 + (*p - '0');
                if (*p == '.')
                        for (p++; isdigit((unsigned char)*p); p++, digits = true)
                                v += (*p - '0') * (scale /= 10);
                if (!digits || !(u = unit_ns(&p)))
                        return -EINVAL;
                total += v * u;
                if (total > 9.2e18L)
                        return -EINVAL;
        }
        *ret_ns = (int64_t)(neg ? -total : total);
        return 0;
}

/* "1.5" from 1500 with unit 1000: the integer part and the fraction without trailing zeros. */
static void put_frac(struct strbuf *b, uint64_t v, uint64_t unit)
{
        uint64_t frac = v % unit;
        char digits[24];
        int w = 0;

        strbuf_printf(b, "%llu", (unsigned long long)(v / unit));
        if (!frac)
                return;
        for (uint64_t u = unit; u > 1 && w < 20; u /= 10)
                w++;
        for (int i = w - 1; i >= 0; i--, frac /= 10)
                digits[i] = (char)('0' + frac % 10);
        while (w > 1 && digits[w - 1] == '0')
                w--;
        digits[w] = '\0';
        strbuf_printf(b, ".%s", digits);
}

void spec_format_duration(int64_t ns, char *buf, size_t size)
{
        struct strbuf b = STRBUF_INIT;
        uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
        uint64_t sec = u / 1000000000ULL;

        if (ns < 0)
                strbuf_putc(&b, '-');
        if (u == 0) {
                strbuf_puts(&b, "0s");
        } else if (u < 1000) {
                strbuf_printf(&b, "%lluns", (unsigned long long)u);
        } else if (u < 1000000) {
                put_frac(&b, u, 1000);
                strbuf_puts(&b, "\xc2\xb5s");
        } else if (u < 1000000000ULL) {
                put_frac(&b, u, 1000000);
                strbuf_puts(&b, "ms");
        } else {
                if (sec >= 3600)
                        strbuf_printf(&b, "%lluh", (unsigned long long)(sec / 3600));
                if (sec >= 60)
                        strbuf_printf(&b, "%llum", (unsigned long long)(sec / 60 % 60));
                put_frac(&b, u % 60000000000ULL, 1000000000ULL);
                strbuf_putc(&b, 's');
        }
        snprintf(buf, size, "%s", strbuf_str(&b));
        strbuf_done(&b);
}

/* ---- byte sizes --------------------------------------------------------------------------- */

int spec_parse_bytes(const char *s, int64_t *ret)
{
        static const char units[] = "kmgtp";
        const char *p = s;
        long double v = 0, scale = 1, mul = 1;
        bool digits = false;
        const char *u;

        for (; isdigit((unsigned char)*p); p++, digits = true)
                v = v * 10 + (*p - '0');
        if (*p == '.')
                for (p++; isdigit((unsigned char)*p); p++, digits = true)
                        v += (*p - '0') * (scale /= 10);
        if (!digits)
                return -EINVAL;
        if (*p == ' ')
                p++;
        if (*p && (u = strchr(units, tolower((unsigned char)*p)))) {
                for (long i = 0; i <= u - units; i++)
                        mul *= 1024;
                p++;
                if (*p == 'i' || *p == 'I')
                        p++;
        }
        if (*p == 'b' || *p == 'B')
                p++;
        if (*p || v * mul > 9.2e18L)
                return -EINVAL;
        *ret = (int64_t)(v * mul);
        return 0;
}

/* ---- ports -------------------------------------------------------------------------------- */

static int port_range(const char *s, uint32_t *lo, uint32_t *hi)
{
        const char *dash = strchr(s, '-');
        int64_t a, b;
        char *first;
        int r;

        if (!dash)
                return spec_parse_int(s, 1, 65535, &a) < 0 ? -EINVAL : (*lo = *hi = (uint32_t)a, 0);
        first = xstrndup(s, (size_t)(dash - s));
        r = spec_parse_int(first, 1, 65535, &a);
        free(first);
        if (r < 0 || spec_parse_int(dash + 1, 1, 65535, &b) < 0 || b < a)
                return -EINVAL;
        *lo = (uint32_t)a;
        *hi = (uint32_t)b;
        return 0;
}

static bool ip_valid(const char *s)
{
        unsigned char buf[16];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Split "ip:host:container" honouring [v6] brackets; fills up to 3 fields. */
static int split_port_fields(const char *s, char **f, size_t *nf)
{
        const char *p = s;

        *nf = 0;
        if (*p == '[') {
                const char *e = strchr(p, ']');

                if (!e || e[1] != ':')
                        return -EINVAL;
                f[(*nf)++] = xstrndup(p + 1, (size_t)(e - p - 1));
                p = e + 2;
        }
        while (*nf < 3) {
                const char *c = strchr(p, ':');
                if (!c) {
                        f[(*nf)++] = xstrdup(p);
                        return 0;
                }
                f[(*nf)++] = xstrndup(p, (size_t)(c - p));
                p = c + 1;
        }
        return -EINVAL;
}

static int port_msg(char **ret_msg, char *msg)
{
        if (ret_msg)
                *ret_msg = msg;
        else
                free(msg);
        return -EINVAL;
}

static int port_fields(const char *spec, char **f, size_t nf, char **host_ip, char **host,
                       char **cont, char **ret_msg)
{
        *host_ip = *host = NULL;
        *cont = f[nf - 1];
        if (nf == 2)
                *host = f[0];
        if (nf == 3) {
                *host_ip = f[0];
                *host = f[1];
        }
        if (*host_ip && **host_ip && !ip_valid(*host_ip))
                return port_msg(ret_msg, xasprintf("\"%s\" is not an IP address", *host_ip));
        (void)spec;
        return 0;
}

static int expand_ports(const char *s, const char *host_ip, const char *host, const char *cont,
                        const char *proto, struct spec_port_spec **ret, size_t *ret_n,
                        char **ret_msg)
{
        uint32_t clo, chi, hlo = 0, hhi = 0;
        size_t n;

        if (port_range(cont, &clo, &chi) < 0)
                return port_msg(ret_msg, xasprintf("\"%s\" is not a port (1-65535)", cont));
        if (host && *host && port_range(host, &hlo, &hhi) < 0)
                return port_msg(ret_msg, xasprintf("\"%s\" is not a port (1-65535)", host));
        n = chi - clo + 1;
        if (host && *host && hhi - hlo != chi - clo && clo != chi)
                return port_msg(ret_msg, xasprintf("\"%s\": the host and container port ranges "
                                                   "differ in size",
                                                   s));
        *ret = xcalloc(n, sizeof(**ret));
        *ret_n = n;
        for (size_t i = 0; i < n; i++) {
                struct spec_port_spec *p = &(*ret)[i];

                p->target = clo + (uint32_t)i;
                p->protocol = xstrdup(proto);
                p->host_ip = host_ip && *host_ip ? xstrdup(host_ip) : NULL;
                if (host && *host && n > 1)
                        p->published = xasprintf("%u", hlo + (uint32_t)i);
                else if (host && *host)
                        p->published = xstrdup(host);
        }
        return 0;
}

int spec_parse_port(const char *s, struct spec_port_spec **ret, size_t *ret_n, char **ret_msg)
{
        const char *slash = strrchr(s, '/');
        char *body = xstrndup(s, slash ? (size_t)(slash - s) : strlen(s));
        const char *proto = slash ? slash + 1 : "tcp";
        char *f[3] = {0}, *host_ip, *host, *cont;
        size_t nf = 0;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
                r = port_msg(ret_msg,
                             xasprintf("\"%s\" is not a protocol (tcp, udp or sctp)", proto));
        else if (split_port_fields(body, f, &nf) < 0)
                r = port_msg(ret_msg, xasprintf("\"%s\" is not a port spec "
                                                "([[ip:]host:]container[/protocol])",
                                                s));
        else
                r = port_fields(s, f, nf, &host_ip, &host, &cont, ret_msg);
        if (r == 0)
                r = expand_ports(s, host_ip, host, cont, proto, ret, ret_n, ret_msg);
        for (size_t i = 0; i < 3; i++)
                free(f[i]);
        free(body);
        return r;
}

void spec_port_specs_free(struct spec_port_spec *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].host_ip);
                free(v[i].published);
                free(v[i].protocol);
        }
        free(v);
}

/* ---- volumes ------------------------------------------------------------------------------ */

static bool is_bind_source(const char *s)
{
        return *s == '.' || *s == '/' || *s == '~';
}

static int vol_mode(struct spec_volume_spec *v, const char *m, char **ret_msg)
{
        static const char *const prop[] = {"shared", "rshared", "slave",
                                           "rslave", "private", "rprivate"};
        static const char *const cons[] = {"cached", "delegated", "consistent"};

        if (strcmp(m, "ro") == 0)
                v->read_only = true;
        else if (strcmp(m, "rw") == 0)
                v->read_only = false;
        else if (strcmp(m, "z") == 0 || strcmp(m, "Z") == 0)
                v->selinux = (free(v->selinux), xstrdup(m));
        else if (strcmp(m, "nocopy") == 0)
                v->nocopy = true;
        else {
                for (size_t i = 0; i < 6; i++)
                        if (strcmp(m, prop[i]) == 0)
                                return v->propagation = xstrdup(prop[i]), 0;
                for (size_t i = 0; i < 3; i++)
                        if (strcmp(m, cons[i]) == 0)
                                return v->consistency = xstrdup(cons[i]), 0;
                return port_msg(ret_msg, xasprintf("\"%s\" is not a volume mode (ro, rw, z, Z, "
                                                   "nocopy, a propagation or a consistency)",
                                                   m));
        }
        return 0;
}

static int vol_modes(struct spec_volume_spec *v, const char *modes, char **ret_msg)
{
        char **ms = strv_split(modes, ",");
        int r = 0;

        strv_foreach (m, ms)
                if ((r = vol_mode(v, m, ret_msg)) < 0)
                        break;
        strv_free(ms);
        return r;
}

int spec_parse_volume(const char *s, struct spec_volume_spec *ret, char **ret_msg)
{
        char **f = NULL;
        size_t n;
        int r = 0;

        memset(ret, 0, sizeof(*ret));
        for (const char *p = s;;) {
                const char *c = strchr(p, ':');

                f = strv_push_take(f, c ? xstrndup(p, (size_t)(c - p)) : xstrdup(p));
                if (!c)
                        break;
                p = c + 1;
        }
        n = strv_length(f);
        if (n > 3 || !*f[n > 1 ? 1 : 0] || (n > 1 && !*f[0]))
                r = port_msg(ret_msg, xasprintf("\"%s\" is not a volume spec "
                                                "([source:]target[:mode])",
                                                s));
        else if (*f[n > 1 ? 1 : 0] != '/')
                r = port_msg(ret_msg, xasprintf("volume target \"%s\" is not an absolute path",
                                                f[n > 1 ? 1 : 0]));
        if (r == 0) {
                ret->target = xstrdup(f[n > 1 ? 1 : 0]);
                ret->type = n > 1 && is_bind_source(f[0]) ? SPEC_MOUNT_BIND : SPEC_MOUNT_VOLUME;
                ret->source = n > 1 ? xstrdup(f[0]) : NULL;
                if (n == 3)
                        r = vol_modes(ret, f[2], ret_msg);
        }
        strv_free(f);
        if (r < 0)
                spec_volume_spec_done(ret);
        return r;
}

void spec_volume_spec_done(struct spec_volume_spec *v)
{
        free(v->source);
        free(v->target);
        free(v->selinux);
        free(v->propagation);
        free(v->consistency);
        memset(v, 0, sizeof(*v));
}

/* ---- restart, signals --------------------------------------------------------------------- */

int spec_parse_restart(const char *s, char **ret_msg)
{
        int64_t n;

        if (strcmp(s, "no") == 0 || strcmp(s, "always") == 0 || strcmp(s, "unless-stopped") == 0 ||
            strcmp(s, "on-failure") == 0)
                return 0;
        if (strncmp(s, "on-failure:", 11) == 0 && spec_parse_int(s + 11, 0, INT32_MAX, &n) == 0)
                return 0;
        return port_msg(ret_msg, xasprintf("\"%s\" is not a restart policy (no, always, "
                                           "on-failure[:max-retries], unless-stopped)",
                                           s));
}

int spec_parse_signal(const char *s, int *ret)
{
        static const struct {
                const char *name;
                int sig;
        } sigs[] = {
                {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
                {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
                {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
                {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
                {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
                {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
                {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
                {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
                {"SYS", SIGSYS},
        };
        const char *n = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        int64_t v;

        if (spec_parse_int(s, 1, 64, &v) == 0)
                return *ret = (int)v, 0;
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                if (strcasecmp(n, sigs[i].name) == 0)
                        return *ret = sigs[i].sig, 0;
        if (strncasecmp(n, "RTMIN+", 6) == 0 && spec_parse_int(n + 6, 0, 30, &v) == 0)
                return *ret = SIGRTMIN + (int)v, 0;
        return -EINVAL;
}

/* ---- shell words -------------------------------------------------------------------------- */

static int shell_quote(const char **pp, struct strbuf *w)
{
        const char *p = *pp;
        char q = *p++;

        while (*p && *p != q) {
                if (q == '"' && *p == '\\' && p[1] && strchr("\"\\$`\n", p[1]))
                        p++;
                strbuf_putc(w, *p++);
        }
        if (!*p)
                return -EINVAL;
        *pp = p + 1;
        return 0;
}

int spec_shell_split(const char *s, char ***ret)
{
        char **v = NULL;
        const char *p = s;

        *ret = NULL;
        while (*p) {
                struct strbuf w = STRBUF_INIT;
                bool word = false;

                while (*p && isspace((unsigned char)*p))
                        p++;
                while (*p && !isspace((unsigned char)*p)) {
                        word = true;
                        if (*p == '\'' || *p == '"') {
                                if (shell_quote(&p, &w) < 0) {
                                        strbuf_done(&w);
                                        strv_free(v);
                                        return -EINVAL;
                                }
                                continue;
                        }
                        if (*p == '\\' && p[1])
                                p++;
                        strbuf_putc(&w, *p++);
                }
                if (word)
                        v = strv_push_take(v, strbuf_take(&w));
                strbuf_done(&w);
        }
        *ret = v ? v : xcalloc(1, sizeof(char *));
        return 0;
}

/* ---- project names ------------------------------------------------------------------------ */

bool spec_project_name_valid(const char *s)
{
        if (!*s || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
                return false;
        for (; *s; s++)
                if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' ||
                      *s == '-'))
                        return false;
        return true;
}

char *spec_project_name_normalize(const char *s)
{
        struct strbuf b = STRBUF_INIT;

        for (; *s; s++) {
                char c = (char)tolower((unsigned char)*s);

                if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '_' ||
                      c == '-'))
                        continue;
                if (b.len == 0 && (c == '_' || c == '-'))
                        continue;
                strbuf_putc(&b, c);
        }
        return strbuf_take(&b);
}
