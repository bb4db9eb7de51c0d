/* SPDX-License-Identifier: MIT */
/* netmgr/veth: one container interface. The pair is created in one RTM_NEWLINK with the peer
 * straight in the container's netns under its final name (eth<N>), the host end enslaved to the
 * bridge and up; then alias berth:<project> and hairpin on the host end, and inside the
 * container: lo up, address, default route. Never deleted here: the kernel removes the pair
 * when the container's netns dies (an explicit delete costs ~20 ms). */
#include <errno.h>
#include <string.h>

#include <net/if.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "netmgr/nl.h"

static void linkp(struct rtnl_link **l)
{
        if (*l)
                rtnl_link_put(*l);
}

static void nladdrp(struct nl_addr **a)
{
        if (*a)
                nl_addr_put(*a);
}

static int link_up(struct nl_sock *sk, const char *name, struct berr **err)
{
        CLEANUP(linkp) struct rtnl_link *cur = NULL, *chg = rtnl_link_alloc();
        int r = rtnl_link_get_kernel(sk, 0, name, &cur);

        if (r < 0)
                return nl_fail(err, r, "link %s", name);
        rtnl_link_set_flags(chg, IFF_UP);
        r = rtnl_link_change(sk, cur, chg, 0);
        if (r < 0)
                return nl_fail(err, r, "set %s up", name);
        return rtnl_link_get_ifindex(cur);
}

static int configure_inside(const struct veth_config *cfg, struct berr **err)
{
        cleanup_nl struct nl_sock *sk = NULL;
        CLEANUP(nladdrp) struct nl_addr *local = NULL, *dst = NULL, *gw = NULL;
        uint32_t be = htonl(cfg->addr), gbe = htonl(cfg->gateway), any = 0;
        struct rtnl_addr *a;
        int r, ifindex;

        r = nl_open_in_netns(cfg->netns_fd, &sk, err);
        if (r < 0)
                return r;
        r = link_up(sk, "lo", err);
        if (r < 0)
                return r;
        ifindex = nl_ifindex(sk, cfg->peer_name);
        if (ifindex <= 0)
                return berr_msg(err, ENODEV, "%s did not appear in the container", cfg->peer_name);

        a = rtnl_addr_alloc();
        local = nl_addr_build(AF_INET, &be, 4);
        nl_addr_set_prefixlen(local, cfg->prefix);
        rtnl_addr_set_local(a, local);
        rtnl_addr_set_ifindex(a, ifindex);
        r = rtnl_addr_add(sk, a, 0);
        rtnl_addr_put(a);
        if (r < 0 && r != -NLE_EXIST)
                return nl_fail(err, r, "add address to %s", cfg->peer_name);
        r = link_up(sk, cfg->peer_name, err);
        if (r < 0)
                return r;

        if (cfg->gateway) {
                struct rtnl_route *rt = rtnl_route_alloc();
                struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

                dst = nl_addr_build(AF_INET, &any, 4);
                nl_addr_set_prefixlen(dst, 0);
                gw = nl_addr_build(AF_INET, &gbe, 4);
                rtnl_route_set_family(rt, AF_INET);
                rtnl_route_set_dst(rt, dst);
                rtnl_route_set_table(rt, RT_TABLE_MAIN);
                rtnl_route_set_protocol(rt, RTPROT_BOOT);
                if (cfg->route_mtu > 0 && cfg->route_mtu < cfg->mtu)
                        rtnl_route_set_metric(rt, RTAX_MTU, (uint32_t)cfg->route_mtu);
                rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
                rtnl_route_nh_set_gateway(nh, gw);
                rtnl_route_nh_set_ifindex(nh, ifindex);
                rtnl_route_add_nexthop(rt, nh);
                r = rtnl_route_add(sk, rt, NLM_F_CREATE | NLM_F_REPLACE);
                rtnl_route_put(rt);
                if (r < 0)
                        return nl_fail(err, r, "add default route via the gateway");
        }
        return 0;
}

int veth_create(struct nl_sock *host, const struct veth_config *cfg, struct berr **err)
{
        CLEANUP(linkp) struct rtnl_link *l = rtnl_link_veth_alloc(), *chg = NULL, *cur = NULL;
        CLEANUP(nladdrp) struct nl_addr *mac = NULL;
        struct rtnl_link *peer;
        cleanup_free char *alias = xasprintf("berth:%s", cfg->project);
        cleanup_free char *hairpin = NULL;
        int br, r;

        if (!l)
                return berr_msg(err, ENOMEM, "netlink: cannot allocate a veth");
        br = nl_ifindex(host, cfg->bridge);
        if (br <= 0)
                return berr_msg(err, ENODEV, "bridge %s does not exist (run net up first)",
                                cfg->bridge);
        rtnl_link_set_name(l, cfg->host_name);
        rtnl_link_set_master(l, br);
        rtnl_link_set_mtu(l, (unsigned)cfg->mtu);
        rtnl_link_set_flags(l, IFF_UP);
        peer = rtnl_link_veth_get_peer(l);
        rtnl_link_set_name(peer, cfg->peer_name);
        rtnl_link_set_mtu(peer, (unsigned)cfg->mtu);
        mac = nl_addr_build(AF_LLC, cfg->mac, 6);
        rtnl_link_set_addr(peer, mac);
        rtnl_link_set_ns_fd(peer, cfg->netns_fd);
        rtnl_link_put(peer);
        r = rtnl_link_add(host, l, NLM_F_CREATE | NLM_F_EXCL);
        if (r < 0)
                return nl_fail(err, r, "create veth %s (peer %s in the container)", cfg->host_name,
                               cfg->peer_name);

        r = rtnl_link_get_kernel(host, 0, cfg->host_name, &cur);
        if (r < 0)
                return nl_fail(err, r, "veth %s", cfg->host_name);
        chg = rtnl_link_alloc();
        rtnl_link_set_ifalias(chg, alias);
        r = rtnl_link_change(host, cur, chg, 0);
        if (r < 0)
                return nl_fail(err, r, "set alias of %s", cfg->host_name);
        /* container -> its own published port comes back out of the same bridge port */
        hairpin = xasprintf("/sys/class/net/%s/brport/hairpin_mode", cfg->host_name);
        r = knob_write(hairpin, "1", err);
        if (r < 0)
                return r;
        return configure_inside(cfg, err);
}
