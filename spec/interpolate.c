/* SPDX-License-Identifier: MIT */
#include "spec/interpolate.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/xalloc.h"

/* ---- ${...} ------------------------------------------------------------------------------- */

struct scan {
        const struct spec_interp *ip;
        const char *s;
        size_t i;
        char *msg; /* first error */
        int depth;
};

static bool name_start(char c)
{
        return c == '_' || isalpha((unsigned char)c);
}

static bool name_char(char c)
{
        return c == '_' || isalnum((unsigned char)c);
}

static void fail(struct scan *sc, char *msg)
{
        if (!sc->msg)
                sc->msg = msg;
        else
                free(msg);
}

static void fail_format(struct scan *sc)
{
        fail(sc, xasprintf("invalid interpolation format for \"%s\"; you may need to escape "
                           "any $ with another $",
                           sc->s));
}

static const char *lookup(struct scan *sc, const char *name)
{
        return sc->ip->lookup ? sc->ip->lookup(name, sc->ip->userdata) : NULL;
}

static void text(struct scan *sc, bool in_braces, bool eval, struct strbuf *out);

static char *read_name(struct scan *sc)
{
        size_t st = sc->i;

        if (!name_start(sc->s[sc->i]))
                return NULL;
        while (name_char(sc->s[sc->i]))
                sc->i++;
        return xstrndup(sc->s + st, sc->i - st);
}

/* The value of a ${NAME<op>word} once NAME and op are known; word is evaluated lazily. */
static void apply_op(struct scan *sc, const char *name, const char *op, bool eval,
                     struct strbuf *out)
{
        const char *v = eval ? lookup(sc, name) : NULL;
        bool colon = op[0] == ':', set = v != NULL, nonempty = v && *v;
        bool use_word, cond = colon ? nonempty : set;
        char kind = op[colon];
        struct strbuf word = STRBUF_INIT;

        use_word = kind == '+' ? cond : !cond;
        text(sc, true, eval && use_word, &word);
        if (!eval) {
                strbuf_done(&word);
                return;
        }
        if (kind == '?' && use_word)
                fail(sc, word.len ? xasprintf("required variable %s is missing a value: %s", name,
                                              strbuf_str(&word))
                                  : xasprintf("required variable %s is missing a value", name));
        else if (use_word)
                strbuf_add(out, word.buf ? word.buf : "", word.len);
        else if (kind != '+')
                strbuf_puts(out, v);
        strbuf_done(&word);
}

static void missing(struct scan *sc, const char *name)
{
        if (sc->ip->missing)
                sc->ip->missing(name, sc->ip->userdata);
}

static void braced(struct scan *sc, bool eval, struct strbuf *out)
{
        static const char *const ops[] = {":-", ":?", ":+", "-", "?", "+"};
        char *name = read_name(sc);

        if (!name) {
                fail_format(sc);
                return;
        }
        if (sc->s[sc->i] == '}') {
                const char *v = eval ? lookup(sc, name) : NULL;

                sc->i++;
                if (eval && !v)
                        missing(sc, name);
                strbuf_puts(out, v ? v : "");
                free(name);
                return;
        }
        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
                size_t l = strlen(ops[k]);

                if (strncmp(sc->s + sc->i, ops[k], l) != 0)
                        continue;
                sc->i += l;
                apply_op(sc, name, ops[k], eval, out);
                if (sc->s[sc->i] != '}')
                        fail_format(sc);
                else
                        sc->i++;
                free(name);
                return;
        }
        free(name);
        fail_format(sc);
}

static void dollar(struct scan *sc, bool eval, struct strbuf *out)
{
        char c = sc->s[++sc->i];

        if (c == '$') {
                sc->i++;
                strbuf_putc(out, '$');
        } else if (c == '{') {
                sc->i++;
                if (++sc->depth > 64)
                        fail_format(sc);
                else
                        braced(sc, eval, out);
                sc->depth--;
        } else if (name_start(c)) {
                char *name = read_name(sc);
                const char *v = eval ? lookup(sc, name) : NULL;

                if (eval && !v)
                        missing(sc, name);
                strbuf_puts(out, v ? v : "");
                free(name);
        } else {
                fail_format(sc);
        }
}

/* Text up to the end of the string, or up to the `}` closing the braces we are in. */
static void text(struct scan *sc, bool in_braces, bool eval, struct strbuf *out)
{
        while (sc->s[sc->i] && !sc->msg) {
                char c = sc->s[sc->i];

                if (in_braces && c == '}')
                        return;
                if (c == '$') {
                        dollar(sc, eval, out);
                        continue;
                }
                strbuf_putc(out, c);
                sc->i++;
        }
}

int spec_interpolate(const struct spec_interp *ip, const char *s, char **ret, char **ret_msg)
{
        struct scan sc = {.ip = ip, .s = s};
        struct strbuf out = STRBUF_INIT;

        *ret = NULL;
        if (!strchr(s, '$')) {
                *ret = xstrdup(s);
                return 0;
        }
        text(&sc, false, true, &out);
        if (sc.msg) {
                strbuf_done(&out);
                *ret_msg = sc.msg;
                return -EINVAL;
        }
        *ret = strbuf_take(&out);
        return 0;
}

/* ---- dotenv ------------------------------------------------------------------------------- */

const char *spec_dotenv_get(const struct spec_dotenv *d, const char *name)
{
        for (size_t i = d->n; i-- > 0;)
                if (strcmp(d->names[i], name) == 0)
                        return d->values[i];
        return NULL;
}

void spec_dotenv_set(struct spec_dotenv *d, const char *name, const char *value)
{
        size_t cap;

        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->names[i], name) == 0) {
                        free(d->values[i]);
                        d->values[i] = xstrdup(value);
                        return;
                }
        cap = d->cap;
        d->names = xgrow(d->names, &cap, d->n + 1, sizeof(char *));
        cap = d->cap;
        d->values = xgrow(d->values, &cap, d->n + 1, sizeof(char *));
        d->cap = cap;
        d->names[d->n] = xstrdup(name);
        d->values[d->n++] = xstrdup(value);
}

void spec_dotenv_done(struct spec_dotenv *d)
{
        for (size_t i = 0; i < d->n; i++) {
                free(d->names[i]);
                free(d->values[i]);
        }
        free(d->names);
        free(d->values);
        memset(d, 0, sizeof(*d));
}

struct dotenv_ctx {
        const char *p, *end;
        int line;
        spec_env_lookup_fn lookup;
        void *userdata;
        struct spec_dotenv *d;
        char *msg;
};

static const char *dotenv_lookup(const char *name, void *userdata)
{
        struct dotenv_ctx *c = userdata;
        const char *v = c->lookup ? c->lookup(name, c->userdata) : NULL;

        return v ? v : spec_dotenv_get(c->d, name);
}

static void skip_blank(struct dotenv_ctx *c)
{
        while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
                c->p++;
}

static void skip_line(struct dotenv_ctx *c)
{
        while (c->p < c->end && *c->p != '\n')
                c->p++;
        if (c->p < c->end) {
                c->p++;
                c->line++;
        }
}

static char unescape(char c)
{
        switch (c) {
        case 'n':
                return '\n';
        case 't':
                return '\t';
        case 'r':
                return '\r';
        default:
                return c;
        }
}

/* A quoted value; double quotes understand escapes and may span lines. */
static int quoted_value(struct dotenv_ctx *c, struct strbuf *v)
{
        char q = *c->p++;
        int start = c->line;

        while (c->p < c->end && *c->p != q) {
                if (*c->p == '\n')
                        c->line++;
                if (q == '"' && *c->p == '\\' && c->p + 1 < c->end) {
                        char e = c->p[1];

                        if (e == '$')
                                strbuf_puts(v, "$$");
                        else
                                strbuf_putc(v, unescape(e));
                        c->p += 2;
                        continue;
                }
                if (q == '\'' && *c->p == '$')
                        strbuf_putc(v, '$'); /* single quotes: no interpolation */
                strbuf_putc(v, *c->p++);
        }
        if (c->p >= c->end) {
                c->line = start;
                c->msg = xasprintf("unterminated quoted value");
                return -EINVAL;
        }
        c->p++;
        skip_blank(c);
        if (c->p < c->end && *c->p != '\n' && *c->p != '#' && *c->p != '\r') {
                c->msg = xasprintf("unexpected characters after the quoted value");
                return -EINVAL;
        }
        return 0;
}

static void plain_value(struct dotenv_ctx *c, struct strbuf *v)
{
        const char *st = c->p;
        const char *e;

        while (c->p < c->end && *c->p != '\n') {
                if (*c->p == '#' && c->p > st && (c->p[-1] == ' ' || c->p[-1] == '\t'))
                        break;
                c->p++;
        }
        e = c->p;
        while (e > st && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                e--;
        strbuf_add(v, st, (size_t)(e - st));
}

static int dotenv_value(struct dotenv_ctx *c, const char *name)
{
        struct strbuf v = STRBUF_INIT;
        struct spec_interp ip = {.lookup = dotenv_lookup, .userdata = c};
        char *val = NULL, *m = NULL;
        int r = 0;

        skip_blank(c);
        if (c->p < c->end && (*c->p == '"' || *c->p == '\''))
                r = quoted_value(c, &v);
        else
                plain_value(c, &v);
        if (r == 0 && spec_interpolate(&ip, strbuf_str(&v), &val, &m) < 0) {
                c->msg = m;
                r = -EINVAL;
        }
        if (r == 0)
                spec_dotenv_set(c->d, name, val);
        free(val);
        strbuf_done(&v);
        return r;
}

static int dotenv_line(struct dotenv_ctx *c)
{
        char *name;
        int r;

        skip_blank(c);
        if (c->p >= c->end || *c->p == '\n' || *c->p == '#' || *c->p == '\r')
                return 0;
        if ((size_t)(c->end - c->p) > 7 && strncmp(c->p, "export ", 7) == 0) {
                c->p += 7;
                skip_blank(c);
        }
        {
                const char *st = c->p;

                while (c->p < c->end && (name_char(*c->p) || *c->p == '.' || *c->p == '-'))
                        c->p++;
                name = xstrndup(st, (size_t)(c->p - st));
        }
        skip_blank(c);
        if (!*name || !name_start(*name) || c->p >= c->end || *c->p != '=') {
                c->msg = *name ? xasprintf("\"%s\": expected NAME=VALUE", name)
                               : xasprintf("expected NAME=VALUE");
                free(name);
                return -EINVAL;
        }
        c->p++;
        r = dotenv_value(c, name);
        free(name);
        return r;
}

int spec_dotenv_parse(const char *text_, size_t len, spec_env_lookup_fn lookup_, void *userdata,
                      struct spec_dotenv *ret, int *ret_line, char **ret_msg)
{
        struct dotenv_ctx c = {.p = text_,
                               .end = text_ + len,
                               .line = 1,
                               .lookup = lookup_,
                               .userdata = userdata,
                               .d = ret};

        while (c.p < c.end) {
                if (dotenv_line(&c) < 0) {
                        *ret_line = c.line;
                        *ret_msg = c.msg;
                        return -EINVAL;
                }
                skip_line(&c);
        }
        return 0;
}
