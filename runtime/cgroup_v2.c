/* SPDX-License-Identifier: MIT */
/* runtime/cgroup_v2: the unified driver. One directory under the caller's cgroup; controllers are
 * enabled level by level through cgroup.subtree_control (only those the parent offers); limits use
 * the v2 files (memory.max/low/swap.max, cpu.max, cpu.weight, io.weight, pids.max); kill is one
 * write to cgroup.kill (5.14), with a cgroup.procs walk when the file is missing. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <sys/syscall.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_internal.h"
#include "runtime/container_err.h"
#include "runtime/devices.h"
#include "runtime/runtime.h"

/* Enable in dir's subtree whatever dir itself offers among the controllers berth uses. A failure
 * at the caller's own level is tolerated (it may hold processes: the no-internal-process rule);
 * the limit writes below then say what is missing. */
static void enable_controllers(const char *dir)
{
        static const char *const want[] = {"cpu", "cpuset", "io", "memory", "pids"};
        cleanup_free char *avail = NULL;
        cleanup_strv char **names = NULL;

        if (cg_read(dir, "cgroup.controllers", &avail, NULL) < 0)
                return;
        names = strv_split(avail, " \n");
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                if (strv_contains(names, want[i]))
                        (void)cg_writef(dir, "cgroup.subtree_control", NULL, "+%s", want[i]);
}

/* docker's conversions: shares 2..262144 -> weight 1..10000; blkio 10..1000 -> io 1..10000. */
static uint64_t shares_to_weight(uint64_t s)
{
        if (s < 2)
                s = 2;
        if (s > 262144)
                s = 262144;
        return 1 + ((s - 2) * 9999) / 262142;
}

static uint64_t blkio_to_io_weight(uint64_t w)
{
        if (w < 10)
                w = 10;
        if (w > 1000)
                w = 1000;
        return 1 + ((w - 10) * 9999) / 990;
}

static int v2_limits(const char *dir, const struct rt_resources *r, struct berr **err)
{
        if (r->memory > 0 && cg_writef(dir, "memory.max", err, "%" PRId64, r->memory) < 0)
                return berr_code(err);
        if (r->memory_reservation > 0 &&
            cg_writef(dir, "memory.low", err, "%" PRId64, r->memory_reservation) < 0)
                return berr_code(err);
        if (r->memory_swap < 0 && cg_write(dir, "memory.swap.max", "max", err) < 0)
                return berr_code(err);
        if (r->memory_swap > 0 && r->memory > 0 &&
            cg_writef(dir, "memory.swap.max", err, "%" PRId64,
                      r->memory_swap > r->memory ? r->memory_swap - r->memory : 0) < 0)
                return berr_code(err);
        if (r->cpu_quota != 0 || r->cpu_period) {
                uint64_t period = r->cpu_period ? r->cpu_period : 100000;

                if (r->cpu_quota > 0) {
                        if (cg_writef(dir, "cpu.max", err, "%" PRId64 " %" PRIu64, r->cpu_quota,
                                      period) < 0)
                                return berr_code(err);
                } else if (cg_writef(dir, "cpu.max", err, "max %" PRIu64, period) < 0) {
                        return berr_code(err);
                }
        }
        if (r->cpu_shares &&
            cg_writef(dir, "cpu.weight", err, "%" PRIu64, shares_to_weight(r->cpu_shares)) < 0)
                return berr_code(err);
        if (r->cpuset_cpus && cg_write(dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
                return berr_code(err);
        if (r->cpuset_mems && cg_write(dir, "cpuset.mems", r->cpuset_mems, err) < 0)
                return berr_code(err);
        if (r->pids_limit > 0 && cg_writef(dir, "pids.max", err, "%" PRId64, r->pids_limit) < 0)
                return berr_code(err);
        if (r->pids_limit < 0 && cg_write(dir, "pids.max", "max", err) < 0)
                return berr_code(err);
        if (r->blkio_weight && cg_writef(dir, "io.weight", err, "default %" PRIu64,
                                         blkio_to_io_weight(r->blkio_weight)) < 0)
                return berr_code(err);
        return 0;
}

static int v2_create(const struct cgroup_env *env, const char *project, const char *id,
                     const struct rt_resources *res, char **ret_locator, struct berr **err)
{
        cleanup_free char *self = cg_self_path(env->self, "");
        cleanup_free char *base = NULL, *leaf = NULL, *mid = NULL;

        if (!self)
                return berr_msg(err, ENOENT, "cgroup: no unified (0::) line in /proc/self/cgroup");
        base = xasprintf("%s%s", env->mount, strcmp(self, "/") == 0 ? "" : self);
        if (cg_mkdirs(base, project, id, &leaf, err) < 0)
                return berr_wrap(err, "cgroup %s/%s", project, id);
        enable_controllers(base);
        mid = xasprintf("%s/berth", base);
        enable_controllers(mid);
        free(mid);
        mid = xasprintf("%s/berth/%s", base, project);
        enable_controllers(mid);
        if (v2_limits(leaf, res, err) < 0) {
                (void)cg_rmdir_leaf(leaf, NULL);
                return berr_wrap(err, "cgroup %s/%s", project, id);
        }
        *ret_locator = xasprintf("v2\n%s", leaf);
        return 0;
}

static const char *v2_dir(const char *locator)
{
        return strncmp(locator, "v2\n", 3) == 0 ? locator + 3 : NULL;
}

static int v2_attach(const char *locator, pid_t pid, struct berr **err)
{
        const char *d = v2_dir(locator);

        if (!d)
                return berr_msg(err, EINVAL, "cgroup: bad locator");
        return cg_writef(d, "cgroup.procs", err, "%d", (int)pid);
}

static int v2_kill(const char *locator, int sig, struct berr **err)
{
        const char *d = v2_dir(locator);

        if (!d)
                return berr_msg(err, EINVAL, "cgroup: bad locator");
        if (sig == SIGKILL) {
                cleanup_free char *p = xasprintf("%s/cgroup.kill", d);

                if (access(p, F_OK) == 0)
                        return cg_write(d, "cgroup.kill", "1", err);
        }
        return cg_kill_procs(d, sig, err);
}

static int v2_destroy(const char *locator, struct berr **err)
{
        const char *d = v2_dir(locator);
        cleanup_free char *p = NULL;

        if (!d)
                return berr_msg(err, EINVAL, "cgroup: bad locator");
        p = xasprintf("%s/cgroup.procs", d);
        if (access(p, F_OK) < 0)
                return 0;
        if (v2_kill(locator, SIGKILL, err) < 0)
                return berr_code(err);
        return cg_rmdir_leaf(d, err);
}

static int v2_oom_kills(const char *locator, uint64_t *ret, struct berr **err)
{
        const char *d = v2_dir(locator);
        cleanup_free char *text = NULL;

        *ret = 0;
        if (!d)
                return berr_msg(err, EINVAL, "cgroup: bad locator");
        if (cg_read(d, "memory.events", &text, err) < 0)
                return berr_code(err);
        *ret = cg_keyed_value(text, "oom_kill");
        return 0;
}

/* Load the rules as a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it to the cgroup. It stays
 * attached (and the kernel keeps it) until the cgroup is removed. BPF_F_ALLOW_MULTI: a program a
 * parent cgroup carries (systemd's) still runs too; every one of them must allow. */
static int v2_devices(const char *locator, const struct dev_rule *rules, size_t n,
                      struct berr **err)
{
        const char *d = v2_dir(locator);
        cleanup_free struct bpf_insn *prog = NULL;
        cleanup_close int cg = -1, pfd = -1;
        char log[4096] = "";
        union bpf_attr a;
        size_t len;

        if (!d)
                return berr_msg(err, EINVAL, "cgroup: bad locator");
        prog = dev_bpf_program(rules, n, &len);
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        a.insns = (uint64_t)(uintptr_t)prog;
        a.insn_cnt = (uint32_t)len;
        a.license = (uint64_t)(uintptr_t) "MIT";
        a.log_buf = (uint64_t)(uintptr_t)log;
        a.log_size = sizeof(log);
        a.log_level = 1;
        pfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
        if (pfd < 0 && errno == ENOSPC) { /* the verifier's log did not fit: load without it */
                a.log_buf = 0;
                a.log_size = 0;
                a.log_level = 0;
                pfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
        }
        if (pfd < 0)
                return berr_set(err, errno, "cgroup %s: load the device program%s%.200s", d,
                                log[0] ? ": " : "", log);
        cg = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg < 0)
                return berr_set(err, errno, "cgroup: open %s", d);
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)cg;
        a.attach_bpf_fd = (uint32_t)pfd;
        a.attach_type = BPF_CGROUP_DEVICE;
        a.attach_flags = BPF_F_ALLOW_MULTI;
        if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) < 0)
                return berr_set(err, errno, "cgroup %s: attach the device program", d);
        return 0;
}

const struct cgroup_ops cgroup_v2_ops = {
        .name = "v2",
        .create = v2_create,
        .attach = v2_attach,
        .kill = v2_kill,
        .destroy = v2_destroy,
        .oom_kills = v2_oom_kills,
        .devices = v2_devices,
};
