/* SPDX-License-Identifier: MIT */
/* netmgr/nl: the libnl-route-3 side of netmgr. nl.c: socket lifecycle (in this netns or, via a
 * brief setns of the calling thread, bound to a container's netns), NLE_* -> errno mapping,
 * host routes/addresses for IPAM and the host's default-route MTU, sysctl writes. bridge.c:
 * the per-network bridge. veth.c: a container's veth pair and its in-container setup. Only
 * these three files include libnl headers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"

struct berr;
struct nl_sock;
struct ipam_prefix;

int nl_open(struct nl_sock **ret, struct berr **err);
/* A route socket whose netlink peer is the namespace behind netns_fd. */
int nl_open_in_netns(int netns_fd, struct nl_sock **ret, struct berr **err);
void nl_closep(struct nl_sock **sk);
#define cleanup_nl CLEANUP(nl_closep)

/* NLE_* (positive) -> errno; set *err with libnl's text. Returns -errno. */
int nl_errno(int nle);
int nl_fail(struct berr **err, int nle, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Every IPv4 route destination (but default) and address prefix of this netns, skipping links
 * whose name is in skip_links (our own bridges when re-adopting). */
int nl_host_prefixes(struct nl_sock *sk, char *const *skip_links, struct ipam_prefix **ret,
                     size_t *n_ret, struct berr **err);
/* MTU of the interface of the main table's default route; 1500 when there is none. */
int nl_default_mtu(struct nl_sock *sk, int *ret, struct berr **err);
int nl_ifindex(struct nl_sock *sk, const char *name);

/* Write a /proc/sys value (e.g. "net/ipv4/ip_forward", "1"). */
int sysctl_write(const char *key, const char *value, struct berr **err);
/* Write a sysfs/procfs file. */
int knob_write(const char *path, const char *value, struct berr **err);

/* bridge.c */
/* Create (or adopt) the bridge: alias berth:<project>, up, MTU, gateway address,
 * route_localnet=1. An existing bridge must carry the alias; adopt_unmarked also accepts one
 * without any alias (berth's generated names only: a crash before the alias was set). */
int bridge_ensure(struct nl_sock *sk, const char *name, const char *project, uint32_t gateway,
                  int prefix, int mtu, bool adopt_unmarked, struct berr **err);
/* Delete every link of this netns whose alias is exactly berth:<project> (bridges, leftover host
 * veth ends). Returns how many went. */
int links_delete_project(struct nl_sock *sk, const char *project, struct berr **err);
/* Delete one link by name; a missing one is success. */
int link_delete(struct nl_sock *sk, const char *name, struct berr **err);
/* Names of links with alias berth:<project>. */
int links_of_project(struct nl_sock *sk, const char *project, char ***ret, struct berr **err);

/* veth.c */
struct veth_config {
        const char *host_name; /* host end, on the bridge */
        const char *peer_name; /* eth<N> in the container */
        const char *bridge;
        const char *project;
        int netns_fd;
        int mtu;
        int route_mtu; /* >0: MTU metric on the default route */
        uint8_t mac[6];
        uint32_t addr; /* host byte order */
        int prefix;
        uint32_t gateway; /* 0: no default route */
};
int veth_create(struct nl_sock *host, const struct veth_config *cfg, struct berr **err);
