/* SPDX-License-Identifier: MIT */
/* Unit tests for netmgr/nat: the rendered nft table for every port form, and parsing berth's
 * port comments back out of a ruleset listing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "netmgr/nat.h"
#include "netmgr/netmgr.h"

static const struct nat_bridge bridges[] = {
        {"br-aaaaaaaaaaaa", 0x0ac90000, 24, false},
        {"br-bbbbbbbbbbbb", 0x0ac90100, 24, true},
};

#define has(s, sub) assert_non_null(strstr((s), (sub)))

static void test_render_networks(void **state)
{
        cleanup_free char *s = nat_render("p1", bridges, 2, NULL, 0);

        (void)state;
        /* atomic replace: add + delete + define in one script */
        assert_true(strncmp(s,
                            "add table ip berth_p1\ndelete table ip berth_p1\ntable ip berth_p1 {",
                            60) == 0);
        has(s, "type nat hook prerouting priority dstnat;");
        has(s, "type nat hook output priority -100;");
        has(s, "oifname \"br-aaaaaaaaaaaa\" ip saddr 127.0.0.0/8 masquerade");
        has(s, "oifname \"br-aaaaaaaaaaaa\" ip saddr 10.201.0.0/24 ip daddr 10.201.0.0/24 ct "
               "status dnat masquerade");
        has(s, "ip saddr 10.201.0.0/24 oifname != \"br-aaaaaaaaaaaa\" masquerade");
        /* internal: no outbound masquerade, forward drops both ways */
        assert_null(strstr(s, "ip saddr 10.201.1.0/24 oifname != \"br-bbbbbbbbbbbb\" masquerade"));
        has(s, "oifname \"br-bbbbbbbbbbbb\" drop");
        has(s, "iifname \"br-bbbbbbbbbbbb\" drop");
        /* martians */
        has(s, "iifname \"br-aaaaaaaaaaaa\" ip daddr 127.0.0.0/8 drop");
        /* isolation of the non-internal bridge: only DNAT and replies come in */
        has(s, "oifname \"br-aaaaaaaaaaaa\" ct status dnat accept");
        has(s, "oifname \"br-aaaaaaaaaaaa\" ct state established,related accept");
}

static size_t count(const char *s, const char *sub)
{
        size_t n = 0;

        for (const char *p = s; (p = strstr(p, sub)); p++)
                n++;
        return n;
}

static void test_render_ports(void **state)
{
        const struct nat_rule rules[] = {
                {NET_PROTO_TCP, NULL, 8080, 0x0ac90002, 80},
                {NET_PROTO_UDP, "", 5353, 0x0ac90002, 53},
                {NET_PROTO_TCP, "127.0.0.1", 18081, 0x0ac90003, 8081},
                {NET_PROTO_TCP, "0.0.0.0", 9000, 0x0ac90003, 9000},
        };
        cleanup_free char *s = nat_render("p1", bridges, 1, rules, 4);

        (void)state;
        /* each port in prerouting and output */
        assert_int_equal(count(s, "fib daddr type local tcp dport 8080 dnat to 10.201.0.2:80 "
                                  "comment \"berth:p1:tcp::8080\""),
                         2);
        assert_int_equal(count(s, "fib daddr type local udp dport 5353 dnat to 10.201.0.2:53"), 2);
        assert_int_equal(count(s, "ip daddr 127.0.0.1 tcp dport 18081 dnat to 10.201.0.3:8081 "
                                  "comment \"berth:p1:tcp:127.0.0.1:18081\""),
                         2);
        assert_int_equal(count(s, "fib daddr type local tcp dport 9000 dnat to 10.201.0.3:9000"),
                         2);
}

static void test_parse_published(void **state)
{
        const char *listing =
                "table ip berth_p1 {\n"
                "  chain prerouting {\n"
                "    fib daddr type local tcp dport 8080 dnat to 10.201.0.2:80 comment "
                "\"berth:p1:tcp::8080\"\n"
                "    ip daddr 127.0.0.1 udp dport 53 dnat to 10.201.0.2:53 comment "
                "\"berth:p1:udp:127.0.0.1:53\"\n"
                "  }\n  chain output {\n"
                "    fib daddr type local tcp dport 8080 dnat to 10.201.0.2:80 comment "
                "\"berth:p1:tcp::8080\"\n"
                "    tcp dport 1 comment \"someone else\"\n  }\n}\n";
        cleanup_free struct nat_published *v = NULL;
        size_t n = nat_parse_published(listing, &v);

        (void)state;
        assert_int_equal(n, 2);
        assert_string_equal(v[0].project, "p1");
        assert_int_equal(v[0].proto, NET_PROTO_TCP);
        assert_string_equal(v[0].host_ip, "");
        assert_int_equal(v[0].host_port, 8080);
        assert_int_equal(v[1].proto, NET_PROTO_UDP);
        assert_string_equal(v[1].host_ip, "127.0.0.1");
        assert_int_equal(v[1].host_port, 53);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_render_networks),
                cmocka_unit_test(test_render_ports),
                cmocka_unit_test(test_parse_published),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
