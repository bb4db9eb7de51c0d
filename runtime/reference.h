/* SPDX-License-Identifier: MIT */
/* runtime/reference: image references exactly as docker parses them (distribution's grammar and
 * its "normalized named" rules): `redis` -> docker.io/library/redis:latest, `host:5000/team/app:7`,
 * `name@sha256:...`, `index.docker.io` aliased to docker.io, a first path component that is a
 * domain only when it holds `.` or `:`, is `localhost`, or has upper case letters. Pure: no I/O. */
#pragma once

#include <stdbool.h>

struct berr;

#define REFERENCE_DEFAULT_DOMAIN "docker.io"
#define REFERENCE_DEFAULT_TAG    "latest"
/* The host that serves docker.io's registry API. */
#define REFERENCE_DOCKER_HUB_API "registry-1.docker.io"

struct reference {
        char *domain; /* "docker.io", "127.0.0.1:5000", "[::1]:5000" */
        char *path;   /* "library/redis", "team/app" */
        char *tag;    /* "latest" when neither a tag nor a digest was given; NULL with a digest */
        char *digest; /* "sha256:<64 hex>" or NULL */
};

/* Parse s into ret (zeroed first). An error names the reference and the cause, as docker does:
 * "invalid reference format: repository name must be lowercase". */
int reference_parse(const char *s, struct reference *ret, struct berr **err);
void reference_done(struct reference *r);
/* Deep copy. */
void reference_copy(struct reference *dst, const struct reference *src);
/* Canonical text: domain/path[:tag][@digest] (caller frees). */
char *reference_string(const struct reference *r);
/* Short text as docker prints it: "redis:7", "team/app", "127.0.0.1:5000/x:1" (caller frees). */
char *reference_familiar(const struct reference *r);
/* domain/path without tag or digest (caller frees). */
char *reference_name(const struct reference *r);
/* Host[:port] to talk the registry API to (registry-1.docker.io for docker.io). */
const char *reference_api_host(const struct reference *r);
/* Whether s is a syntactically valid "sha256:<64 lowercase hex>" digest. */
bool reference_digest_valid(const char *s);
/* Whether s is a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}). */
bool reference_tag_valid(const char *s);
