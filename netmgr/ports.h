/* SPDX-License-Identifier: MIT */
/* netmgr/ports: host-port conflict checks and random host port choice (internal to netmgr).
 * The public parse (net_port_parse) is declared in netmgr.h. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct berr;

/* One concrete host port about to be published (ranges already expanded). */
struct ports_item {
        const char *container;
        int proto;
        const char *host_ip; /* "" for all */
        uint16_t host_port;
};

/* Fail with EADDRINUSE naming the holder: the same port twice in items, another berth project's
 * table (its rule comments), or a host socket (pid and command). */
int ports_check(const char *project, const struct ports_item *items, size_t n, struct berr **err);
/* A free host port from BERTH_PORT_RANGE ("LO-HI") or the kernel's ip_local_port_range. */
int ports_pick_random(int proto, const char *host_ip, const struct ports_item *taken,
                      size_t n_taken, uint16_t *ret, struct berr **err);
/* Who holds proto host_ip:port on this host ("a listening socket ... of pid N (comm)"), or NULL. */
char *ports_host_socket(int proto, const char *host_ip, uint16_t port);
