/* SPDX-License-Identifier: MIT */
/* runtime/cgroup_v1: the legacy driver. One directory per controller hierarchy, each nested under
 * the caller's own cgroup in that hierarchy (on this host kind the memory controller puts every
 * shell in /process_api/<id>). cpuset levels inherit cpus/mems explicitly (the kernel leaves
 * them empty, and attaching to an empty cpuset fails with ENOSPC). No cgroup.kill on v1: kill
 * walks cgroup.procs until it is empty. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_internal.h"
#include "runtime/container_err.h"
#include "runtime/devices.h"
#include "runtime/runtime.h"

/* pids first: kill and attach-order use it; memory before swap is set. */
static const char *const v1_controllers[] = {"pids",   "memory", "cpu",    "cpuacct",
                                             "cpuset", "blkio",  "devices"};

bool cgroup_v1_managed(const char *controller)
{
        for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++)
                if (strcmp(controller, v1_controllers[i]) == 0)
                        return true;
        return false;
}

static int copy_cpuset(const char *leaf, struct berr **err)
{
        /* Fill every empty cpuset level from its parent, top-down from berth/. */
        cleanup_free char *p = xstrdup(leaf);
        char *levels[3];
        int n = 0;

        for (; n < 3; n++) {
                char *slash = strrchr(p, '/');

                if (!slash)
                        break;
                levels[n] = xstrdup(p);
                *slash = '\0';
        }
        for (int i = n - 1; i >= 0; i--) {
                cleanup_free char *parent = xstrdup(levels[i]);

                *strrchr(parent, '/') = '\0';
                for (int k = 0; k < 2; k++) {
                        const char *f = k ? "cpuset.mems" : "cpuset.cpus";
                        cleanup_free char *cur = NULL, *up = NULL;

                        if (cg_read(levels[i], f, &cur, err) < 0 ||
                            cg_read(parent, f, &up, err) < 0)
                                goto fail;
                        if (cur[0] == '\n' || cur[0] == '\0')
                                if (cg_write(levels[i], f, up, err) < 0)
                                        goto fail;
                }
        }
        for (int i = 0; i < n; i++)
                free(levels[i]);
        return 0;
fail:
        for (int i = 0; i < n; i++)
                free(levels[i]);
        return berr_code(err);
}

static bool has_file(const char *dir, const char *file)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, file);

        return access(p, F_OK) == 0;
}

static int v1_limits(const char *ctrl, const char *dir, const struct rt_resources *r,
                     struct berr **err)
{
        if (strcmp(ctrl, "memory") == 0) {
                if (r->memory > 0 &&
                    cg_writef(dir, "memory.limit_in_bytes", err, "%" PRId64, r->memory) < 0)
                        return berr_code(err);
                if (r->memory_reservation > 0 && cg_writef(dir, "memory.soft_limit_in_bytes", err,
                                                           "%" PRId64, r->memory_reservation) < 0)
                        return berr_code(err);
                if (r->memory_swap != 0 && has_file(dir, "memory.memsw.limit_in_bytes") &&
                    cg_writef(dir, "memory.memsw.limit_in_bytes", err, "%" PRId64, r->memory_swap) <
                            0)
                        return berr_code(err);
        } else if (strcmp(ctrl, "pids") == 0) {
                if (r->pids_limit > 0 &&
                    cg_writef(dir, "pids.max", err, "%" PRId64, r->pids_limit) < 0)
                        return berr_code(err);
        } else if (strcmp(ctrl, "cpu") == 0) {
                if (r->cpu_period &&
                    cg_writef(dir, "cpu.cfs_period_us", err, "%" PRIu64, r->cpu_period) < 0)
                        return berr_code(err);
                if (r->cpu_quota != 0 &&
                    cg_writef(dir, "cpu.cfs_quota_us", err, "%" PRId64, r->cpu_quota) < 0)
                        return berr_code(err);
                if (r->cpu_shares &&
                    cg_writef(dir, "cpu.shares", err, "%" PRIu64, r->cpu_shares) < 0)
                        return berr_code(err);
        } else if (strcmp(ctrl, "cpuset") == 0) {
                if (r->cpuset_cpus && cg_write(dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
                        return berr_code(err);
                if (r->cpuset_mems && cg_write(dir, "cpuset.mems", r->cpuset_mems, err) < 0)
                        return berr_code(err);
        } else if (strcmp(ctrl, "blkio") == 0 && r->blkio_weight) {
                const char *f = has_file(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";

                if (!has_file(dir, f))
                        return berr_msg(err, ENOTSUP,
                                        "blkio weight: this kernel's io scheduler has no weight");
                if (cg_writef(dir, f, err, "%u", (unsigned)r->blkio_weight) < 0)
                        return berr_code(err);
        }
        return 0;
}

static int v1_create(const struct cgroup_env *env, const char *project, const char *id,
                     const struct rt_resources *res, char **ret_locator, struct berr **err)
{
        struct strbuf loc = STRBUF_INIT;
        cleanup_strv char **made = NULL;

        strbuf_puts(&loc, "v1");
        for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++) {
                const char *ctrl = v1_controllers[i];
                cleanup_free char *self = cg_self_path(env->self, ctrl);
                cleanup_free char *mnt = xasprintf("%s/%s", env->mount, ctrl);
                cleanup_free char *real = NULL, *base = NULL, *leaf = NULL;

                real = realpath(mnt, NULL);
                if (!self || !real)
                        continue; /* controller not mounted here */
                base = xasprintf("%s%s", real, strcmp(self, "/") == 0 ? "" : self);
                if (cg_mkdirs(base, project, id, &leaf, err) < 0)
                        goto fail;
                if (strv_contains(made, leaf))
                        continue; /* co-mounted (cpu,cpuacct) */
                made = strv_push(made, leaf);
                if (strcmp(ctrl, "cpuset") == 0 && copy_cpuset(leaf, err) < 0)
                        goto fail;
                if (v1_limits(ctrl, leaf, res, err) < 0)
                        goto fail;
                strbuf_printf(&loc, "\n%s", leaf);
        }
        if (!made) {
                berr_msg(err, ENOENT, "cgroup: no v1 controller is mounted under %s", env->mount);
                goto fail;
        }
        *ret_locator = strbuf_take(&loc);
        return 0;
fail:
        strv_foreach (d, made)
                (void)cg_rmdir_leaf(d, NULL);
        strbuf_done(&loc);
        return berr_wrap(err, "cgroup %s/%s", project, id);
}

static int v1_attach(const char *locator, pid_t pid, struct berr **err)
{
        cleanup_strv char **dirs = cg_locator_dirs(locator, "v1");

        strv_foreach (d, dirs) {
                if (cg_writef(d, "cgroup.procs", err, "%d", (int)pid) < 0)
                        return berr_code(err);
        }
        return 0;
}

static int v1_kill(const char *locator, int sig, struct berr **err)
{
        cleanup_strv char **dirs = cg_locator_dirs(locator, "v1");

        if (!dirs || !dirs[0])
                return berr_msg(err, EINVAL, "cgroup: bad locator");
        return cg_kill_procs(dirs[0], sig, err);
}

static int v1_destroy(const char *locator, struct berr **err)
{
        cleanup_strv char **dirs = cg_locator_dirs(locator, "v1");
        int r;

        if (!dirs)
                return berr_msg(err, EINVAL, "cgroup: bad locator");
        r = v1_kill(locator, SIGKILL, err);
        if (r < 0)
                return r;
        strv_foreach (d, dirs) {
                if (cg_rmdir_leaf(d, err) < 0)
                        return berr_code(err);
        }
        return 0;
}

static int v1_oom_kills(const char *locator, uint64_t *ret, struct berr **err)
{
        cleanup_strv char **dirs = cg_locator_dirs(locator, "v1");

        *ret = 0;
        strv_foreach (d, dirs) {
                cleanup_free char *text = NULL;

                if (!has_file(d, "memory.oom_control"))
                        continue;
                if (cg_read(d, "memory.oom_control", &text, err) < 0)
                        return berr_code(err);
                *ret = cg_keyed_value(text, "oom_kill");
        }
        return 0;
}

/* The devices controller keeps an exception list: "a" on devices.deny empties it (deny all),
 * then each rule is added to devices.allow. */
static int v1_devices(const char *locator, const struct dev_rule *rules, size_t n,
                      struct berr **err)
{
        cleanup_strv char **dirs = cg_locator_dirs(locator, "v1");

        strv_foreach (d, dirs) {
                if (!has_file(d, "devices.deny"))
                        continue;
                if (cg_write(d, "devices.deny", "a", err) < 0)
                        return berr_code(err);
                for (size_t i = 0; i < n; i++) {
                        cleanup_free char *line = dev_rule_v1(&rules[i]);

                        if (cg_write(d, "devices.allow", line, err) < 0)
                                return berr_code(err);
                }
                return 0;
        }
        return berr_msg(err, ENOENT, "cgroup: the devices controller is not mounted");
}

const struct cgroup_ops cgroup_v1_ops = {
        .name = "v1",
        .create = v1_create,
        .attach = v1_attach,
        .kill = v1_kill,
        .destroy = v1_destroy,
        .oom_kills = v1_oom_kills,
        .devices = v1_devices,
};
