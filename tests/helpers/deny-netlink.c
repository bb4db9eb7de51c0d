/* SPDX-License-Identifier: MIT */
/* deny-netlink: run a command under a seccomp filter (libseccomp) that makes
 * socket(AF_NETLINK, *, PROTO) fail with EPERM, for the fault-injection tests
 * (tests/integration/85-faults-netlink.bats): the netlink family a berth step needs is gone.
 *   deny-netlink nft|route|all CMD [ARG...]
 * nft: NETLINK_NETFILTER (libnftables); route: NETLINK_ROUTE (libnl: links, addresses, routes);
 * all: every netlink socket. The filter is inherited by everything CMD starts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <sys/socket.h>

#include <seccomp.h>

int main(int argc, char **argv)
{
        scmp_filter_ctx ctx;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: deny-netlink nft|route|all CMD [ARG...]\n");
                return 2;
        }
        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx) {
                fprintf(stderr, "deny-netlink: seccomp_init failed\n");
                return 1;
        }
        if (strcmp(argv[1], "nft") == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 2,
                                     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
                                     SCMP_A2(SCMP_CMP_EQ, NETLINK_NETFILTER));
        else if (strcmp(argv[1], "route") == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 2,
                                     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
                                     SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE));
        else if (strcmp(argv[1], "all") == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                                     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
        else {
                fprintf(stderr, "deny-netlink: unknown family \"%s\" (nft, route, all)\n", argv[1]);
                return 2;
        }
        if (r == 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        if (r < 0) {
                fprintf(stderr, "deny-netlink: %s\n", strerror(-r));
                return 1;
        }
        execvp(argv[2], argv + 2);
        fprintf(stderr, "deny-netlink: exec %s: %s\n", argv[2], strerror(errno));
        return 127;
}
