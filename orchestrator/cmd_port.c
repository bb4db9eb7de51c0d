/* SPDX-License-Identifier: MIT */
/* `berth port SERVICE PRIVATE_PORT`: the host address a container port is published on
 * ("0.0.0.0:19001"), random host ports resolved, from what netmgr published (net_ports_list), as
 * `docker compose port`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "netmgr/netmgr.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/plan.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"
#include "spec/spec.h"

const char cmd_port_usage[] =
        "[OPTIONS] SERVICE PRIVATE_PORT\n"
        "\n"
        "Print the public port for a port binding\n"
        "\n"
        "Options:\n"
        "      --index int         Index of the container if service has multiple replicas (default 1)\n"
        "      --protocol string   tcp or udp (default \"tcp\")\n";

int cmd_port(struct cli *cli, int argc, char **argv)
{
        enum {
                O_INDEX = 256,
                O_PROTO
        };
        static const struct option opts[] = {
                {"index", required_argument, NULL, O_INDEX},
                {"protocol", required_argument, NULL, O_PROTO},
                {0},
        };
        const struct command *self = cli_find_command("port");
        cleanup_berr struct berr *err = NULL;
        cleanup_free struct net_port_binding *b = NULL;
        cleanup_free char *ctr = NULL;
        const struct spec_service *svc;
        enum net_proto proto = NET_PROTO_TCP;
        unsigned long port;
        long index = 1;
        char *end, *one[2] = {NULL, NULL};
        struct stack st;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (c) {
                case O_INDEX:
                        index = strtol(optarg, &end, 10);
                        if (*end || index < 1)
                                return cli_usage_error(
                                        self, "--index: \"%s\" is not a replica number", optarg);
                        break;
                case O_PROTO:
                        if (strcmp(optarg, "udp") == 0)
                                proto = NET_PROTO_UDP;
                        else if (strcmp(optarg, "tcp") != 0)
                                return cli_usage_error(
                                        self, "--protocol: \"%s\" is not one of tcp, udp", optarg);
                        break;
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind != 2)
                return cli_usage_error(self, "requires exactly 2 arguments: SERVICE PRIVATE_PORT");
        port = strtoul(argv[optind + 1], &end, 10);
        if (*end || port == 0 || port > 65535)
                return cli_usage_error(self, "\"%s\" is not a port number", argv[optind + 1]);
        one[0] = argv[optind];
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, one)) != 0) {
                stack_done(&st);
                return r;
        }
        svc = spec_project_service(st.p, argv[optind]);
        if (svc->container_name && index == 1)
                ctr = xstrdup(svc->container_name);
        else
                ctr = xasprintf("%s-%s-%ld", st.name, svc->name, index);
        r = 1;
        if (net_ports_list(st.name, cli->root, &b, &n, &err) < 0) {
                berr_print(err, stderr);
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                if (strcmp(b[i].container, ctr) != 0 || b[i].container_port != port ||
                    b[i].proto != proto)
                        continue;
                printf("%s:%u\n", b[i].host_ip, b[i].host_port);
                r = 0;
                goto out;
        }
        fprintf(stderr, "berth: no port %lu/%s for container %s\n", port,
                proto == NET_PROTO_UDP ? "udp" : "tcp", ctr);
out:
        stack_done(&st);
        return r;
}
