/* SPDX-License-Identifier: MIT */
/* netmgr/dns: the embedded service-name DNS server (libevent evdns) of one project. It listens on
 * each network's gateway:53 inside the caller's event loop and answers A queries for the names
 * recorded by net_attach on that network (service, <project>-<service>-<n>, container_name,
 * hostname, aliases; every replica; link aliases for the linking container only), NXDOMAIN for
 * other single-label names, and forwards everything else to the host's resolvers
 * (/etc/resolv.conf). Records come from the project's IPAM state and are reloaded when it changes
 * (dns_server_reload, or automatically when the state file's mtime moved: checked on each query and
 * once a second). Pure name matching is in dns_match() for unit tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <netinet/in.h>

struct berr;
struct event_base;
struct dns_server;

struct dns_server_config {
        const char *project;
        const char *root;        /* $BERTH_ROOT */
        const char *resolv_conf; /* upstream resolvers; NULL: /etc/resolv.conf */
        unsigned short port;     /* 0: 53 */
};

int dns_server_new(struct event_base *base, const struct dns_server_config *cfg,
                   struct dns_server **ret, struct berr **err);
/* Re-read the records (containers came or went); also done lazily on each query. */
int dns_server_reload(struct dns_server *srv, struct berr **err);
void dns_server_free(struct dns_server *srv);

/* One record: name -> address, valid on one network (bridge), for every asker or, for a link
 * alias, only for the linking container's address. */
struct dns_record {
        char *name;
        char *network; /* full network name */
        struct in_addr addr;
        struct in_addr only_for; /* 0: everyone on the network */
};

/* Case-insensitive match of a query name from `asker` against the records of one network; a
 * trailing dot is ignored. Fills up to max addresses, returns how many. */
size_t dns_match(const struct dns_record *recs, size_t n, const char *network, struct in_addr asker,
                 const char *qname, struct in_addr *out, size_t max);
/* How many A records answering qname fit a 512-byte UDP reply (berth has no DNS over TCP, so
 * a scaled service's replicas are answered in turns rather than truncated). */
size_t dns_max_answers(const char *qname);
/* Whether an unmatched name belongs to the project (single label: answer NXDOMAIN, do not
 * forward). */
bool dns_name_is_local(const char *qname);
