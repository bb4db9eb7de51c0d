/* SPDX-License-Identifier: MIT */
/* runtime/devices: which device nodes a container may create and open. docker's default policy:
 * mknod of any node (m), read/write only of the standard ones (null, zero, full, random,
 * urandom, tty, console, ptmx, pts/N, net/tun) plus the service's own `devices`; everything when
 * privileged. The rules come out as cgroup v1 devices.allow lines and as a cgroup v2
 * BPF_PROG_TYPE_CGROUP_DEVICE program (hand-assembled instructions); the cgroup drivers apply
 * them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

struct berr;
struct rt_config;

/* The kernel's access bits (BPF_DEVCG_ACC_*, the same letters as devices.allow). */
enum {
        DEV_ACC_MKNOD = 1,
        DEV_ACC_READ = 2,
        DEV_ACC_WRITE = 4,
        DEV_ACC_ALL = 7,
};

#define DEV_ANY (-1)

struct dev_rule {
        char type;            /* 'a' (any), 'b' (block), 'c' (char) */
        int64_t major, minor; /* DEV_ANY for '*' */
        unsigned access;      /* DEV_ACC_* */
};

/* "rwm", "r", "rw"... -> DEV_ACC_* bits (NULL: all); other letters count for nothing. */
unsigned dev_access(const char *permissions);
/* The allow-list for cfg: docker's defaults plus a rule for each of cfg->devices with its
 * permissions (a path
 * that is not a device node is skipped: rootfs setup reports it); one "a *:* rwm" rule when
 * privileged. Caller frees *ret. */
int dev_rules_for(const struct rt_config *cfg, struct dev_rule **ret, size_t *ret_n,
                  struct berr **err);

/* "c 1:3 rwm", "b *:* m", "a *:* rwm" (devices.allow's syntax). Caller frees. */
char *dev_rule_v1(const struct dev_rule *r);

/* A BPF_PROG_TYPE_CGROUP_DEVICE program that returns 1 (allow) when the request matches one of
 * the rules and 0 (deny) otherwise. Caller frees; *ret_len instructions. */
struct bpf_insn *dev_bpf_program(const struct dev_rule *rules, size_t n, size_t *ret_len);
