/* SPDX-License-Identifier: MIT */
#include "runtime/registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/digest.h"
#include "runtime/manifest.h"
#include "runtime/reference.h"
#include "runtime/store.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.0.0-dev"
#endif

#define cleanup_json   CLEANUP(json_decrefp)
#define TOKEN_MAX_SIZE (1024 * 1024)
#define ERROR_BODY_MAX (64 * 1024)

struct registry {
        char *domain;      /* as written in the reference */
        char *base;        /* "https://registry-1.docker.io" */
        char *repo;        /* "library/redis" */
        char *user, *pass; /* from docker's config.json, may be NULL */
        char *authz;       /* "Authorization: ..." header once authenticated */
        bool insecure;
};

struct response {
        long status;
        struct strbuf body;
        size_t max;
        bool too_big;
        char *content_type;
        char *www_authenticate;
        char *docker_digest;
};

static void response_done(struct response *r)
{
        strbuf_done(&r->body);
        free(r->content_type);
        free(r->www_authenticate);
        free(r->docker_digest);
        memset(r, 0, sizeof(*r));
}

static void curl_easy_cleanupp(CURL **c)
{
        if (*c)
                curl_easy_cleanup(*c);
        *c = NULL;
}

static void curl_slist_freep(struct curl_slist **l)
{
        curl_slist_free_all(*l);
        *l = NULL;
}

/* ---- configuration: insecure registries, credentials ---------------------------------------- */

static bool is_loopback(const char *domain)
{
        cleanup_free char *host = NULL;
        const char *end;

        if (domain[0] == '[') {
                end = strchr(domain, ']');
                host = end ? xstrndup(domain + 1, (size_t)(end - domain - 1)) : xstrdup(domain);
                return strcmp(host, "::1") == 0;
        }
        end = strchr(domain, ':');
        host = end ? xstrndup(domain, (size_t)(end - domain)) : xstrdup(domain);
        return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0;
}

int registry_is_insecure(const char *domain, const char *list)
{
        cleanup_strv char **entries = NULL;

        if (is_loopback(domain))
                return 1;
        if (!list)
                return 0;
        entries = strv_split(list, ", \t\n");
        return strv_contains(entries, domain);
}

static char *insecure_list_from_env(void)
{
        const char *env = secure_getenv("BERTH_INSECURE_REGISTRIES");
        const char *file = secure_getenv("BERTH_INSECURE_REGISTRIES_FILE");
        cleanup_free char *buf = NULL;
        struct berr *tmp = NULL;
        size_t len;

        if (!file)
                file = "/etc/berth/insecure-registries";
        if (read_file(file, 1024 * 1024, &buf, &len, &tmp) < 0) {
                berr_free(tmp);
                return env ? xstrdup(env) : NULL;
        }
        return xasprintf("%s\n%s", env ? env : "", buf);
}

/* "https://index.docker.io/v1/" -> "index.docker.io" */
static char *auth_key_host(const char *key)
{
        const char *p = strstr(key, "://");

        p = p ? p + 3 : key;
        return xstrndup(p, strcspn(p, "/"));
}

static bool auth_key_matches(const char *key, const char *domain)
{
        cleanup_free char *host = auth_key_host(key);

        if (strcmp(host, domain) == 0)
                return true;
        if (strcmp(domain, REFERENCE_DEFAULT_DOMAIN) == 0)
                return strcmp(host, "index.docker.io") == 0 ||
                       strcmp(host, REFERENCE_DOCKER_HUB_API) == 0;
        return false;
}

static int decode_auth(const char *b64, char **ret_user, char **ret_pass, struct berr **err)
{
        size_t n = strlen(b64);
        cleanup_free unsigned char *out = xmalloc(n / 4 * 3 + 4);
        int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
        char *colon;

        if (len < 0)
                return berr_msg(err, EINVAL, "`auth` is not valid base64");
        while (len > 0 && n > 0 && b64[--n] == '=')
                len--;
        out[len] = 0;
        colon = memchr(out, ':', (size_t)len);
        if (!colon)
                return berr_msg(err, EINVAL, "`auth` is not base64 of user:password");
        *ret_user = xstrndup((char *)out, (size_t)(colon - (char *)out));
        *ret_pass = xstrdup(colon + 1);
        return 0;
}

int registry_auth_from_config(const char *json, size_t len, const char *domain, char **ret_user,
                              char **ret_pass, struct berr **err)
{
        cleanup_json json_t *root = json_loadb(json, len, 0, NULL);
        json_t *auths = json_object_get(root, "auths"), *v;
        const char *key;

        if (!json_is_object(root))
                return berr_msg(err, EINVAL, "not a JSON object");
        json_object_foreach(auths, key, v)
        {
                const char *a = json_string_value(json_object_get(v, "auth"));
                const char *u = json_string_value(json_object_get(v, "username"));
                const char *p = json_string_value(json_object_get(v, "password"));

                if (!auth_key_matches(key, domain))
                        continue;
                if (a && *a)
                        return decode_auth(a, ret_user, ret_pass, err);
                if (u && p) {
                        *ret_user = xstrdup(u);
                        *ret_pass = xstrdup(p);
                        return 0;
                }
        }
        return -ENOENT;
}

static int load_credentials(struct registry *r, struct berr **err)
{
        const char *dir = secure_getenv("DOCKER_CONFIG");
        const char *home = secure_getenv("HOME");
        cleanup_free char *path = NULL, *buf = NULL;
        size_t len;
        int rc;

        if (dir)
                path = xasprintf("%s/config.json", dir);
        else if (home)
                path = xasprintf("%s/.docker/config.json", home);
        else
                return 0;
        rc = read_file(path, 4 * 1024 * 1024, &buf, &len, err);
        if (rc == -ENOENT) {
                berr_freep(err);
                return 0;
        }
        if (rc < 0)
                return rc;
        rc = registry_auth_from_config(buf, len, r->domain, &r->user, &r->pass, err);
        if (rc == -ENOENT)
                return 0;
        if (rc < 0)
                return berr_wrap(err, "credentials in `%s`", path);
        return 0;
}

int registry_open(const char *domain, const char *repository, struct registry **ret,
                  struct berr **err)
{
        static bool curl_ready; /* curl_global_init is process-wide by design */
        cleanup_free char *list = insecure_list_from_env();
        struct registry *r;
        const char *api;
        int rc;

        if (!curl_ready) {
                curl_global_init(CURL_GLOBAL_DEFAULT);
                curl_ready = true;
        }
        r = xcalloc(1, sizeof(*r));
        r->domain = xstrdup(domain);
        r->repo = xstrdup(repository);
        r->insecure = registry_is_insecure(domain, list);
        api = strcmp(domain, REFERENCE_DEFAULT_DOMAIN) == 0 ? REFERENCE_DOCKER_HUB_API : domain;
        r->base = xasprintf("%s://%s", r->insecure ? "http" : "https", api);
        rc = load_credentials(r, err);
        if (rc < 0) {
                registry_free(r);
                return rc;
        }
        *ret = r;
        return 0;
}

void registry_free(struct registry *r)
{
        if (!r)
                return;
        free(r->domain);
        free(r->base);
        free(r->repo);
        free(r->user);
        if (r->pass)
                explicit_bzero(r->pass, strlen(r->pass));
        free(r->pass);
        free(r->authz);
        free(r);
}

void registry_freep(struct registry **r)
{
        registry_free(*r);
        *r = NULL;
}

/* ---- one HTTP request ----------------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
        struct response *resp = ud;

        if (resp->body.len + size * n > resp->max) {
                resp->too_big = true;
                return 0;
        }
        strbuf_add(&resp->body, p, size * n);
        return size * n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
        size_t n = strlen(name);

        if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
                return NULL;
        line += n + 1;
        len -= n + 1;
        while (len && (*line == ' ' || *line == '\t'))
                line++, len--;
        while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
                len--;
        return xstrndup(line, len);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
        struct response *resp = ud;
        size_t len = size * n;
        char *v;

        if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
                /* a new response (after a redirect or 100-continue): forget the old headers */
                free(resp->content_type);
                free(resp->www_authenticate);
                free(resp->docker_digest);
                resp->content_type = resp->www_authenticate = resp->docker_digest = NULL;
        } else if ((v = header_value(p, len, "Content-Type"))) {
                free(resp->content_type);
                resp->content_type = v;
        } else if ((v = header_value(p, len, "WWW-Authenticate"))) {
                free(resp->www_authenticate);
                resp->www_authenticate = v;
        } else if ((v = header_value(p, len, "Docker-Content-Digest"))) {
                free(resp->docker_digest);
                resp->docker_digest = v;
        }
        return len;
}

static int curl_errno(CURLcode c)
{
        switch (c) {
        case CURLE_COULDNT_CONNECT:
                return ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
                return EHOSTUNREACH;
        case CURLE_OPERATION_TIMEDOUT:
                return ETIMEDOUT;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
                return ECONNRESET;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
                return EPROTO;
        default:
                return EIO;
        }
}

static const char *curl_cause(CURLcode c)
{
        switch (c) {
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
                return "connection dropped by the registry";
        case CURLE_COULDNT_CONNECT:
                return "connection refused";
        default:
                return curl_easy_strerror(c);
        }
}

static void setup_easy(CURL *c, const char *url, struct curl_slist *hdrs, char *errbuf)
{
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_USERAGENT, "berth/" BERTH_VERSION);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        /* abort a transfer that stalls below 1 byte/s for 60 s */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "identity");
}

static int http_get(const char *url, const char *accept, const char *authz, const char *user,
                    const char *pass, size_t max, struct response *resp, struct berr **err)
{
        CLEANUP(curl_easy_cleanupp) CURL *c = curl_easy_init();
        CLEANUP(curl_slist_freep) struct curl_slist *hdrs = NULL;
        char errbuf[CURL_ERROR_SIZE] = "";
        CURLcode cc;

        if (!c)
                abort();
        if (accept) {
                cleanup_free char *h = xasprintf("Accept: %s", accept);

                hdrs = curl_slist_append(hdrs, h);
        }
        if (authz)
                hdrs = curl_slist_append(hdrs, authz);
        setup_easy(c, url, hdrs, errbuf);
        if (user && pass) {
                curl_easy_setopt(c, CURLOPT_USERNAME, user);
                curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
                curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        }
        resp->max = max;
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
        cc = curl_easy_perform(c);
        if (cc == CURLE_WRITE_ERROR && resp->too_big)
                return berr_msg(err, EFBIG, "GET %s: response larger than %zu bytes", url, max);
        if (cc != CURLE_OK)
                return berr_msg(err, curl_errno(cc), "GET %s: %s", url, curl_cause(cc));
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
        return 0;
}

/* "errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}] -> "manifest unknown: ..." */
static char *registry_error_text(const struct response *resp)
{
        cleanup_json json_t *root =
                json_loadb(resp->body.buf ? resp->body.buf : "", resp->body.len, 0, NULL);
        json_t *e = json_array_get(json_object_get(root, "errors"), 0);
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));

        if (code && msg)
                return xasprintf("%s (%s)", msg, code);
        if (code)
                return xstrdup(code);
        return xasprintf("HTTP %ld", resp->status);
}

static int status_error(const struct registry *r, const char *what, const struct response *resp,
                        struct berr **err)
{
        cleanup_free char *text = registry_error_text(resp);

        if (resp->status == 404)
                return berr_msg(err, ENOENT, "%s not found in %s/%s: %s", what, r->domain, r->repo,
                                text);
        if (resp->status == 401 || resp->status == 403)
                return berr_msg(err, EACCES, "%s: access denied by %s%s: %s", what, r->domain,
                                r->user ? " (wrong credentials?)" : " (no credentials)", text);
        if (resp->status == 429)
                return berr_msg(err, EAGAIN, "%s: rate limited by %s: %s", what, r->domain, text);
        return berr_msg(err, EIO, "%s: registry %s answered HTTP %ld: %s", what, r->domain,
                        resp->status, text);
}

/* ---- authentication ------------------------------------------------------------------------- */

static char *challenge_param(const char *h, const char *name)
{
        size_t n = strlen(name);

        for (const char *p = h; (p = strcasestr(p, name)); p += n) {
                const char *v;
                struct strbuf b = STRBUF_INIT;

                if ((p != h && isalnum((unsigned char)p[-1])) || p[n] != '=')
                        continue;
                v = p + n + 1;
                if (*v == '"') {
                        for (v++; *v && *v != '"'; v++) {
                                if (*v == '\\' && v[1])
                                        v++;
                                strbuf_putc(&b, *v);
                        }
                } else {
                        strbuf_add(&b, v, strcspn(v, ", "));
                }
                return strbuf_take(&b);
        }
        return NULL;
}

int registry_parse_challenge(const char *header, char **ret_scheme, char **ret_realm,
                             char **ret_service, char **ret_scope)
{
        size_t n;

        while (*header == ' ')
                header++;
        n = strcspn(header, " ");
        if (n == 0)
                return -EINVAL;
        *ret_scheme = xstrndup(header, n);
        *ret_realm = challenge_param(header + n, "realm");
        *ret_service = challenge_param(header + n, "service");
        *ret_scope = challenge_param(header + n, "scope");
        return 0;
}

static char *url_escape(const char *s)
{
        char *e = curl_easy_escape(NULL, s, 0);
        char *out = xstrdup(e ? e : "");

        curl_free(e);
        return out;
}

static int fetch_token(struct registry *r, const char *realm, const char *service,
                       const char *scope, struct berr **err)
{
        cleanup_free char *url = NULL, *esvc = NULL, *escope = NULL;
        cleanup_json json_t *root = NULL;
        struct response resp = {0};
        const char *tok;
        int rc;

        if (strncmp(realm, "https://", 8) != 0 && strncmp(realm, "http://", 7) != 0)
                return berr_msg(err, EPROTO, "token realm `%s` is not an http(s) URL", realm);
        if (strncmp(realm, "http://", 7) == 0 && !r->insecure)
                return berr_msg(err, EPROTO, "refusing plain-HTTP token realm `%s` for %s", realm,
                                r->domain);
        esvc = url_escape(service ? service : "");
        escope = url_escape(scope);
        url = xasprintf("%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", esvc,
                        escope);
        rc = http_get(url, "application/json", NULL, r->user, r->pass, TOKEN_MAX_SIZE, &resp, err);
        if (rc < 0)
                goto out;
        if (resp.status == 401 || resp.status == 403) {
                rc = berr_msg(err, EACCES, "%s: %s", r->domain,
                              r->user ? "wrong credentials (token server refused them)"
                                      : "authentication required (no credentials)");
                goto out;
        }
        if (resp.status != 200) {
                rc = berr_msg(err, EIO, "token server `%s` answered HTTP %ld", realm, resp.status);
                goto out;
        }
        root = json_loadb(strbuf_str(&resp.body), resp.body.len, 0, NULL);
        tok = json_string_value(json_object_get(root, "token"));
        if (!tok)
                tok = json_string_value(json_object_get(root, "access_token"));
        if (!tok || !*tok || strpbrk(tok, "\r\n")) {
                rc = berr_msg(err, EPROTO, "token server `%s` sent no token", realm);
                goto out;
        }
        free(r->authz);
        r->authz = xasprintf("Authorization: Bearer %s", tok);
out:
        response_done(&resp);
        return rc;
}

/* Answer a 401 challenge; -EACCES when it cannot be met. */
static int authenticate(struct registry *r, const char *challenge, struct berr **err)
{
        cleanup_free char *scheme = NULL, *realm = NULL, *service = NULL, *scope = NULL;
        cleanup_free char *want_scope = xasprintf("repository:%s:pull", r->repo);

        if (!challenge ||
            registry_parse_challenge(challenge, &scheme, &realm, &service, &scope) < 0)
                return berr_msg(err, EACCES, "%s: unauthorized, and no authentication challenge",
                                r->domain);
        if (strcasecmp(scheme, "Basic") == 0) {
                if (!r->user)
                        return berr_msg(err, EACCES,
                                        "%s: authentication required (no credentials for it in "
                                        "the docker config)",
                                        r->domain);
                free(r->authz);
                r->authz = NULL; /* http_get sends basic credentials when user is set */
                return 1;
        }
        if (strcasecmp(scheme, "Bearer") == 0 && realm)
                return fetch_token(r, realm, service, scope ? scope : want_scope, err);
        return berr_msg(err, EACCES, "%s: unsupported authentication scheme `%s`", r->domain,
                        scheme);
}

/* GET with one authentication round trip on 401. */
static int registry_get(struct registry *r, const char *url, const char *accept, size_t max,
                        struct response *resp, struct berr **err)
{
        int rc;

        for (int attempt = 0;; attempt++) {
                bool basic = r->user && !r->authz && attempt > 0;

                rc = http_get(url, accept, r->authz, basic ? r->user : NULL, basic ? r->pass : NULL,
                              max, resp, err);
                if (rc < 0 || resp->status != 401 || attempt > 0)
                        return rc;
                rc = authenticate(r, resp->www_authenticate, err);
                if (rc < 0)
                        return rc;
                response_done(resp);
        }
}

int registry_get_manifest(struct registry *r, const char *ref, char **ret_body, size_t *ret_len,
                          char **ret_content_type, char **ret_digest, struct berr **err)
{
        cleanup_free char *url = xasprintf("%s/v2/%s/manifests/%s", r->base, r->repo, ref);
        cleanup_free char *what = xasprintf("manifest `%s`", ref);
        struct response resp = {0};
        char *digest;
        int rc;

        rc = registry_get(r, url, MANIFEST_ACCEPT, MANIFEST_MAX_SIZE, &resp, err);
        if (rc < 0)
                goto out;
        if (resp.status != 200) {
                rc = status_error(r, what, &resp, err);
                goto out;
        }
        digest = digest_buffer(strbuf_str(&resp.body), resp.body.len);
        if (strncmp(ref, "sha256:", 7) == 0 && strcmp(digest, ref) != 0) {
                rc = berr_msg(err, EBADMSG, "digest mismatch: manifest `%s` hashes to %s", ref,
                              digest);
                free(digest);
                goto out;
        }
        *ret_digest = digest;
        *ret_len = resp.body.len;
        *ret_body = strbuf_take(&resp.body);
        *ret_content_type = resp.content_type ? xstrdup(resp.content_type) : NULL;
out:
        response_done(&resp);
        return rc;
}

/* ---- parallel blob download ----------------------------------------------------------------- */

struct transfer {
        struct registry *reg;
        const struct descriptor *desc;
        struct store_writer *w;
        struct berr *werr; /* first write error */
        CURL *easy;
        struct curl_slist *hdrs;
        char errbuf[CURL_ERROR_SIZE];
        registry_progress_fn progress;
        void *userdata;
        int64_t last_reported;
        long status;
};

static size_t on_blob_data(char *p, size_t size, size_t n, void *ud)
{
        struct transfer *t = ud;
        long status = 0;

        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) {
                t->status = status;
                return 0;
        }
        if (store_blob_write(t->w, p, size * n, &t->werr) < 0)
                return 0;
        if (t->progress && store_blob_written(t->w) - t->last_reported >= 256 * 1024) {
                t->last_reported = store_blob_written(t->w);
                t->progress(t->desc->digest, t->last_reported, t->desc->size, 0, t->userdata);
        }
        return size * n;
}

static void transfer_done(struct transfer *t, CURLM *multi)
{
        if (t->easy) {
                curl_multi_remove_handle(multi, t->easy);
                curl_easy_cleanup(t->easy);
        }
        curl_slist_free_all(t->hdrs);
        store_blob_abort(t->w);
        berr_free(t->werr);
        memset(t, 0, sizeof(*t));
}

static int transfer_start(struct transfer *t, CURLM *multi, struct store *s, struct berr **err)
{
        cleanup_free char *url =
                xasprintf("%s/v2/%s/blobs/%s", t->reg->base, t->reg->repo, t->desc->digest);
        int rc;

        rc = store_blob_begin(s, t->desc->digest, t->desc->size, &t->w, err);
        if (rc < 0)
                return rc;
        t->easy = curl_easy_init();
        if (!t->easy)
                abort();
        if (t->reg->authz)
                t->hdrs = curl_slist_append(NULL, t->reg->authz);
        setup_easy(t->easy, url, t->hdrs, t->errbuf);
        if (t->reg->user && !t->reg->authz) {
                curl_easy_setopt(t->easy, CURLOPT_USERNAME, t->reg->user);
                curl_easy_setopt(t->easy, CURLOPT_PASSWORD, t->reg->pass);
                curl_easy_setopt(t->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        }
        curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_blob_data);
        curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
        curl_multi_add_handle(multi, t->easy);
        return 0;
}

static int transfer_finish(struct transfer *t, CURLcode cc, struct berr **err)
{
        struct store_writer *w = t->w;
        long status = 0;
        int rc;

        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (t->werr) {
                *err = TAKE_PTR(t->werr);
                return -(*err)->code;
        }
        if (cc == CURLE_OK && status != 200)
                t->status = status;
        if (t->status) {
                struct response resp = {.status = t->status};
                cleanup_free char *what = xasprintf("blob `%s`", t->desc->digest);

                return status_error(t->reg, what, &resp, err);
        }
        if (cc != CURLE_OK)
                return berr_msg(err, curl_errno(cc), "blob `%s`: %s", t->desc->digest,
                                curl_cause(cc));
        t->w = NULL;
        rc = store_blob_commit(w, err);
        if (rc < 0)
                return rc;
        if (t->progress)
                t->progress(t->desc->digest, t->desc->size, t->desc->size, 1, t->userdata);
        return 0;
}

static int run_transfers(struct registry *r, struct store *s, const struct descriptor **todo,
                         size_t n, int parallel, registry_progress_fn progress, void *userdata,
                         struct berr **err)
{
        CURLM *multi = curl_multi_init();
        struct transfer *ts = xcalloc((size_t)parallel, sizeof(*ts));
        size_t next = 0, active = 0;
        int rc = 0;

        while (rc >= 0 && (next < n || active > 0)) {
                struct CURLMsg *msg;
                int running, left;

                for (int i = 0; i < parallel && next < n && rc >= 0; i++) {
                        if (ts[i].desc)
                                continue;
                        ts[i] = (struct transfer){.reg = r,
                                                  .desc = todo[next++],
                                                  .progress = progress,
                                                  .userdata = userdata};
                        rc = transfer_start(&ts[i], multi, s, err);
                        active++;
                }
                if (rc < 0)
                        break;
                curl_multi_perform(multi, &running);
                while ((msg = curl_multi_info_read(multi, &left))) {
                        struct transfer *t = NULL;

                        if (msg->msg != CURLMSG_DONE)
                                continue;
                        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
                        if (rc >= 0)
                                rc = transfer_finish(t, msg->data.result, err);
                        transfer_done(t, multi);
                        active--;
                }
                if (rc >= 0 && active > 0)
                        curl_multi_poll(multi, NULL, 0, 1000, NULL);
        }
        for (int i = 0; i < parallel; i++)
                if (ts[i].desc)
                        transfer_done(&ts[i], multi);
        free(ts);
        curl_multi_cleanup(multi);
        return rc;
}

int registry_fetch_blobs(struct registry *r, struct store *s, const struct descriptor *blobs,
                         size_t n, int parallel, registry_progress_fn progress, void *userdata,
                         struct berr **err)
{
        cleanup_free const struct descriptor **todo = xcalloc(n + 1, sizeof(*todo));
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                bool dup = false;

                for (size_t j = 0; j < k; j++)
                        dup = dup || strcmp(todo[j]->digest, blobs[i].digest) == 0;
                if (dup)
                        continue;
                if (store_has_blob(s, blobs[i].digest)) {
                        if (progress)
                                progress(blobs[i].digest, blobs[i].size, blobs[i].size, 2,
                                         userdata);
                        continue;
                }
                todo[k++] = &blobs[i];
        }
        if (k == 0)
                return 0;
        return run_transfers(r, s, todo, k, parallel < 1 ? 1 : parallel, progress, userdata, err);
}
