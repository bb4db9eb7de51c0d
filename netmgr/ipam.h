/* SPDX-License-Identifier: MIT */
/* netmgr/ipam: address management. Pure part (ipam.c): CIDR parsing, overlap tests, subnet
 * selection from a pool (default like docker's 172.17-31/16 and 192.168/20; env
 * BERTH_SUBNET_POOL "base/len:size[,...]"), next free host address. State part (ipam_store.c):
 * every berth network, lease and published port of one $BERTH_ROOT in <root>/net/state.json,
 * read-modify-written under an exclusive flock on <root>/net/lock so racing `up` runs serialise.
 * No kernel calls here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

struct berr;

struct ipam_prefix {
        uint32_t addr; /* host byte order, the network address */
        int len;       /* 0..32 */
};

struct ipam_pool {
        struct ipam_prefix base;
        int size; /* prefix length of the subnets carved out of base */
};

#define IPAM_DEFAULT_POOL                                                                       \
        "172.17.0.0/16:16,172.18.0.0/16:16,172.19.0.0/16:16,172.20.0.0/14:16,172.24.0.0/14:16," \
        "172.28.0.0/14:16,192.168.0.0/16:20"

/* MTU of bridges and veths when the network sets none: loopback's. */
#define NET_FABRIC_MTU 65535

/* "a.b.c.d/n" -> prefix; host bits must be zero unless allow_host_bits (then they are cleared). */
int ipam_parse_cidr(const char *s, bool allow_host_bits, struct ipam_prefix *ret,
                    struct berr **err);
int ipam_parse_addr(const char *s, uint32_t *ret);
void ipam_format_cidr(const struct ipam_prefix *p, char *buf, size_t len);
void ipam_format_addr(uint32_t a, char *buf, size_t len);
bool ipam_overlaps(const struct ipam_prefix *a, const struct ipam_prefix *b);
bool ipam_contains(const struct ipam_prefix *p, uint32_t addr);
/* "10.201.0.0/16:24,..." -> pools (malloc'd). */
int ipam_parse_pool(const char *spec, struct ipam_pool **ret, size_t *n_ret, struct berr **err);
/* First subnet of the pools overlapping none of `used`. -ENOSPC when exhausted. */
int ipam_pick_subnet(const struct ipam_pool *pools, size_t n_pools, const struct ipam_prefix *used,
                     size_t n_used, struct ipam_prefix *ret, struct berr **err);
/* Lowest host address of subnet that is not the network, broadcast, gateway or in used[]. */
int ipam_pick_address(const struct ipam_prefix *subnet, uint32_t gateway, const uint32_t *used,
                      size_t n_used, uint32_t *ret, struct berr **err);

/* ---- persisted state ------------------------------------------------------------------- */

struct ipam_lease {
        char *container;
        uint32_t addr;
        int ifindex;
        char **names; /* DNS names, strv */
        char **links; /* "alias=target": names only this container resolves (compose links) */
};

struct ipam_net {
        char *full_name;
        char *project; /* owner */
        char *name;    /* compose key */
        char *bridge;
        struct ipam_prefix subnet;
        uint32_t gateway;
        int mtu;       /* of the bridge and veths */
        int route_mtu; /* on the containers' default route; 0: none (the link MTU applies) */
        bool internal;
        char **users; /* projects using it as external */
        struct ipam_lease *leases;
        size_t n_leases;
};

struct ipam_port {
        char *project;
        char *container;
        char *host_ip; /* "" for all */
        uint16_t host_port;
        uint16_t container_port;
        int proto; /* enum net_proto */
        bool random;
};

struct ipam_state {
        struct ipam_net *nets;
        size_t n_nets;
        struct ipam_port *ports;
        size_t n_ports;
        int lock_fd; /* holds the flock until ipam_state_free */
        char *path;
};

/* Lock <root>/net/lock exclusively (blocking) and load state.json (empty if missing). */
int ipam_state_load(const char *root, struct ipam_state **ret, struct berr **err);
/* Write state.json atomically; the lock stays held. */
int ipam_state_save(struct ipam_state *st, struct berr **err);
/* Release the lock and free. */
void ipam_state_free(struct ipam_state *st);
void ipam_state_freep(struct ipam_state **st);

struct ipam_net *ipam_state_find_net(struct ipam_state *st, const char *full_name);
struct ipam_net *ipam_state_add_net(struct ipam_state *st, const char *full_name);
void ipam_state_del_net(struct ipam_state *st, const char *full_name);
struct ipam_lease *ipam_net_find_lease(struct ipam_net *n, const char *container);
struct ipam_lease *ipam_net_add_lease(struct ipam_net *n, const char *container);
void ipam_net_del_lease(struct ipam_net *n, const char *container);
void ipam_state_del_ports(struct ipam_state *st, const char *project);
struct ipam_port *ipam_state_add_port(struct ipam_state *st);
