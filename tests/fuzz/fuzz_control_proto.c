/* SPDX-License-Identifier: MIT */
/* libFuzzer target for orchestrator/proto: the bytes a client (or a supervisor) may send are
 * framed into lines, each decoded as a request and as a supervisor message; whatever decodes is
 * re-encoded and must decode again to the same thing. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "orchestrator/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const char *line, size_t len)
{
        struct berr *err = NULL;
        struct proto_request a, b;
        struct strbuf buf = STRBUF_INIT;

        if (proto_decode_request(line, len, &a, &err) < 0) {
                if (!err)
                        abort();
                berr_free(err);
                return;
        }
        proto_encode_request(&buf, &a);
        if (proto_decode_request(buf.buf, buf.len - 1, &b, &err) < 0)
                abort();
        if (a.id != b.id || a.op != b.op || a.signal != b.signal || a.timeout_ms != b.timeout_ms ||
            strv_length(a.services) != strv_length(b.services))
                abort();
        proto_request_done(&a);
        proto_request_done(&b);
        strbuf_done(&buf);
}

static void check_message(const char *line, size_t len)
{
        struct berr *err = NULL;
        struct proto_response resp;
        struct proto_event ev;
        struct strbuf buf = STRBUF_INIT;
        bool is_event = false;

        if (proto_decode_message(line, len, &resp, &ev, &is_event, &err) < 0) {
                berr_free(err);
                return;
        }
        if (is_event) {
                proto_encode_event(&buf, &ev);
                proto_event_done(&ev);
        } else {
                proto_encode_response(&buf, &resp);
                proto_response_done(&resp);
        }
        if (proto_decode_message(buf.buf, buf.len - 1, &resp, &ev, &is_event, &err) < 0)
                abort();
        if (is_event)
                proto_event_done(&ev);
        else
                proto_response_done(&resp);
        strbuf_done(&buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct proto_reader rd;
        const char *line;
        size_t len;
        size_t cut = size / 3;

        /* fed in two pieces, as a socket delivers it, with a small limit to reach EMSGSIZE */
        proto_reader_init(&rd, 4096);
        proto_reader_feed(&rd, data, cut);
        for (int pass = 0; pass < 2; pass++) {
                int r;

                while ((r = proto_reader_next(&rd, &line, &len)) > 0) {
                        check_request(line, len);
                        check_message(line, len);
                }
                if (r < 0)
                        break;
                if (pass == 0)
                        proto_reader_feed(&rd, data + cut, size - cut);
        }
        proto_reader_done(&rd);
        return 0;
}
