/* SPDX-License-Identifier: MIT */
/* Unit tests for netmgr/ports: compose's short port syntax (net_port_parse). */
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
#include "netmgr/netmgr.h"

static void test_port_parse(void **state)
{
        cleanup_berr struct berr *err = NULL;
        struct net_port p;

        (void)state;
        assert_int_equal(net_port_parse("80", &p, &err), 0);
        assert_int_equal(p.host_port, 0);
        assert_int_equal(p.container_port, 80);
        assert_int_equal(p.proto, NET_PROTO_TCP);
        assert_int_equal(net_port_parse("8080:80/udp", &p, &err), 0);
        assert_int_equal(p.host_port, 8080);
        assert_int_equal(p.proto, NET_PROTO_UDP);
        assert_int_equal(net_port_parse("127.0.0.1:8080:80", &p, &err), 0);
        assert_string_equal(p.host_ip, "127.0.0.1");
        assert_int_equal(net_port_parse("127.0.0.1::80", &p, &err), 0);
        assert_int_equal(p.host_port, 0);
        assert_int_equal(net_port_parse("9000-9002:8000-8002", &p, &err), 0);
        assert_int_equal(p.host_port_end, 9002);
        assert_int_equal(p.container_port_end, 8002);
        const char *bad[] = {"0",   "70000", "80/sctp", "1.2.3:80:80", "9000-9001:80",
                             "a:b", "80-70", "1:2:3:4"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(net_port_parse(bad[i], &p, &err), -EINVAL);
                berr_freep(&err);
        }
}

static void test_port_errors_name_the_spec(void **state)
{
        cleanup_berr struct berr *err = NULL;
        struct net_port p;

        (void)state;
        assert_int_equal(net_port_parse("8080:80/sctp", &p, &err), -EINVAL);
        assert_string_equal(err->msg, "port \"8080:80/sctp\": protocol \"sctp\" is not tcp or udp");
        berr_freep(&err);
        assert_int_equal(net_port_parse("99999:80", &p, &err), -EINVAL);
        assert_string_equal(err->msg,
                            "port \"99999:80\": \"99999\" is not a port or range (1-65535)");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_port_parse),
                cmocka_unit_test(test_port_errors_name_the_spec),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
