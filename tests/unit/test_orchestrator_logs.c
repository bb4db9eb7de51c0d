/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/logs: record encoding, partial and over-long lines, rotation,
 * reading rotated files in order, --tail/--since/--until, merge order, formatting, following
 * across rotation and truncation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "orchestrator/logs.h"

struct fixture {
        char dir[64];
        char *path;
};

static int setup(void **state)
{
        struct fixture *fx = xcalloc(1, sizeof(*fx));

        strcpy(fx->dir, "/tmp/berth-orch-logs-XXXXXX");
        if (!mkdtemp(fx->dir))
                return -1;
        fx->path = xasprintf("%s/logs/ordev-web-1.log", fx->dir);
        *state = fx;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *fx = *state;
        cleanup_free char *cmd = xasprintf("rm -rf '%s'", fx->dir);

        free(fx->path);
        free(fx);
        return system(cmd) == 0 ? 0 : -1;
}

static struct log_writer *open_writer(const char *path, uint64_t max_size, unsigned max_file)
{
        struct log_writer_opts o = {.max_size = max_size, .max_file = max_file};
        cleanup_berr struct berr *err = NULL;
        struct log_writer *w = NULL;

        assert_int_equal(log_writer_open(path, &o, &w, &err), 0);
        return w;
}

static void put(struct log_writer *w, enum log_stream s, const char *text, int64_t t)
{
        cleanup_berr struct berr *err = NULL;

        assert_int_equal(log_writer_write(w, s, text, strlen(text), t, &err), 0);
}

static void read_all_records(const char *path, const struct log_filter *f, struct log_records *out)
{
        cleanup_berr struct berr *err = NULL;

        assert_int_equal(log_read_container(path, 0, f, out, NULL, &err), 0);
}

static void test_encode(void **state)
{
        struct strbuf b = STRBUF_INIT;
        struct log_record rec;

        (void)state;
        log_encode_record(&b, LOG_STREAM_STDERR, "a\"b\\c\t\x01\xff\xc3\xa9\n", 11,
                          1700000000000000001LL);
        assert_string_equal(b.buf, "{\"log\":\"a\\\"b\\\\c\\t\\u0001\\ufffd\xc3\xa9\\n\","
                                   "\"stream\":\"stderr\",\"time\":\"2023-11-14T22:13:20."
                                   "000000001Z\"}\n");
        assert_int_equal(log_decode_record(b.buf, b.len - 1, &rec), 0);
        assert_int_equal(rec.stream, LOG_STREAM_STDERR);
        assert_false(rec.partial);
        assert_int_equal(rec.time_ns, 1700000000000000001LL);
        assert_string_equal(rec.text, "a\"b\\c\t\x01\xef\xbf\xbd\xc3\xa9");
        free(rec.text);
        assert_int_equal(log_decode_record("{\"log\":1}", 9, &rec), -EINVAL);
        assert_int_equal(log_decode_record("nope", 4, &rec), -EINVAL);
        strbuf_done(&b);
}

static void test_partial_lines_and_streams(void **state)
{
        struct fixture *fx = *state;
        struct log_writer *w = open_writer(fx->path, 0, 0);
        struct log_records r = {0};
        cleanup_berr struct berr *err = NULL;

        put(w, LOG_STREAM_STDOUT, "hel", 1);
        put(w, LOG_STREAM_STDERR, "err1\ner", 2);
        put(w, LOG_STREAM_STDOUT, "lo\nworld\nta", 3);
        put(w, LOG_STREAM_STDERR, "r2\n", 4);
        assert_int_equal(log_writer_flush(w, LOG_STREAM_STDOUT, 5, &err), 0);
        log_writer_close(w);
        read_all_records(fx->path, NULL, &r);
        assert_int_equal(r.n, 5);
        assert_string_equal(r.v[0].text, "err1");
        assert_int_equal(r.v[0].stream, LOG_STREAM_STDERR);
        assert_string_equal(r.v[1].text, "hello");
        assert_int_equal(r.v[1].time_ns, 3);
        assert_string_equal(r.v[2].text, "world");
        assert_string_equal(r.v[3].text, "err2");
        assert_string_equal(r.v[4].text, "ta");
        assert_true(r.v[4].partial);
        log_records_done(&r);
}

static void test_long_line_is_split(void **state)
{
        struct fixture *fx = *state;
        struct log_writer *w = open_writer(fx->path, 0, 0);
        struct log_records r = {0};
        size_t n = LOG_LINE_MAX * 2 + 10;
        char *big = xmalloc(n + 2);

        memset(big, 'x', n);
        big[n] = '\n';
        big[n + 1] = 0;
        /* fed in odd-sized pieces, as a pipe delivers it */
        for (size_t off = 0; off < n + 1; off += 1000) {
                cleanup_berr struct berr *err = NULL;
                size_t len = n + 1 - off < 1000 ? n + 1 - off : 1000;

                assert_int_equal(log_writer_write(w, LOG_STREAM_STDOUT, big + off, len, 7, &err),
                                 0);
        }
        log_writer_close(w);
        read_all_records(fx->path, NULL, &r);
        assert_int_equal(r.n, 3);
        assert_true(r.v[0].partial);
        assert_int_equal(strlen(r.v[0].text), LOG_LINE_MAX);
        assert_true(r.v[1].partial);
        assert_false(r.v[2].partial);
        assert_int_equal(strlen(r.v[2].text), 10);
        log_records_done(&r);
        free(big);
}

static void test_rotation_keeps_order(void **state)
{
        struct fixture *fx = *state;
        struct log_writer *w = open_writer(fx->path, 1000, 3);
        struct log_records r = {0};
        cleanup_free char *p3 = xasprintf("%s.3", fx->path);
        cleanup_free char *p2 = xasprintf("%s.2", fx->path);

        for (int i = 0; i < 200; i++) {
                char line[64];

                snprintf(line, sizeof(line), "line %04d\n", i);
                put(w, LOG_STREAM_STDOUT, line, 1000 + i);
                assert_true(log_writer_size(w) <= 1000);
        }
        log_writer_close(w);
        assert_int_equal(access(p2, F_OK), 0);
        assert_int_not_equal(access(p3, F_OK), 0);
        read_all_records(fx->path, NULL, &r);
        assert_true(r.n > 20 && r.n < 200);
        for (size_t i = 0; i < r.n; i++) {
                char want[64];

                snprintf(want, sizeof(want), "line %04zu", 200 - r.n + i);
                assert_string_equal(r.v[i].text, want);
        }
        log_records_done(&r);
}

static void test_truncate_single_file(void **state)
{
        struct fixture *fx = *state;
        struct log_writer *w = open_writer(fx->path, 500, 1);
        struct log_records r = {0};

        for (int i = 0; i < 50; i++)
                put(w, LOG_STREAM_STDOUT, "0123456789\n", i);
        assert_true(log_writer_size(w) <= 500);
        log_writer_close(w);
        read_all_records(fx->path, NULL, &r);
        assert_true(r.n > 0 && r.n < 50);
        assert_int_equal(r.v[r.n - 1].time_ns, 49);
        log_records_done(&r);
}

static void test_filters(void **state)
{
        struct fixture *fx = *state;
        struct log_writer *w = open_writer(fx->path, 0, 0);
        struct log_records r = {0};
        struct log_filter f = {.tail = -1, .since_ns = 20, .until_ns = 40};

        for (int i = 0; i < 10; i++)
                put(w, LOG_STREAM_STDOUT, "x\n", i * 10);
        log_writer_close(w);
        read_all_records(fx->path, &f, &r);
        assert_int_equal(r.n, 3);
        assert_int_equal(r.v[0].time_ns, 20);
        assert_int_equal(r.v[2].time_ns, 40);
        log_records_done(&r);
        f = (struct log_filter){.tail = 2};
        read_all_records(fx->path, &f, &r);
        assert_int_equal(r.n, 2);
        assert_int_equal(r.v[0].time_ns, 80);
        log_records_done(&r);
        f = (struct log_filter){.tail = 0};
        read_all_records(fx->path, &f, &r);
        assert_int_equal(r.n, 0);
        log_records_done(&r);
        /* a log that does not exist yet is empty, not an error */
        read_all_records("/tmp/berth-orch-no-such.log", NULL, &r);
        assert_int_equal(r.n, 0);
}

static void test_merge_and_format(void **state)
{
        struct log_records r = {0};
        struct strbuf b = STRBUF_INIT;
        struct log_format fmt = {.width = 5};
        const char *names[] = {"web-1", "db-1"};
        int64_t times[] = {5, 1, 5, 3, 1};
        unsigned src[] = {0, 0, 1, 1, 1};

        (void)state;
        for (size_t i = 0; i < 5; i++) {
                r.v = xgrow(r.v, &r.cap, r.n + 1, sizeof(*r.v));
                r.v[r.n++] = (struct log_record){
                        .time_ns = times[i], .source = src[i], .text = xasprintf("m%zu", i)};
        }
        log_records_sort(&r);
        for (size_t i = 0; i < r.n; i++)
                log_format_record(&b, &fmt, names[r.v[i].source], &r.v[i]);
        assert_string_equal(b.buf, "web-1  | m1\n"
                                   "db-1   | m4\n"
                                   "db-1   | m3\n"
                                   "web-1  | m0\n"
                                   "db-1   | m2\n");
        b.len = 0;
        fmt = (struct log_format){.no_prefix = true, .timestamps = true};
        log_format_record(&b, &fmt, "x", &r.v[0]);
        assert_string_equal(b.buf, "1970-01-01T00:00:00.000000001Z m1\n");
        b.len = 0;
        fmt = (struct log_format){.color = true, .width = 4};
        log_format_record(&b, &fmt, "db-1", &r.v[1]);
        assert_string_equal(b.buf, "\033[33mdb-1  | \033[0mm4\n");
        strbuf_done(&b);
        log_records_done(&r);
}

static void test_follow_across_rotation(void **state)
{
        struct fixture *fx = *state;
        struct log_writer *w = open_writer(fx->path, 400, 2);
        struct log_records r = {0};
        struct log_follower *fl = NULL;
        cleanup_berr struct berr *err = NULL;
        int next = 0;

        put(w, LOG_STREAM_STDOUT, "0\n", 0);
        assert_int_equal(log_read_container(fx->path, 0, NULL, &r, &fl, &err), 0);
        assert_int_equal(r.n, 1);
        log_records_done(&r);
        next = 1;
        for (int round = 0; round < 30; round++) {
                for (int k = 0; k < 2; k++) {
                        char line[32];

                        snprintf(line, sizeof(line), "%d\n", next + k);
                        put(w, LOG_STREAM_STDOUT, line, next + k);
                }
                assert_int_equal(log_follower_poll(fl, NULL, &r, &err), 0);
                assert_int_equal(r.n, 2);
                for (int k = 0; k < 2; k++)
                        assert_int_equal(atoi(r.v[k].text), next + k);
                next += 2;
                log_records_done(&r);
        }
        log_writer_close(w);
        log_follower_free(fl);
}

static void test_follow_before_creation(void **state)
{
        struct fixture *fx = *state;
        struct log_follower *fl = log_follower_new(fx->path, 3);
        struct log_records r = {0};
        cleanup_berr struct berr *err = NULL;
        struct log_writer *w;

        assert_int_equal(log_follower_poll(fl, NULL, &r, &err), 0);
        assert_int_equal(r.n, 0);
        w = open_writer(fx->path, 0, 0);
        put(w, LOG_STREAM_STDERR, "first\n", 9);
        assert_int_equal(log_follower_poll(fl, NULL, &r, &err), 0);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.v[0].source, 3);
        assert_string_equal(r.v[0].text, "first");
        log_records_done(&r);
        log_writer_close(w);
        log_follower_free(fl);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encode),
                cmocka_unit_test_setup_teardown(test_partial_lines_and_streams, setup, teardown),
                cmocka_unit_test_setup_teardown(test_long_line_is_split, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rotation_keeps_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncate_single_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
                cmocka_unit_test(test_merge_and_format),
                cmocka_unit_test_setup_teardown(test_follow_across_rotation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_follow_before_creation, setup, teardown),
        };
        return cmocka_run_group_tests_name("orchestrator/logs", tests, NULL, NULL);
}
