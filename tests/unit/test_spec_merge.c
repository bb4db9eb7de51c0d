/* SPDX-License-Identifier: MIT */
/* Unit tests for spec/merge: compose's layering rules on normalised trees, one rule per case. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spec/diag.h"
#include "spec/internal.h"
#include "spec/yaml.h"

static struct spec_node *parse(const char *text)
{
        struct spec_diags d = {0};
        struct spec_node *n = NULL;

        assert_int_equal(spec_yaml_parse_buffer("m.yaml", text, strlen(text), NULL, &n, &d), 0);
        spec_diags_done(&d);
        return n;
}

/* A compact text form of a tree for comparisons: maps {k:v,...}, lists [a,b]. */
static void dump(const struct spec_node *n, char *out, size_t size)
{
        size_t len = strlen(out);

        if (n->kind == SPEC_SCALAR) {
                snprintf(out + len, size - len, "%s", n->str);
                return;
        }
        snprintf(out + len, size - len, "%s", n->kind == SPEC_MAP ? "{" : "[");
        for (size_t i = 0; i < n->n; i++) {
                len = strlen(out);
                if (i)
                        snprintf(out + len, size - len, ",");
                len = strlen(out);
                if (n->kind == SPEC_MAP)
                        snprintf(out + len, size - len, "%s:", n->keys[i]->str);
                dump(n->vals[i], out, size);
        }
        len = strlen(out);
        snprintf(out + len, size - len, "%s", n->kind == SPEC_MAP ? "}" : "]");
}

static void expect_merge(const char *base, const char *over, const char *path, const char *want)
{
        struct spec_node *b = parse(base), *o = parse(over);
        char got[2048] = "";

        spec_merge(b, o, path);
        spec_strip_resets(b);
        dump(b, got, sizeof(got));
        assert_string_equal(got, want);
        spec_node_free(b);
}

static void test_maps_and_scalars(void **state)
{
        (void)state;
        expect_merge("{a: 1, b: {c: 2, d: 3}}", "{a: 9, b: {d: 4, e: 5}}", "",
                     "{a:9,b:{c:2,d:4,e:5}}");
        expect_merge("{a: [1]}", "{a: x}", "", "{a:x}");
        expect_merge("{a: x}", "{a: {k: v}}", "", "{a:{k:v}}");
}

static void test_replaced_lists(void **state)
{
        (void)state;
        expect_merge("{command: [a, b], entrypoint: [e], profiles: [p]}",
                     "{command: [c], entrypoint: [f, g], profiles: [q]}", "services.*",
                     "{command:[c],entrypoint:[f,g],profiles:[q]}");
        expect_merge("{healthcheck: {test: [CMD, a], retries: 3}}",
                     "{healthcheck: {test: [CMD, b]}}", "services.*",
                     "{healthcheck:{test:[CMD,b],retries:3}}");
}

static void test_appended_lists(void **state)
{
        (void)state;
        expect_merge("{dns: [a, b], cap_add: [X]}", "{dns: [b, c], cap_add: [Y]}", "services.*",
                     "{dns:[a,b,c],cap_add:[X,Y]}");
        expect_merge("{ports: [{target: 80, published: '80'}]}",
                     "{ports: [{target: 80, published: '80'}, {target: 81}]}", "services.*",
                     "{ports:[{target:80,published:80},{target:81}]}");
}

static void test_keyed_lists(void **state)
{
        (void)state;
        expect_merge("{volumes: [{type: bind, source: /a, target: /data}, {type: volume, "
                     "source: v, target: /v}]}",
                     "{volumes: [{type: bind, source: /b, target: /data}, {type: tmpfs, "
                     "target: /t}]}",
                     "services.*",
                     "{volumes:[{type:bind,source:/b,target:/data},{type:volume,source:v,"
                     "target:/v},{type:tmpfs,target:/t}]}");
        expect_merge("{secrets: [{source: a}, {source: b, target: /x}]}",
                     "{secrets: [{source: a, mode: 1}, {source: c, target: /x}]}", "services.*",
                     "{secrets:[{source:a,mode:1},{source:c,target:/x}]}");
        expect_merge("{env_file: [{path: /a, required: true}]}",
                     "{env_file: [{path: /a, required: false}, {path: /b}]}", "services.*",
                     "{env_file:[{path:/a,required:false},{path:/b}]}");
}

static void test_services_level(void **state)
{
        (void)state;
        expect_merge("{services: {web: {image: a, command: [x, y]}}}",
                     "{services: {web: {command: [z]}, db: {image: d}}}", "",
                     "{services:{web:{image:a,command:[z]},db:{image:d}}}");
}

static void test_reset_override(void **state)
{
        (void)state;
        expect_merge("{a: {x: 1, y: 2}, b: [1, 2], c: 3}",
                     "{a: !override {z: 3}, b: !reset [], "
                     "c: !reset null}",
                     "", "{a:{z:3}}");
        expect_merge("{a: 1}", "{b: !reset []}", "", "{a:1}");
        expect_merge("{a: !reset 1, b: 2}", "{}", "", "{b:2}");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_maps_and_scalars), cmocka_unit_test(test_replaced_lists),
                cmocka_unit_test(test_appended_lists),   cmocka_unit_test(test_keyed_lists),
                cmocka_unit_test(test_services_level),   cmocka_unit_test(test_reset_override),
        };

        return cmocka_run_group_tests_name("spec/merge", tests, NULL, NULL);
}
