/* SPDX-License-Identifier: MIT */
/* netmgr/ports_list: net_ports_list (netmgr.h), the read side of published ports for `berth port`:
 * what net_ports_apply recorded (random host ports resolved) for one project, read from the IPAM
 * state the project's nft table is generated from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/ipam.h"
#include "netmgr/netmgr.h"

int net_ports_list(const char *project, const char *root, struct net_port_binding **ret,
                   size_t *n_ret, struct berr **err)
{
        struct ipam_state *st = NULL;
        struct net_port_binding *b;
        size_t nb = 0;
        int r;

        r = ipam_state_load(root, &st, err);
        if (r < 0)
                return r;
        b = xcalloc(st->n_ports + 1, sizeof(*b));
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
                        struct ipam_net *n = &st->nets[k];
                        struct ipam_lease *l;

                        if ((strcmp(n->project, project) != 0 &&
                             !strv_contains(n->users, project)) ||
                            n->internal)
                                continue;
                        l = ipam_net_find_lease(n, sp->container);
                        if (l)
                                b[nb].container_ip.s_addr = htonl(l->addr);
                }
                nb++;
        }
        ipam_state_free(st);
        *ret = b;
        *n_ret = nb;
        return 0;
}
