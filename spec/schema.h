/* SPDX-License-Identifier: MIT */
/* spec/schema: the key -> handler tables that drive normalisation (LXC's config_jump_table):
 * one table per kind of mapping, one row per key of the Compose Specification. Private to
 * normalize.c and normalize_service.c. */
#pragma once

#include "spec/internal.h"

struct field;
typedef void (*norm_fn)(struct norm *c, const struct field *f, struct spec_node *n,
                        const char *path);

enum {
        F_WARN = 1 << 0,     /* accepted, but berth cannot honour it yet: one warning */
        F_NULLABLE = 1 << 1, /* null is a valid value and kept */
};

struct field {
        const char *key;
        norm_fn fn;
        const struct field *sub; /* for n_map / n_mapof / n_listof */
        unsigned flags;
};

/* Generic handlers (normalize.c). */
void n_str(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_bool(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_int(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_float(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_duration(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_bytes(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_strlist(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_str_or_list(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_kvmap(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_map(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_mapof(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_listof(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_any(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_path(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
void n_external(struct norm *c, const struct field *f, struct spec_node *n, const char *path);
/* Walk a mapping against a table: unknown keys are errors, x-* pass, version is dropped. */
void norm_table(struct norm *c, const struct field *table, struct spec_node *n, const char *path);
/* Whether n is a mapping; reports "expected a mapping" otherwise. */
bool norm_want(struct norm *c, struct spec_node *n, enum spec_node_kind kind, const char *path);

/* The service table (normalize_service.c). */
extern const struct field spec_service_fields[];
