/* SPDX-License-Identifier: MIT */
/* netmgr/hosts: the text of a container's /etc/hosts and /etc/resolv.conf (pure). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/netmgr.h"

char *net_hosts_render(const struct net_hosts_config *cfg, struct berr **err)
{
        struct strbuf b = STRBUF_INIT;
        char own[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];

        inet_ntop(AF_INET, &cfg->gateway, gw, sizeof(gw));
        strbuf_puts(&b, "127.0.0.1\tlocalhost\n"
                        "::1\tlocalhost ip6-localhost ip6-loopback\n"
                        "fe00::0\tip6-localnet\n"
                        "ff00::0\tip6-mcastprefix\n"
                        "ff02::1\tip6-allnodes\n"
                        "ff02::2\tip6-allrouters\n");
        if (cfg->address.s_addr != INADDR_ANY && cfg->hostname) {
                inet_ntop(AF_INET, &cfg->address, own, sizeof(own));
                strbuf_printf(&b, "%s\t%s", own, cfg->hostname);
                for (const char *const *n = cfg->names; n && *n; n++)
                        if (strcmp(*n, cfg->hostname) != 0)
                                strbuf_printf(&b, " %s", *n);
                strbuf_putc(&b, '\n');
        }
        for (const char *const *e = cfg->extra_hosts; e && *e; e++) {
                /* compose: "name:ip" or "name=ip"; ip may be IPv6 (colons) or host-gateway */
                const char *sep = strpbrk(*e, "=:");
                cleanup_free char *name = NULL;
                const char *ip;
                unsigned char buf[16];

                if (!sep || sep == *e || !sep[1]) {
                        strbuf_done(&b);
                        berr_msg(err, EINVAL, "extra_hosts: \"%s\" is not name:ip", *e);
                        return NULL;
                }
                name = xstrndup(*e, (size_t)(sep - *e));
                ip = sep + 1;
                if (strcmp(ip, "host-gateway") == 0)
                        ip = gw;
                else if (inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1) {
                        strbuf_done(&b);
                        berr_msg(err, EINVAL, "extra_hosts: \"%s\": \"%s\" is not an IP address",
                                 *e, ip);
                        return NULL;
                }
                strbuf_printf(&b, "%s\t%s\n", ip, name);
        }
        return strbuf_take(&b);
}

char *net_resolv_render(const struct net_resolv_config *cfg)
{
        struct strbuf b = STRBUF_INIT;
        char gw[INET_ADDRSTRLEN];

        if (cfg->dns && cfg->dns[0]) {
                for (const char *const *d = cfg->dns; *d; d++)
                        strbuf_printf(&b, "nameserver %s\n", *d);
        } else {
                inet_ntop(AF_INET, &cfg->gateway, gw, sizeof(gw));
                strbuf_printf(&b, "nameserver %s\n", gw);
        }
        if (cfg->dns_search && cfg->dns_search[0]) {
                strbuf_puts(&b, "search");
                for (const char *const *s = cfg->dns_search; *s; s++)
                        strbuf_printf(&b, " %s", *s);
                strbuf_putc(&b, '\n');
        }
        if (cfg->dns_opt && cfg->dns_opt[0]) {
                strbuf_puts(&b, "options");
                for (const char *const *o = cfg->dns_opt; *o; o++)
                        strbuf_printf(&b, " %s", *o);
                strbuf_putc(&b, '\n');
        }
        return strbuf_take(&b);
}
