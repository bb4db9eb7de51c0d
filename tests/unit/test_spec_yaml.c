/* SPDX-License-Identifier: MIT */
/* Unit tests for spec/yaml and spec/diag: node tree, positions, anchors, merge keys, tags,
 * duplicate keys, syntax errors, limits; diagnostic sorting and formatting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spec/diag.h"
#include "spec/yaml.h"

static struct spec_node *parse_ok(const char *text)
{
        struct spec_diags d = {0};
        struct spec_node *n = NULL;

        assert_int_equal(spec_yaml_parse_buffer("t.yaml", text, strlen(text), NULL, &n, &d), 0);
        assert_int_equal(d.n, 0);
        spec_diags_done(&d);
        return n;
}

/* Parse text that must fail; return the first diagnostic formatted. */
static char *parse_err(const char *text, const struct spec_yaml_limits *lim)
{
        struct spec_diags d = {0};
        struct spec_node *n = NULL;
        char *s;

        assert_int_equal(spec_yaml_parse_buffer("t.yaml", text, strlen(text), lim, &n, &d),
                         -EINVAL);
        assert_null(n);
        assert_true(d.n > 0);
        spec_diags_sort(&d);
        s = spec_diag_format(&d.v[0]);
        spec_diags_done(&d);
        return s;
}

static void test_tree_and_positions(void **state)
{
        struct spec_node *n = parse_ok("services:\n  web:\n    image: \"nginx\"\n    ports:\n"
                                       "      - 80\n      - '443'\n    x: ~\n");
        struct spec_node *web, *ports;

        (void)state;
        assert_int_equal(n->kind, SPEC_MAP);
        web = spec_map_get(spec_map_get(n, "services"), "web");
        assert_non_null(web);
        assert_int_equal(web->line, 3);
        assert_int_equal(web->col, 5);
        assert_string_equal(spec_map_str(web, "image"), "nginx");
        assert_true(spec_map_get(web, "image")->quoted);
        ports = spec_map_get(web, "ports");
        assert_int_equal(ports->kind, SPEC_SEQ);
        assert_int_equal(ports->n, 2);
        assert_string_equal(ports->vals[0]->str, "80");
        assert_false(ports->vals[0]->quoted);
        assert_int_equal(ports->vals[1]->line, 6);
        assert_int_equal(ports->vals[1]->col, 9);
        assert_true(spec_node_is_null(spec_map_get(web, "x")));
        assert_null(spec_map_str(web, "x"));
        spec_node_free(n);
}

static void test_anchors_and_merge(void **state)
{
        struct spec_node *n = parse_ok("x-base: &base\n  image: busybox\n  restart: always\n"
                                       "x-env: &env\n  environment: {A: 1}\n  restart: no\n"
                                       "a: *base\n"
                                       "b:\n  <<: *base\n  restart: on-failure\n"
                                       "c:\n  <<: [*env, *base]\n"
                                       "d: {<<: {k: v}, z: 1}\n");
        struct spec_node *a, *b, *c, *d;

        (void)state;
        a = spec_map_get(n, "a");
        assert_string_equal(spec_map_str(a, "image"), "busybox");
        b = spec_map_get(n, "b");
        assert_string_equal(spec_map_str(b, "restart"), "on-failure");
        assert_string_equal(spec_map_str(b, "image"), "busybox");
        assert_int_equal(spec_map_index(b, "restart"), 0);
        c = spec_map_get(n, "c");
        assert_string_equal(spec_map_str(c, "restart"), "no"); /* earlier source wins */
        assert_string_equal(spec_map_str(c, "image"), "busybox");
        assert_non_null(spec_map_get(c, "environment"));
        d = spec_map_get(n, "d");
        assert_string_equal(spec_map_str(d, "k"), "v");
        assert_int_equal(spec_map_index(d, "<<"), -1);
        spec_node_free(n);
}

static void test_anchor_inside_merge(void **state)
{
        struct spec_node *n = parse_ok("a:\n  <<: &m {k: v}\nb: *m\n");

        (void)state;
        assert_string_equal(spec_map_str(spec_map_get(n, "b"), "k"), "v");
        spec_node_free(n);
}

static void test_tags(void **state)
{
        struct spec_node *n = parse_ok("a: !reset []\nb: !override {x: 1}\nc: !!str 1\n");

        (void)state;
        assert_true(spec_node_has_tag(spec_map_get(n, "a"), "!reset"));
        assert_true(spec_node_has_tag(spec_map_get(n, "b"), "!override"));
        assert_true(spec_node_has_tag(spec_map_get(n, "c"), "tag:yaml.org,2002:str"));
        spec_node_free(n);
}

static void test_errors(void **state)
{
        struct spec_yaml_limits small = {.max_bytes = 4096, .max_depth = 4, .max_nodes = 1000};
        struct spec_yaml_limits tiny = {.max_bytes = 8, .max_depth = 4, .max_nodes = 1000};
        char *s;

        (void)state;
        s = parse_err("services:\n  web:\n    image: a\n    image: b\n", NULL);
        assert_string_equal(s, "t.yaml:4:5: services.web.image: duplicate key \"image\"");
        free(s);
        s = parse_err("services:\n\tweb: {}\n", NULL);
        assert_string_equal(s, "t.yaml:2:1: tab character found; YAML indentation must use "
                               "spaces");
        free(s);
        s = parse_err("a: [1, 2\n", NULL);
        assert_non_null(strstr(s, "t.yaml:2:1: invalid YAML: did not find expected"));
        free(s);
        s = parse_err("services: {}\n", &tiny);
        assert_string_equal(s, "t.yaml: file too large (13 bytes, 8 at most)");
        free(s);
        s = parse_err("a: *nope\n", NULL);
        assert_string_equal(s, "t.yaml:1:4: unknown anchor \"nope\" referenced");
        free(s);
        s = parse_err("a: {b: {c: {d: {e: 1}}}}\n", &small);
        assert_string_equal(s, "t.yaml:1:16: document nested too deeply");
        free(s);
        s = parse_err("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c]\n",
                      &small);
        assert_non_null(strstr(s, "alias expansion limit"));
        free(s);
        s = parse_err("a: 1\n<<: [1]\n", NULL);
        assert_string_equal(s, "t.yaml:2:6: a merge key `<<` takes a mapping or a list of "
                               "mappings");
        free(s);
        s = parse_err("? [a]\n: 1\n", NULL);
        assert_string_equal(s, "t.yaml:1:3: a mapping key must be a string");
        free(s);
}

static void test_empty(void **state)
{
        struct spec_diags d = {0};
        struct spec_node *n = (struct spec_node *)1;

        (void)state;
        assert_int_equal(spec_yaml_parse_buffer("e", "", 0, NULL, &n, &d), 0);
        assert_null(n);
        assert_int_equal(spec_yaml_parse_buffer("e", "# c\n", 4, NULL, &n, &d), 0);
        assert_null(n);
        spec_diags_done(&d);
}

static void test_documents(void **state)
{
        static const char text[] = "a: &x 1\n---\n---\nb: 2\n---\n";
        struct spec_diags d = {0};
        struct spec_node *docs = NULL;

        (void)state;
        assert_int_equal(spec_yaml_parse_documents("t.yaml", text, strlen(text), NULL, &docs, &d),
                         0);
        assert_int_equal(docs->n, 2);
        assert_string_equal(spec_map_str(docs->vals[0], "a"), "1");
        assert_string_equal(spec_map_str(docs->vals[1], "b"), "2");
        assert_int_equal(docs->vals[1]->line, 4);
        spec_node_free(docs);
        assert_int_equal(
                spec_yaml_parse_documents("t.yaml", "a: 1\n---\nb: *x\n", 15, NULL, &docs, &d),
                -EINVAL); /* anchors do not cross documents */
        assert_null(docs);
        spec_diags_done(&d);
}

static void test_node_edit(void **state)
{
        struct spec_node *n = parse_ok("a: 1\nb: [x]\n");
        struct spec_node *c;

        (void)state;
        spec_map_set(n, "a", spec_node_new_scalar("2", NULL));
        spec_map_set(n, "z", spec_node_new_scalar("3", NULL));
        spec_map_del(n, "b");
        assert_int_equal(n->n, 2);
        assert_string_equal(spec_map_str(n, "a"), "2");
        assert_string_equal(spec_map_key(n, 1), "z");
        c = spec_node_copy(n);
        spec_node_free(n);
        assert_string_equal(spec_map_str(c, "z"), "3");
        spec_node_free(c);
}

static void test_diags(void **state)
{
        struct spec_diags d = {0};
        char *s;

        (void)state;
        spec_diag_add(&d, SPEC_ERROR, "c.yaml", 12, 9, "services.web.ports[0]",
                      "\"%s\" is not a port (1-65535)", "80800");
        spec_diag_add(&d, SPEC_ERROR, "c.yaml", 3, 1, NULL, "first");
        spec_diag_add(&d, SPEC_ERROR, "c.yaml", 3, 1, NULL, "first");
        spec_diag_add(&d, SPEC_WARNING, "c.yaml", 1, 1, "x", "w");
        spec_diags_sort(&d);
        assert_int_equal(d.n, 3);
        assert_int_equal(spec_diags_count(&d, SPEC_ERROR), 2);
        s = spec_diag_format(&d.v[0]);
        assert_string_equal(s, "warning: c.yaml:1:1: x: w");
        free(s);
        s = spec_diag_format(&d.v[2]);
        assert_string_equal(s, "c.yaml:12:9: services.web.ports[0]: \"80800\" is not a port "
                               "(1-65535)");
        free(s);
        assert_true(spec_diags_has(&d, SPEC_ERROR, "first"));
        spec_diags_done(&d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tree_and_positions),
                cmocka_unit_test(test_anchors_and_merge),
                cmocka_unit_test(test_anchor_inside_merge),
                cmocka_unit_test(test_tags),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_documents),
                cmocka_unit_test(test_node_edit),
                cmocka_unit_test(test_diags),
        };

        return cmocka_run_group_tests_name("spec/yaml", tests, NULL, NULL);
}
