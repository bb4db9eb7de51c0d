/* SPDX-License-Identifier: MIT */
/* Unit tests for netmgr/dns: name matching per network, replicas, local vs forwarded names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "netmgr/dns.h"
#include "netmgr/netmgr.h"

static struct in_addr A(const char *s) {
        struct in_addr a;

        inet_pton(AF_INET, s, &a);
        return a;
}

static const struct in_addr ANY = {0};

static void test_match(void **state)
{
        struct dns_record recs[] = {
                {"api", "p_default", A("10.201.0.2"), {0}},
                {"api", "p_default", A("10.201.0.3"), {0}},
                {"p-api-1", "p_default", A("10.201.0.2"), {0}},
                {"api", "p_back", A("10.201.1.2"), {0}},
                {"db.internal", "p_default", A("10.201.0.9"), {0}},
                {"api", "p_default", A("10.201.0.3"), {0}}, /* duplicate via an alias */
        };
        struct in_addr out[8];
        size_t n;

        (void)state;
        n = dns_match(recs, 6, "p_default", ANY, "api", out, 8);
        assert_int_equal(n, 2);
        assert_int_equal(out[0].s_addr, A("10.201.0.2").s_addr);
        assert_int_equal(out[1].s_addr, A("10.201.0.3").s_addr);
        /* case-insensitive, trailing dot */
        assert_int_equal(dns_match(recs, 6, "p_default", ANY, "API.", out, 8), 2);
        /* per network */
        n = dns_match(recs, 6, "p_back", ANY, "api", out, 8);
        assert_int_equal(n, 1);
        assert_int_equal(out[0].s_addr, A("10.201.1.2").s_addr);
        assert_int_equal(dns_match(recs, 6, "p_back", ANY, "p-api-1", out, 8), 0);
        assert_int_equal(dns_match(recs, 6, "p_default", ANY, "db.internal", out, 8), 1);
        assert_int_equal(dns_match(recs, 6, "p_default", ANY, "nope", out, 8), 0);
        /* max respected */
        assert_int_equal(dns_match(recs, 6, "p_default", ANY, "api", out, 1), 1);
}

/* a compose link alias answers only the linking container */
static void test_link_alias(void **state)
{
        struct dns_record recs[] = {
                {"db", "p_default", A("10.201.0.5"), {0}},
                {"database", "p_default", A("10.201.0.5"), A("10.201.0.7")},
        };
        struct in_addr out[4];

        (void)state;
        assert_int_equal(dns_match(recs, 2, "p_default", A("10.201.0.7"), "database", out, 4), 1);
        assert_int_equal(out[0].s_addr, A("10.201.0.5").s_addr);
        assert_int_equal(dns_match(recs, 2, "p_default", A("10.201.0.8"), "database", out, 4), 0);
        assert_int_equal(dns_match(recs, 2, "p_default", ANY, "database", out, 4), 0);
        assert_int_equal(dns_match(recs, 2, "p_default", A("10.201.0.8"), "db", out, 4), 1);
}

static void test_max_answers(void **state)
{
        (void)state;
        /* "w": 512 - 12 - 7 = 493 bytes for 17-byte records */
        assert_int_equal(dns_max_answers("w"), 29);
        assert_int_equal(dns_max_answers("proj-service-12."), 14);
        assert_int_equal(dns_max_answers("a-very-long-name-that-still-fits-in-a-label"), 7);
}

static void test_local(void **state)
{
        (void)state;
        assert_true(dns_name_is_local("web"));
        assert_true(dns_name_is_local("web."));
        assert_false(dns_name_is_local("example.com"));
        assert_false(dns_name_is_local(""));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_match),
                cmocka_unit_test(test_local),
                cmocka_unit_test(test_link_alias),
                cmocka_unit_test(test_max_answers),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
