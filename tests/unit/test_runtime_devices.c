/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/devices: docker's default rules, their devices.allow lines, and the
 * cgroup v2 device program. The program is run through a small interpreter of the instructions
 * the builder emits (so every rule's verdict is checked), then, where this process may (root, a
 * cgroup2 mount: the unified hierarchy of a hybrid host counts), loaded into the kernel, attached
 * to a cgroup of its own and asked for real by a child that opens device nodes from inside it. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/devices.h"
#include "runtime/runtime.h"

/* Run the program on one request; -1 when it uses an instruction the interpreter lacks, jumps out
 * of bounds or falls off its end. */
static int run_prog(const struct bpf_insn *p, size_t len, int type, unsigned access, uint32_t maj,
                    uint32_t min)
{
        struct bpf_cgroup_dev_ctx ctx = {
                .access_type = (access << 16) | (uint32_t)type, .major = maj, .minor = min};
        uint64_t r[11] = {0};

        for (size_t pc = 0; pc < len; pc++) {
                const struct bpf_insn *i = &p[pc];

                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        if (i->src_reg != BPF_REG_1 || i->off < 0 ||
                            (size_t)i->off + 4 > sizeof(ctx))
                                return -1;
                        r[i->dst_reg] = *(uint32_t *)((char *)&ctx + i->off);
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & (uint32_t)i->imm);
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
                        break;
                case BPF_ALU | BPF_MOV | BPF_K:
                        r[i->dst_reg] = (uint32_t)i->imm;
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        r[i->dst_reg] = (uint32_t)r[i->src_reg];
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
                                pc += (size_t)i->off;
                        if (pc >= len)
                                return -1;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int)r[0];
                default:
                        return -1;
                }
        }
        return -1;
}

enum {
        B = BPF_DEVCG_DEV_BLOCK,
        C = BPF_DEVCG_DEV_CHAR,
        R = DEV_ACC_READ,
        W = DEV_ACC_WRITE,
        M = DEV_ACC_MKNOD
};

static void test_default_rules(void **state)
{
        struct rt_config cfg;
        cleanup_free struct dev_rule *rules = NULL;
        cleanup_free struct bpf_insn *p = NULL;
        size_t n = 0, len = 0;

        (void)state;
        rt_config_init(&cfg);
        assert_int_equal(dev_rules_for(&cfg, &rules, &n, NULL), 0);
        assert_int_equal(n, 12);
        {
                cleanup_free char *a = dev_rule_v1(&rules[0]), *b = dev_rule_v1(&rules[2]),
                                  *c = dev_rule_v1(&rules[10]);

                assert_string_equal(a, "c *:* m");
                assert_string_equal(b, "c 1:3 rwm");
                assert_string_equal(c, "c 136:* rwm");
        }
        p = dev_bpf_program(rules, n, &len);
        /* the standard nodes: anything */
        assert_int_equal(run_prog(p, len, C, R | W, 1, 3), 1);
        assert_int_equal(run_prog(p, len, C, R, 1, 9), 1);
        assert_int_equal(run_prog(p, len, C, R | W, 136, 7), 1);
        assert_int_equal(run_prog(p, len, C, W, 5, 2), 1);
        /* mknod of anything, but no read or write of a host disk, kmsg, loop, fuse */
        assert_int_equal(run_prog(p, len, B, M, 254, 0), 1);
        assert_int_equal(run_prog(p, len, C, M, 1, 11), 1);
        assert_int_equal(run_prog(p, len, B, R, 254, 0), 0);
        assert_int_equal(run_prog(p, len, B, R | W, 7, 0), 0);
        assert_int_equal(run_prog(p, len, C, R, 1, 11), 0);
        assert_int_equal(run_prog(p, len, C, R, 10, 229), 0);
        assert_int_equal(run_prog(p, len, C, R | M, 1, 1), 0);
        /* same numbers, other type: a block 1:3 is not /dev/null */
        assert_int_equal(run_prog(p, len, B, R, 1, 3), 0);
}

static void test_device_and_privileged(void **state)
{
        struct rt_device dev = {.host_path = (char *)"/dev/null"};
        struct rt_device notdev = {.host_path = (char *)"/etc/passwd"};
        struct rt_device devs[2] = {dev, notdev};
        struct rt_config cfg;
        cleanup_free struct dev_rule *rules = NULL, *all = NULL;
        cleanup_free struct bpf_insn *p = NULL, *q = NULL;
        size_t n = 0, len = 0, qlen = 0;

        (void)state;
        rt_config_init(&cfg);
        cfg.devices = devs;
        cfg.n_devices = 2;
        assert_int_equal(dev_rules_for(&cfg, &rules, &n, NULL), 0);
        assert_int_equal(n, 13); /* /etc/passwd is skipped: rootfs setup reports it */
        {
                cleanup_free char *l = dev_rule_v1(&rules[12]);

                assert_string_equal(l, "c 1:3 rwm");
        }
        p = dev_bpf_program(rules, n, &len);
        assert_int_equal(run_prog(p, len, C, R | W, 1, 3), 1);
        cfg.devices = NULL;
        cfg.n_devices = 0;
        cfg.privileged = true;
        assert_int_equal(dev_rules_for(&cfg, &all, &n, NULL), 0);
        assert_int_equal(n, 1);
        {
                cleanup_free char *l = dev_rule_v1(&all[0]);

                assert_string_equal(l, "a *:* rwm");
        }
        q = dev_bpf_program(all, n, &qlen);
        assert_int_equal(run_prog(q, qlen, B, R | W, 254, 0), 1);
        assert_int_equal(run_prog(q, qlen, C, R | W | M, 1, 11), 1);
        /* no rule at all: deny everything */
        free(p);
        p = dev_bpf_program(NULL, 0, &len);
        assert_int_equal(run_prog(p, len, C, R, 1, 3), 0);
}

/* The unified hierarchy: /sys/fs/cgroup itself, or /sys/fs/cgroup/unified on a hybrid host. */
static const char *unified_mount(void)
{
        static const char *const c[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        struct statfs st;

        for (size_t i = 0; i < ARRAY_SIZE(c); i++)
                if (statfs(c[i], &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
                        return c[i];
        return NULL;
}

static int try_open(const char *path, mode_t type, dev_t dev)
{
        int fd;

        (void)unlink(path);
        if (mknod(path, type | 0600, dev) < 0)
                return -errno;
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        (void)unlink(path);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

static void test_kernel(void **state)
{
        const char *mnt = unified_mount();
        struct rt_config cfg;
        cleanup_free struct dev_rule *rules = NULL;
        cleanup_free char *dir = NULL, *loc = NULL, *node = NULL;
        cleanup_berr struct berr *err = NULL;
        size_t n = 0;
        int st;
        pid_t pid;

        (void)state;
        if (geteuid() != 0 || !mnt) {
                print_message("# no kernel check: needs root and a cgroup2 mount\n");
                return;
        }
        dir = xasprintf("%s/berth-unit-devices-%d", mnt, (int)getpid());
        node = xasprintf("/tmp/berth-unit-devices-%d", (int)getpid());
        assert_int_equal(mkdir(dir, 0755), 0);
        loc = xasprintf("v2\n%s", dir);
        rt_config_init(&cfg);
        assert_int_equal(dev_rules_for(&cfg, &rules, &n, NULL), 0);
        assert_int_equal(cgroup_v2_ops.devices(loc, rules, n, &err), 0);
        pid = fork();
        if (pid == 0) {
                cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir);
                char me[16];
                int fd = open(procs, O_WRONLY), code = 0;

                snprintf(me, sizeof(me), "%d", (int)getpid());
                if (fd < 0 || write(fd, me, strlen(me)) < 0)
                        _exit(100);
                close(fd);
                /* /dev/null opens; /dev/loop0 (or any block device: 7:0) is created but refused */
                if (try_open(node, S_IFCHR, makedev(1, 3)) != 0)
                        code |= 1;
                if (try_open(node, S_IFBLK, makedev(7, 0)) != -EPERM)
                        code |= 2;
                if (try_open(node, S_IFCHR, makedev(1, 11)) != -EPERM)
                        code |= 4;
                _exit(code);
        }
        assert_true(pid > 0);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_int_equal(rmdir(dir), 0);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_rules),
                cmocka_unit_test(test_device_and_privileged),
                cmocka_unit_test(test_kernel),
        };

        return cmocka_run_group_tests_name("runtime/devices", tests, NULL, NULL);
}
