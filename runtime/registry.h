/* SPDX-License-Identifier: MIT */
/* runtime/registry: a Registry API v2 client on libcurl. Manifests are asked for with all four
 * manifest media types; authentication follows the registry's 401 challenge (anonymous or
 * credentialed bearer tokens from the WWW-Authenticate realm, or HTTP basic), with credentials
 * from $DOCKER_CONFIG/config.json or ~/.docker/config.json (`auths`, base64 `auth` or
 * username/password). HTTPS with the system CAs; plain HTTP only for loopback registries and
 * those listed in $BERTH_INSECURE_REGISTRIES or /etc/berth/insecure-registries (see
 * docs/cli.md). Blobs download in parallel (curl multi) straight into the store, hashed while
 * they stream. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct berr;
struct descriptor;
struct store;
struct registry;

typedef void (*registry_progress_fn)(const char *digest, int64_t current, int64_t total, int done,
                                     void *userdata);

/* A client for domain (as in a reference: "docker.io", "127.0.0.1:5000") and one repository. */
int registry_open(const char *domain, const char *repository, struct registry **ret,
                  struct berr **err);
void registry_free(struct registry *r);
void registry_freep(struct registry **r);

/* GET a manifest by tag or digest. ret_digest is the sha256 of the body; when ref is a digest,
 * a body that does not hash to it is an error. */
int registry_get_manifest(struct registry *r, const char *ref, char **ret_body, size_t *ret_len,
                          char **ret_content_type, char **ret_digest, struct berr **err);

/* Download every blob not yet in the store, at most `parallel` at a time, verifying each. On
 * error nothing partial is published. */
int registry_fetch_blobs(struct registry *r, struct store *s, const struct descriptor *blobs,
                         size_t n, int parallel, registry_progress_fn progress, void *userdata,
                         struct berr **err);

/* Exposed for unit tests. */
/* Parse a WWW-Authenticate value: scheme ("Bearer"/"Basic") and the realm/service/scope
 * parameters (each may be NULL). */
int registry_parse_challenge(const char *header, char **ret_scheme, char **ret_realm,
                             char **ret_service, char **ret_scope);
/* Look up "user:password" for domain in a docker config.json text; -ENOENT when absent. */
int registry_auth_from_config(const char *json, size_t len, const char *domain, char **ret_user,
                              char **ret_pass, struct berr **err);
/* Whether the registry is spoken to over plain HTTP: loopback or in the insecure list
 * (comma/space/newline separated host[:port] entries). */
int registry_is_insecure(const char *domain, const char *insecure_list);
