/* SPDX-License-Identifier: MIT */
#include "spec/yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "spec/diag.h"

/* ---- nodes -------------------------------------------------------------------------------- */

/* A node without its scalar text: callers set str (one allocation per scalar, not two). */
static struct spec_node *node_alloc(enum spec_node_kind kind, const char *file, int line, int col)
{
        struct spec_node *n = xcalloc(1, sizeof(*n));

        n->kind = kind;
        n->file = file;
        n->line = line;
        n->col = col;
        return n;
}

struct spec_node *spec_node_new(enum spec_node_kind kind, const char *file, int line, int col)
{
        struct spec_node *n = node_alloc(kind, file, line, col);

        if (kind == SPEC_SCALAR)
                n->str = xstrdup("");
        return n;
}

struct spec_node *spec_node_new_scalar(const char *s, const struct spec_node *pos)
{
        struct spec_node *n = node_alloc(SPEC_SCALAR, pos ? pos->file : NULL, pos ? pos->line : 0,
                                         pos ? pos->col : 0);

        n->str = xstrdup(s ? s : "");
        return n;
}

void spec_node_set_str(struct spec_node *n, const char *s)
{
        char *c = xstrdup(s ? s : "");

        free(n->str);
        n->str = c;
}

static void node_clear(struct spec_node *n)
{
        for (size_t i = 0; i < n->n; i++) {
                if (n->keys)
                        spec_node_free(n->keys[i]);
                spec_node_free(n->vals[i]);
        }
        free(n->keys);
        free(n->vals);
        free(n->str);
        free(n->tag);
}

void spec_node_free(struct spec_node *n)
{
        if (!n)
                return;
        node_clear(n);
        free(n);
}

void spec_node_freep(struct spec_node **n)
{
        spec_node_free(*n);
        *n = NULL;
}

struct spec_node *spec_node_copy(const struct spec_node *n)
{
        struct spec_node *c;

        if (!n)
                return NULL;
        c = node_alloc(n->kind, n->file, n->line, n->col);
        c->quoted = n->quoted;
        c->tag = n->tag ? xstrdup(n->tag) : NULL;
        if (n->kind == SPEC_SCALAR) {
                c->str = xstrdup(n->str);
                return c;
        }
        c->cap = n->n;
        c->n = n->n;
        c->vals = xcalloc(n->n ? n->n : 1, sizeof(*c->vals));
        if (n->kind == SPEC_MAP)
                c->keys = xcalloc(n->n ? n->n : 1, sizeof(*c->keys));
        for (size_t i = 0; i < n->n; i++) {
                c->vals[i] = spec_node_copy(n->vals[i]);
                if (n->kind == SPEC_MAP)
                        c->keys[i] = spec_node_copy(n->keys[i]);
        }
        return c;
}

void spec_node_replace(struct spec_node *dst, struct spec_node *src)
{
        const char *file = dst->file;
        int line = dst->line, col = dst->col;

        node_clear(dst);
        *dst = *src;
        free(src);
        if (!dst->file) {
                dst->file = file;
                dst->line = line;
                dst->col = col;
        }
}

bool spec_node_is_null(const struct spec_node *n)
{
        if (!n)
                return true;
        if (n->kind != SPEC_SCALAR || n->quoted)
                return false;
        if (n->tag && strcmp(n->tag, "tag:yaml.org,2002:null") != 0)
                return false;
        return !*n->str || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
               strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

bool spec_node_has_tag(const struct spec_node *n, const char *tag)
{
        return n && n->tag && strcmp(n->tag, tag) == 0;
}

long spec_map_index(const struct spec_node *n, const char *key)
{
        if (!n || n->kind != SPEC_MAP)
                return -1;
        for (size_t i = 0; i < n->n; i++) {
                const char *k = n->keys[i]->str;

                if (k[0] == key[0] && strcmp(k, key) == 0) /* first byte: cheap filter */
                        return (long)i;
        }
        return -1;
}

struct spec_node *spec_map_get(const struct spec_node *n, const char *key)
{
        long i = spec_map_index(n, key);

        return i < 0 ? NULL : n->vals[i];
}

const char *spec_map_key(const struct spec_node *n, size_t i)
{
        return n->keys[i]->str;
}

const char *spec_map_str(const struct spec_node *n, const char *key)
{
        struct spec_node *v = spec_map_get(n, key);

        if (!v || v->kind != SPEC_SCALAR || spec_node_is_null(v))
                return NULL;
        return v->str;
}

static void node_grow(struct spec_node *n)
{
        size_t cap = n->cap;

        n->vals = xgrow(n->vals, &cap, n->n + 1, sizeof(*n->vals));
        if (n->kind == SPEC_MAP) {
                cap = n->cap;
                n->keys = xgrow(n->keys, &cap, n->n + 1, sizeof(*n->keys));
        }
        n->cap = cap;
}

void spec_map_push(struct spec_node *n, struct spec_node *key, struct spec_node *val)
{
        node_grow(n);
        n->keys[n->n] = key;
        n->vals[n->n++] = val;
}

void spec_map_set(struct spec_node *n, const char *key, struct spec_node *val)
{
        long i = spec_map_index(n, key);

        if (i >= 0) {
                spec_node_free(n->vals[i]);
                n->vals[i] = val;
                return;
        }
        spec_map_push(n, spec_node_new_scalar(key, val), val);
}

void spec_seq_push(struct spec_node *n, struct spec_node *val)
{
        node_grow(n);
        n->vals[n->n++] = val;
}

void spec_node_remove(struct spec_node *n, size_t i)
{
        if (i >= n->n)
                return;
        if (n->keys) {
                spec_node_free(n->keys[i]);
                memmove(&n->keys[i], &n->keys[i + 1], (n->n - i - 1) * sizeof(*n->keys));
        }
        spec_node_free(n->vals[i]);
        memmove(&n->vals[i], &n->vals[i + 1], (n->n - i - 1) * sizeof(*n->vals));
        n->n--;
}

void spec_map_del(struct spec_node *n, const char *key)
{
        long i = spec_map_index(n, key);

        if (i >= 0)
                spec_node_remove(n, (size_t)i);
}

/* ---- the event-driven builder ------------------------------------------------------------- */

/* Keys already in a mapping, for the duplicate check (open addressing, power-of-two size). */
struct keyset {
        const char **slot;
        size_t cap, n;
};

struct frame {
        struct keyset seen;
        struct spec_node *node;
        struct spec_node *key; /* map: the key waiting for its value */
        char *path;
        char *anchor;
        struct spec_node *merges; /* sources of `<<`, a sequence of maps */
        size_t nexplicit;
};

struct anchor {
        char *name;
        struct spec_node *node;
};

struct builder {
        const char *name;
        const char *buf;
        size_t len;
        const struct spec_yaml_limits *lim;
        struct spec_diags *diags;
        struct frame *stack;
        size_t depth, stack_cap;
        struct anchor *anchors;
        size_t nanchors, anchors_cap;
        size_t nodes;
        struct spec_node *root;
        struct spec_node *grave;      /* discarded nodes that anchors may still point to */
        struct spec_node *alias_copy; /* the last alias expansion: no anchor points into it */
        bool failed;
        bool done;
        struct spec_node *docs; /* every document, when asked for all of them */
};

static void b_error(struct builder *b, int line, int col, const char *path, const char *msg)
{
        spec_diag_add(b->diags, SPEC_ERROR, b->name, line, col, path, "%s", msg);
        b->failed = true;
}

static void discard(struct builder *b, struct spec_node *n)
{
        if (!b->grave)
                b->grave = spec_node_new(SPEC_SEQ, NULL, 0, 0);
        spec_seq_push(b->grave, n);
}

static char *child_path(const struct frame *f)
{
        size_t a, b;
        char *r;

        if (!f)
                return xstrdup("");
        if (f->node->kind == SPEC_SEQ)
                return xasprintf("%s[%zu]", f->path, f->node->n);
        if (!f->key)
                return xstrdup(f->path);
        a = strlen(f->path);
        b = strlen(f->key->str);
        r = xmalloc(a + b + 2);
        memcpy(r, f->path, a);
        if (a)
                r[a++] = '.';
        memcpy(r + a, f->key->str, b + 1);
        return r;
}

static size_t count_nodes(const struct spec_node *n)
{
        size_t c = 1;

        for (size_t i = 0; n->kind != SPEC_SCALAR && i < n->n; i++)
                c += count_nodes(n->vals[i]) + (n->keys ? 1 : 0);
        return c;
}

static void anchor_add(struct builder *b, const char *name, struct spec_node *node)
{
        for (size_t i = 0; i < b->nanchors; i++)
                if (strcmp(b->anchors[i].name, name) == 0) {
                        b->anchors[i].node = node; /* a redefinition wins from here on */
                        return;
                }
        b->anchors = xgrow(b->anchors, &b->anchors_cap, b->nanchors + 1, sizeof(*b->anchors));
        b->anchors[b->nanchors].name = xstrdup(name);
        b->anchors[b->nanchors++].node = node;
}

static const struct spec_node *anchor_find(struct builder *b, const char *name)
{
        for (size_t i = b->nanchors; i-- > 0;)
                if (strcmp(b->anchors[i].name, name) == 0)
                        return b->anchors[i].node;
        return NULL;
}

static size_t key_hash(const char *s)
{
        size_t h = 1469598103934665603ULL;

        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

/* Insert key; false when it was already there. The strings belong to the map's key nodes. */
static bool keyset_add(struct keyset *ks, const char *key)
{
        size_t i;

        if ((ks->n + 1) * 2 > ks->cap) {
                struct keyset big = {.cap = ks->cap ? ks->cap * 2 : 16};

                big.slot = xcalloc(big.cap, sizeof(*big.slot));
                for (size_t k = 0; k < ks->cap; k++)
                        if (ks->slot[k])
                                keyset_add(&big, ks->slot[k]);
                free(ks->slot);
                *ks = big;
        }
        for (i = key_hash(key) & (ks->cap - 1); ks->slot[i]; i = (i + 1) & (ks->cap - 1))
                if (strcmp(ks->slot[i], key) == 0)
                        return false;
        ks->slot[i] = key;
        ks->n++;
        return true;
}

static bool is_merge_key(const struct spec_node *k)
{
        return k->kind == SPEC_SCALAR && !k->quoted && strcmp(k->str, "<<") == 0 &&
               (!k->tag || strcmp(k->tag, "tag:yaml.org,2002:merge") == 0);
}

static void merge_source(struct builder *b, struct frame *f, struct spec_node *v)
{
        if (!f->merges)
                f->merges = spec_node_new(SPEC_SEQ, NULL, 0, 0);
        if (v->kind == SPEC_MAP && v == b->alias_copy) {
                spec_seq_push(f->merges, v); /* `<<: *base`: the expansion is ours to take */
                return;
        }
        if (v->kind == SPEC_MAP) {
                spec_seq_push(f->merges, spec_node_copy(v));
                discard(b, v);
                return;
        }
        if (v->kind == SPEC_SEQ) {
                for (size_t i = 0; i < v->n; i++) {
                        if (v->vals[i]->kind != SPEC_MAP) {
                                b_error(b, v->vals[i]->line, v->vals[i]->col, f->path,
                                        "a merge key `<<` takes a mapping or a list of mappings");
                                continue;
                        }
                        spec_seq_push(f->merges, spec_node_copy(v->vals[i]));
                }
                discard(b, v);
                return;
        }
        b_error(b, v->line, v->col, f->path,
                "a merge key `<<` takes a mapping or a list of mappings");
        discard(b, v);
}

/* Attach a finished node to the frame on top of the stack (or make it the root). */
static void attach(struct builder *b, struct spec_node *n)
{
        struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;

        if (!f) {
                b->root = n;
                return;
        }
        if (f->node->kind == SPEC_SEQ) {
                spec_seq_push(f->node, n);
                return;
        }
        if (!f->key) {
                if (n->kind != SPEC_SCALAR) {
                        struct spec_node *k = spec_node_new(SPEC_SCALAR, n->file, n->line, n->col);

                        b_error(b, n->line, n->col, f->path, "a mapping key must be a string");
                        spec_node_set_str(k, "<complex key>");
                        discard(b, n);
                        n = k;
                }
                f->key = n;
                return;
        }
        if (is_merge_key(f->key)) {
                discard(b, f->key);
                f->key = NULL;
                merge_source(b, f, n);
                return;
        }
        if (!keyset_add(&f->seen, f->key->str)) {
                char *p = child_path(f);
                char *m = xasprintf("duplicate key \"%s\"", f->key->str);

                b_error(b, f->key->line, f->key->col, p, m);
                free(p);
                free(m);
                discard(b, f->key);
                discard(b, n);
        } else {
                spec_map_push(f->node, f->key, n);
        }
        f->key = NULL;
}

/* Keys from `<<` sources that the mapping does not set itself; earlier sources win. */
static void apply_merges(struct frame *f)
{
        struct spec_node *m = f->node;

        if (!f->merges)
                return;
        for (size_t s = 0; s < f->merges->n; s++) {
                struct spec_node *src = f->merges->vals[s];

                for (size_t i = 0; i < src->n; i++) {
                        if (!keyset_add(&f->seen, src->keys[i]->str))
                                continue;
                        spec_map_push(m, src->keys[i], src->vals[i]);
                        src->keys[i] = src->vals[i] = NULL;
                }
        }
        spec_node_free(f->merges);
        f->merges = NULL;
}

static bool count_node(struct builder *b, size_t n, int line, int col)
{
        b->nodes += n;
        if (b->nodes <= b->lim->max_nodes)
                return true;
        b_error(b, line, col, NULL, "document too large (alias expansion limit reached)");
        return false;
}

static char *tag_of(const yaml_char_t *tag)
{
        return tag ? xstrdup((const char *)tag) : NULL;
}

static struct spec_node *event_node(struct builder *b, enum spec_node_kind kind,
                                    const yaml_event_t *ev)
{
        return spec_node_new(kind, b->name, (int)ev->start_mark.line + 1,
                             (int)ev->start_mark.column + 1);
}

static void on_scalar(struct builder *b, const yaml_event_t *ev)
{
        struct spec_node *n;

        if (!count_node(b, 1, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1))
                return;
        n = node_alloc(SPEC_SCALAR, b->name, (int)ev->start_mark.line + 1,
                       (int)ev->start_mark.column + 1);
        n->str = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (strlen(n->str) != ev->data.scalar.length)
                b_error(b, n->line, n->col, NULL, "a NUL character is not allowed in a scalar");
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        n->tag = tag_of(ev->data.scalar.tag);
        if (ev->data.scalar.anchor)
                anchor_add(b, (const char *)ev->data.scalar.anchor, n);
        attach(b, n);
}

static void on_alias(struct builder *b, const yaml_event_t *ev)
{
        const char *name = (const char *)ev->data.alias.anchor;
        const struct spec_node *target = anchor_find(b, name);
        int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
        struct spec_node *c;

        if (!target) {
                char *m = xasprintf("unknown anchor \"%s\" referenced", name);

                b_error(b, line, col, NULL, m);
                free(m);
                attach(b, spec_node_new(SPEC_SCALAR, b->name, line, col)); /* keep pairs aligned */
                return;
        }
        if (!count_node(b, count_nodes(target), line, col))
                return;
        c = spec_node_copy(target);
        b->alias_copy = c; /* only for the attach below: the pointer may be freed after */
        attach(b, c);
        b->alias_copy = NULL;
}

static void on_start(struct builder *b, enum spec_node_kind kind, const yaml_event_t *ev)
{
        const yaml_char_t *anchor =
                kind == SPEC_MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        const yaml_char_t *tag =
                kind == SPEC_MAP ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
        struct frame *parent = b->depth ? &b->stack[b->depth - 1] : NULL;
        struct frame *f;
        char *path;

        if (b->depth >= b->lim->max_depth) {
                b_error(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, NULL,
                        "document nested too deeply");
                b->done = true;
                return;
        }
        count_node(b, 1, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1);
        path = child_path(parent);
        b->stack = xgrow(b->stack, &b->stack_cap, b->depth + 1, sizeof(*b->stack));
        f = &b->stack[b->depth++];
        memset(f, 0, sizeof(*f));
        f->node = event_node(b, kind, ev);
        f->node->tag = tag_of(tag);
        f->path = path;
        f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
}

static void on_end(struct builder *b)
{
        struct frame f;

        if (!b->depth)
                return;
        f = b->stack[--b->depth];
        if (f.key) /* an anchor may point at it */
                discard(b, f.key);
        apply_merges(&f);
        free(f.seen.slot);
        if (f.anchor)
                anchor_add(b, f.anchor, f.node);
        free(f.anchor);
        free(f.path);
        attach(b, f.node);
}

static void syntax_error(struct builder *b, const yaml_parser_t *p)
{
        const yaml_mark_t *m = &p->problem_mark;
        struct strbuf s = STRBUF_INIT;
        char *msg;

        if (p->error == YAML_MEMORY_ERROR)
                abort();
        if (m->index < b->len && b->buf[m->index] == '\t')
                strbuf_puts(&s, "tab character found; YAML indentation must use spaces");
        else
                strbuf_printf(&s, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
        if (p->context && !(m->index < b->len && b->buf[m->index] == '\t'))
                strbuf_printf(&s, " (%s at line %zu)", p->context, p->context_mark.line + 1);
        msg = strbuf_take(&s);
        b_error(b, (int)m->line + 1, (int)m->column + 1, NULL, msg);
        free(msg);
}

/* Keep the finished document (empty ones are skipped); anchors do not cross documents. */
static void next_document(struct builder *b)
{
        if (b->root && !spec_node_is_null(b->root))
                spec_seq_push(b->docs, b->root);
        else
                spec_node_free(b->root);
        b->root = NULL;
        for (size_t i = 0; i < b->nanchors; i++)
                free(b->anchors[i].name);
        b->nanchors = 0;
}

/* Returns false at the end of the first document (or of the stream) or on an error. */
static bool on_event(struct builder *b, const yaml_event_t *ev)
{
        switch (ev->type) {
        case YAML_SCALAR_EVENT:
                on_scalar(b, ev);
                break;
        case YAML_ALIAS_EVENT:
                on_alias(b, ev);
                break;
        case YAML_MAPPING_START_EVENT:
                on_start(b, SPEC_MAP, ev);
                break;
        case YAML_SEQUENCE_START_EVENT:
                on_start(b, SPEC_SEQ, ev);
                break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
                on_end(b);
                break;
        case YAML_DOCUMENT_END_EVENT:
                if (!b->docs)
                        return false;
                next_document(b);
                break;
        case YAML_STREAM_END_EVENT:
                return false;
        default:
                break;
        }
        return !b->done && b->nodes <= b->lim->max_nodes;
}

static void builder_done(struct builder *b)
{
        for (size_t i = 0; i < b->depth; i++) {
                spec_node_free(b->stack[i].node);
                spec_node_free(b->stack[i].key);
                spec_node_free(b->stack[i].merges);
                free(b->stack[i].path);
                free(b->stack[i].anchor);
                free(b->stack[i].seen.slot);
        }
        free(b->stack);
        for (size_t i = 0; i < b->nanchors; i++)
                free(b->anchors[i].name);
        free(b->anchors);
        spec_node_free(b->grave);
}

static int parse_stream(struct builder *b, const struct spec_yaml_limits *limits)
{
        static const struct spec_yaml_limits defaults = SPEC_YAML_DEFAULT_LIMITS;
        yaml_parser_t p;
        bool more = true;

        b->lim = limits ? limits : &defaults;
        if (b->lim->max_bytes && b->len > b->lim->max_bytes) {
                spec_diag_add(b->diags, SPEC_ERROR, b->name, 0, 0, NULL,
                              "file too large (%zu bytes, %zu at most)", b->len, b->lim->max_bytes);
                return -EINVAL;
        }
        if (!yaml_parser_initialize(&p))
                abort();
        yaml_parser_set_input_string(&p, (const unsigned char *)b->buf, b->len);
        while (more) {
                yaml_event_t ev;

                if (!yaml_parser_parse(&p, &ev)) {
                        syntax_error(b, &p);
                        break;
                }
                more = on_event(b, &ev);
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&p);
        builder_done(b);
        return b->failed ? -EINVAL : 0;
}

int spec_yaml_parse_buffer(const char *name, const char *buf, size_t len,
                           const struct spec_yaml_limits *limits, struct spec_node **ret,
                           struct spec_diags *diags)
{
        struct builder b = {.name = name, .buf = buf, .len = len, .diags = diags};
        int r = parse_stream(&b, limits);

        *ret = NULL;
        if (r < 0) {
                spec_node_free(b.root);
                return r;
        }
        *ret = b.root;
        return 0;
}

int spec_yaml_parse_documents(const char *name, const char *buf, size_t len,
                              const struct spec_yaml_limits *limits, struct spec_node **ret,
                              struct spec_diags *diags)
{
        struct builder b = {.name = name, .buf = buf, .len = len, .diags = diags};
        int r;

        b.docs = spec_node_new(SPEC_SEQ, name, 1, 1);
        r = parse_stream(&b, limits);
        *ret = NULL;
        if (r < 0) {
                spec_node_free(b.root);
                spec_node_free(b.docs);
                return r;
        }
        *ret = b.docs;
        return 0;
}
