/* SPDX-License-Identifier: MIT */
/* netmgr/bridge: a network's bridge (alias berth:<project>, gateway address, route_localnet=1),
 * and removal of every link carrying a project's alias. */
#include <errno.h>
#include <string.h>

#include <net/if.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/nl.h"

static void linkp(struct rtnl_link **l)
{
        if (*l)
                rtnl_link_put(*l);
}

static void addrp(struct rtnl_addr **a)
{
        if (*a)
                rtnl_addr_put(*a);
}

static void nladdrp(struct nl_addr **a)
{
        if (*a)
                nl_addr_put(*a);
}

static void cachep(struct nl_cache **c)
{
        if (*c)
                nl_cache_free(*c);
}

int bridge_ensure(struct nl_sock *sk, const char *name, const char *project, uint32_t gateway,
                  int prefix, int mtu, bool adopt_unmarked, struct berr **err)
{
        CLEANUP(linkp) struct rtnl_link *cur = NULL, *l = NULL, *chg = NULL;
        CLEANUP(addrp) struct rtnl_addr *a = NULL;
        CLEANUP(nladdrp) struct nl_addr *local = NULL;
        cleanup_free char *alias = xasprintf("berth:%s", project);
        cleanup_free char *key = NULL;
        uint32_t be = htonl(gateway);
        int r;

        r = rtnl_link_get_kernel(sk, 0, name, &cur);
        if (r >= 0) {
                const char *have = rtnl_link_get_ifalias(cur);

                /* no alias at all: a crash between create and the alias change (the kernel
                 * ignores IFLA_IFALIAS on create); adopt only berth's own generated names */
                bool ours = have && strcmp(have, alias) == 0;

                if (!ours && !((!have || !*have) && adopt_unmarked))
                        return berr_msg(err, EEXIST,
                                        "bridge %s already exists and is not berth's for project "
                                        "%s (alias \"%s\")",
                                        name, project, have ? have : "");
        } else {
                l = rtnl_link_bridge_alloc();
                rtnl_link_set_name(l, name);
                if (mtu > 0)
                        rtnl_link_set_mtu(l, (unsigned)mtu);
                r = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
                if (r < 0)
                        return nl_fail(err, r, "create bridge %s", name);
                r = rtnl_link_get_kernel(sk, 0, name, &cur);
                if (r < 0)
                        return nl_fail(err, r, "bridge %s", name);
        }
        chg = rtnl_link_alloc();
        rtnl_link_set_ifalias(chg, alias);
        rtnl_link_set_flags(chg, IFF_UP);
        if (mtu > 0)
                rtnl_link_set_mtu(chg, (unsigned)mtu);
        r = rtnl_link_change(sk, cur, chg, 0);
        if (r < 0)
                return nl_fail(err, r, "set up bridge %s", name);

        a = rtnl_addr_alloc();
        local = nl_addr_build(AF_INET, &be, 4);
        nl_addr_set_prefixlen(local, prefix);
        rtnl_addr_set_local(a, local);
        rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(cur));
        r = rtnl_addr_add(sk, a, 0);
        if (r < 0 && r != -NLE_EXIST)
                return nl_fail(err, r, "add gateway address to bridge %s", name);

        /* 127.0.0.1 -> published port: DNATed locally generated packets leave via the bridge */
        key = xasprintf("net/ipv4/conf/%s/route_localnet", name);
        return sysctl_write(key, "1", err);
}

struct alias_walk {
        const char *alias;
        char **names;
};

static void alias_cb(struct nl_object *o, void *arg)
{
        struct rtnl_link *l = (struct rtnl_link *)o;
        struct alias_walk *w = arg;
        const char *a = rtnl_link_get_ifalias(l);

        if (a && strcmp(a, w->alias) == 0)
                w->names = strv_push(w->names, rtnl_link_get_name(l));
}

int links_of_project(struct nl_sock *sk, const char *project, char ***ret, struct berr **err)
{
        CLEANUP(cachep) struct nl_cache *links = NULL;
        cleanup_free char *alias = xasprintf("berth:%s", project);
        struct alias_walk w = {.alias = alias};
        int r;

        r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
        if (r < 0)
                return nl_fail(err, r, "netlink: list links");
        nl_cache_foreach(links, alias_cb, &w);
        *ret = w.names;
        return 0;
}

int links_delete_project(struct nl_sock *sk, const char *project, struct berr **err)
{
        cleanup_strv char **names = NULL;
        int r, n = 0;

        r = links_of_project(sk, project, &names, err);
        if (r < 0)
                return r;
        strv_foreach (name, names) {
                r = link_delete(sk, name, err);
                if (r < 0)
                        return r;
                n++;
        }
        return n;
}

int link_delete(struct nl_sock *sk, const char *name, struct berr **err)
{
        CLEANUP(linkp) struct rtnl_link *l = rtnl_link_alloc();
        int r;

        rtnl_link_set_name(l, name);
        r = rtnl_link_delete(sk, l);
        if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
                return nl_fail(err, r, "delete link %s", name);
        return 0;
}
