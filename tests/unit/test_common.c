/* SPDX-License-Identifier: MIT */
/* Unit tests for common/: errors, string vectors and buffers, the dependency graph. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/graph.h"
#include "common/strbuf.h"
#include "common/strv.h"

static void test_berr_wrap_chain(void **state)
{
        struct berr *err = NULL;
        char *t;
        int r;

        (void)state;
        r = berr_set(&err, ENOENT, "open `%s`", "x");
        assert_int_equal(r, -ENOENT);
        assert_int_equal(berr_wrap(&err, "load `%s`", "compose.yaml"), -ENOENT);
        t = berr_text(err);
        assert_string_equal(t, "load `compose.yaml`: open `x`: No such file or directory");
        free(t);
        /* the same context twice in a row is kept once; a mere prefix of a word is not it */
        assert_int_equal(berr_wrap(&err, "load `%s`", "compose.yaml"), -ENOENT);
        assert_int_equal(berr_wrap(&err, "load"), -ENOENT);
        t = berr_text(err);
        assert_string_equal(t, "load: load `compose.yaml`: open `x`: No such file or directory");
        free(t);
        berr_free(err);
}

static void test_berr_synthetic_and_first_wins(void **state)
{
        cleanup_berr struct berr *err = NULL;
        char *t;

        (void)state;
        assert_int_equal(berr_msg(&err, EINVAL, "bad %d", 1), -EINVAL);
        assert_int_equal(berr_msg(&err, EPERM, "second"), -EINVAL);
        t = berr_text(err);
        assert_string_equal(t, "bad 1");
        free(t);
        assert_int_equal(berr_msg(NULL, 0, "no sink"), -EIO);
}

static void test_strv(void **state)
{
        cleanup_strv char **v = strv_split("a::b:c:", ":");
        cleanup_free char *j = NULL;

        (void)state;
        assert_int_equal(strv_length(v), 3);
        assert_true(strv_contains(v, "b"));
        assert_false(strv_contains(v, "d"));
        v = strv_push(v, "d");
        j = strv_join(v, ",");
        assert_string_equal(j, "a,b,c,d");
}

static void test_strbuf(void **state)
{
        struct strbuf b = STRBUF_INIT;
        char *s;

        (void)state;
        assert_string_equal(strbuf_str(&b), "");
        strbuf_printf(&b, "%s-%d", "x", 42);
        strbuf_putc(&b, '!');
        s = strbuf_take(&b);
        assert_string_equal(s, "x-42!");
        free(s);
        strbuf_done(&b);
}

static void test_graph_waves(void **state)
{
        struct graph *g = graph_new(4);
        int wave[4];

        (void)state;
        /* web(0) -> db(1), web -> cache(2), worker(3) -> web */
        graph_add_edge(g, 0, 1);
        graph_add_edge(g, 0, 2);
        graph_add_edge(g, 3, 0);
        assert_int_equal(graph_waves(g, wave), 3);
        assert_int_equal(wave[1], 0);
        assert_int_equal(wave[2], 0);
        assert_int_equal(wave[0], 1);
        assert_int_equal(wave[3], 2);
        graph_free(g);
}

static void test_graph_cycle(void **state)
{
        struct graph *g = graph_new(3);
        size_t path[4];
        int wave[3];

        (void)state;
        graph_add_edge(g, 0, 1);
        graph_add_edge(g, 1, 2);
        graph_add_edge(g, 2, 1);
        assert_int_equal(graph_waves(g, wave), -ELOOP);
        assert_int_equal(graph_find_cycle(g, path), 3);
        assert_int_equal(path[0], 1);
        assert_int_equal(path[1], 2);
        assert_int_equal(path[2], 1);
        graph_free(g);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_berr_wrap_chain),
                cmocka_unit_test(test_berr_synthetic_and_first_wins),
                cmocka_unit_test(test_strv),
                cmocka_unit_test(test_strbuf),
                cmocka_unit_test(test_graph_waves),
                cmocka_unit_test(test_graph_cycle),
        };

        return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
