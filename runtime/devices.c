/* SPDX-License-Identifier: MIT */
/* runtime/devices: see devices.h. */
#include "runtime/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "runtime/runtime.h"

/* docker's (runc's) default allow-list. */
static const struct dev_rule default_rules[] = {
        {'c', DEV_ANY, DEV_ANY,
         DEV_ACC_MKNOD}, /* mknod of any node; opening it is another matter */
        {'b', DEV_ANY, DEV_ANY, DEV_ACC_MKNOD},
        {'c', 1, 3, DEV_ACC_ALL},         /* null */
        {'c', 1, 5, DEV_ACC_ALL},         /* zero */
        {'c', 1, 7, DEV_ACC_ALL},         /* full */
        {'c', 1, 8, DEV_ACC_ALL},         /* random */
        {'c', 1, 9, DEV_ACC_ALL},         /* urandom */
        {'c', 5, 0, DEV_ACC_ALL},         /* tty */
        {'c', 5, 1, DEV_ACC_ALL},         /* console */
        {'c', 5, 2, DEV_ACC_ALL},         /* ptmx */
        {'c', 136, DEV_ANY, DEV_ACC_ALL}, /* pts/N */
        {'c', 10, 200, DEV_ACC_ALL},      /* net/tun */
};

unsigned dev_access(const char *permissions)
{
        unsigned a = 0;

        if (!permissions)
                return DEV_ACC_ALL;
        for (const char *p = permissions; *p; p++)
                a |= *p == 'r'   ? DEV_ACC_READ
                     : *p == 'w' ? DEV_ACC_WRITE
                     : *p == 'm' ? DEV_ACC_MKNOD
                                 : 0;
        return a;
}

int dev_rules_for(const struct rt_config *cfg, struct dev_rule **ret, size_t *ret_n,
                  struct berr **err)
{
        size_t n = 0, cap = ARRAY_SIZE(default_rules) + cfg->n_devices + 1;
        struct dev_rule *r = xcalloc(cap, sizeof(*r));

        (void)err;
        if (cfg->privileged) {
                r[n++] = (struct dev_rule){'a', DEV_ANY, DEV_ANY, DEV_ACC_ALL};
                *ret = r;
                *ret_n = n;
                return 0;
        }
        memcpy(r, default_rules, sizeof(default_rules));
        n = ARRAY_SIZE(default_rules);
        for (size_t i = 0; i < cfg->n_devices; i++) {
                struct stat st;

                if (stat(cfg->devices[i].host_path, &st) < 0 ||
                    (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)))
                        continue;
                r[n++] = (struct dev_rule){S_ISBLK(st.st_mode) ? 'b' : 'c', major(st.st_rdev),
                                           minor(st.st_rdev),
                                           dev_access(cfg->devices[i].permissions)};
        }
        *ret = r;
        *ret_n = n;
        return 0;
}

char *dev_rule_v1(const struct dev_rule *r)
{
        struct strbuf b = STRBUF_INIT;

        strbuf_printf(&b, "%c ", r->type);
        if (r->major == DEV_ANY)
                strbuf_puts(&b, "*:");
        else
                strbuf_printf(&b, "%lld:", (long long)r->major);
        if (r->minor == DEV_ANY)
                strbuf_puts(&b, "* ");
        else
                strbuf_printf(&b, "%lld ", (long long)r->minor);
        if (r->access & DEV_ACC_READ)
                strbuf_puts(&b, "r");
        if (r->access & DEV_ACC_WRITE)
                strbuf_puts(&b, "w");
        if (r->access & DEV_ACC_MKNOD)
                strbuf_puts(&b, "m");
        return strbuf_take(&b);
}

/* Instruction encoders (the kernel's BPF_* macros are for its own tree only). */
static struct bpf_insn ldx_w(int dst, int src, int16_t off)
{
        return (struct bpf_insn){
                .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = dst, .src_reg = src, .off = off};
}

static struct bpf_insn alu_k(int op, int dst, int32_t imm)
{
        return (struct bpf_insn){.code = BPF_ALU | op | BPF_K, .dst_reg = dst, .imm = imm};
}

static struct bpf_insn mov_x(int dst, int src)
{
        return (struct bpf_insn){.code = BPF_ALU | BPF_MOV | BPF_X, .dst_reg = dst, .src_reg = src};
}

static struct bpf_insn jne_k(int dst, int32_t imm, int16_t off)
{
        return (struct bpf_insn){
                .code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = dst, .off = off, .imm = imm};
}

static struct bpf_insn exit_with(struct bpf_insn *p, int32_t v)
{
        p[0] = alu_k(BPF_MOV, BPF_REG_0, v);
        return (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
}

/* Registers: r2 = device type (BPF_DEVCG_DEV_*), r3 = requested access (BPF_DEVCG_ACC_*),
 * r4 = major, r5 = minor; r1 scratch once the context is read. */
struct bpf_insn *dev_bpf_program(const struct dev_rule *rules, size_t n, size_t *ret_len)
{
        /* prologue 6 + at most 8 per rule + epilogue 2 */
        struct bpf_insn *p = xcalloc(6 + 8 * n + 2, sizeof(*p));
        size_t len = 0;

        p[len++] = ldx_w(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[len++] = alu_k(BPF_AND, BPF_REG_2, 0xffff);
        p[len++] = ldx_w(BPF_REG_3, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[len++] = alu_k(BPF_RSH, BPF_REG_3, 16);
        p[len++] = ldx_w(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major));
        p[len++] = ldx_w(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor));
        for (size_t i = 0; i < n; i++) {
                const struct dev_rule *r = &rules[i];
                struct bpf_insn blk[8];
                size_t k = 0, jumps[4], nj = 0;

                if (r->type == 'b' || r->type == 'c') {
                        jumps[nj++] = k;
                        blk[k++] =
                                jne_k(BPF_REG_2,
                                      r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
                }
                if ((r->access & DEV_ACC_ALL) != DEV_ACC_ALL) {
                        /* every requested bit must be in the rule's access */
                        blk[k++] = mov_x(BPF_REG_1, BPF_REG_3);
                        blk[k++] = alu_k(BPF_AND, BPF_REG_1, (int32_t)(~r->access & DEV_ACC_ALL));
                        jumps[nj++] = k;
                        blk[k++] = jne_k(BPF_REG_1, 0, 0);
                }
                if (r->major != DEV_ANY) {
                        jumps[nj++] = k;
                        blk[k++] = jne_k(BPF_REG_4, (int32_t)r->major, 0);
                }
                if (r->minor != DEV_ANY) {
                        jumps[nj++] = k;
                        blk[k++] = jne_k(BPF_REG_5, (int32_t)r->minor, 0);
                }
                blk[k + 1] = exit_with(&blk[k], 1);
                k += 2;
                /* a mismatch skips the rest of this rule's block */
                for (size_t j = 0; j < nj; j++)
                        blk[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
                memcpy(p + len, blk, k * sizeof(*blk));
                len += k;
        }
        p[len + 1] = exit_with(&p[len], 0);
        len += 2;
        *ret_len = len;
        return p;
}
