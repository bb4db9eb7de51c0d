/* SPDX-License-Identifier: MIT */
/* Unit tests for netmgr/ipam: CIDR parsing, overlap, pools, subnet and address choice, and the
 * flock'd state file (persistence, release). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/ipam.h"

static struct ipam_prefix P(const char *s) {
        struct ipam_prefix p;
        struct berr *err = NULL;

        assert_int_equal(ipam_parse_cidr(s, false, &p, &err), 0);
        return p;
}

static void
test_parse_cidr(void **state)
{
        cleanup_berr struct berr *err = NULL;
        struct ipam_prefix p;
        char buf[32];

        (void)state;
        p = P("10.201.3.0/24");
        assert_int_equal(p.addr, 0x0ac90300);
        assert_int_equal(p.len, 24);
        ipam_format_cidr(&p, buf, sizeof(buf));
        assert_string_equal(buf, "10.201.3.0/24");
        assert_int_equal(ipam_parse_cidr("10.0.0.1/24", false, &p, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "host bits set"));
        berr_freep(&err);
        assert_int_equal(ipam_parse_cidr("10.0.0.1/24", true, &p, &err), 0);
        assert_int_equal(p.addr, 0x0a000000);
        const char *bad[] = {"10.0.0.0",  "10.0.0.0/33", "10.0.0/24",  "x/8",
                             "10.0.0.0/", "/8",          "10.0.0.0/2x"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                assert_int_equal(ipam_parse_cidr(bad[i], false, &p, &err), -EINVAL);
                berr_freep(&err);
        }
}

static void test_overlap(void **state)
{
        struct ipam_prefix a = P("10.0.0.0/16"), b = P("10.0.5.0/24"), c = P("10.1.0.0/24"),
                           all = P("0.0.0.0/0");

        (void)state;
        assert_true(ipam_overlaps(&a, &b));
        assert_true(ipam_overlaps(&b, &a));
        assert_false(ipam_overlaps(&a, &c));
        assert_true(ipam_overlaps(&all, &c));
        assert_true(ipam_contains(&b, 0x0a000507));
        assert_false(ipam_contains(&b, 0x0a000607));
}

static void test_pool_pick(void **state)
{
        cleanup_free struct ipam_pool *pools = NULL;
        cleanup_berr struct berr *err = NULL;
        struct ipam_prefix used[3], got;
        size_t n = 0;
        char buf[32];

        (void)state;
        assert_int_equal(ipam_parse_pool("10.201.0.0/16:24", &pools, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(ipam_pick_subnet(pools, n, NULL, 0, &got, &err), 0);
        ipam_format_cidr(&got, buf, sizeof(buf));
        assert_string_equal(buf, "10.201.0.0/24");
        /* a host route covering .0 and .1, and another berth network at .2 */
        used[0] = P("10.201.0.0/23");
        used[1] = P("10.201.2.0/24");
        used[2] = P("192.168.1.0/24");
        assert_int_equal(ipam_pick_subnet(pools, n, used, 3, &got, &err), 0);
        ipam_format_cidr(&got, buf, sizeof(buf));
        assert_string_equal(buf, "10.201.3.0/24");
        /* a route covering the whole pool: exhausted */
        used[0] = P("10.0.0.0/8");
        assert_int_equal(ipam_pick_subnet(pools, n, used, 1, &got, &err), -ENOSPC);
        assert_non_null(strstr(err->msg, "subnet pool exhausted"));
}

static void test_default_pool_like_docker(void **state)
{
        cleanup_free struct ipam_pool *pools = NULL;
        cleanup_berr struct berr *err = NULL;
        struct ipam_prefix used = P("172.17.0.0/16"), got;
        size_t n = 0;
        char buf[32];

        (void)state;
        assert_int_equal(ipam_parse_pool(IPAM_DEFAULT_POOL, &pools, &n, &err), 0);
        assert_int_equal(ipam_pick_subnet(pools, n, &used, 1, &got, &err), 0);
        ipam_format_cidr(&got, buf, sizeof(buf));
        assert_string_equal(buf, "172.18.0.0/16");
}

static void test_bad_pool(void **state)
{
        cleanup_free struct ipam_pool *pools = NULL;
        cleanup_berr struct berr *err = NULL;
        size_t n = 0;

        (void)state;
        assert_int_equal(ipam_parse_pool("10.0.0.0/16", &pools, &n, &err), -EINVAL);
        berr_freep(&err);
        assert_int_equal(ipam_parse_pool("10.0.0.0/16:8", &pools, &n, &err), -EINVAL);
        berr_freep(&err);
        assert_int_equal(ipam_parse_pool("", &pools, &n, &err), -EINVAL);
}

static void test_pick_address(void **state)
{
        cleanup_berr struct berr *err = NULL;
        struct ipam_prefix s = P("10.0.0.0/30");
        uint32_t used[] = {0x0a000002}, a;

        (void)state;
        assert_int_equal(ipam_pick_address(&s, 0x0a000001, NULL, 0, &a, &err), 0);
        assert_int_equal(a, 0x0a000002);
        /* /30: .1 gateway, .2 used, .3 broadcast: full */
        assert_int_equal(ipam_pick_address(&s, 0x0a000001, used, 1, &a, &err), -ENOSPC);
        assert_non_null(strstr(err->msg, "no free address left in subnet 10.0.0.0/30"));
}

static void test_state_persistence(void **state)
{
        char dir[] = "/tmp/berth-ipam-test.XXXXXX";
        struct berr *err = NULL;
        struct ipam_state *st = NULL;
        struct ipam_net *n;
        struct ipam_lease *l;
        struct ipam_port *p;
        cleanup_free char *cmd = NULL;

        (void)state;
        assert_non_null(mkdtemp(dir));
        assert_int_equal(ipam_state_load(dir, &st, &err), 0);
        assert_int_equal(st->n_nets, 0);
        n = ipam_state_add_net(st, "p_default");
        n->project = strdup("p");
        n->name = strdup("default");
        n->bridge = strdup("br-0123456789ab");
        n->subnet = P("10.201.5.0/24");
        n->gateway = 0x0ac90501;
        n->mtu = 1450;
        n->route_mtu = 1400;
        n->internal = true;
        l = ipam_net_add_lease(n, "p-web-1");
        l->addr = 0x0ac90502;
        l->names = strv_push(strv_push(NULL, "web"), "alias.x");
        p = ipam_state_add_port(st);
        p->project = strdup("p");
        p->container = strdup("p-web-1");
        p->host_ip = strdup("127.0.0.1");
        p->host_port = 18080;
        p->container_port = 80;
        p->random = true;
        assert_int_equal(ipam_state_save(st, &err), 0);

        /* while we hold the lock, another process cannot take it */
        cmd = xasprintf("flock -n %s/net/lock true", dir);
        assert_int_not_equal(system(cmd), 0);
        ipam_state_free(st);
        assert_int_equal(system(cmd), 0);

        assert_int_equal(ipam_state_load(dir, &st, &err), 0);
        assert_int_equal(st->n_nets, 1);
        n = ipam_state_find_net(st, "p_default");
        assert_non_null(n);
        assert_string_equal(n->bridge, "br-0123456789ab");
        assert_int_equal(n->subnet.addr, 0x0ac90500);
        assert_int_equal(n->mtu, 1450);
        assert_int_equal(n->route_mtu, 1400);
        assert_true(n->internal);
        l = ipam_net_find_lease(n, "p-web-1");
        assert_non_null(l);
        assert_int_equal(l->addr, 0x0ac90502);
        assert_true(strv_contains(l->names, "alias.x"));
        assert_int_equal(st->n_ports, 1);
        assert_int_equal(st->ports[0].host_port, 18080);
        assert_true(st->ports[0].random);
        /* release */
        ipam_net_del_lease(n, "p-web-1");
        ipam_state_del_ports(st, "p");
        ipam_state_del_net(st, "p_default");
        assert_int_equal(ipam_state_save(st, &err), 0);
        ipam_state_free(st);
        assert_int_equal(ipam_state_load(dir, &st, &err), 0);
        assert_int_equal(st->n_nets, 0);
        assert_int_equal(st->n_ports, 0);
        ipam_state_free(st);
        free(cmd);
        cmd = NULL;
        {
                char rm[128];

                snprintf(rm, sizeof(rm), "rm -rf %s", dir);
                assert_int_equal(system(rm), 0);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_cidr),
                cmocka_unit_test(test_overlap),
                cmocka_unit_test(test_pool_pick),
                cmocka_unit_test(test_default_pool_like_docker),
                cmocka_unit_test(test_bad_pool),
                cmocka_unit_test(test_pick_address),
                cmocka_unit_test(test_state_persistence),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
