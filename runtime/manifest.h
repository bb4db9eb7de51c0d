/* SPDX-License-Identifier: MIT */
/* runtime/manifest: the registry's JSON documents, parsed with jansson and validated: OCI image
 * index and Docker manifest list (resolved to one platform), OCI and Docker schema2 image
 * manifests, the image config. The kind comes from the Content-Type first and the body second
 * (umoci omits the optional mediaType). Pure: no I/O. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct berr;
struct image_config;

#define MEDIA_OCI_INDEX      "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST   "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_DOCKER_LIST    "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_V2      "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_V1      "application/vnd.docker.distribution.manifest.v1+json"
#define MEDIA_DOCKER_V1_JWS  "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MEDIA_OCI_CONFIG     "application/vnd.oci.image.config.v1+json"
#define MEDIA_DOCKER_CONFIG  "application/vnd.docker.container.image.v1+json"
#define MEDIA_OCI_LAYER      "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_LAYER_GZ   "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MEDIA_DOCKER_LAYER   "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* All four manifest types: without them distribution 404s OCI manifests and down-converts
 * Docker ones to schema1. */
#define MANIFEST_ACCEPT \
        MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST ", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_V2

/* Upper bounds on what a registry may make us parse or store. */
#define MANIFEST_MAX_SIZE    (4 * 1024 * 1024)
#define CONFIG_MAX_SIZE      (8 * 1024 * 1024)
#define MANIFEST_MAX_ENTRIES 1024

enum manifest_kind {
        MANIFEST_OCI_INDEX,
        MANIFEST_DOCKER_LIST,
        MANIFEST_OCI,
        MANIFEST_DOCKER_V2,
        MANIFEST_KIND__MAX,
        MANIFEST_KIND__INVALID = -22,
};

struct descriptor {
        char *media_type;
        char *digest;
        int64_t size;
        /* index entries only */
        char *os, *architecture, *variant;
};

struct manifest {
        enum manifest_kind kind;
        /* index / list */
        struct descriptor *manifests;
        size_t n_manifests;
        /* image manifest */
        struct descriptor config;
        struct descriptor *layers;
        size_t n_layers;
};

struct platform {
        char *os, *architecture, *variant;
};

/* Parse a manifest or index. content_type may be NULL or generic (application/json). */
int manifest_parse(const char *body, size_t len, const char *content_type, struct manifest *ret,
                   struct berr **err);
void manifest_done(struct manifest *m);
int manifest_is_index(const struct manifest *m);
const char *manifest_kind_media_type(enum manifest_kind k);

/* The host's platform (linux/amd64, linux/arm64/v8, ...). */
void platform_host(struct platform *ret);
/* "os/arch[/variant]". */
int platform_parse(const char *s, struct platform *ret, struct berr **err);
void platform_done(struct platform *p);
/* Index entry for p; -ENOENT with a message listing the platforms on offer. */
int manifest_select(const struct manifest *index, const struct platform *p,
                    const struct descriptor **ret, struct berr **err);

/* Parse an image config blob. */
int image_config_parse(const char *body, size_t len, struct image_config *ret, struct berr **err);
/* Whether a layer media type is one berth can unpack (tar, gzip, zstd). */
int layer_media_type_supported(const char *media_type);
