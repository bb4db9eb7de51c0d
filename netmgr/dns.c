/* SPDX-License-Identifier: MIT */
/* netmgr/dns: evdns server ports on each gateway, records from IPAM state, forwarding. */
#include "netmgr/dns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <event2/dns.h>
#include <event2/dns_struct.h>
#include <event2/event.h>
#include <event2/util.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/ipam.h"

#define DNS_TTL 5 /* short: answers change as containers come and go */

struct dns_listener {
        struct dns_server *srv;
        char *network;
        uint32_t gateway;
        int fd;
        struct evdns_server_port *port;
};

struct dns_server {
        struct event_base *base;
        struct evdns_base *upstream;
        char *project, *root, *state_path;
        unsigned short port;
        struct timespec mtime;
        struct dns_record *recs;
        size_t n_recs;
        struct dns_listener **ls; /* each on the heap: evdns keeps its address */
        size_t n_ls;
        struct event *tick; /* picks up networks and containers that appeared */
        unsigned rotate;    /* round robin over the replicas when not all fit */
};

static void name_norm(const char *in, char *out, size_t len)
{
        size_t n = strlen(in);

        if (n && in[n - 1] == '.')
                n--;
        if (n >= len)
                n = len - 1;
        memcpy(out, in, n);
        out[n] = '\0';
}

size_t dns_match(const struct dns_record *recs, size_t n, const char *network, struct in_addr asker,
                 const char *qname, struct in_addr *out, size_t max)
{
        char q[256];
        size_t k = 0;

        name_norm(qname, q, sizeof(q));
        for (size_t i = 0; i < n && k < max; i++) {
                bool dup = false;

                if (strcmp(recs[i].network, network) != 0 || strcasecmp(recs[i].name, q) != 0)
                        continue;
                if (recs[i].only_for.s_addr && recs[i].only_for.s_addr != asker.s_addr)
                        continue;
                for (size_t j = 0; j < k && !dup; j++)
                        dup = out[j].s_addr == recs[i].addr.s_addr;
                if (!dup)
                        out[k++] = recs[i].addr;
        }
        return k;
}

size_t dns_max_answers(const char *qname)
{
        /* 512-byte UDP answer: header, the question (name + type + class), then A records
         * counted without name compression (name, type, class, TTL, length, address) */
        size_t name = strlen(qname) + 2, room = 512 - 12 - (name + 4);

        return name + 14 > room ? 0 : room / (name + 14);
}

bool dns_name_is_local(const char *qname)
{
        char q[256];

        name_norm(qname, q, sizeof(q));
        return *q && !strchr(q, '.');
}

static void free_records(struct dns_server *srv)
{
        for (size_t i = 0; i < srv->n_recs; i++) {
                free(srv->recs[i].name);
                free(srv->recs[i].network);
        }
        free(srv->recs);
        srv->recs = NULL;
        srv->n_recs = 0;
}

static void add_record(struct dns_server *srv, size_t *cap, const char *name, const char *network,
                       uint32_t addr, uint32_t only_for)
{
        srv->recs = xgrow(srv->recs, cap, srv->n_recs + 1, sizeof(*srv->recs));
        srv->recs[srv->n_recs].name = xstrdup(name);
        srv->recs[srv->n_recs].network = xstrdup(network);
        srv->recs[srv->n_recs].addr.s_addr = htonl(addr);
        srv->recs[srv->n_recs].only_for.s_addr = htonl(only_for);
        srv->n_recs++;
}

static bool lease_has_name(const struct ipam_lease *l, const char *name)
{
        if (strcasecmp(l->container, name) == 0)
                return true;
        strv_foreach (nm, l->names)
                if (strcasecmp(nm, name) == 0)
                        return true;
        return false;
}

/* compose links "alias=target": the alias names every container answering to target, for the
 * linking container only */
static void add_link_records(struct dns_server *srv, size_t *cap, const struct ipam_net *n,
                             const struct ipam_lease *from)
{
        strv_foreach (lk, from->links) {
                const char *eq = strchr(lk, '=');
                cleanup_free char *alias = xstrndup(lk, (size_t)(eq - lk));

                for (size_t k = 0; k < n->n_leases; k++)
                        if (lease_has_name(&n->leases[k], eq + 1))
                                add_record(srv, cap, alias, n->full_name, n->leases[k].addr,
                                           from->addr);
        }
}

static void request_cb(struct evdns_server_request *req, void *arg);

static int listen_on(struct dns_server *srv, const char *network, uint32_t gateway,
                     struct berr **err)
{
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_port = htons(srv->port),
                                 .sin_addr.s_addr = htonl(gateway)};
        struct dns_listener *l;
        cleanup_close int fd = -1;
        int one = 1;
        char ip[INET_ADDRSTRLEN];

        for (size_t i = 0; i < srv->n_ls; i++)
                if (strcmp(srv->ls[i]->network, network) == 0)
                        return 0;
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berr_set(err, errno, "dns: socket");
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                ipam_format_addr(gateway, ip, sizeof(ip));
                return berr_set(err, errno, "dns: bind %s:%u (network %s)", ip, srv->port, network);
        }
        l = xcalloc(1, sizeof(*l));
        l->srv = srv;
        l->network = xstrdup(network);
        l->gateway = gateway;
        l->fd = TAKE_FD(fd);
        l->port = evdns_add_server_port_with_base(srv->base, l->fd, 0, request_cb, l);
        if (!l->port) {
                close(l->fd);
                free(l->network);
                free(l);
                return berr_msg(err, ENOMEM, "dns: cannot add a server port");
        }
        srv->ls = xrealloc(srv->ls, (srv->n_ls + 1) * sizeof(*srv->ls));
        srv->ls[srv->n_ls++] = l;
        return 0;
}

/* (Re)load records from the state; open listeners for networks that appeared. */
int dns_server_reload(struct dns_server *srv, struct berr **err)
{
        CLEANUP(ipam_state_freep) struct ipam_state *st = NULL;
        struct stat sb;
        size_t cap = 0;
        int r;

        if (stat(srv->state_path, &sb) == 0)
                srv->mtime = sb.st_mtim;
        r = ipam_state_load(srv->root, &st, err);
        if (r < 0)
                return r;
        free_records(srv);
        for (size_t i = 0; i < st->n_nets; i++) {
                const struct ipam_net *n = &st->nets[i];

                if (strcmp(n->project, srv->project) != 0)
                        continue; /* an external network is served by its owner */
                for (size_t k = 0; k < n->n_leases; k++) {
                        const struct ipam_lease *l = &n->leases[k];

                        add_record(srv, &cap, l->container, n->full_name, l->addr, 0);
                        strv_foreach (nm, l->names)
                                add_record(srv, &cap, nm, n->full_name, l->addr, 0);
                        add_link_records(srv, &cap, n, l);
                }
                r = listen_on(srv, n->full_name, n->gateway, err);
                if (r < 0)
                        return r;
        }
        log_debug("dns: %zu records, %zu listeners", srv->n_recs, srv->n_ls);
        return 0;
}

static void maybe_reload(struct dns_server *srv)
{
        struct stat sb;
        struct berr *e = NULL;

        if (stat(srv->state_path, &sb) < 0)
                return;
        if (sb.st_mtim.tv_sec == srv->mtime.tv_sec && sb.st_mtim.tv_nsec == srv->mtime.tv_nsec)
                return;
        if (dns_server_reload(srv, &e) < 0) {
                cleanup_free char *t = berr_text(e);

                log_debug("dns: reload: %s", t);
        }
        berr_free(e);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        maybe_reload(arg);
}

struct forward {
        struct evdns_server_request *req;
        char name[256];
        int type;
};

static void forward_cb(int result, char type, int count, int ttl, void *addrs, void *arg)
{
        struct forward *f = arg;
        int rcode = DNS_ERR_SERVERFAILED;

        /* one RR per address: evdns's add_*_reply with n > 1 packs them into one record */
        for (int i = 0; result == DNS_ERR_NONE && i < count; i++) {
                if (type == DNS_IPv4_A)
                        evdns_server_request_add_a_reply(f->req, f->name, 1,
                                                         (const char *)addrs + 4 * i, ttl);
                else if (type == DNS_IPv6_AAAA)
                        evdns_server_request_add_aaaa_reply(f->req, f->name, 1,
                                                            (const char *)addrs + 16 * i, ttl);
        }
        if (result == DNS_ERR_NONE || result == DNS_ERR_NODATA)
                rcode = DNS_ERR_NONE;
        else if (result == DNS_ERR_NOTEXIST)
                rcode = DNS_ERR_NOTEXIST;
        evdns_server_request_respond(f->req, rcode);
        free(f);
}

static void request_cb(struct evdns_server_request *req, void *arg)
{
        struct dns_listener *l = arg;
        struct dns_server *srv = l->srv;
        struct evdns_server_question *q;
        struct in_addr found[64], asker = {0};
        struct sockaddr_storage from = {0};
        size_t n;

        if (req->nquestions < 1) {
                evdns_server_request_respond(req, DNS_ERR_FORMAT);
                return;
        }
        maybe_reload(srv);
        q = req->questions[0];
        if (evdns_server_request_get_requesting_addr(req, (struct sockaddr *)&from, sizeof(from)) >=
                    0 &&
            from.ss_family == AF_INET)
                asker = ((struct sockaddr_in *)&from)->sin_addr;
        n = dns_match(srv->recs, srv->n_recs, l->network, asker, q->name, found, ARRAY_SIZE(found));
        if (n) {
                size_t fit = dns_max_answers(q->name), first = n > fit ? srv->rotate++ % n : 0;

                for (size_t i = 0; q->type == EVDNS_TYPE_A && i < n && i < fit; i++)
                        evdns_server_request_add_a_reply(req, q->name, 1, &found[(first + i) % n],
                                                         DNS_TTL);
                evdns_server_request_respond(req, DNS_ERR_NONE); /* AAAA etc.: no data */
                return;
        }
        if (dns_name_is_local(q->name)) {
                evdns_server_request_respond(req, DNS_ERR_NOTEXIST);
                return;
        }
        if (!srv->upstream || (q->type != EVDNS_TYPE_A && q->type != EVDNS_TYPE_AAAA)) {
                evdns_server_request_respond(req, srv->upstream ? DNS_ERR_NOTIMPL
                                                                : DNS_ERR_SERVERFAILED);
                return;
        }
        {
                struct forward *f = xcalloc(1, sizeof(*f));

                f->req = req;
                f->type = q->type;
                snprintf(f->name, sizeof(f->name), "%s", q->name);
                if (q->type == EVDNS_TYPE_A)
                        evdns_base_resolve_ipv4(srv->upstream, f->name, DNS_QUERY_NO_SEARCH,
                                                forward_cb, f);
                else
                        evdns_base_resolve_ipv6(srv->upstream, f->name, DNS_QUERY_NO_SEARCH,
                                                forward_cb, f);
        }
}

int dns_server_new(struct event_base *base, const struct dns_server_config *cfg,
                   struct dns_server **ret, struct berr **err)
{
        struct dns_server *srv = xcalloc(1, sizeof(*srv));
        const char *rc = cfg->resolv_conf ? cfg->resolv_conf : "/etc/resolv.conf";
        int r;

        srv->base = base;
        srv->project = xstrdup(cfg->project);
        srv->root = xstrdup(cfg->root);
        srv->state_path = xasprintf("%s/net/state.json", cfg->root);
        srv->port = cfg->port ? cfg->port : 53;
        srv->upstream = evdns_base_new(base, 0);
        if (srv->upstream &&
            evdns_base_resolv_conf_parse(srv->upstream, DNS_OPTION_NAMESERVERS | DNS_OPTION_MISC,
                                         rc) != 0) {
                log_debug("dns: no upstream resolvers from %s", rc);
                evdns_base_free(srv->upstream, 0);
                srv->upstream = NULL;
        }
        r = dns_server_reload(srv, err);
        if (r < 0) {
                dns_server_free(srv);
                return r;
        }
        srv->tick = event_new(base, -1, EV_PERSIST, tick_cb, srv);
        if (srv->tick)
                event_add(srv->tick, &(struct timeval){.tv_sec = 1});
        *ret = srv;
        return 0;
}

void dns_server_free(struct dns_server *srv)
{
        if (!srv)
                return;
        if (srv->tick)
                event_free(srv->tick);
        for (size_t i = 0; i < srv->n_ls; i++) {
                evdns_close_server_port(srv->ls[i]->port);
                close(srv->ls[i]->fd);
                free(srv->ls[i]->network);
                free(srv->ls[i]);
        }
        free(srv->ls);
        if (srv->upstream)
                evdns_base_free(srv->upstream, 1);
        free_records(srv);
        free(srv->project);
        free(srv->root);
        free(srv->state_path);
        free(srv);
}
