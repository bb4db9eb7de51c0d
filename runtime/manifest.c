/* SPDX-License-Identifier: MIT */
#include "runtime/manifest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sys/utsname.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/image.h"
#include "runtime/reference.h"

#define cleanup_json CLEANUP(json_decrefp)

static const char *const kind_media[] = {
        [MANIFEST_OCI_INDEX] = MEDIA_OCI_INDEX,
        [MANIFEST_DOCKER_LIST] = MEDIA_DOCKER_LIST,
        [MANIFEST_OCI] = MEDIA_OCI_MANIFEST,
        [MANIFEST_DOCKER_V2] = MEDIA_DOCKER_V2,
};

const char *manifest_kind_media_type(enum manifest_kind k)
{
        if (k < 0 || k >= MANIFEST_KIND__MAX)
                return NULL;
        return kind_media[k];
}

static enum manifest_kind kind_from_media(const char *mt, size_t n)
{
        for (int k = 0; k < MANIFEST_KIND__MAX; k++)
                if (strlen(kind_media[k]) == n && strncmp(kind_media[k], mt, n) == 0)
                        return (enum manifest_kind)k;
        return MANIFEST_KIND__INVALID;
}

int manifest_is_index(const struct manifest *m)
{
        return m->kind == MANIFEST_OCI_INDEX || m->kind == MANIFEST_DOCKER_LIST;
}

static void descriptor_done(struct descriptor *d)
{
        free(d->media_type);
        free(d->digest);
        free(d->os);
        free(d->architecture);
        free(d->variant);
        memset(d, 0, sizeof(*d));
}

void manifest_done(struct manifest *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n_manifests; i++)
                descriptor_done(&m->manifests[i]);
        free(m->manifests);
        for (size_t i = 0; i < m->n_layers; i++)
                descriptor_done(&m->layers[i]);
        free(m->layers);
        descriptor_done(&m->config);
        memset(m, 0, sizeof(*m));
}

static char *opt_string(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static int parse_descriptor(json_t *j, const char *what, bool want_platform, struct descriptor *d,
                            struct berr **err)
{
        json_t *digest = json_object_get(j, "digest"), *size = json_object_get(j, "size");
        json_t *mt = json_object_get(j, "mediaType");

        if (!json_is_object(j))
                return berr_msg(err, EINVAL, "%s: not an object", what);
        if (!json_is_string(digest) || !reference_digest_valid(json_string_value(digest)))
                return berr_msg(err, EINVAL, "%s: missing or invalid digest", what);
        if (!json_is_integer(size) || json_integer_value(size) < 0)
                return berr_msg(err, EINVAL, "%s: missing or invalid size", what);
        if (mt && !json_is_string(mt))
                return berr_msg(err, EINVAL, "%s: invalid mediaType", what);
        d->digest = xstrdup(json_string_value(digest));
        d->size = json_integer_value(size);
        d->media_type = mt ? xstrdup(json_string_value(mt)) : NULL;
        if (want_platform) {
                json_t *p = json_object_get(j, "platform");

                if (json_is_object(p)) {
                        d->os = opt_string(p, "os");
                        d->architecture = opt_string(p, "architecture");
                        d->variant = opt_string(p, "variant");
                }
        }
        return 0;
}

static enum manifest_kind detect_kind(json_t *root, const char *content_type)
{
        json_t *mt = json_object_get(root, "mediaType");
        enum manifest_kind k = MANIFEST_KIND__INVALID;

        if (content_type) {
                size_t n = strcspn(content_type, "; ");

                k = kind_from_media(content_type, n);
        }
        if (k < 0 && json_is_string(mt))
                k = kind_from_media(json_string_value(mt), strlen(json_string_value(mt)));
        if (k < 0 && !mt) {
                /* OCI allows omitting mediaType (umoci does): tell by the shape. */
                if (json_is_array(json_object_get(root, "manifests")))
                        k = MANIFEST_OCI_INDEX;
                else if (json_is_object(json_object_get(root, "config")))
                        k = MANIFEST_OCI;
        }
        return k;
}

static int parse_list(json_t *arr, const char *what, bool platform, struct descriptor **ret,
                      size_t *ret_n, struct berr **err)
{
        size_t n = json_array_size(arr);

        if (!json_is_array(arr))
                return berr_msg(err, EINVAL, "manifest has no %s list", what);
        if (n > MANIFEST_MAX_ENTRIES)
                return berr_msg(err, EINVAL, "manifest has too many %s (%zu)", what, n);
        *ret = xcalloc(n ? n : 1, sizeof(**ret));
        for (size_t i = 0; i < n; i++) {
                char w[64];
                int r;

                snprintf(w, sizeof(w), "%s[%zu]", what, i);
                r = parse_descriptor(json_array_get(arr, i), w, platform, &(*ret)[i], err);
                *ret_n = i + (r >= 0);
                if (r < 0)
                        return r;
        }
        *ret_n = n;
        return 0;
}

int layer_media_type_supported(const char *mt)
{
        static const char *const ok[] = {MEDIA_OCI_LAYER, MEDIA_OCI_LAYER_GZ, MEDIA_OCI_LAYER_ZSTD,
                                         MEDIA_DOCKER_LAYER};

        if (!mt)
                return 1; /* libarchive detects the compression itself */
        for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
                if (strcmp(mt, ok[i]) == 0)
                        return 1;
        return 0;
}

static int check_image_manifest(struct manifest *m, struct berr **err)
{
        if (m->config.media_type && strcmp(m->config.media_type, MEDIA_OCI_CONFIG) != 0 &&
            strcmp(m->config.media_type, MEDIA_DOCKER_CONFIG) != 0)
                return berr_msg(err, EINVAL, "unsupported config media type `%s`",
                                m->config.media_type);
        for (size_t i = 0; i < m->n_layers; i++)
                if (!layer_media_type_supported(m->layers[i].media_type))
                        return berr_msg(err, EINVAL, "layers[%zu]: unsupported media type `%s`", i,
                                        m->layers[i].media_type);
        return 0;
}

int manifest_parse(const char *body, size_t len, const char *content_type, struct manifest *ret,
                   struct berr **err)
{
        cleanup_json json_t *root = NULL;
        json_error_t jerr;
        struct manifest m = {0};
        int r;

        memset(ret, 0, sizeof(*ret));
        if (len > MANIFEST_MAX_SIZE)
                return berr_msg(err, EFBIG, "manifest is too large (%zu bytes)", len);
        root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(root))
                return berr_msg(err, EINVAL, "manifest is not a JSON object: %s", jerr.text);
        if (content_type &&
            strncmp(content_type, "application/vnd.docker.distribution.manifest.v1+",
                    strlen("application/vnd.docker.distribution.manifest.v1+")) == 0)
                return berr_msg(err, ENOTSUP, "schema1 manifests are not supported");
        m.kind = detect_kind(root, content_type);
        if (m.kind < 0) {
                if (json_integer_value(json_object_get(root, "schemaVersion")) == 1)
                        return berr_msg(err, ENOTSUP, "schema1 manifests are not supported");
                return berr_msg(err, EINVAL, "unknown manifest type `%s`",
                                content_type ? content_type : "(none)");
        }
        if (json_integer_value(json_object_get(root, "schemaVersion")) != 2)
                return berr_msg(err, EINVAL, "unsupported manifest schemaVersion");
        if (manifest_is_index(&m))
                r = parse_list(json_object_get(root, "manifests"), "manifests", true, &m.manifests,
                               &m.n_manifests, err);
        else {
                r = parse_descriptor(json_object_get(root, "config"), "config", false, &m.config,
                                     err);
                if (r >= 0)
                        r = parse_list(json_object_get(root, "layers"), "layers", false, &m.layers,
                                       &m.n_layers, err);
                if (r >= 0)
                        r = check_image_manifest(&m, err);
        }
        if (r < 0) {
                manifest_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}

/* ---- platforms ------------------------------------------------------------------------------ */

void platform_done(struct platform *p)
{
        free(p->os);
        free(p->architecture);
        free(p->variant);
        memset(p, 0, sizeof(*p));
}

void platform_host(struct platform *ret)
{
        static const struct {
                const char *machine, *arch, *variant;
        } map[] = {
                {"x86_64", "amd64", NULL},    {"aarch64", "arm64", "v8"},
                {"armv7l", "arm", "v7"},      {"armv6l", "arm", "v6"},
                {"i686", "386", NULL},        {"i386", "386", NULL},
                {"ppc64le", "ppc64le", NULL}, {"s390x", "s390x", NULL},
                {"riscv64", "riscv64", NULL},
        };
        struct utsname u;

        memset(ret, 0, sizeof(*ret));
        ret->os = xstrdup("linux");
        if (uname(&u) == 0)
                for (size_t i = 0; i < ARRAY_SIZE(map); i++)
                        if (strcmp(u.machine, map[i].machine) == 0) {
                                ret->architecture = xstrdup(map[i].arch);
                                ret->variant = map[i].variant ? xstrdup(map[i].variant) : NULL;
                                return;
                        }
        ret->architecture = xstrdup(uname(&u) == 0 ? u.machine : "unknown");
}

int platform_parse(const char *s, struct platform *ret, struct berr **err)
{
        cleanup_strv char **parts = strv_split(s, "/");
        size_t n = strv_length(parts);

        memset(ret, 0, sizeof(*ret));
        if (n < 2 || n > 3 || strchr(s, ' '))
                return berr_msg(err, EINVAL, "`%s`: platform must be os/arch[/variant]", s);
        ret->os = xstrdup(parts[0]);
        ret->architecture = xstrdup(parts[1]);
        ret->variant = n == 3 ? xstrdup(parts[2]) : NULL;
        if (strcmp(ret->architecture, "arm64") == 0 && !ret->variant)
                ret->variant = xstrdup("v8");
        return 0;
}

static bool variant_matches(const struct descriptor *d, const struct platform *p)
{
        if (!p->variant)
                return true;
        if (!d->variant)
                /* arm64 images rarely state v8; treat a missing variant as the default one */
                return strcmp(p->architecture, "arm64") == 0 && strcmp(p->variant, "v8") == 0;
        return strcmp(d->variant, p->variant) == 0;
}

int manifest_select(const struct manifest *index, const struct platform *p,
                    const struct descriptor **ret, struct berr **err)
{
        cleanup_strv char **offered = NULL;
        cleanup_free char *list = NULL;

        for (size_t i = 0; i < index->n_manifests; i++) {
                const struct descriptor *d = &index->manifests[i];

                if (d->os && d->architecture && strcmp(d->os, p->os) == 0 &&
                    strcmp(d->architecture, p->architecture) == 0 && variant_matches(d, p)) {
                        *ret = d;
                        return 0;
                }
                if (d->os && d->architecture)
                        offered = strv_push_take(offered,
                                                 xasprintf("%s/%s%s%s", d->os, d->architecture,
                                                           d->variant ? "/" : "",
                                                           d->variant ? d->variant : ""));
        }
        list = offered ? strv_join(offered, ", ") : xstrdup("none");
        return berr_msg(err, ENOENT, "no manifest for platform %s/%s%s%s (offered: %s)", p->os,
                        p->architecture, p->variant ? "/" : "", p->variant ? p->variant : "", list);
}

/* ---- image config --------------------------------------------------------------------------- */

void image_config_done(struct image_config *c)
{
        if (!c)
                return;
        free(c->os);
        free(c->architecture);
        free(c->variant);
        free(c->created);
        strv_free(c->env);
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        free(c->user);
        free(c->working_dir);
        strv_free(c->exposed_ports);
        strv_free(c->volumes);
        free(c->stop_signal);
        strv_free(c->labels);
        if (c->healthcheck) {
                strv_free(c->healthcheck->test);
                free(c->healthcheck);
        }
        strv_free(c->diff_ids);
        memset(c, 0, sizeof(*c));
}

static int string_array(json_t *a, const char *what, char ***ret, struct berr **err)
{
        size_t i;
        json_t *v;
        char **out;

        *ret = NULL;
        if (!a || json_is_null(a))
                return 0;
        if (!json_is_array(a))
                return berr_msg(err, EINVAL, "image config: %s is not a list", what);
        out = xcalloc(1, sizeof(char *));
        json_array_foreach(a, i, v)
        {
                if (!json_is_string(v)) {
                        strv_free(out);
                        return berr_msg(err, EINVAL, "image config: %s[%zu] is not a string", what,
                                        i);
                }
                out = strv_push(out, json_string_value(v));
        }
        *ret = out;
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **object_keys(json_t *o, bool with_values)
{
        const char *k;
        json_t *v;
        char **out = NULL;

        if (!json_is_object(o))
                return NULL;
        json_object_foreach(o, k, v)
        {
                if (with_values)
                        out = strv_push_take(
                                out, xasprintf("%s=%s", k,
                                               json_is_string(v) ? json_string_value(v) : ""));
                else
                        out = strv_push(out, k);
        }
        if (out)
                qsort(out, strv_length(out), sizeof(char *), cmp_str);
        return out;
}

static int parse_healthcheck(json_t *h, struct image_config *c, struct berr **err)
{
        struct image_healthcheck *hc;
        int r;

        if (!json_is_object(h))
                return 0;
        hc = xcalloc(1, sizeof(*hc));
        c->healthcheck = hc;
        r = string_array(json_object_get(h, "Test"), "Healthcheck.Test", &hc->test, err);
        if (r < 0)
                return r;
        hc->interval_ns = json_integer_value(json_object_get(h, "Interval"));
        hc->timeout_ns = json_integer_value(json_object_get(h, "Timeout"));
        hc->start_period_ns = json_integer_value(json_object_get(h, "StartPeriod"));
        hc->start_interval_ns = json_integer_value(json_object_get(h, "StartInterval"));
        hc->retries = (int)json_integer_value(json_object_get(h, "Retries"));
        return 0;
}

static int parse_container_config(json_t *cc, struct image_config *c, struct berr **err)
{
        int r;

        c->user = xstrdup(json_is_string(json_object_get(cc, "User"))
                                  ? json_string_value(json_object_get(cc, "User"))
                                  : "");
        c->working_dir = xstrdup(json_is_string(json_object_get(cc, "WorkingDir"))
                                         ? json_string_value(json_object_get(cc, "WorkingDir"))
                                         : "");
        c->stop_signal = opt_string(cc, "StopSignal");
        r = string_array(json_object_get(cc, "Env"), "Env", &c->env, err);
        if (r >= 0)
                r = string_array(json_object_get(cc, "Entrypoint"), "Entrypoint", &c->entrypoint,
                                 err);
        if (r >= 0)
                r = string_array(json_object_get(cc, "Cmd"), "Cmd", &c->cmd, err);
        if (r >= 0)
                r = parse_healthcheck(json_object_get(cc, "Healthcheck"), c, err);
        c->exposed_ports = object_keys(json_object_get(cc, "ExposedPorts"), false);
        c->volumes = object_keys(json_object_get(cc, "Volumes"), false);
        c->labels = object_keys(json_object_get(cc, "Labels"), true);
        return r;
}

int image_config_parse(const char *body, size_t len, struct image_config *ret, struct berr **err)
{
        cleanup_json json_t *root = NULL;
        json_error_t jerr;
        struct image_config c = {0};
        json_t *cc, *rootfs;
        int r;

        memset(ret, 0, sizeof(*ret));
        if (len > CONFIG_MAX_SIZE)
                return berr_msg(err, EFBIG, "image config is too large (%zu bytes)", len);
        root = json_loadb(body, len, 0, &jerr);
        if (!json_is_object(root))
                return berr_msg(err, EINVAL, "image config is not a JSON object: %s", jerr.text);
        c.os = opt_string(root, "os");
        c.architecture = opt_string(root, "architecture");
        c.variant = opt_string(root, "variant");
        c.created = opt_string(root, "created");
        cc = json_object_get(root, "config");
        if (cc && !json_is_object(cc) && !json_is_null(cc)) {
                r = berr_msg(err, EINVAL, "image config: config is not an object");
                goto fail;
        }
        r = parse_container_config(cc, &c, err);
        if (r < 0)
                goto fail;
        rootfs = json_object_get(root, "rootfs");
        r = string_array(json_object_get(rootfs, "diff_ids"), "rootfs.diff_ids", &c.diff_ids, err);
        if (r < 0)
                goto fail;
        if (!c.diff_ids) {
                r = berr_msg(err, EINVAL, "image config: rootfs.diff_ids is missing");
                goto fail;
        }
        for (size_t i = 0; c.diff_ids[i]; i++) {
                if (!reference_digest_valid(c.diff_ids[i])) {
                        r = berr_msg(err, EINVAL, "image config: invalid diff_id `%s`",
                                     c.diff_ids[i]);
                        goto fail;
                }
        }
        *ret = c;
        return 0;
fail:
        image_config_done(&c);
        return r;
}
