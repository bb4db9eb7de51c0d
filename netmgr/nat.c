/* SPDX-License-Identifier: MIT */
/* netmgr/nat: nft script rendering (pure) and libnftables transactions. */
#include "netmgr/nat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <sys/socket.h>

#include <nftables/libnftables.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "netmgr/ipam.h"
#include "netmgr/netmgr.h"

static const char *proto_name(int proto)
{
        return proto == NET_PROTO_UDP ? "udp" : "tcp";
}

static bool all_addrs(const char *ip)
{
        return !ip || !*ip || strcmp(ip, "0.0.0.0") == 0;
}

static void render_dnat(struct strbuf *b, const char *project, const struct nat_rule *r)
{
        char cip[INET_ADDRSTRLEN];

        ipam_format_addr(r->container_ip, cip, sizeof(cip));
        strbuf_puts(b, "\t\t");
        if (all_addrs(r->host_ip))
                strbuf_puts(b, "fib daddr type local ");
        else
                strbuf_printf(b, "ip daddr %s ", r->host_ip);
        strbuf_printf(b, "%s dport %u dnat to %s:%u comment \"berth:%s:%s:%s:%u\"\n",
                      proto_name(r->proto), r->host_port, cip, r->container_port, project,
                      proto_name(r->proto), all_addrs(r->host_ip) ? "" : r->host_ip, r->host_port);
}

char *nat_render(const char *project, const struct nat_bridge *bridges, size_t n_bridges,
                 const struct nat_rule *rules, size_t n_rules)
{
        struct strbuf b = STRBUF_INIT;

        strbuf_printf(&b, "add table ip berth_%s\ndelete table ip berth_%s\n", project, project);
        strbuf_printf(&b, "table ip berth_%s {\n", project);

        strbuf_puts(&b, "\tchain prerouting {\n"
                        "\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
        for (size_t i = 0; i < n_rules; i++)
                render_dnat(&b, project, &rules[i]);
        strbuf_puts(&b, "\t}\n");

        /* nft 1.0.6 rejects "priority dstnat" in the output hook */
        strbuf_puts(&b, "\tchain output {\n"
                        "\t\ttype nat hook output priority -100; policy accept;\n");
        for (size_t i = 0; i < n_rules; i++)
                render_dnat(&b, project, &rules[i]);
        strbuf_puts(&b, "\t}\n");

        strbuf_puts(&b, "\tchain postrouting {\n"
                        "\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        for (size_t i = 0; i < n_bridges; i++) {
                const struct nat_bridge *br = &bridges[i];
                char net[32];

                ipam_format_cidr(&(struct ipam_prefix){br->subnet, br->prefix}, net, sizeof(net));
                strbuf_printf(&b, "\t\toifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n",
                              br->bridge);
                strbuf_printf(&b,
                              "\t\toifname \"%s\" ip saddr %s ip daddr %s ct status dnat "
                              "masquerade\n",
                              br->bridge, net, net);
                if (!br->internal)
                        strbuf_printf(&b, "\t\tip saddr %s oifname != \"%s\" masquerade\n", net,
                                      br->bridge);
        }
        strbuf_puts(&b, "\t}\n");

        strbuf_puts(&b, "\tchain martians {\n"
                        "\t\ttype filter hook prerouting priority raw; policy accept;\n");
        for (size_t i = 0; i < n_bridges; i++) {
                strbuf_printf(&b, "\t\tiifname \"%s\" ip daddr 127.0.0.0/8 drop\n",
                              bridges[i].bridge);
                strbuf_printf(&b, "\t\tiifname \"%s\" ip saddr 127.0.0.0/8 drop\n",
                              bridges[i].bridge);
        }
        strbuf_puts(&b, "\t}\n");

        strbuf_puts(&b, "\tchain forward {\n"
                        "\t\ttype filter hook forward priority filter; policy accept;\n");
        for (size_t i = 0; i < n_bridges; i++) {
                const char *br = bridges[i].bridge;

                strbuf_printf(&b, "\t\toifname \"%s\" iifname \"%s\" accept\n", br, br);
                if (bridges[i].internal) {
                        strbuf_printf(&b, "\t\toifname \"%s\" drop\n", br);
                        strbuf_printf(&b, "\t\tiifname \"%s\" drop\n", br);
                        continue;
                }
                strbuf_printf(&b, "\t\toifname \"%s\" ct state established,related accept\n", br);
                strbuf_printf(&b, "\t\toifname \"%s\" ct status dnat accept\n", br);
                strbuf_printf(&b, "\t\toifname \"%s\" drop\n", br);
        }
        strbuf_puts(&b, "\t}\n}\n");
        return strbuf_take(&b);
}

static void nft_ctx_freep(struct nft_ctx **c)
{
        if (*c)
                nft_ctx_free(*c);
}

/* libnftables exit()s the whole process when it cannot open its netlink socket (its mnl.c,
 * netlink_init_error()): try one first, so that is an error like any other. */
static int nft_socket_check(struct berr **err)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

        if (fd < 0)
                return berr_set(err, errno, "nftables: open a netfilter netlink socket");
        close(fd);
        return 0;
}

static int run_nft(const char *script, char **out, struct berr **err)
{
        CLEANUP(nft_ctx_freep) struct nft_ctx *ctx = NULL;
        int r;

        r = nft_socket_check(err);
        if (r < 0)
                return r;
        ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return berr_msg(err, ENOMEM, "nftables: cannot create a context");
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        r = nft_run_cmd_from_buffer(ctx, script);
        if (r != 0) {
                cleanup_free char *e = xstrdup(nft_ctx_get_error_buffer(ctx));
                size_t n = strlen(e);

                while (n && (e[n - 1] == '\n' || e[n - 1] == ' '))
                        e[--n] = '\0';
                for (char *p = e; *p; p++)
                        if (*p == '\n')
                                *p = ' ';
                return berr_msg(err, EPERM, "nftables: %s", *e ? e : "command failed");
        }
        if (out)
                *out = xstrdup(nft_ctx_get_output_buffer(ctx));
        return 0;
}

int nat_apply(const char *script, struct berr **err)
{
        return run_nft(script, NULL, err);
}

int nat_delete(const char *project, struct berr **err)
{
        cleanup_free char *s =
                xasprintf("add table ip berth_%s\ndelete table ip berth_%s\n", project, project);

        return run_nft(s, NULL, err);
}

size_t nat_parse_published(const char *ruleset, struct nat_published **ret)
{
        struct nat_published *v = NULL;
        size_t n = 0, cap = 0;
        const char *p = ruleset;

        while ((p = strstr(p, "comment \"berth:")) != NULL) {
                char proj[64], proto[8], ip[16] = "";
                unsigned port;
                const char *s = p + strlen("comment \"berth:");
                const char *q = strchr(s, '"');
                char field[160];
                size_t len = q ? (size_t)(q - s) : 0;

                p = q ? q : s;
                if (!q || len >= sizeof(field))
                        continue;
                memcpy(field, s, len);
                field[len] = '\0';
                /* project:proto:ip:port (ip may be empty) */
                if (sscanf(field, "%63[^:]:%7[^:]:%15[^:]:%u", proj, proto, ip, &port) != 4 &&
                    (ip[0] = '\0', sscanf(field, "%63[^:]:%7[^:]::%u", proj, proto, &port) != 3))
                        continue;
                /* each port appears in prerouting and output: keep one */
                bool dup = false;
                for (size_t i = 0; i < n && !dup; i++)
                        dup = strcmp(v[i].project, proj) == 0 && v[i].host_port == port &&
                              strcmp(v[i].host_ip, ip) == 0 &&
                              v[i].proto == (strcmp(proto, "udp") == 0);
                if (dup)
                        continue;
                v = xgrow(v, &cap, n + 1, sizeof(*v));
                memset(&v[n], 0, sizeof(v[n]));
                snprintf(v[n].project, sizeof(v[n].project), "%s", proj);
                snprintf(v[n].host_ip, sizeof(v[n].host_ip), "%s", ip);
                v[n].proto = strcmp(proto, "udp") == 0 ? NET_PROTO_UDP : NET_PROTO_TCP;
                v[n].host_port = (uint16_t)port;
                n++;
        }
        *ret = v;
        return n;
}

int nat_list_published(struct nat_published **ret, size_t *n_ret, struct berr **err)
{
        cleanup_free char *tables = NULL;
        struct strbuf all = STRBUF_INIT;
        char *line, *save = NULL;
        int r;

        r = run_nft("list tables ip", &tables, err);
        if (r < 0)
                return r;
        for (line = strtok_r(tables, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[128];
                cleanup_free char *cmd = NULL, *out = NULL;
                struct berr *e = NULL;

                if (sscanf(line, "table ip %127s", name) != 1 || strncmp(name, "berth_", 6) != 0)
                        continue;
                cmd = xasprintf("list table ip %s", name);
                if (run_nft(cmd, &out, &e) < 0) { /* raced with a down: gone */
                        berr_free(e);
                        continue;
                }
                strbuf_puts(&all, out);
        }
        *n_ret = nat_parse_published(strbuf_str(&all), ret);
        strbuf_done(&all);
        return 0;
}
