/* SPDX-License-Identifier: MIT */
/* netmgr/netmgr: the public operations, composing IPAM state, links and the nft table. */
#include "netmgr/netmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/ipam.h"
#include "netmgr/nat.h"
#include "netmgr/nl.h"
#include "netmgr/ports.h"

#define cleanup_state CLEANUP(ipam_state_freep)

/* First n (<= 16) hex digits of the 64-bit FNV-1a hash of s: a stable interface-name id. Not
 * a security boundary (names are checked for ownership by their alias), and cheaper than
 * initialising libcrypto (~2 ms of config loading per process). */
static void hex_id(const char *s, char *out, size_t n)
{
        uint64_t h = 0xcbf29ce484222325ull;

        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                h = (h ^ *p) * 0x100000001b3ull;
        for (size_t i = 0; i < n && i < 16; i++)
                out[i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 0xf];
        out[n < 16 ? n : 16] = '\0';
}

static bool valid_project(const char *p)
{
        if (!p || !*p || strlen(p) > 48)
                return false;
        for (const char *c = p; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                      *c == '-'))
                        return false;
        return true;
}

static int check_project(const char *p, struct berr **err)
{
        if (!valid_project(p))
                return berr_msg(err, EINVAL,
                                "project name \"%s\" must be 1-48 characters of [a-z0-9_-]",
                                p ? p : "");
        return 0;
}

/* The network a project means by `name`: its own "<project>_<name>", or an external one it
 * uses. */
static struct ipam_net *project_net(struct ipam_state *st, const char *project, const char *name)
{
        cleanup_free char *full = xasprintf("%s_%s", project, name);
        struct ipam_net *n = ipam_state_find_net(st, full);

        if (n && strcmp(n->project, project) == 0)
                return n;
        n = ipam_state_find_net(st, name);
        if (n && (strcmp(n->project, project) == 0 || strv_contains(n->users, project)))
                return n;
        return NULL;
}

static bool net_of_project(const struct ipam_net *n, const char *project)
{
        return strcmp(n->project, project) == 0 || strv_contains(n->users, project);
}

/* Re-render the project's table from the state: its networks and its recorded ports. */
static int apply_table(struct ipam_state *st, const char *project, struct berr **err)
{
        cleanup_free struct nat_bridge *br = xcalloc(st->n_nets + 1, sizeof(*br));
        cleanup_free struct nat_rule *rules = xcalloc(st->n_ports + 1, sizeof(*rules));
        cleanup_free char *script = NULL;
        size_t nb = 0, nr = 0;

        for (size_t i = 0; i < st->n_nets; i++) {
                const struct ipam_net *n = &st->nets[i];

                if (strcmp(n->project, project) != 0) /* external: the owner's table has it */
                        continue;
                br[nb++] =
                        (struct nat_bridge){n->bridge, n->subnet.addr, n->subnet.len, n->internal};
        }
        for (size_t i = 0; i < st->n_ports; i++) {
                const struct ipam_port *p = &st->ports[i];
                uint32_t cip = 0;

                if (strcmp(p->project, project) != 0)
                        continue;
                for (size_t k = 0; k < st->n_nets && !cip; k++) {
                        struct ipam_lease *l;

                        if (!net_of_project(&st->nets[k], project) || st->nets[k].internal)
                                continue;
                        l = ipam_net_find_lease(&st->nets[k], p->container);
                        if (l)
                                cip = l->addr;
                }
                if (!cip)
                        continue; /* container not attached (yet) */
                rules[nr++] = (struct nat_rule){p->proto, p->host_ip, p->host_port, cip,
                                                p->container_port};
        }
        script = nat_render(project, br, nb, rules, nr);
        return nat_apply(script, err);
}

struct planned {
        struct ipam_net *net;
        bool created; /* new in this run */
};

static int plan_network(struct ipam_state *st, const char *project,
                        const struct net_network_config *c, struct ipam_prefix *host, size_t n_host,
                        const struct ipam_pool *pools, size_t n_pools, int default_mtu,
                        struct planned *out, struct berr **err)
{
        cleanup_free char *full =
                c->full_name ? xstrdup(c->full_name) : xasprintf("%s_%s", project, c->name);
        struct ipam_net *n = ipam_state_find_net(st, full);
        struct ipam_prefix want = {0};
        uint32_t gw = 0;
        char id[13], buf[32];
        int r;

        if (c->external) {
                if (!n)
                        return berr_msg(err, ENOENT,
                                        "network %s declared as external, but could not be found "
                                        "(create it with its own project first)",
                                        full);
                if (strcmp(n->project, project) != 0 && !strv_contains(n->users, project))
                        n->users = strv_push(n->users, project);
                out->net = n;
                return 0;
        }
        if (c->subnet) {
                r = ipam_parse_cidr(c->subnet, false, &want, err);
                if (r < 0)
                        return berr_wrap(err, "network %s: ipam.config.subnet", c->name);
                if (want.len > 30 || want.len < 8)
                        return berr_msg(err, EINVAL,
                                        "network %s: ipam.config.subnet %s: prefix length must be "
                                        "8-30",
                                        c->name, c->subnet);
        }
        if (c->gateway && ipam_parse_addr(c->gateway, &gw) < 0)
                return berr_msg(err, EINVAL,
                                "network %s: ipam.config.gateway \"%s\" is not an IPv4 address",
                                c->name, c->gateway);
        if (n) {
                if (strcmp(n->project, project) != 0)
                        return berr_msg(err, EEXIST, "network %s belongs to project %s", full,
                                        n->project);
                if (c->subnet && (want.addr != n->subnet.addr || want.len != n->subnet.len)) {
                        ipam_format_cidr(&n->subnet, buf, sizeof(buf));
                        return berr_msg(err, EEXIST,
                                        "network %s exists with subnet %s, not %s (run down "
                                        "first)",
                                        full, buf, c->subnet);
                }
                out->net = n;
                return 0;
        }
        if (c->subnet) {
                for (size_t i = 0; i < n_host; i++)
                        if (ipam_overlaps(&want, &host[i])) {
                                ipam_format_cidr(&host[i], buf, sizeof(buf));
                                return berr_msg(err, EEXIST,
                                                "network %s: subnet %s overlaps %s (a host route "
                                                "or address)",
                                                c->name, c->subnet, buf);
                        }
                for (size_t i = 0; i < st->n_nets; i++)
                        if (ipam_overlaps(&want, &st->nets[i].subnet)) {
                                ipam_format_cidr(&st->nets[i].subnet, buf, sizeof(buf));
                                return berr_msg(err, EEXIST,
                                                "network %s: subnet %s overlaps network %s (%s)",
                                                c->name, c->subnet, st->nets[i].full_name, buf);
                        }
        } else {
                size_t nu = n_host + st->n_nets;
                cleanup_free struct ipam_prefix *used = xcalloc(nu + 1, sizeof(*used));

                memcpy(used, host, n_host * sizeof(*host));
                for (size_t i = 0; i < st->n_nets; i++)
                        used[n_host + i] = st->nets[i].subnet;
                r = ipam_pick_subnet(pools, n_pools, used, nu, &want, err);
                if (r < 0)
                        return berr_wrap(err, "network %s", c->name);
        }
        if (!gw)
                gw = want.addr + 1;
        uint32_t bcast = want.addr | (want.len ? ~(0xffffffffu << (32 - want.len)) : ~0u);
        if (!ipam_contains(&want, gw) || gw == want.addr || gw == bcast) {
                ipam_format_cidr(&want, buf, sizeof(buf));
                return berr_msg(err, EINVAL,
                                "network %s: ipam.config.gateway %s is not a host address of "
                                "subnet %s",
                                c->name, c->gateway, buf);
        }
        if (c->bridge_name && (strlen(c->bridge_name) == 0 || strlen(c->bridge_name) > 15))
                return berr_msg(err, EINVAL,
                                "network %s: bridge name \"%s\" must be 1-15 characters", c->name,
                                c->bridge_name);
        if (c->mtu && (c->mtu < 576 || c->mtu > 65535))
                return berr_msg(err, EINVAL, "network %s: mtu %d is out of range (576-65535)",
                                c->name, c->mtu);
        for (size_t i = 0; i < st->n_nets; i++)
                if (c->bridge_name && strcmp(st->nets[i].bridge, c->bridge_name) == 0)
                        return berr_msg(err, EEXIST,
                                        "network %s: bridge name %s is used by network %s", c->name,
                                        c->bridge_name, st->nets[i].full_name);
        n = ipam_state_add_net(st, full);
        n->project = xstrdup(project);
        n->name = xstrdup(c->name);
        hex_id(full, id, 12);
        n->bridge = c->bridge_name ? xstrdup(c->bridge_name) : xasprintf("br-%s", id);
        n->subnet = want;
        n->gateway = gw;
        /* An explicit MTU is the link's, as docker sets it. Otherwise the bridge and veths get
         * loopback's 64 KiB (host <-> container and container <-> container traffic never leaves
         * the machine: 1500-byte segments halve TCP throughput through a published port), and
         * the containers' default route carries the MTU of the host's default-route interface,
         * so what leaves the host is sized for its uplink (docs/design.md "MTU"). */
        n->mtu = c->mtu ? c->mtu : NET_FABRIC_MTU;
        n->route_mtu = c->mtu ? 0 : default_mtu;
        n->internal = c->internal;
        out->net = n;
        out->created = true; /* now in st->nets: later networks of this run must not overlap */
        return 0;
}

int net_project_up(const struct net_project_config *cfg, struct net_network_info **ret,
                   struct berr **err)
{
        cleanup_state struct ipam_state *st = NULL;
        cleanup_nl struct nl_sock *sk = NULL;
        cleanup_free struct ipam_prefix *host = NULL;
        cleanup_free struct ipam_pool *pools = NULL;
        cleanup_free struct planned *plan = NULL;
        cleanup_strv char **own_bridges = NULL;
        size_t n_host = 0, n_pools = 0;
        const char *pool_spec = getenv("BERTH_SUBNET_POOL");
        int mtu = 1500, r;

        r = check_project(cfg->project, err);
        if (r < 0)
                return r;
        r = ipam_parse_pool(pool_spec && *pool_spec ? pool_spec : IPAM_DEFAULT_POOL, &pools,
                            &n_pools, err);
        if (r < 0)
                return berr_wrap(err, "BERTH_SUBNET_POOL");
        r = ipam_state_load(cfg->root, &st, err);
        if (r < 0)
                return r;
        r = nl_open(&sk, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < st->n_nets; i++) /* our own bridges' routes are no conflict */
                own_bridges = strv_push(own_bridges, st->nets[i].bridge);
        r = nl_host_prefixes(sk, own_bridges, &host, &n_host, err);
        if (r < 0)
                return r;
        r = nl_default_mtu(sk, &mtu, err);
        if (r < 0)
                return r;

        /* 1. plan (IPAM) every network before anything is created */
        plan = xcalloc(cfg->n_networks + 1, sizeof(*plan));
        for (size_t i = 0; i < cfg->n_networks; i++) {
                const struct net_network_config *c = &cfg->networks[i];

                if (!c->name || !*c->name)
                        return berr_msg(err, EINVAL, "a network needs a name");
                for (size_t k = 0; k < i; k++)
                        if (strcmp(cfg->networks[k].name, c->name) == 0)
                                return berr_msg(err, EINVAL, "network %s is declared twice",
                                                c->name);
                r = plan_network(st, cfg->project, c, host, n_host, pools, n_pools, mtu, &plan[i],
                                 err);
                if (r < 0)
                        return r;
        }
        /* pointers into st->nets may have moved while adding: look them up again by name */
        for (size_t i = 0; i < cfg->n_networks; i++) {
                const struct net_network_config *c = &cfg->networks[i];
                cleanup_free char *full = c->full_name ? xstrdup(c->full_name)
                                                       : xasprintf("%s_%s", cfg->project, c->name);

                plan[i].net = ipam_state_find_net(st, full);
        }

        /* 2. bridges, 3. sysctls, 4. the table in one transaction */
        for (size_t i = 0; i < cfg->n_networks && r >= 0; i++) {
                struct ipam_net *n = plan[i].net;

                if (cfg->networks[i].external)
                        continue;
                r = bridge_ensure(sk, n->bridge, cfg->project, n->gateway, n->subnet.len, n->mtu,
                                  !cfg->networks[i].bridge_name, err);
                if (r < 0)
                        berr_wrap(err, "network %s", n->full_name);
        }
        if (r >= 0)
                r = sysctl_write("net/ipv4/ip_forward", "1", err);
        if (r >= 0)
                r = apply_table(st, cfg->project, err);
        if (r >= 0)
                r = ipam_state_save(st, err);
        if (r < 0) {
                /* nothing half-made: drop what this run created */
                bool any_old = false;

                for (size_t i = 0; i < cfg->n_networks; i++) {
                        if (plan[i].created)
                                link_delete(sk, plan[i].net->bridge, NULL);
                        else if (!cfg->networks[i].external)
                                any_old = true;
                }
                if (!any_old)
                        nat_delete(cfg->project, NULL);
                return r;
        }
        if (ret) {
                struct net_network_info *info = xcalloc(cfg->n_networks + 1, sizeof(*info));

                for (size_t i = 0; i < cfg->n_networks; i++) {
                        struct ipam_net *n = plan[i].net;

                        snprintf(info[i].full_name, sizeof(info[i].full_name), "%s", n->full_name);
                        snprintf(info[i].bridge, sizeof(info[i].bridge), "%s", n->bridge);
                        info[i].subnet.s_addr = htonl(n->subnet.addr);
                        info[i].prefix = n->subnet.len;
                        info[i].gateway.s_addr = htonl(n->gateway);
                        info[i].mtu = n->mtu;
                        info[i].internal = n->internal;
                }
                *ret = info;
        }
        return 0;
}

int net_project_down(const char *project, const char *root, struct berr **err)
{
        cleanup_state struct ipam_state *st = NULL;
        cleanup_nl struct nl_sock *sk = NULL;
        cleanup_free char *prefix = xasprintf("%s-", project);
        int r;

        r = check_project(project, err);
        if (r < 0)
                return r;
        r = ipam_state_load(root, &st, err);
        if (r < 0)
                return r;
        r = nat_delete(project, err);
        if (r < 0)
                return r;
        fault_point("down.nft");
        r = nl_open(&sk, err);
        if (r < 0)
                return r;
        r = links_delete_project(sk, project, err);
        if (r < 0)
                return r;
        fault_point("down.bridge");
        for (size_t i = 0; i < st->n_nets;) {
                struct ipam_net *n = &st->nets[i];

                if (strcmp(n->project, project) == 0) {
                        ipam_state_del_net(st, n->full_name);
                        continue;
                }
                if (strv_contains(n->users, project)) {
                        char **keep = NULL;

                        strv_foreach (u, n->users)
                                if (strcmp(u, project) != 0)
                                        keep = strv_push(keep, u);
                        strv_free(n->users);
                        n->users = keep;
                }
                /* leases of this project's containers on external networks */
                for (size_t k = 0; k < n->n_leases;) {
                        if (strncmp(n->leases[k].container, prefix, strlen(prefix)) == 0)
                                ipam_net_del_lease(n, n->leases[k].container);
                        else
                                k++;
                }
                i++;
        }
        ipam_state_del_ports(st, project);
        return ipam_state_save(st, err);
}

static int open_netns(const struct net_attach_config *cfg, struct berr **err)
{
        char path[64];
        int fd;

        if (cfg->netns_fd >= 0)
                return fcntl(cfg->netns_fd, F_DUPFD_CLOEXEC, 3);
        if (cfg->pid <= 0)
                return berr_msg(err, EINVAL, "attach %s: no netns fd and no pid", cfg->container);
        snprintf(path, sizeof(path), "/proc/%d/ns/net", cfg->pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return berr_set(err, errno, "attach %s: open %s", cfg->container, path);
        return fd;
}

int net_attach(const struct net_attach_config *cfg, struct net_attach_info *ret, struct berr **err)
{
        cleanup_state struct ipam_state *st = NULL;
        cleanup_nl struct nl_sock *sk = NULL;
        cleanup_close int nsfd = -1;
        struct ipam_net *n;
        struct ipam_lease *l;
        struct veth_config vc = {0};
        uint32_t addr = 0;
        char id[12], buf[32], host_name[16], peer_name[16];
        cleanup_free char *key = NULL;
        int r;

        r = check_project(cfg->project, err);
        if (r < 0)
                return r;
        if (cfg->ifindex < 0 || cfg->ifindex > 99)
                return berr_msg(err, EINVAL, "attach %s: interface index %d out of range",
                                cfg->container, cfg->ifindex);
        r = ipam_state_load(cfg->root, &st, err);
        if (r < 0)
                return r;
        n = project_net(st, cfg->project, cfg->network);
        if (!n)
                return berr_msg(err, ENOENT, "%s: network %s is not a network of project %s",
                                cfg->container, cfg->network, cfg->project);
        ipam_format_cidr(&n->subnet, buf, sizeof(buf));
        if (cfg->ipv4_address) {
                uint32_t bcast = n->subnet.addr | ~(0xffffffffu << (32 - n->subnet.len));

                if (ipam_parse_addr(cfg->ipv4_address, &addr) < 0)
                        return berr_msg(err, EINVAL,
                                        "%s: networks.%s.ipv4_address \"%s\" is not an IPv4 "
                                        "address",
                                        cfg->container, cfg->network, cfg->ipv4_address);
                if (!ipam_contains(&n->subnet, addr) || addr == n->subnet.addr || addr == bcast)
                        return berr_msg(err, EINVAL,
                                        "%s: networks.%s.ipv4_address %s is outside subnet %s",
                                        cfg->container, cfg->network, cfg->ipv4_address, buf);
                if (addr == n->gateway)
                        return berr_msg(err, EADDRINUSE,
                                        "%s: networks.%s.ipv4_address %s is the gateway",
                                        cfg->container, cfg->network, cfg->ipv4_address);
                for (size_t k = 0; k < n->n_leases; k++)
                        if (n->leases[k].addr == addr &&
                            strcmp(n->leases[k].container, cfg->container) != 0)
                                return berr_msg(err, EADDRINUSE,
                                                "%s: networks.%s.ipv4_address %s is used by %s",
                                                cfg->container, cfg->network, cfg->ipv4_address,
                                                n->leases[k].container);
        }
        nsfd = open_netns(cfg, err);
        if (nsfd < 0)
                return nsfd;
        {
                /* never configure our own namespace as if it were the container's */
                struct stat a, b;

                if (fstat(nsfd, &a) == 0 && stat("/proc/thread-self/ns/net", &b) == 0 &&
                    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                        return berr_msg(err, EINVAL,
                                        "%s: the container's network namespace is the host's "
                                        "(network_mode: host needs no attach)",
                                        cfg->container);
        }
        l = ipam_net_find_lease(n, cfg->container);
        if (!l) {
                cleanup_free uint32_t *used = xcalloc(n->n_leases + 1, sizeof(*used));

                for (size_t k = 0; k < n->n_leases; k++)
                        used[k] = n->leases[k].addr;
                if (!addr) {
                        r = ipam_pick_address(&n->subnet, n->gateway, used, n->n_leases, &addr,
                                              err);
                        if (r < 0)
                                return berr_wrap(err, "%s: network %s", cfg->container,
                                                 cfg->network);
                }
                l = ipam_net_add_lease(n, cfg->container);
        }
        if (addr)
                l->addr = addr; /* else: a restarted container keeps its address */
        l->ifindex = cfg->ifindex;
        strv_free(l->names);
        l->names = NULL;
        for (const char *const *nm = cfg->names; nm && *nm; nm++)
                if (!strv_contains(l->names, *nm))
                        l->names = strv_push(l->names, *nm);
        strv_free(l->links);
        l->links = NULL;
        for (const char *const *lk = cfg->links; lk && *lk; lk++)
                if (strchr(*lk, '=') && !strv_contains(l->links, *lk))
                        l->links = strv_push(l->links, *lk);

        /* The pid makes the name differ between runs of one container: the previous run's veth
         * goes away with its netns, asynchronously, and may still hold the old name. */
        key = xasprintf("%s/%s/%s/%d", cfg->project, cfg->container, n->full_name, cfg->pid);
        hex_id(key, id, 11);
        snprintf(host_name, sizeof(host_name), "veth%s", id);
        vc.host_name = host_name;
        snprintf(peer_name, sizeof(peer_name), "eth%d", cfg->ifindex);
        vc.peer_name = peer_name;
        vc.bridge = n->bridge;
        vc.project = cfg->project;
        vc.netns_fd = nsfd;
        vc.mtu = n->mtu;
        vc.route_mtu = n->route_mtu;
        vc.addr = l->addr;
        vc.prefix = n->subnet.len;
        vc.gateway = (cfg->ifindex == 0 && !n->internal) ? n->gateway : 0;
        if (cfg->mac_address) {
                unsigned m[6];

                if (sscanf(cfg->mac_address, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3],
                           &m[4], &m[5]) != 6 ||
                    (m[0] & 1))
                        return berr_msg(err, EINVAL,
                                        "%s: mac_address \"%s\" is not a unicast MAC address",
                                        cfg->container, cfg->mac_address);
                for (int i = 0; i < 6; i++)
                        vc.mac[i] = (uint8_t)m[i];
        } else {
                vc.mac[0] = 0x02;
                vc.mac[1] = 0x42;
                for (int i = 0; i < 4; i++)
                        vc.mac[2 + i] = (uint8_t)(l->addr >> (24 - 8 * i));
        }
        r = nl_open(&sk, err);
        if (r < 0)
                return r;
        r = veth_create(sk, &vc, err);
        if (r < 0) /* the state is not saved: a fresh lease goes back to the pool */
                return berr_wrap(err, "attach %s to %s", cfg->container, n->full_name);
        r = ipam_state_save(st, err);
        if (r < 0)
                return r;
        if (ret) {
                memset(ret, 0, sizeof(*ret));
                ret->address.s_addr = htonl(l->addr);
                ret->gateway.s_addr = htonl(n->gateway);
                ret->prefix = n->subnet.len;
                ret->mtu = n->mtu;
                snprintf(ret->ifname, sizeof(ret->ifname), "%s", vc.peer_name);
                snprintf(ret->host_veth, sizeof(ret->host_veth), "%s", vc.host_name);
                snprintf(ret->mac, sizeof(ret->mac), "%02x:%02x:%02x:%02x:%02x:%02x", vc.mac[0],
                         vc.mac[1], vc.mac[2], vc.mac[3], vc.mac[4], vc.mac[5]);
        }
        return 0;
}

int net_release(const char *project, const char *root, const char *container, struct berr **err)
{
        cleanup_state struct ipam_state *st = NULL;
        int r = ipam_state_load(root, &st, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < st->n_nets; i++)
                if (net_of_project(&st->nets[i], project))
                        ipam_net_del_lease(&st->nets[i], container);
        return ipam_state_save(st, err);
}

static int port_items(const struct net_port *ports, size_t n, struct ports_item **ret,
                      size_t *n_ret, struct berr **err)
{
        struct ports_item *v = NULL;
        size_t cnt = 0, cap = 0;

        for (size_t i = 0; i < n; i++) {
                const struct net_port *p = &ports[i];
                unsigned span =
                        p->container_port_end ? p->container_port_end - p->container_port : 0;

                if (!p->container_port) {
                        free(v);
                        return berr_msg(err, EINVAL, "%s: ports[%zu]: no container port",
                                        p->container, i);
                }
                if (!p->host_port)
                        continue; /* random: chosen later */
                for (unsigned k = 0; k <= span; k++) {
                        v = xgrow(v, &cap, cnt + 1, sizeof(*v));
                        v[cnt++] = (struct ports_item){p->container, p->proto, p->host_ip,
                                                       (uint16_t)(p->host_port + k)};
                }
        }
        *ret = v;
        *n_ret = cnt;
        return 0;
}

int net_ports_check(const char *project, const struct net_port *ports, size_t n_ports,
                    struct berr **err)
{
        cleanup_free struct ports_item *items = NULL;
        size_t n = 0;
        int r = port_items(ports, n_ports, &items, &n, err);

        if (r < 0)
                return r;
        return ports_check(project, items, n, err);
}

int net_ports_apply(const char *project, const char *root, const struct net_port *ports,
                    size_t n_ports, struct net_port_binding **ret, size_t *n_ret, struct berr **err)
{
        cleanup_state struct ipam_state *st = NULL;
        cleanup_free struct ports_item *items = NULL;
        cleanup_free struct ipam_port *old = NULL;
        size_t n_items = 0, n_old = 0;
        int r;

        r = check_project(project, err);
        if (r < 0)
                return r;
        r = port_items(ports, n_ports, &items, &n_items, err);
        if (r < 0)
                return r;
        r = ipam_state_load(root, &st, err);
        if (r < 0)
                return r;
        /* every container must be attached to a non-internal network of the project */
        for (size_t i = 0; i < n_ports; i++) {
                bool attached = false, internal = false;

                for (size_t k = 0; k < st->n_nets; k++) {
                        if (!net_of_project(&st->nets[k], project) ||
                            !ipam_net_find_lease(&st->nets[k], ports[i].container))
                                continue;
                        if (st->nets[k].internal)
                                internal = true;
                        else
                                attached = true;
                }
                if (!attached)
                        return berr_msg(err, EINVAL,
                                        internal ? "%s: ports: a container only on internal "
                                                   "networks cannot publish ports"
                                                 : "%s: ports: the container is not attached to "
                                                   "any network of project %s",
                                        ports[i].container, project);
        }
        r = ports_check(project, items, n_items, err);
        if (r < 0)
                return r;
        /* keep the random ports chosen before (same container, port, proto, host ip) */
        old = xcalloc(st->n_ports + 1, sizeof(*old));
        for (size_t i = 0; i < st->n_ports; i++)
                if (strcmp(st->ports[i].project, project) == 0 && st->ports[i].random) {
                        old[n_old] = st->ports[i];
                        old[n_old].container = xstrdup(st->ports[i].container);
                        old[n_old].host_ip = xstrdup(st->ports[i].host_ip);
                        old[n_old].project = NULL;
                        n_old++;
                }
        ipam_state_del_ports(st, project);
        for (size_t i = 0; i < n_ports; i++) {
                const struct net_port *p = &ports[i];
                unsigned span =
                        p->container_port_end ? p->container_port_end - p->container_port : 0;

                for (unsigned k = 0; k <= span; k++) {
                        struct ipam_port *sp;
                        uint16_t hp = p->host_port ? (uint16_t)(p->host_port + k) : 0;
                        uint16_t cp = (uint16_t)(p->container_port + k);

                        if (!hp) {
                                for (size_t o = 0; o < n_old && !hp; o++)
                                        if (strcmp(old[o].container, p->container) == 0 &&
                                            old[o].container_port == cp &&
                                            old[o].proto == (int)p->proto &&
                                            strcmp(old[o].host_ip, p->host_ip) == 0)
                                                hp = old[o].host_port;
                        }
                        if (!hp) {
                                r = ports_pick_random((int)p->proto, p->host_ip, items, n_items,
                                                      &hp, err);
                                if (r < 0)
                                        goto out;
                        }
                        items = xrealloc(items, (n_items + 1) * sizeof(*items));
                        items[n_items++] =
                                (struct ports_item){p->container, p->proto, p->host_ip, hp};
                        sp = ipam_state_add_port(st);
                        sp->project = xstrdup(project);
                        sp->container = xstrdup(p->container);
                        sp->host_ip = xstrdup(p->host_ip);
                        sp->host_port = hp;
                        sp->container_port = cp;
                        sp->proto = (int)p->proto;
                        sp->random = p->host_port == 0;
                }
        }
        r = apply_table(st, project, err);
        if (r < 0)
                goto out;
        r = ipam_state_save(st, err);
        if (r < 0)
                goto out;
        if (ret) {
                struct net_port_binding *b = xcalloc(st->n_ports + 1, sizeof(*b));
                size_t nb = 0;

                for (size_t i = 0; i < st->n_ports; i++) {
                        const struct ipam_port *sp = &st->ports[i];

                        if (strcmp(sp->project, project) != 0)
                                continue;
                        snprintf(b[nb].container, sizeof(b[nb].container), "%s", sp->container);
                        snprintf(b[nb].host_ip, sizeof(b[nb].host_ip), "%s",
                                 *sp->host_ip ? sp->host_ip : "0.0.0.0");
                        b[nb].host_port = sp->host_port;
                        b[nb].container_port = sp->container_port;
                        b[nb].proto = (enum net_proto)sp->proto;
                        for (size_t k = 0; k < st->n_nets && !b[nb].container_ip.s_addr; k++) {
                                struct ipam_lease *l;

                                if (!net_of_project(&st->nets[k], project) || st->nets[k].internal)
                                        continue;
                                l = ipam_net_find_lease(&st->nets[k], sp->container);
                                if (l)
                                        b[nb].container_ip.s_addr = htonl(l->addr);
                        }
                        nb++;
                }
                *ret = b;
                if (n_ret)
                        *n_ret = nb;
        }
out:
        for (size_t o = 0; o < n_old; o++) {
                free(old[o].container);
                free(old[o].host_ip);
        }
        return r;
}
