/* SPDX-License-Identifier: MIT */
/* netmgr/ipam: CIDR arithmetic, pools, subnet and address selection (pure). */
#include "netmgr/ipam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"

static uint32_t mask_of(int len)
{
        return len == 0 ? 0 : (uint32_t)0xffffffffu << (32 - len);
}

int ipam_parse_addr(const char *s, uint32_t *ret)
{
        struct in_addr a;

        if (!s || inet_pton(AF_INET, s, &a) != 1)
                return -EINVAL;
        *ret = ntohl(a.s_addr);
        return 0;
}

void ipam_format_addr(uint32_t a, char *buf, size_t len)
{
        struct in_addr in = {.s_addr = htonl(a)};

        inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

void ipam_format_cidr(const struct ipam_prefix *p, char *buf, size_t len)
{
        char a[INET_ADDRSTRLEN];

        ipam_format_addr(p->addr, a, sizeof(a));
        snprintf(buf, len, "%s/%d", a, p->len);
}

int ipam_parse_cidr(const char *s, bool allow_host_bits, struct ipam_prefix *ret, struct berr **err)
{
        cleanup_free char *copy = xstrdup(s ? s : "");
        char *slash = strchr(copy, '/'), *end;
        uint32_t a;
        long len;

        if (!slash)
                return berr_msg(err, EINVAL, "invalid subnet \"%s\": expected a.b.c.d/len", s);
        *slash = '\0';
        errno = 0;
        len = strtol(slash + 1, &end, 10);
        if (ipam_parse_addr(copy, &a) < 0 || *end || end == slash + 1 || len < 0 || len > 32)
                return berr_msg(err, EINVAL, "invalid subnet \"%s\": expected a.b.c.d/len", s);
        if ((a & ~mask_of((int)len)) && !allow_host_bits)
                return berr_msg(err, EINVAL,
                                "invalid subnet \"%s\": host bits set (network address expected)",
                                s);
        ret->addr = a & mask_of((int)len);
        ret->len = (int)len;
        return 0;
}

bool ipam_overlaps(const struct ipam_prefix *a, const struct ipam_prefix *b)
{
        int len = a->len < b->len ? a->len : b->len;

        return (a->addr & mask_of(len)) == (b->addr & mask_of(len));
}

bool ipam_contains(const struct ipam_prefix *p, uint32_t addr)
{
        return (addr & mask_of(p->len)) == p->addr;
}

int ipam_parse_pool(const char *spec, struct ipam_pool **ret, size_t *n_ret, struct berr **err)
{
        cleanup_strv char **items = strv_split(spec, ", ");
        cleanup_free struct ipam_pool *pools = NULL;
        size_t n = 0;

        if (strv_length(items) == 0)
                return berr_msg(err, EINVAL, "subnet pool \"%s\" is empty", spec);
        pools = xcalloc(strv_length(items), sizeof(*pools));
        strv_foreach (it, items) {
                char *colon = strrchr(it, ':'), *end;
                long size;
                int r;

                if (!colon)
                        return berr_msg(err, EINVAL,
                                        "subnet pool entry \"%s\": expected base/len:size", it);
                *colon = '\0';
                r = ipam_parse_cidr(it, false, &pools[n].base, err);
                if (r < 0)
                        return berr_wrap(err, "subnet pool");
                size = strtol(colon + 1, &end, 10);
                if (*end || end == colon + 1 || size < pools[n].base.len || size > 30)
                        return berr_msg(
                                err, EINVAL,
                                "subnet pool entry \"%s:%s\": size must be between %d and 30", it,
                                colon + 1, pools[n].base.len);
                pools[n++].size = (int)size;
        }
        *ret = TAKE_PTR(pools);
        *n_ret = n;
        return 0;
}

int ipam_pick_subnet(const struct ipam_pool *pools, size_t n_pools, const struct ipam_prefix *used,
                     size_t n_used, struct ipam_prefix *ret, struct berr **err)
{
        for (size_t i = 0; i < n_pools; i++) {
                uint64_t step = (uint64_t)1 << (32 - pools[i].size);
                uint64_t count = (uint64_t)1 << (pools[i].size - pools[i].base.len);

                for (uint64_t k = 0; k < count; k++) {
                        struct ipam_prefix c = {
                                .addr = (uint32_t)(pools[i].base.addr + k * step),
                                .len = pools[i].size,
                        };
                        bool clash = false;

                        for (size_t u = 0; u < n_used && !clash; u++)
                                clash = ipam_overlaps(&c, &used[u]);
                        if (!clash) {
                                *ret = c;
                                return 0;
                        }
                }
        }
        return berr_msg(err, ENOSPC,
                        "subnet pool exhausted: every subnet overlaps a host route, a host address "
                        "or another berth network (set BERTH_SUBNET_POOL or give ipam.config "
                        "subnet)");
}

int ipam_pick_address(const struct ipam_prefix *subnet, uint32_t gateway, const uint32_t *used,
                      size_t n_used, uint32_t *ret, struct berr **err)
{
        uint32_t first = subnet->addr + 1, last = subnet->addr | ~mask_of(subnet->len);
        char c[32];

        if (subnet->len < 31)
                last--; /* broadcast */
        for (uint64_t a = first; a <= last; a++) {
                bool taken = (uint32_t)a == gateway;

                for (size_t i = 0; i < n_used && !taken; i++)
                        taken = used[i] == (uint32_t)a;
                if (!taken) {
                        *ret = (uint32_t)a;
                        return 0;
                }
        }
        ipam_format_cidr(subnet, c, sizeof(c));
        return berr_msg(err, ENOSPC, "no free address left in subnet %s", c);
}
