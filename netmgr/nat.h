/* SPDX-License-Identifier: MIT */
/* netmgr/nat: the project's nftables table `ip berth_<project>`. nat_render() is pure: from the
 * project's bridges and resolved port rules it writes the whole table as nft script (replace =
 * add + delete + define, so applying it is one atomic transaction): masquerade out of
 * non-internal subnets, DNAT in prerouting and output (nft 1.0.6: output priority -100),
 * 127/8 masquerade out of each bridge (route_localnet path), masquerade of DNATed
 * subnet->subnet traffic (hairpin, with or without br_netfilter), martian 127/8 drop on the
 * bridges, and forward isolation (other bridges and the outside reach a container only through
 * a published port; internal networks never leave their bridge). The apply/list side talks to
 * libnftables, the only file that includes it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;

struct nat_bridge {
        const char *bridge;
        uint32_t subnet; /* host byte order */
        int prefix;
        bool internal;
};

struct nat_rule {
        int proto;           /* enum net_proto */
        const char *host_ip; /* NULL or "": every local address */
        uint16_t host_port;
        uint32_t container_ip; /* host byte order */
        uint16_t container_port;
};

/* The nft script that (re)defines table ip berth_<project> atomically. Caller frees. */
char *nat_render(const char *project, const struct nat_bridge *bridges, size_t n_bridges,
                 const struct nat_rule *rules, size_t n_rules);
/* Run an nft script in one transaction. */
int nat_apply(const char *script, struct berr **err);
/* Delete table ip berth_<project> if it exists (atomic, idempotent). */
int nat_delete(const char *project, struct berr **err);

/* A host port published by some berth table (read from the rule comments). */
struct nat_published {
        char project[64];
        int proto;
        char host_ip[16]; /* "" for all */
        uint16_t host_port;
};
/* Parse `nft list ruleset` text for berth's port comments (pure). */
size_t nat_parse_published(const char *ruleset, struct nat_published **ret);
/* List every port published by any berth_* table on this host (netns). */
int nat_list_published(struct nat_published **ret, size_t *n_ret, struct berr **err);
