/* SPDX-License-Identifier: MIT */
/* netmgr/ports: compose's short port syntax, conflict checks (the same host port twice, another
 * berth project's table, a host socket, naming who holds it) and random host port choice. */
#include "netmgr/ports.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "netmgr/nat.h"
#include "netmgr/netmgr.h"

static int parse_range(const char *s, uint16_t *lo, uint16_t *hi, const char *spec,
                       struct berr **err)
{
        char *end;
        unsigned long a, b;

        errno = 0;
        a = strtoul(s, &end, 10);
        if (end == s || a < 1 || a > 65535 || (*end && *end != '-'))
                goto bad;
        b = a;
        if (*end == '-') {
                const char *t = end + 1;

                b = strtoul(t, &end, 10);
                if (end == t || *end || b < a || b > 65535)
                        goto bad;
        }
        *lo = (uint16_t)a;
        *hi = b == a ? 0 : (uint16_t)b;
        return 0;
bad:
        return berr_msg(err, EINVAL, "port \"%s\": \"%s\" is not a port or range (1-65535)", spec,
                        s);
}

int net_port_parse(const char *spec, struct net_port *ret, struct berr **err)
{
        cleanup_free char *s = xstrdup(spec);
        char *proto = strchr(s, '/'), *f[3] = {NULL, NULL, NULL};
        int n = 0, r;
        memset(ret, 0, sizeof(*ret));
        ret->proto = NET_PROTO_TCP;
        if (proto) {
                *proto++ = '\0';
                if (strcmp(proto, "udp") == 0)
                        ret->proto = NET_PROTO_UDP;
                else if (strcmp(proto, "tcp") != 0)
                        return berr_msg(err, EINVAL,
                                        "port \"%s\": protocol \"%s\" is not tcp or udp", spec,
                                        proto);
        }
        for (char *p = s, *c; n < 3; p = c + 1) {
                c = strchr(p, ':');
                f[n++] = p;
                if (!c)
                        break;
                *c = '\0';
        }
        if (n == 3 && strchr(f[2], ':'))
                return berr_msg(err, EINVAL, "port \"%s\": too many fields", spec);
        if (n == 3) {
                struct in_addr a;

                if (*f[0] && inet_pton(AF_INET, f[0], &a) != 1)
                        return berr_msg(err, EINVAL,
                                        "port \"%s\": host ip \"%s\" is not an IPv4 address", spec,
                                        f[0]);
                snprintf(ret->host_ip, sizeof(ret->host_ip), "%s", f[0]);
        }
        r = parse_range(f[n - 1], &ret->container_port, &ret->container_port_end, spec, err);
        if (r < 0)
                return r;
        if (n >= 2 && *f[n - 2]) {
                r = parse_range(f[n - 2], &ret->host_port, &ret->host_port_end, spec, err);
                if (r < 0)
                        return r;
        }
        if (ret->host_port &&
            (ret->host_port_end ? ret->host_port_end - ret->host_port : 0) !=
                    (ret->container_port_end ? ret->container_port_end - ret->container_port : 0))
                return berr_msg(err, EINVAL,
                                "port \"%s\": host and container ranges differ in length", spec);
        return 0;
}

static const char *pname(int proto)
{
        return proto == NET_PROTO_UDP ? "udp" : "tcp";
}

static bool ip_all(const char *ip)
{
        return !ip || !*ip || strcmp(ip, "0.0.0.0") == 0;
}

static bool ips_clash(const char *a, const char *b)
{
        return ip_all(a) || ip_all(b) || strcmp(a, b) == 0;
}

/* Who owns socket inode `ino`: "pid N (comm)". */
static char *socket_owner(unsigned long ino)
{
        cleanup_closedir DIR *proc = opendir("/proc");
        char want[64];
        struct dirent *de;

        snprintf(want, sizeof(want), "socket:[%lu]", ino);
        while (proc && (de = readdir(proc))) {
                char path[300];
                cleanup_closedir DIR *fds = NULL;
                struct dirent *fe;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%.32s/fd", de->d_name);
                fds = opendir(path);
                while (fds && (fe = readdir(fds))) {
                        char target[64];
                        ssize_t n = readlinkat(dirfd(fds), fe->d_name, target, sizeof(target) - 1);

                        if (n <= 0)
                                continue;
                        target[n] = '\0';
                        if (strcmp(target, want) == 0) {
                                char comm[64] = "?";
                                FILE *f;

                                snprintf(path, sizeof(path), "/proc/%.32s/comm", de->d_name);
                                f = fopen(path, "re");
                                if (f) {
                                        if (fgets(comm, sizeof(comm), f))
                                                comm[strcspn(comm, "\n")] = '\0';
                                        fclose(f);
                                }
                                return xasprintf("pid %s (%s)", de->d_name, comm);
                        }
                }
        }
        return xstrdup("an unknown process");
}

/* One /proc/net/{tcp,udp}[6] table: a socket bound to port that takes IPv4 traffic for host_ip.
 * IPv6 entries count when they are the wildcard (dual-stack) or v4-mapped. */
static char *scan_table(const char *path, bool v6, bool tcp, const char *host_ip, uint16_t port)
{
        cleanup_fclose FILE *f = fopen(path, "re");
        char line[512];

        if (!f || !fgets(line, sizeof(line), f))
                return NULL;
        while (fgets(line, sizeof(line), f)) {
                char hex[33], ip[INET_ADDRSTRLEN];
                unsigned lport, st, w[4];
                unsigned long ino;
                struct in_addr a;

                if (sscanf(line,
                           " %*d: %32[0-9A-Fa-f]:%x %*x:%*x %x %*x:%*x %*x:%*x %*x %*d %*d %lu",
                           hex, &lport, &st, &ino) != 4)
                        continue;
                if (lport != port || (tcp && st != 0x0A))
                        continue;
                if (!v6) {
                        sscanf(hex, "%8x", &w[0]);
                        a.s_addr = w[0]; /* /proc prints the raw network-order word */
                } else {
                        if (strlen(hex) != 32 ||
                            sscanf(hex, "%8x%8x%8x%8x", &w[0], &w[1], &w[2], &w[3]) != 4)
                                continue;
                        if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0)
                                a.s_addr = 0; /* [::]: dual-stack wildcard */
                        else if (w[0] == 0 && w[1] == 0 && w[2] == htonl(0xffff))
                                a.s_addr = w[3]; /* ::ffff:a.b.c.d */
                        else
                                continue; /* IPv6 only: no clash with an IPv4 DNAT */
                }
                inet_ntop(AF_INET, &a, ip, sizeof(ip));
                if (!ips_clash(ip, host_ip))
                        continue;
                {
                        cleanup_free char *who = socket_owner(ino);

                        if (v6)
                                return xasprintf("a listening socket [%s%s]:%u of %s",
                                                 a.s_addr ? "::ffff:" : "::", a.s_addr ? ip : "",
                                                 port, who);
                        return xasprintf("a listening socket %s:%u of %s", ip, port, who);
                }
        }
        return NULL;
}

/* A host socket bound to ip:port (TCP listening, or any UDP). Returns its owner or NULL. */
char *ports_host_socket(int proto, const char *host_ip, uint16_t port)
{
        bool udp = proto == NET_PROTO_UDP;
        char *who = scan_table(udp ? "/proc/net/udp" : "/proc/net/tcp", false, !udp, host_ip, port);

        if (!who)
                who = scan_table(udp ? "/proc/net/udp6" : "/proc/net/tcp6", true, !udp, host_ip,
                                 port);
        return who;
}

int ports_check(const char *project, const struct ports_item *items, size_t n, struct berr **err)
{
        cleanup_free struct nat_published *pub = NULL;
        size_t n_pub = 0;
        int r;

        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < i; k++)
                        if (items[i].proto == items[k].proto &&
                            items[i].host_port == items[k].host_port &&
                            ips_clash(items[i].host_ip, items[k].host_ip))
                                return berr_msg(err, EADDRINUSE,
                                                "host port %u/%s is published twice (%s and %s)",
                                                items[i].host_port, pname(items[i].proto),
                                                items[k].container, items[i].container);
        r = nat_list_published(&pub, &n_pub, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                cleanup_free char *who = NULL;

                for (size_t k = 0; k < n_pub; k++)
                        if (strcmp(pub[k].project, project) != 0 &&
                            pub[k].proto == items[i].proto &&
                            pub[k].host_port == items[i].host_port &&
                            ips_clash(pub[k].host_ip, items[i].host_ip))
                                return berr_msg(err, EADDRINUSE,
                                                "%s: host port %u/%s is already published by "
                                                "berth project %s (table berth_%s)",
                                                items[i].container, items[i].host_port,
                                                pname(items[i].proto), pub[k].project,
                                                pub[k].project);
                who = ports_host_socket(items[i].proto, items[i].host_ip, items[i].host_port);
                if (who)
                        return berr_msg(err, EADDRINUSE, "%s: host port %u/%s is in use by %s",
                                        items[i].container, items[i].host_port,
                                        pname(items[i].proto), who);
        }
        return 0;
}

int ports_pick_random(int proto, const char *host_ip, const struct ports_item *taken,
                      size_t n_taken, uint16_t *ret, struct berr **err)
{
        cleanup_free struct nat_published *pub = NULL;
        size_t n_pub = 0;
        unsigned lo = 32768, hi = 60999;
        const char *env = getenv("BERTH_PORT_RANGE");
        int r;

        if (env) {
                if (sscanf(env, "%u-%u", &lo, &hi) != 2 || lo < 1 || hi > 65535 || lo > hi)
                        return berr_msg(err, EINVAL, "BERTH_PORT_RANGE=\"%s\": expected LO-HI",
                                        env);
        } else {
                FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

                if (f) {
                        if (fscanf(f, "%u %u", &lo, &hi) != 2)
                                lo = 32768, hi = 60999;
                        fclose(f);
                }
        }
        r = nat_list_published(&pub, &n_pub, err);
        if (r < 0)
                return r;
        for (unsigned p = lo; p <= hi; p++) {
                bool busy = false;

                for (size_t i = 0; i < n_taken && !busy; i++)
                        busy = taken[i].proto == proto && taken[i].host_port == p &&
                               ips_clash(taken[i].host_ip, host_ip);
                for (size_t i = 0; i < n_pub && !busy; i++)
                        busy = pub[i].proto == proto && pub[i].host_port == p &&
                               ips_clash(pub[i].host_ip, host_ip);
                if (!busy) {
                        cleanup_free char *who = ports_host_socket(proto, host_ip, (uint16_t)p);

                        busy = who != NULL;
                }
                if (!busy) {
                        *ret = (uint16_t)p;
                        return 0;
                }
        }
        return berr_msg(err, EADDRNOTAVAIL, "no free host port in %u-%u", lo, hi);
}
