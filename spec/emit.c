/* SPDX-License-Identifier: MIT */
/* spec/emit: the canonical tree as text, as `docker compose config` prints it: JSON through
 * jansson, YAML through libyaml's emitter. Scalars written quoted are strings; plain ones are
 * null, booleans or numbers when they read as such (YAML 1.2 core schema). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "spec/spec.h"
#include "spec/yaml.h"

static bool is_int(const char *s)
{
        if (*s == '-' || *s == '+')
                s++;
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

static bool is_float(const char *s)
{
        char *end;

        if (!*s || isspace((unsigned char)*s) || strpbrk(s, "xXpPnN_"))
                return false;
        (void)strtod(s, &end);
        return *end == '\0';
}

enum stype {
        ST_STR,
        ST_NULL,
        ST_BOOL,
        ST_INT,
        ST_FLOAT,
};

static enum stype scalar_type(const struct spec_node *n)
{
        if (n->quoted || (n->tag && strcmp(n->tag, "tag:yaml.org,2002:str") == 0))
                return ST_STR;
        if (spec_node_is_null(n))
                return ST_NULL;
        if (strcmp(n->str, "true") == 0 || strcmp(n->str, "false") == 0 ||
            strcmp(n->str, "True") == 0 || strcmp(n->str, "False") == 0 ||
            strcmp(n->str, "TRUE") == 0 || strcmp(n->str, "FALSE") == 0)
                return ST_BOOL;
        if (is_int(n->str))
                return ST_INT;
        if (is_float(n->str))
                return ST_FLOAT;
        return ST_STR;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static json_t *to_json(const struct spec_node *n)
{
        json_t *j;

        if (n->kind == SPEC_SCALAR) {
                switch (scalar_type(n)) {
                case ST_NULL:
                        return json_null();
                case ST_BOOL:
                        return json_boolean(tolower((unsigned char)n->str[0]) == 't');
                case ST_INT:
                        return json_integer(strtoll(n->str, NULL, 10));
                case ST_FLOAT:
                        return json_real(strtod(n->str, NULL));
                default:
                        return json_stringn(n->str, strlen(n->str));
                }
        }
        if (n->kind == SPEC_SEQ) {
                j = json_array();
                for (size_t i = 0; i < n->n; i++)
                        json_array_append_new(j, to_json(n->vals[i]));
                return j;
        }
        j = json_object();
        for (size_t i = 0; i < n->n; i++)
                json_object_set_new(j, n->keys[i]->str, to_json(n->vals[i]));
        return j;
}

/* ---- YAML --------------------------------------------------------------------------------- */

static int yaml_out(void *data, unsigned char *buf, size_t size)
{
        strbuf_add(data, buf, size);
        return 1;
}

/* Whether a string written plain would read back as something else. */
static bool needs_quotes(const char *s)
{
        static const char *const words[] = {"y", "n", "yes", "no", "on", "off", "~"};
        struct spec_node probe = {.kind = SPEC_SCALAR, .str = (char *)s};

        if (scalar_type(&probe) != ST_STR)
                return true;
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strcasecmp(s, words[i]) == 0)
                        return true;
        return false;
}

static bool emit_scalar(yaml_emitter_t *e, const struct spec_node *n, bool key)
{
        yaml_event_t ev;
        enum stype t = key ? ST_STR : scalar_type(n);
        const char *s = t == ST_NULL ? "null" : n->str;
        yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;

        if (t == ST_STR && needs_quotes(s))
                style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                     style);
        return yaml_emitter_emit(e, &ev);
}

static bool emit_node(yaml_emitter_t *e, const struct spec_node *n)
{
        yaml_event_t ev;

        if (n->kind == SPEC_SCALAR)
                return emit_scalar(e, n, false);
        if (n->kind == SPEC_SEQ) {
                yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
                if (!yaml_emitter_emit(e, &ev))
                        return false;
                for (size_t i = 0; i < n->n; i++)
                        if (!emit_node(e, n->vals[i]))
                                return false;
                yaml_sequence_end_event_initialize(&ev);
                return yaml_emitter_emit(e, &ev);
        }
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!yaml_emitter_emit(e, &ev))
                return false;
        for (size_t i = 0; i < n->n; i++)
                if (!emit_scalar(e, n->keys[i], true) || !emit_node(e, n->vals[i]))
                        return false;
        yaml_mapping_end_event_initialize(&ev);
        return yaml_emitter_emit(e, &ev);
}

static char *to_yaml(const struct spec_node *n)
{
        struct strbuf b = STRBUF_INIT;
        yaml_emitter_t e;
        yaml_event_t ev;
        bool ok;

        if (!yaml_emitter_initialize(&e))
                abort();
        yaml_emitter_set_output(&e, yaml_out, &b);
        yaml_emitter_set_unicode(&e, 1);
        yaml_emitter_set_width(&e, -1);
        yaml_emitter_set_indent(&e, 2);
        yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
        ok = yaml_emitter_emit(&e, &ev);
        yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
        ok = ok && yaml_emitter_emit(&e, &ev);
        ok = ok && emit_node(&e, n);
        yaml_document_end_event_initialize(&ev, 1);
        ok = ok && yaml_emitter_emit(&e, &ev);
        yaml_stream_end_event_initialize(&ev);
        ok = ok && yaml_emitter_emit(&e, &ev);
        yaml_emitter_delete(&e);
        if (!ok)
                abort(); /* only on memory exhaustion: the tree is always emittable */
        return strbuf_take(&b);
}

char *spec_project_render(const struct spec_project *p, enum spec_format fmt)
{
        char *s, *out;
        json_t *j;

        if (fmt == SPEC_FORMAT_YAML)
                return to_yaml(p->tree);
        j = to_json(p->tree);
        s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        json_decref(j);
        if (!s)
                abort();
        out = xasprintf("%s\n", s);
        free(s);
        return out;
}
