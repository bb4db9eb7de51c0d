/* SPDX-License-Identifier: MIT */
/* netmgr/nl: libnl-route-3 sockets, errors, host prefixes and MTU, sysctls. */
#include "netmgr/nl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/ipam.h"

int nl_errno(int nle)
{
        static const int map[] = {
                [NLE_FAILURE] = EIO,
                [NLE_INTR] = EINTR,
                [NLE_BAD_SOCK] = EBADF,
                [NLE_AGAIN] = EAGAIN,
                [NLE_NOMEM] = ENOMEM,
                [NLE_EXIST] = EEXIST,
                [NLE_INVAL] = EINVAL,
                [NLE_RANGE] = ERANGE,
                [NLE_MSGSIZE] = EMSGSIZE,
                [NLE_OPNOTSUPP] = EOPNOTSUPP,
                [NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
                [NLE_OBJ_NOTFOUND] = ENOENT,
                [NLE_NOATTR] = ENOENT,
                [NLE_MISSING_ATTR] = EINVAL,
                [NLE_AF_MISMATCH] = EAFNOSUPPORT,
                [NLE_SEQ_MISMATCH] = EPROTO,
                [NLE_MSG_OVERFLOW] = EOVERFLOW,
                [NLE_MSG_TRUNC] = EMSGSIZE,
                [NLE_NOADDR] = EADDRNOTAVAIL,
                [NLE_SRCRT_NOSUPPORT] = EOPNOTSUPP,
                [NLE_MSG_TOOSHORT] = EPROTO,
                [NLE_MSGTYPE_NOSUPPORT] = EOPNOTSUPP,
                [NLE_OBJ_MISMATCH] = EINVAL,
                [NLE_NOCACHE] = ENOENT,
                [NLE_BUSY] = EBUSY,
                [NLE_PROTO_MISMATCH] = EPROTONOSUPPORT,
                [NLE_NOACCESS] = EACCES,
                [NLE_PERM] = EPERM,
                [NLE_PKTLOC_FILE] = ENOENT,
                [NLE_PARSE_ERR] = EINVAL,
                [NLE_NODEV] = ENODEV,
                [NLE_IMMUTABLE] = EPERM,
                [NLE_DUMP_INTR] = EINTR,
                [NLE_ATTRSIZE] = EINVAL,
        };

        if (nle < 0)
                nle = -nle;
        if (nle <= 0 || (size_t)nle >= ARRAY_SIZE(map) || map[nle] == 0)
                return EIO;
        return map[nle];
}

int nl_fail(struct berr **err, int nle, const char *fmt, ...)
{
        cleanup_free char *ctx = NULL;
        va_list ap;

        va_start(ap, fmt);
        ctx = xvasprintf(fmt, ap);
        va_end(ap);
        return berr_msg(err, nl_errno(nle), "%s: %s", ctx, nl_geterror(nle < 0 ? nle : -nle));
}

int nl_open(struct nl_sock **ret, struct berr **err)
{
        struct nl_sock *sk = nl_socket_alloc();
        int r;

        if (!sk)
                return berr_msg(err, ENOMEM, "netlink: cannot allocate a socket");
        r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0) {
                nl_socket_free(sk);
                return nl_fail(err, r, "netlink: connect");
        }
        *ret = sk;
        return 0;
}

int nl_open_in_netns(int netns_fd, struct nl_sock **ret, struct berr **err)
{
        cleanup_close int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        int r;

        if (self < 0)
                return berr_set(err, errno, "open /proc/thread-self/ns/net");
        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return berr_set(err, errno, "setns into the container's network namespace");
        r = nl_open(ret, err);
        if (setns(self, CLONE_NEWNET) < 0)
                abort(); /* cannot continue in the wrong namespace */
        return r;
}

void nl_closep(struct nl_sock **sk)
{
        if (*sk)
                nl_socket_free(*sk);
        *sk = NULL;
}

int nl_ifindex(struct nl_sock *sk, const char *name)
{
        struct rtnl_link *l = NULL;
        int idx;

        if (rtnl_link_get_kernel(sk, 0, name, &l) < 0)
                return 0;
        idx = rtnl_link_get_ifindex(l);
        rtnl_link_put(l);
        return idx;
}

static void cachep(struct nl_cache **c)
{
        if (*c)
                nl_cache_free(*c);
}

struct prefix_walk {
        struct nl_cache *links;
        char *const *skip;
        struct ipam_prefix *v;
        size_t n, cap;
};

static bool skipped(struct prefix_walk *w, int ifindex)
{
        char name[IFNAMSIZ] = "";

        if (!w->skip || ifindex <= 0)
                return false;
        rtnl_link_i2name(w->links, ifindex, name, sizeof(name));
        return strv_contains(w->skip, name);
}

static void push_prefix(struct prefix_walk *w, struct nl_addr *a)
{
        uint32_t v;

        if (!a || nl_addr_get_family(a) != AF_INET || nl_addr_get_len(a) != 4)
                return;
        memcpy(&v, nl_addr_get_binary_addr(a), 4);
        w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof(*w->v));
        w->v[w->n].len = (int)nl_addr_get_prefixlen(a);
        w->v[w->n].addr = ntohl(v) & (w->v[w->n].len ? 0xffffffffu << (32 - w->v[w->n].len) : 0);
        w->n++;
}

static void route_cb(struct nl_object *o, void *arg)
{
        struct rtnl_route *rt = (struct rtnl_route *)o;
        struct prefix_walk *w = arg;
        struct nl_addr *dst = rtnl_route_get_dst(rt);
        struct rtnl_nexthop *nh;

        if (!dst || nl_addr_get_prefixlen(dst) == 0 || rtnl_route_get_type(rt) != RTN_UNICAST)
                return;
        nh = rtnl_route_nexthop_n(rt, 0);
        if (nh && skipped(w, rtnl_route_nh_get_ifindex(nh)))
                return;
        push_prefix(w, dst);
}

static void addr_cb(struct nl_object *o, void *arg)
{
        struct rtnl_addr *a = (struct rtnl_addr *)o;
        struct prefix_walk *w = arg;

        if (skipped(w, rtnl_addr_get_ifindex(a)))
                return;
        push_prefix(w, rtnl_addr_get_local(a));
}

int nl_host_prefixes(struct nl_sock *sk, char *const *skip_links, struct ipam_prefix **ret,
                     size_t *n_ret, struct berr **err)
{
        CLEANUP(cachep) struct nl_cache *links = NULL, *routes = NULL, *addrs = NULL;
        struct prefix_walk w = {.skip = skip_links};
        int r;

        r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
        if (r < 0)
                return nl_fail(err, r, "netlink: list links");
        r = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes);
        if (r < 0)
                return nl_fail(err, r, "netlink: list routes");
        r = rtnl_addr_alloc_cache(sk, &addrs);
        if (r < 0)
                return nl_fail(err, r, "netlink: list addresses");
        w.links = links;
        nl_cache_foreach(routes, route_cb, &w);
        nl_cache_foreach(addrs, addr_cb, &w);
        *ret = w.v;
        *n_ret = w.n;
        return 0;
}

struct mtu_walk {
        int ifindex;
};

static void default_cb(struct nl_object *o, void *arg)
{
        struct rtnl_route *rt = (struct rtnl_route *)o;
        struct mtu_walk *w = arg;
        struct nl_addr *dst = rtnl_route_get_dst(rt);
        struct rtnl_nexthop *nh;

        if (w->ifindex || rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
            (dst && nl_addr_get_prefixlen(dst) != 0))
                return;
        nh = rtnl_route_nexthop_n(rt, 0);
        if (nh)
                w->ifindex = rtnl_route_nh_get_ifindex(nh);
}

int nl_default_mtu(struct nl_sock *sk, int *ret, struct berr **err)
{
        CLEANUP(cachep) struct nl_cache *routes = NULL;
        struct mtu_walk w = {0};
        struct rtnl_link *l = NULL;
        int r;

        *ret = 1500;
        r = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes);
        if (r < 0)
                return nl_fail(err, r, "netlink: list routes");
        nl_cache_foreach(routes, default_cb, &w);
        if (w.ifindex && rtnl_link_get_kernel(sk, w.ifindex, NULL, &l) >= 0) {
                if (rtnl_link_get_mtu(l) >= 576)
                        *ret = (int)rtnl_link_get_mtu(l);
                rtnl_link_put(l);
        }
        return 0;
}

int knob_write(const char *path, const char *value, struct berr **err)
{
        cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
        int r;

        if (fd < 0)
                return berr_set(err, errno, "open %s", path);
        r = write_all(fd, value, strlen(value));
        if (r < 0)
                return berr_set(err, -r, "write %s to %s", value, path);
        return 0;
}

int sysctl_write(const char *key, const char *value, struct berr **err)
{
        cleanup_free char *path = xasprintf("/proc/sys/%s", key);

        return knob_write(path, value, err);
}
