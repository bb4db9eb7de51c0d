/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/proto: request/response/event round trips, malformed input,
 * framing with the size limit. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/proto.h"

static void test_request_roundtrip(void **state)
{
        char *svcs[] = {"web", "db", NULL};
        struct proto_request in = {.id = 7,
                                   .op = PROTO_OP_KILL,
                                   .services = svcs,
                                   .signal = SIGTERM,
                                   .timeout_ms = 2500};
        struct proto_request out;
        struct strbuf b = STRBUF_INIT;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        for (int op = 0; op < PROTO_OP__MAX; op++) {
                in.op = (enum proto_op)op;
                b.len = 0;
                proto_encode_request(&b, &in);
                assert_int_equal(b.buf[b.len - 1], '\n');
                assert_int_equal(proto_decode_request(b.buf, b.len - 1, &out, &err), 0);
                assert_int_equal(out.id, 7);
                assert_int_equal(out.op, op);
                assert_int_equal(out.signal, SIGTERM);
                assert_int_equal(out.timeout_ms, 2500);
                assert_int_equal(strv_length(out.services), 2);
                assert_string_equal(out.services[1], "db");
                proto_request_done(&out);
        }
        b.len = 0;
        in = (struct proto_request){.id = 1, .op = PROTO_OP_PS, .timeout_ms = -1};
        proto_encode_request(&b, &in);
        assert_int_equal(proto_decode_request(b.buf, b.len, &out, &err), 0);
        assert_null(out.services);
        assert_int_equal(out.timeout_ms, -1);
        assert_int_equal(out.signal, 0);
        strbuf_done(&b);
}

static void test_request_malformed(void **state)
{
        const char *bad[] = {
                "",
                "[]",
                "{\"op\":\"ps\"}",
                "{\"id\":-1,\"op\":\"ps\"}",
                "{\"id\":1}",
                "{\"id\":1,\"op\":\"frob\"}",
                "{\"id\":1,\"op\":\"ps\",\"services\":\"web\"}",
                "{\"id\":1,\"op\":\"ps\",\"services\":[1]}",
                "{\"id\":1,\"op\":\"kill\",\"signal\":99999}",
                "{\"id\":1,\"op\":\"stop\",\"timeout_ms\":-5}",
                "{\"id\":1,\"op\":\"ps\",\"v\":2}",
                "{\"id\":1,\"id\":2,\"op\":\"ps\"}",
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                cleanup_berr struct berr *err = NULL;
                struct proto_request out;

                assert_int_equal(proto_decode_request(bad[i], strlen(bad[i]), &out, &err), -EPROTO);
                assert_non_null(err);
        }
}

static void test_response_and_event(void **state)
{
        struct proto_container c[2] = {
                {.name = "p-web-1",
                 .service = "web",
                 .number = 1,
                 .status = "running",
                 .health = "healthy",
                 .pid = 42,
                 .exit_code = -1,
                 .restart_count = 3,
                 .started_ns = 5},
                {.name = "p-db-1",
                 .service = "db",
                 .number = 1,
                 .status = "exited",
                 .exit_code = 137},
        };
        struct proto_response in = {.id = 9, .ok = true, .ctrs = c, .n_ctrs = 2}, out;
        struct proto_event ev = {.time_ns = 11,
                                 .type = "die",
                                 .container = "p-db-1",
                                 .service = "db",
                                 .exit_code = 137},
                           ev_out;
        struct strbuf b = STRBUF_INIT;
        cleanup_berr struct berr *err = NULL;
        bool is_event = true;

        (void)state;
        proto_encode_response(&b, &in);
        assert_int_equal(proto_decode_message(b.buf, b.len, &out, &ev_out, &is_event, &err), 0);
        assert_false(is_event);
        assert_int_equal(out.id, 9);
        assert_true(out.ok);
        assert_int_equal(out.n_ctrs, 2);
        assert_string_equal(out.ctrs[0].health, "healthy");
        assert_int_equal(out.ctrs[0].restart_count, 3);
        assert_int_equal(out.ctrs[1].exit_code, 137);
        assert_null(out.ctrs[1].health);
        proto_response_done(&out);

        b.len = 0;
        in = (struct proto_response){.id = 2, .ok = false, .error = "no such service: x"};
        proto_encode_response(&b, &in);
        assert_int_equal(proto_decode_message(b.buf, b.len, &out, &ev_out, &is_event, &err), 0);
        assert_false(out.ok);
        assert_string_equal(out.error, "no such service: x");
        proto_response_done(&out);

        b.len = 0;
        proto_encode_event(&b, &ev);
        assert_int_equal(proto_decode_message(b.buf, b.len, &out, &ev_out, &is_event, &err), 0);
        assert_true(is_event);
        assert_string_equal(ev_out.type, "die");
        assert_int_equal(ev_out.exit_code, 137);
        assert_int_equal(ev_out.time_ns, 11);
        proto_event_done(&ev_out);

        assert_true(proto_decode_message("{\"event\":1}", 11, &out, &ev_out, &is_event, &err) < 0);
        berr_freep(&err);
        assert_true(proto_decode_message("{\"id\":1}", 8, &out, &ev_out, &is_event, &err) < 0);
        strbuf_done(&b);
}

static void test_framing(void **state)
{
        struct proto_reader r;
        const char *line;
        size_t len;
        char *big;

        (void)state;
        proto_reader_init(&r, 16);
        assert_int_equal(proto_reader_next(&r, &line, &len), 0);
        proto_reader_feed(&r, "ab", 2);
        assert_int_equal(proto_reader_next(&r, &line, &len), 0);
        proto_reader_feed(&r, "c\nde\n\nf", 7);
        assert_int_equal(proto_reader_next(&r, &line, &len), 1);
        assert_int_equal(len, 3);
        assert_memory_equal(line, "abc", 3);
        assert_int_equal(proto_reader_next(&r, &line, &len), 1);
        assert_memory_equal(line, "de", 2);
        assert_int_equal(proto_reader_next(&r, &line, &len), 1);
        assert_int_equal(len, 0);
        assert_int_equal(proto_reader_next(&r, &line, &len), 0);
        proto_reader_feed(&r, "ghijklmnopqrstuvwxyz", 20);
        assert_int_equal(proto_reader_next(&r, &line, &len), -EMSGSIZE);
        proto_reader_done(&r);

        proto_reader_init(&r, 0);
        assert_int_equal(r.max, PROTO_LINE_MAX);
        big = xmalloc(PROTO_LINE_MAX + 2);
        memset(big, 'x', PROTO_LINE_MAX + 1);
        big[PROTO_LINE_MAX + 1] = '\n';
        proto_reader_feed(&r, big, PROTO_LINE_MAX + 2);
        assert_int_equal(proto_reader_next(&r, &line, &len), -EMSGSIZE);
        free(big);
        proto_reader_done(&r);
}

static void test_op_names(void **state)
{
        (void)state;
        assert_int_equal(proto_op_from_string("down"), PROTO_OP_DOWN);
        assert_int_equal(proto_op_from_string("up"), PROTO_OP__INVALID);
        assert_int_equal(proto_op_from_string(NULL), PROTO_OP__INVALID);
        assert_string_equal(proto_op_to_string(PROTO_OP_WAIT), "wait");
        assert_null(proto_op_to_string(PROTO_OP__MAX));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_request_roundtrip),  cmocka_unit_test(test_request_malformed),
                cmocka_unit_test(test_response_and_event), cmocka_unit_test(test_framing),
                cmocka_unit_test(test_op_names),
        };
        return cmocka_run_group_tests_name("orchestrator/proto", tests, NULL, NULL);
}
