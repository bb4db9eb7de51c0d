/* SPDX-License-Identifier: MIT */
/* Unit tests for netmgr/hosts: /etc/hosts and /etc/resolv.conf text. */
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
#include "netmgr/netmgr.h"

static struct in_addr A(const char *s) {
        struct in_addr a;

        inet_pton(AF_INET, s, &a);
        return a;
}

static void
test_hosts(void **state)
{
        const char *names[] = {"web", "myhost", "alias1", NULL};
        const char *extra[] = {"db.local:10.1.2.3", "gw=host-gateway", "v6:::1", NULL};
        struct net_hosts_config c = {"myhost", names, A("10.201.0.2"), A("10.201.0.1"), extra};
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *s = net_hosts_render(&c, &err);

        (void)state;
        assert_non_null(s);
        assert_non_null(strstr(s, "127.0.0.1\tlocalhost\n"));
        assert_non_null(strstr(s, "::1\tlocalhost ip6-localhost ip6-loopback\n"));
        assert_non_null(strstr(s, "10.201.0.2\tmyhost web alias1\n"));
        assert_non_null(strstr(s, "10.1.2.3\tdb.local\n"));
        assert_non_null(strstr(s, "10.201.0.1\tgw\n"));
        assert_non_null(strstr(s, "::1\tv6\n"));
}

static void test_hosts_bad_extra(void **state)
{
        const char *extra[] = {"db.local:not-an-ip", NULL};
        struct net_hosts_config c = {"h", NULL, A("10.201.0.2"), A("10.201.0.1"), extra};
        cleanup_berr struct berr *err = NULL;
        char *s = net_hosts_render(&c, &err);

        (void)state;
        assert_null(s);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(
                err->msg,
                "extra_hosts: \"db.local:not-an-ip\": \"not-an-ip\" is not an IP address");
}

static void test_resolv(void **state)
{
        const char *search[] = {"example.test", "corp.test", NULL};
        const char *opts[] = {"ndots:2", "timeout:1", NULL};
        const char *dns[] = {"10.0.0.53", "10.0.0.54", NULL};
        struct net_resolv_config c = {A("10.201.0.1"), NULL, search, opts};
        cleanup_free char *s = net_resolv_render(&c);
        cleanup_free char *t = NULL;

        (void)state;
        assert_string_equal(s, "nameserver 10.201.0.1\n"
                               "search example.test corp.test\n"
                               "options ndots:2 timeout:1\n");
        c.dns = dns;
        c.dns_search = NULL;
        c.dns_opt = NULL;
        t = net_resolv_render(&c);
        assert_string_equal(t, "nameserver 10.0.0.53\nnameserver 10.0.0.54\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_hosts_bad_extra),
                cmocka_unit_test(test_resolv),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
