/* SPDX-License-Identifier: MIT */
/* spec/yaml: YAML text -> a tree of plain nodes (mapping, sequence, scalar) that remember their
 * file:line:col, scalar style and tag. Anchors and aliases are expanded, merge keys `<<` applied
 * (a map or a list of maps, explicit keys win), duplicate keys and syntax errors reported as
 * diagnostics. `!reset` and `!override` tags are kept for the merge step. The only file that
 * includes <yaml.h>. Limits guard against deep nesting and alias bombs (billion laughs). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct spec_diags;

enum spec_node_kind {
        SPEC_SCALAR,
        SPEC_MAP,
        SPEC_SEQ,
};

struct spec_node {
        enum spec_node_kind kind;
        bool quoted;      /* scalar written quoted or as a block: never null, bool or number */
        char *tag;        /* explicit tag ("!reset", "tag:yaml.org,2002:str") or NULL */
        const char *file; /* display name; owned by whoever parsed, outlives the tree */
        int line, col;    /* 1-based */
        char *str;        /* SPEC_SCALAR: the text, never NULL */
        size_t n, cap;
        struct spec_node **keys; /* SPEC_MAP: scalar key nodes */
        struct spec_node **vals; /* SPEC_MAP: values; SPEC_SEQ: items */
};

struct spec_yaml_limits {
        size_t max_bytes; /* input size (0: no limit) */
        size_t max_depth; /* nesting of maps and sequences */
        size_t max_nodes; /* nodes created, alias expansions included */
};

#define SPEC_YAML_DEFAULT_LIMITS                                                \
        {                                                                       \
                .max_bytes = 16u << 20, .max_depth = 128, .max_nodes = 4000000, \
        }

/* Parse the first document of buf into *ret (NULL for an empty document). `name` is used in
 * positions and must outlive the tree. Returns 0, or -EINVAL after adding error diagnostics. */
int spec_yaml_parse_buffer(const char *name, const char *buf, size_t len,
                           const struct spec_yaml_limits *limits, struct spec_node **ret,
                           struct spec_diags *diags);

/* Every document of buf (a `---` stream), as a sequence; empty documents are skipped. Anchors
 * are per document. Returns 0, or -EINVAL after adding error diagnostics. */
int spec_yaml_parse_documents(const char *name, const char *buf, size_t len,
                              const struct spec_yaml_limits *limits, struct spec_node **ret,
                              struct spec_diags *diags);

struct spec_node *spec_node_new(enum spec_node_kind kind, const char *file, int line, int col);
struct spec_node *spec_node_new_scalar(const char *s, const struct spec_node *pos);
/* Deep copy. */
struct spec_node *spec_node_copy(const struct spec_node *n);
void spec_node_free(struct spec_node *n);
void spec_node_freep(struct spec_node **n);
/* Replace the contents of dst with src's (src is consumed), keeping dst's position. */
void spec_node_replace(struct spec_node *dst, struct spec_node *src);
void spec_node_set_str(struct spec_node *n, const char *s);

/* A plain `~`, `null`, `Null`, `NULL` or empty scalar. */
bool spec_node_is_null(const struct spec_node *n);
bool spec_node_has_tag(const struct spec_node *n, const char *tag);
/* The value of key in a map, or NULL (also when n is not a map). */
struct spec_node *spec_map_get(const struct spec_node *n, const char *key);
/* Index of key in a map, or -1. */
long spec_map_index(const struct spec_node *n, const char *key);
/* Set key to val (val is consumed); replaces an existing value in place. */
void spec_map_set(struct spec_node *n, const char *key, struct spec_node *val);
/* Remove entry i of a map or item i of a sequence, freeing it. */
void spec_node_remove(struct spec_node *n, size_t i);
void spec_map_del(struct spec_node *n, const char *key);
/* Append to a sequence (val is consumed). */
void spec_seq_push(struct spec_node *n, struct spec_node *val);
/* Append to a map without checking for an existing key. */
void spec_map_push(struct spec_node *n, struct spec_node *key, struct spec_node *val);
const char *spec_map_key(const struct spec_node *n, size_t i);
/* The scalar text of key in a map, or NULL when absent, null or not a scalar. */
const char *spec_map_str(const struct spec_node *n, const char *key);
