/* SPDX-License-Identifier: MIT */
/* spec/types: pure parsers for the scalar syntaxes of compose files: durations (`1m30s`), byte
 * sizes (`512m`), port specs (`127.0.0.1:8000-8001:80-81/udp`), volume short syntax
 * (`./data:/data:ro,z`), restart policies, signals, `cpus`, shell-like splitting of command
 * strings. No allocation of diagnostics: on failure they return -EINVAL and, where a message
 * helps, set *ret_msg (caller frees) to what was expected. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Go's time.ParseDuration syntax ("300ms", "1.5h", "1m30s"; a bare "0" too). */
int spec_parse_duration(const char *s, int64_t *ret_ns);
/* Go's Duration.String(): "1m30s", "1.5s", "100ms", "0s". buf needs 32 bytes. */
void spec_format_duration(int64_t ns, char *buf, size_t size);
/* docker's RAMInBytes: "512m", "1.5g", "1024", "2kb", "10B" (binary units). */
int spec_parse_bytes(const char *s, int64_t *ret);
/* A decimal number of CPUs, >= 0. */
int spec_parse_cpus(const char *s, double *ret);
/* A decimal integer within [min, max]. */
int spec_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret);
/* YAML 1.2 booleans (true/false in any case); loose adds yes/no/on/off/y/n/1/0 for strings
 * that came out of interpolation, as compose does. */
int spec_parse_bool(const char *s, bool loose, bool *ret);

struct spec_port_spec {
        char *host_ip;   /* NULL when none */
        char *published; /* NULL, "8080" */
        uint32_t target;
        char *protocol; /* "tcp" */
};

/* Short port syntax; ranges expand to one entry per port. */
int spec_parse_port(const char *s, struct spec_port_spec **ret, size_t *ret_n, char **ret_msg);
void spec_port_specs_free(struct spec_port_spec *v, size_t n);

enum spec_mount_type {
        SPEC_MOUNT_BIND,
        SPEC_MOUNT_VOLUME,
        SPEC_MOUNT_TMPFS,
};

struct spec_volume_spec {
        enum spec_mount_type type;
        char *source; /* NULL for an anonymous volume */
        char *target;
        bool read_only;
        bool nocopy;
        char *selinux;     /* "z" or "Z" */
        char *propagation; /* "rprivate"... */
        char *consistency; /* "cached"... */
};

/* Short volume syntax [SOURCE:]TARGET[:MODE[,MODE]]. A source that starts with `.`, `/` or `~`
 * is a bind mount; anything else names a volume. */
int spec_parse_volume(const char *s, struct spec_volume_spec *ret, char **ret_msg);
void spec_volume_spec_done(struct spec_volume_spec *v);

/* "no", "always", "unless-stopped", "on-failure[:N]". */
int spec_parse_restart(const char *s, char **ret_msg);
/* "SIGTERM", "TERM", "15": the signal number. */
int spec_parse_signal(const char *s, int *ret);
/* Split a command line as a POSIX shell would split words (quotes, backslashes; no
 * expansion). Returns -EINVAL on an unterminated quote. */
int spec_shell_split(const char *s, char ***ret);
/* Project names: lowercase letters, digits, `_` and `-`, starting with a letter or digit. */
bool spec_project_name_valid(const char *s);
/* Lowercase, drop characters outside [a-z0-9_-], trim leading `_` and `-`. Caller frees. */
char *spec_project_name_normalize(const char *s);
