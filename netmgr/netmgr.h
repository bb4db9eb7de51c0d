/* SPDX-License-Identifier: MIT */
/* netmgr: the public API of berth's networking. Owns per-project bridge networks (libnl-route-3),
 * IPAM (subnets and addresses recorded under $BERTH_ROOT/net/ with flock), one nftables table
 * `berth_<project>` per project (masquerade, published-port DNAT, localhost and hairpin paths),
 * each container's veth + eth<N> setup, and the text of its /etc/hosts and /etc/resolv.conf.
 * The service-name DNS server lives in netmgr/dns.h. Plain config structs only: netmgr never
 * includes spec/ headers; orchestrator/plan.c translates the compose model into these. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

struct berr;

/* One network of a project, as compose declares it (`networks:` top-level key). */
struct net_network_config {
        const char *name;        /* compose key, e.g. "default"; full name is "<project>_<name>" */
        const char *full_name;   /* NULL: "<project>_<name>"; for external: the existing name */
        const char *bridge_name; /* driver_opts com.docker.network.bridge.name; NULL: br-<id> */
        int mtu;                 /* driver_opts com.docker.network.driver.mtu; 0: host's */
        const char *subnet;      /* ipam.config[0].subnet "a.b.c.d/n"; NULL: from the pool */
        const char *gateway;     /* ipam.config[0].gateway; NULL: first host of the subnet */
        bool internal;           /* no outbound NAT, no published ports, no way out */
        bool external;           /* an existing berth network: neither created nor removed */
};

struct net_project_config {
        const char *project; /* [a-z0-9_-]+ ; marks: link alias berth:<project>, table
                                berth_<project> */
        const char *root;    /* $BERTH_ROOT: state lives in <root>/net/ */
        const struct net_network_config *networks;
        size_t n_networks;
};

/* The result of net_project_up for one network. */
struct net_network_info {
        char full_name[128];
        char bridge[16];
        struct in_addr subnet;
        int prefix;
        struct in_addr gateway;
        int mtu;
        bool internal;
};

/* Create (or adopt after a crash/restart) every network of the project: IPAM first (all subnets
 * checked and reserved before anything is made), then the bridges, then the project's nft table
 * in ONE libnftables transaction, ip_forward=1. Idempotent. `ret` (optional) receives one entry
 * per network in config order; free with free(). */
int net_project_up(const struct net_project_config *cfg, struct net_network_info **ret,
                   struct berr **err);

/* Remove the project's nft table (one atomic `delete table`), its bridges (found by their alias
 * `berth:<project>`, so leftovers of a crashed run go too), its DNS state and its IPAM records.
 * External networks owned by another project stay. Idempotent: nothing to remove is success. */
int net_project_down(const char *project, const char *root, struct berr **err);

/* One network interface of one container. */
struct net_attach_config {
        const char *project;
        const char *root;
        const char *container;    /* container name, e.g. "<project>-web-1"; the IPAM key */
        const char *network;      /* compose network key (or external full name) */
        int netns_fd;             /* the container's network namespace; -1: use pid */
        int pid;                  /* used when netns_fd < 0: /proc/<pid>/ns/net */
        int ifindex;              /* 0 -> eth0, 1 -> eth1 ...; eth0 also gets the default route */
        const char *ipv4_address; /* NULL: next free (or the one recorded for this container) */
        const char *mac_address;  /* NULL: 02:42:<ip bytes> */
        const char *const *names; /* DNS names: service, <project>-<service>-<n>, container_name,
                                     hostname, aliases; NULL-terminated or NULL */
        const char *const *links; /* compose links as "alias=target" (target: a name of another
                                     container): alias resolves for this container only */
};

struct net_attach_info {
        struct in_addr address;
        struct in_addr gateway;
        int prefix;
        int mtu;
        char ifname[16];    /* inside the container */
        char host_veth[16]; /* host end, on the bridge */
        char mac[18];
};

/* Create a veth pair with its peer directly in the container's netns (named eth<ifindex>), put
 * the host end on the network's bridge (hairpin on, alias berth:<project>), and inside: lo up,
 * address, MAC, MTU, default route via the gateway (eth0 of a non-internal network only).
 * The address is recorded in IPAM (a restarted container keeps it) with its DNS names.
 * There is no net_detach for the link: the kernel deletes the pair when the netns dies;
 * net_release forgets the address and names. */
int net_attach(const struct net_attach_config *cfg, struct net_attach_info *ret, struct berr **err);
int net_release(const char *project, const char *root, const char *container, struct berr **err);

enum net_proto {
        NET_PROTO_TCP,
        NET_PROTO_UDP,
};

/* One published port (compose `ports:`), possibly a range. */
struct net_port {
        const char *container; /* which container (its first attached network is the target) */
        char host_ip[INET_ADDRSTRLEN]; /* "" or "0.0.0.0": every local address */
        uint16_t host_port;            /* 0: random (kept across re-applies, reported back) */
        uint16_t host_port_end;        /* range end (inclusive), 0: single */
        uint16_t container_port;       /* required */
        uint16_t container_port_end;
        enum net_proto proto;
};

/* The published ports after net_ports_apply (random ports resolved), for `berth port`. */
struct net_port_binding {
        char container[128];
        char host_ip[INET_ADDRSTRLEN];
        uint16_t host_port;
        uint16_t container_port;
        enum net_proto proto;
        struct in_addr container_ip;
};

/* Check every port for conflicts (another berth project's table, a listening host socket, the
 * same host port twice, ranges of unequal length, ports of a container on an internal network)
 * BEFORE anything changes; then regenerate the whole project table in one transaction with
 * exactly these ports. `ret`/`n_ret` (optional) list what is published; free with free(). */
int net_ports_apply(const char *project, const char *root, const struct net_port *ports,
                    size_t n_ports, struct net_port_binding **ret, size_t *n_ret,
                    struct berr **err);

/* What net_ports_apply last published for the project (random ports resolved), read-only.
 * Free *ret with free(). (netmgr/ports_list.c) */
int net_ports_list(const char *project, const char *root, struct net_port_binding **ret,
                   size_t *n_ret, struct berr **err);

/* Only the conflict check of net_ports_apply (for `up` before anything is created). */
int net_ports_check(const char *project, const struct net_port *ports, size_t n_ports,
                    struct berr **err);

/* Parse compose's short port syntax "[[ip:]host[-end]:]container[-end][/tcp|udp]". */
int net_port_parse(const char *spec, struct net_port *ret, struct berr **err);

/* /etc/hosts of a container: localhost lines, its own address with its names, extra_hosts
 * ("name:ip" or "name=ip"; "host-gateway" -> gateway). Returns a malloc'd string. */
struct net_hosts_config {
        const char *hostname;     /* first name on the own line */
        const char *const *names; /* more names for the own address, NULL-terminated or NULL */
        struct in_addr address;   /* INADDR_ANY: no own line with an address */
        struct in_addr gateway;   /* what host-gateway means */
        const char *const *extra_hosts;
};
char *net_hosts_render(const struct net_hosts_config *cfg, struct berr **err);

/* /etc/resolv.conf of a container: nameserver = the gateway (or `dns` entries when given),
 * `search` from dns_search, `options` from dns_opt. Returns a malloc'd string. */
struct net_resolv_config {
        struct in_addr gateway;
        const char *const *dns;        /* compose `dns`, NULL: the embedded server */
        const char *const *dns_search; /* compose `dns_search` */
        const char *const *dns_opt;    /* compose `dns_opt` */
};
char *net_resolv_render(const struct net_resolv_config *cfg);
