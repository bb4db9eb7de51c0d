/* SPDX-License-Identifier: MIT */
/* `berth net ...` (internal): drive netmgr directly, for tests, benchmarks and debugging.
 * Subcommands: up, attach, release, publish, ports, dns, hosts, down. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <event2/event.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/dns.h"
#include "netmgr/ipam.h"
#include "netmgr/netmgr.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"

const char cmd_net_usage[] =
        "SUBCOMMAND [OPTIONS]\n"
        "\n"
        "Drive berth's network manager directly (internal: tests and debugging).\n"
        "\n"
        "Subcommands:\n"
        "  up      --project P --network NAME[,subnet=CIDR][,gateway=IP][,internal][,external]\n"
        "                                    [,bridge=IFNAME][,mtu=N]   (repeatable)\n"
        "  attach  --project P --network N --container C (--pid PID | --netns PATH)\n"
        "          [--ifindex N] [--ip IP] [--mac MAC] [--name NAME]... [--hosts FILE]\n"
        "          [--resolv FILE] [--hostname H] [--extra-host NAME:IP]... [--dns IP]...\n"
        "          [--dns-search D]... [--dns-opt O]... [--timing]\n"
        "  release --project P --container C\n"
        "  publish --project P --container C [-p SPEC]...   (replaces C's published ports)\n"
        "  ports   --project P\n"
        "  dns     --project P [--resolv-conf FILE] [--port N]   (foreground, until SIGTERM)\n"
        "  down    --project P\n"
        "\n"
        "State lives under $BERTH_ROOT/net/. SPEC is compose's [[ip:]host[-end]:]port[-end][/proto].\n";

static int fail(struct berr *e)
{
        berr_print(e, stderr);
        berr_free(e);
        return 1;
}

struct net_opts {
        char *project, *container, *network, *netns, *ip, *mac, *hosts, *resolv, *hostname;
        char *resolv_conf;
        int pid, ifindex, port;
        bool timing;
        char **networks, **names, **extra_hosts, **dns, **dns_search, **dns_opt, **ports;
};

static void opts_done(struct net_opts *o)
{
        free(o->project);
        free(o->container);
        free(o->network);
        free(o->netns);
        free(o->ip);
        free(o->mac);
        free(o->hosts);
        free(o->resolv);
        free(o->hostname);
        free(o->resolv_conf);
        strv_free(o->networks);
        strv_free(o->names);
        strv_free(o->extra_hosts);
        strv_free(o->dns);
        strv_free(o->dns_search);
        strv_free(o->dns_opt);
        strv_free(o->ports);
}

enum {
        O_PROJECT = 256,
        O_NETWORK,
        O_CONTAINER,
        O_PID,
        O_NETNS,
        O_IFINDEX,
        O_IP,
        O_MAC,
        O_NAME,
        O_HOSTS,
        O_RESOLV,
        O_HOSTNAME,
        O_EXTRA,
        O_DNS,
        O_DNS_SEARCH,
        O_DNS_OPT,
        O_RESOLV_CONF,
        O_PORT,
        O_TIMING,
};

static void set(char **dst, const char *v)
{
        free(*dst);
        *dst = xstrdup(v);
}

static int parse_opts(const struct command *self, int argc, char **argv, struct net_opts *o)
{
        static const struct option opts[] = {
                {"project", required_argument, NULL, O_PROJECT},
                {"network", required_argument, NULL, O_NETWORK},
                {"container", required_argument, NULL, O_CONTAINER},
                {"pid", required_argument, NULL, O_PID},
                {"netns", required_argument, NULL, O_NETNS},
                {"ifindex", required_argument, NULL, O_IFINDEX},
                {"ip", required_argument, NULL, O_IP},
                {"mac", required_argument, NULL, O_MAC},
                {"name", required_argument, NULL, O_NAME},
                {"alias", required_argument, NULL, O_NAME},
                {"hosts", required_argument, NULL, O_HOSTS},
                {"resolv", required_argument, NULL, O_RESOLV},
                {"hostname", required_argument, NULL, O_HOSTNAME},
                {"extra-host", required_argument, NULL, O_EXTRA},
                {"dns", required_argument, NULL, O_DNS},
                {"dns-search", required_argument, NULL, O_DNS_SEARCH},
                {"dns-opt", required_argument, NULL, O_DNS_OPT},
                {"resolv-conf", required_argument, NULL, O_RESOLV_CONF},
                {"port", required_argument, NULL, O_PORT},
                {"timing", no_argument, NULL, O_TIMING},
                {"publish", required_argument, NULL, 'p'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;

        while ((c = getopt_long(argc, argv, ":p:h", opts, NULL)) != -1) {
                switch (c) {
                case O_PROJECT:
                        set(&o->project, optarg);
                        break;
                case O_NETWORK:
                        set(&o->network, optarg);
                        o->networks = strv_push(o->networks, optarg);
                        break;
                case O_CONTAINER:
                        set(&o->container, optarg);
                        break;
                case O_PID:
                        o->pid = atoi(optarg);
                        break;
                case O_NETNS:
                        set(&o->netns, optarg);
                        break;
                case O_IFINDEX:
                        o->ifindex = atoi(optarg);
                        break;
                case O_IP:
                        set(&o->ip, optarg);
                        break;
                case O_MAC:
                        set(&o->mac, optarg);
                        break;
                case O_NAME:
                        o->names = strv_push(o->names, optarg);
                        break;
                case O_HOSTS:
                        set(&o->hosts, optarg);
                        break;
                case O_RESOLV:
                        set(&o->resolv, optarg);
                        break;
                case O_HOSTNAME:
                        set(&o->hostname, optarg);
                        break;
                case O_EXTRA:
                        o->extra_hosts = strv_push(o->extra_hosts, optarg);
                        break;
                case O_DNS:
                        o->dns = strv_push(o->dns, optarg);
                        break;
                case O_DNS_SEARCH:
                        o->dns_search = strv_push(o->dns_search, optarg);
                        break;
                case O_DNS_OPT:
                        o->dns_opt = strv_push(o->dns_opt, optarg);
                        break;
                case O_RESOLV_CONF:
                        set(&o->resolv_conf, optarg);
                        break;
                case O_PORT:
                        o->port = atoi(optarg);
                        break;
                case O_TIMING:
                        o->timing = true;
                        break;
                case 'p':
                        o->ports = strv_push(o->ports, optarg);
                        break;
                case 'h':
                        cli_print_help(self);
                        return 1;
                case ':':
                        return -cli_usage_error(self, "flag needs an argument: %s",
                                                argv[optind - 1]);
                default:
                        return -cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return -cli_usage_error(self, "unexpected argument \"%s\"", argv[optind]);
        if (!o->project)
                return -cli_usage_error(self, "--project is required");
        return 0;
}

static int parse_network(const char *spec, struct net_network_config *n, char ***keep,
                         struct berr **err)
{
        cleanup_strv char **parts = strv_split(spec, ",");

        memset(n, 0, sizeof(*n));
        if (!parts || !parts[0])
                return berr_msg(err, EINVAL, "--network: empty");
        *keep = strv_push(*keep, parts[0]);
        n->name = (*keep)[strv_length(*keep) - 1];
        for (size_t i = 1; parts[i]; i++) {
                char *eq = strchr(parts[i], '=');
                const char *v = eq ? eq + 1 : NULL;

                if (eq)
                        *eq = '\0';
                if (v) {
                        *keep = strv_push(*keep, v);
                        v = (*keep)[strv_length(*keep) - 1];
                }
                if (strcmp(parts[i], "internal") == 0)
                        n->internal = true;
                else if (strcmp(parts[i], "external") == 0)
                        n->external = true;
                else if (strcmp(parts[i], "subnet") == 0 && v)
                        n->subnet = v;
                else if (strcmp(parts[i], "gateway") == 0 && v)
                        n->gateway = v;
                else if (strcmp(parts[i], "bridge") == 0 && v)
                        n->bridge_name = v;
                else if (strcmp(parts[i], "mtu") == 0 && v)
                        n->mtu = atoi(v);
                else
                        return berr_msg(err, EINVAL, "--network %s: unknown option \"%s\"", spec,
                                        parts[i]);
        }
        if (n->external)
                n->full_name = n->name;
        return 0;
}

static int do_up(struct cli *cli, struct net_opts *o)
{
        cleanup_free struct net_network_config *nets = NULL;
        cleanup_free struct net_network_info *info = NULL;
        cleanup_strv char **keep = NULL;
        struct berr *err = NULL;
        size_t n = strv_length(o->networks);

        if (n == 0)
                o->networks = strv_push(o->networks, "default"), n = 1;
        nets = xcalloc(n, sizeof(*nets));
        /* strv_push may move the vector but not its strings: the pointers stay valid */
        for (size_t i = 0; i < n; i++)
                if (parse_network(o->networks[i], &nets[i], &keep, &err) < 0)
                        return fail(err);
        {
                struct net_project_config cfg = {o->project, cli->root, nets, n};

                if (net_project_up(&cfg, &info, &err) < 0)
                        return fail(err);
        }
        for (size_t i = 0; i < n; i++) {
                char sub[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];

                inet_ntop(AF_INET, &info[i].subnet, sub, sizeof(sub));
                inet_ntop(AF_INET, &info[i].gateway, gw, sizeof(gw));
                printf("%s bridge=%s subnet=%s/%d gateway=%s mtu=%d%s\n", info[i].full_name,
                       info[i].bridge, sub, info[i].prefix, gw, info[i].mtu,
                       info[i].internal ? " internal" : "");
        }
        return 0;
}

static int write_text(const char *path, const char *text, struct berr **err)
{
        return atomic_write_file(path, text, strlen(text), 0644, err);
}

static int do_attach(struct cli *cli, struct net_opts *o)
{
        struct net_attach_info info;
        struct berr *err = NULL;
        cleanup_close int nsfd = -1;
        char addr[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
        double ms = 0;

        if (!o->container || !o->network || (!o->pid && !o->netns))
                return cli_usage_error(cli_find_command("net"),
                                       "attach needs --container, --network and --pid or --netns");
        if (o->netns) {
                nsfd = open(o->netns, O_RDONLY | O_CLOEXEC);
                if (nsfd < 0) {
                        berr_set(&err, errno, "open %s", o->netns);
                        return fail(err);
                }
        }
        {
                struct net_attach_config cfg = {
                        .project = o->project,
                        .root = cli->root,
                        .container = o->container,
                        .network = o->network,
                        .netns_fd = nsfd,
                        .pid = o->pid,
                        .ifindex = o->ifindex,
                        .ipv4_address = o->ip,
                        .mac_address = o->mac,
                        .names = (const char *const *)o->names,
                };

                struct timespec t0, t1;

                clock_gettime(CLOCK_MONOTONIC, &t0);
                if (net_attach(&cfg, &info, &err) < 0)
                        return fail(err);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        }
        inet_ntop(AF_INET, &info.address, addr, sizeof(addr));
        inet_ntop(AF_INET, &info.gateway, gw, sizeof(gw));
        if (o->hosts) {
                struct net_hosts_config h = {
                        .hostname = o->hostname ? o->hostname : o->container,
                        .names = (const char *const *)o->names,
                        .address = info.address,
                        .gateway = info.gateway,
                        .extra_hosts = (const char *const *)o->extra_hosts,
                };
                cleanup_free char *text = net_hosts_render(&h, &err);

                if (!text || write_text(o->hosts, text, &err) < 0)
                        return fail(err);
        }
        if (o->resolv) {
                struct net_resolv_config rc = {
                        .gateway = info.gateway,
                        .dns = (const char *const *)o->dns,
                        .dns_search = (const char *const *)o->dns_search,
                        .dns_opt = (const char *const *)o->dns_opt,
                };
                cleanup_free char *text = net_resolv_render(&rc);

                if (write_text(o->resolv, text, &err) < 0)
                        return fail(err);
        }
        printf("%s %s/%d gateway=%s mac=%s mtu=%d veth=%s", info.ifname, addr, info.prefix, gw,
               info.mac, info.mtu, info.host_veth);
        if (o->timing)
                printf(" setup_ms=%.3f", ms);
        putchar('\n');
        return 0;
}

static void print_bindings(const struct net_port_binding *b, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                char cip[INET_ADDRSTRLEN];

                inet_ntop(AF_INET, &b[i].container_ip, cip, sizeof(cip));
                printf("%s %u/%s -> %s:%u %s:%u\n", b[i].container, b[i].container_port,
                       b[i].proto == NET_PROTO_UDP ? "udp" : "tcp", b[i].host_ip, b[i].host_port,
                       cip, b[i].container_port);
        }
}

/* Replace the ports of one container, keeping the others recorded for the project. */
static int do_publish(struct cli *cli, struct net_opts *o, bool list_only)
{
        CLEANUP(ipam_state_freep) struct ipam_state *st = NULL;
        cleanup_free struct net_port *ports = NULL;
        cleanup_free struct net_port_binding *b = NULL;
        cleanup_strv char **names = NULL;
        struct berr *err = NULL;
        size_t n = 0, nb = 0, np = strv_length(o->ports);

        if (!list_only && !o->container)
                return cli_usage_error(cli_find_command("net"), "publish needs --container");
        if (ipam_state_load(cli->root, &st, &err) < 0)
                return fail(err);
        ports = xcalloc(st->n_ports + np + 1, sizeof(*ports));
        for (size_t i = 0; i < st->n_ports; i++) {
                const struct ipam_port *p = &st->ports[i];

                if (strcmp(p->project, o->project) != 0 ||
                    (!list_only && strcmp(p->container, o->container) == 0))
                        continue;
                names = strv_push(names, p->container);
                ports[n] = (struct net_port){
                        .container = NULL,
                        .host_port = p->random ? 0 : p->host_port,
                        .container_port = p->container_port,
                        .proto = (enum net_proto)p->proto,
                };
                snprintf(ports[n].host_ip, sizeof(ports[n].host_ip), "%s", p->host_ip);
                n++;
        }
        for (size_t i = 0; i < n; i++)
                ports[i].container = names[i];
        ipam_state_free(TAKE_PTR(st)); /* net_ports_apply takes the lock itself */
        for (size_t i = 0; i < np; i++) {
                if (net_port_parse(o->ports[i], &ports[n], &err) < 0)
                        return fail(err);
                ports[n++].container = o->container;
        }
        if (net_ports_apply(o->project, cli->root, ports, n, &b, &nb, &err) < 0)
                return fail(err);
        print_bindings(b, nb);
        return 0;
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        event_base_loopbreak(arg);
}

static int do_dns(struct cli *cli, struct net_opts *o)
{
        struct event_base *base = event_base_new();
        struct dns_server *srv = NULL;
        struct berr *err = NULL;
        struct event *sigterm, *sigint;
        struct dns_server_config cfg = {o->project, cli->root, o->resolv_conf,
                                        (unsigned short)o->port};

        if (!base) {
                fprintf(stderr, "berth net dns: cannot create an event loop\n");
                return 1;
        }
        if (dns_server_new(base, &cfg, &srv, &err) < 0) {
                event_base_free(base);
                return fail(err);
        }
        sigterm = evsignal_new(base, SIGTERM, on_signal, base);
        sigint = evsignal_new(base, SIGINT, on_signal, base);
        event_add(sigterm, NULL);
        event_add(sigint, NULL);
        printf("dns: serving project %s\n", o->project);
        fflush(stdout);
        event_base_dispatch(base);
        event_free(sigterm);
        event_free(sigint);
        dns_server_free(srv);
        event_base_free(base);
        return 0;
}

int cmd_net(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("net");
        struct net_opts o = {0};
        const char *sub;
        struct berr *err = NULL;
        int r;

        if (argc < 2)
                return cli_usage_error(self, "a subcommand is required");
        sub = argv[1];
        if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
                cli_print_help(self);
                return 0;
        }
        cli_getopt_reset();
        optind = 2;
        r = parse_opts(self, argc, argv, &o);
        if (r != 0) {
                opts_done(&o);
                return r > 0 ? 0 : -r;
        }
        if (strcmp(sub, "up") == 0)
                r = do_up(cli, &o);
        else if (strcmp(sub, "attach") == 0)
                r = do_attach(cli, &o);
        else if (strcmp(sub, "release") == 0) {
                if (!o.container)
                        r = cli_usage_error(self, "release needs --container");
                else
                        r = net_release(o.project, cli->root, o.container, &err) < 0 ? fail(err)
                                                                                     : 0;
        } else if (strcmp(sub, "publish") == 0)
                r = do_publish(cli, &o, false);
        else if (strcmp(sub, "ports") == 0)
                r = do_publish(cli, &o, true);
        else if (strcmp(sub, "dns") == 0)
                r = do_dns(cli, &o);
        else if (strcmp(sub, "down") == 0)
                r = net_project_down(o.project, cli->root, &err) < 0 ? fail(err) : 0;
        else
                r = cli_usage_error(self, "unknown subcommand \"%s\"", sub);
        opts_done(&o);
        return r;
}
