/* SPDX-License-Identifier: MIT */
#include "runtime/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"

/* distribution's NameTotalLengthMax. */
#define NAME_MAX_LEN 255
#define TAG_MAX_LEN  128

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_word(char c)
{
        return isalnum((unsigned char)c) || c == '_';
}

/* domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool domain_component_valid(const char *s, size_t n)
{
        if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '-')
                        return false;
        return true;
}

/* host [":" port] where host is dotted domain components or "[" ipv6 "]". */
static bool domain_valid(const char *s, size_t n)
{
        size_t hostlen = n;
        const char *colon = NULL;

        if (n == 0)
                return false;
        if (s[0] == '[') {
                const char *end = memchr(s, ']', n);
                size_t i;

                if (!end || end == s + 1)
                        return false;
                for (i = 1; s + i < end; i++)
                        if (!isxdigit((unsigned char)s[i]) && s[i] != ':')
                                return false;
                hostlen = (size_t)(end - s) + 1;
                if (hostlen < n && s[hostlen] != ':')
                        return false;
                if (hostlen < n)
                        colon = s + hostlen;
        } else {
                colon = memchr(s, ':', n);
                if (colon)
                        hostlen = (size_t)(colon - s);
                for (size_t start = 0, i = 0; i <= hostlen; i++) {
                        if (i == hostlen || s[i] == '.') {
                                if (!domain_component_valid(s + start, i - start))
                                        return false;
                                start = i + 1;
                        }
                }
        }
        if (colon) {
                size_t plen = n - (size_t)(colon - s) - 1;

                if (plen == 0)
                        return false;
                for (size_t i = 1; i <= plen; i++)
                        if (!isdigit((unsigned char)colon[i]))
                                return false;
        }
        return true;
}

/* path-component: [a-z0-9]+ ((?:[._]|__|[-]+)[a-z0-9]+)* */
static bool path_component_valid(const char *s, size_t n)
{
        size_t i = 0;

        if (n == 0 || !is_lower_alnum(s[0]))
                return false;
        while (i < n) {
                while (i < n && is_lower_alnum(s[i]))
                        i++;
                if (i == n)
                        return true;
                if (s[i] == '.' || (s[i] == '_' && (i + 1 >= n || s[i + 1] != '_')))
                        i++;
                else if (s[i] == '_')
                        i += 2;
                else if (s[i] == '-')
                        while (i < n && s[i] == '-')
                                i++;
                else
                        return false;
                if (i >= n || !is_lower_alnum(s[i]))
                        return false;
        }
        return true;
}

static bool path_valid(const char *s, size_t n)
{
        size_t start = 0;

        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == '/') {
                        if (!path_component_valid(s + start, i - start))
                                return false;
                        start = i + 1;
                }
        }
        return true;
}

bool reference_tag_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > TAG_MAX_LEN || !is_word(s[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

/* algorithm: [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*, then ":" and [0-9a-fA-F]{32,} */
static bool digest_grammar_valid(const char *s)
{
        const char *colon = strchr(s, ':');
        size_t i, n;

        if (!colon || colon == s)
                return false;
        n = (size_t)(colon - s);
        for (i = 0; i < n;) {
                if (!isalpha((unsigned char)s[i]))
                        return false;
                while (i < n && isalnum((unsigned char)s[i]))
                        i++;
                if (i < n) {
                        if (!strchr("-_+.", s[i]))
                                return false;
                        i++;
                        if (i == n)
                                return false;
                }
        }
        n = strlen(colon + 1);
        if (n < 32)
                return false;
        for (i = 1; i <= n; i++)
                if (!isxdigit((unsigned char)colon[i]))
                        return false;
        return true;
}

bool reference_digest_valid(const char *s)
{
        if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
                return false;
        for (const char *p = s + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

static bool is_hex64(const char *s)
{
        if (strlen(s) != 64)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

static bool has_upper(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (isupper((unsigned char)s[i]))
                        return true;
        return false;
}

static int invalid(struct berr **err, const char *s, const char *why)
{
        return berr_msg(err, EINVAL, "`%s`: invalid reference format%s%s", s, why ? ": " : "",
                        why ? why : "");
}

/* The first component is a registry domain only when it looks like one (docker's
 * splitDockerDomain): it holds "." or ":", is "localhost", or has upper case letters. */
static void split_domain(const char *s, char **ret_domain, char **ret_rest)
{
        const char *slash = strchr(s, '/');
        char *domain, *rest;

        if (!slash ||
            (!memchr(s, '.', (size_t)(slash - s)) && !memchr(s, ':', (size_t)(slash - s)) &&
             !((size_t)(slash - s) == 9 && strncmp(s, "localhost", 9) == 0) &&
             !has_upper(s, (size_t)(slash - s)))) {
                domain = xstrdup(REFERENCE_DEFAULT_DOMAIN);
                rest = xstrdup(s);
        } else {
                domain = xstrndup(s, (size_t)(slash - s));
                rest = xstrdup(slash + 1);
        }
        if (strcmp(domain, "index.docker.io") == 0) {
                free(domain);
                domain = xstrdup(REFERENCE_DEFAULT_DOMAIN);
        }
        if (strcmp(domain, REFERENCE_DEFAULT_DOMAIN) == 0 && !strchr(rest, '/')) {
                char *r = xasprintf("library/%s", rest);

                free(rest);
                rest = r;
        }
        *ret_domain = domain;
        *ret_rest = rest;
}

static int parse_rest(const char *s, const char *domain, const char *rest, struct reference *ret,
                      struct berr **err)
{
        const char *at = strchr(rest, '@');
        size_t namelen = at ? (size_t)(at - rest) : strlen(rest);
        const char *colon = memchr(rest, ':', namelen);
        size_t pathlen = colon ? (size_t)(colon - rest) : namelen;

        if (has_upper(rest, pathlen))
                return invalid(err, s, "repository name must be lowercase");
        if (!domain_valid(domain, strlen(domain)) || !path_valid(rest, pathlen))
                return invalid(err, s, NULL);
        if (strlen(domain) + 1 + pathlen > NAME_MAX_LEN)
                return berr_msg(err, EINVAL,
                                "`%s`: repository name must not be more than %d characters", s,
                                NAME_MAX_LEN);
        if (colon) {
                cleanup_free char *tag = xstrndup(colon + 1, namelen - pathlen - 1);

                if (!reference_tag_valid(tag))
                        return invalid(err, s, NULL);
                ret->tag = TAKE_PTR(tag);
        }
        if (at) {
                if (!digest_grammar_valid(at + 1))
                        return invalid(err, s, NULL);
                if (strncmp(at + 1, "sha256:", 7) != 0)
                        return berr_msg(err, EINVAL, "`%s`: unsupported digest algorithm", s);
                if (!reference_digest_valid(at + 1))
                        return berr_msg(err, EINVAL, "`%s`: invalid checksum digest format", s);
                ret->digest = xstrdup(at + 1);
        }
        ret->domain = xstrdup(domain);
        ret->path = xstrndup(rest, pathlen);
        if (!ret->tag && !ret->digest)
                ret->tag = xstrdup(REFERENCE_DEFAULT_TAG);
        return 0;
}

int reference_parse(const char *s, struct reference *ret, struct berr **err)
{
        cleanup_free char *domain = NULL, *rest = NULL;
        struct reference r = {0};
        int rc;

        memset(ret, 0, sizeof(*ret));
        if (!s || !*s)
                return berr_msg(err, EINVAL, "invalid reference format: empty image name");
        if (is_hex64(s))
                return berr_msg(err, EINVAL,
                                "invalid repository name (%s), cannot specify 64-byte hexadecimal "
                                "strings",
                                s);
        split_domain(s, &domain, &rest);
        rc = parse_rest(s, domain, rest, &r, err);
        if (rc < 0) {
                reference_done(&r);
                return rc;
        }
        *ret = r;
        return 0;
}

void reference_done(struct reference *r)
{
        if (!r)
                return;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        memset(r, 0, sizeof(*r));
}

static char *dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

void reference_copy(struct reference *dst, const struct reference *src)
{
        dst->domain = dup_or_null(src->domain);
        dst->path = dup_or_null(src->path);
        dst->tag = dup_or_null(src->tag);
        dst->digest = dup_or_null(src->digest);
}

static char *with_suffix(const char *name, const struct reference *r)
{
        return xasprintf("%s%s%s%s%s", name, r->tag ? ":" : "", r->tag ? r->tag : "",
                         r->digest ? "@" : "", r->digest ? r->digest : "");
}

char *reference_name(const struct reference *r)
{
        return xasprintf("%s/%s", r->domain, r->path);
}

char *reference_string(const struct reference *r)
{
        cleanup_free char *name = reference_name(r);

        return with_suffix(name, r);
}

char *reference_familiar(const struct reference *r)
{
        cleanup_free char *name = NULL;

        if (strcmp(r->domain, REFERENCE_DEFAULT_DOMAIN) != 0)
                name = reference_name(r);
        else if (strncmp(r->path, "library/", 8) == 0 && !strchr(r->path + 8, '/'))
                name = xstrdup(r->path + 8);
        else
                name = xstrdup(r->path);
        return with_suffix(name, r);
}

const char *reference_api_host(const struct reference *r)
{
        if (strcmp(r->domain, REFERENCE_DEFAULT_DOMAIN) == 0)
                return REFERENCE_DOCKER_HUB_API;
        return r->domain;
}
