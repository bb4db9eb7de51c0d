/* SPDX-License-Identifier: MIT */
/* runtime/cgroup: one cgroup per container, `berth/<project>/<id>` nested under the calling
 * process's own cgroup in every hierarchy (this is what lets berth run inside a delegated or
 * managed cgroup), behind one ops table with a v1 and a v2 driver detected at run time. A cgroup
 * is named by an opaque locator string ("v1\n<dir>\n<dir>..." or "v2\n<dir>") that callers persist
 * and pass back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

struct berr;
struct dev_rule;
struct rt_resources;

/* Where the hierarchies are mounted and which cgroup the caller is in. Tests point both at a fake
 * tree; production uses cgroup_env_host(). */
struct cgroup_env {
        const char *mount; /* /sys/fs/cgroup */
        const char *self;  /* contents of /proc/self/cgroup */
};

struct cgroup_ops {
        const char *name;
        int (*create)(const struct cgroup_env *env, const char *project, const char *id,
                      const struct rt_resources *res, char **ret_locator, struct berr **err);
        int (*attach)(const char *locator, pid_t pid, struct berr **err);
        /* Signal every process; SIGKILL also waits (bounded) until the cgroup is empty. */
        int (*kill)(const char *locator, int sig, struct berr **err);
        int (*destroy)(const char *locator, struct berr **err);
        int (*oom_kills)(const char *locator, uint64_t *ret, struct berr **err);
        /* Allow only these device accesses (runtime/devices.h): devices.deny/allow on v1, a
         * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup on v2. */
        int (*devices)(const char *locator, const struct dev_rule *rules, size_t n,
                       struct berr **err);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* The driver for the host (statfs of /sys/fs/cgroup). */
const struct cgroup_ops *cgroup_detect(void);
/* The driver that made a locator; NULL when it is malformed. */
const struct cgroup_ops *cgroup_ops_for(const char *locator);
/* Read /proc/self/cgroup into env->self (freed with cgroup_env_done). */
int cgroup_env_host(struct cgroup_env *env, struct berr **err);
void cgroup_env_done(struct cgroup_env *env);

/* Whether the v1 driver makes the container a cgroup of its own in this controller's hierarchy
 * (only those hierarchies are shown in the container: the others would expose the host's tree). */
bool cgroup_v1_managed(const char *controller);

/* The berth/<project> directories of a project: the caller's in every hierarchy berth uses
 * (v2: the unified one; v1: those cgroup_v1_managed() names), plus the parent of every leaf of
 * the given locators (a container made from another cgroup, e.g. another login session).
 * Deduplicated; caller frees with strv_free. */
char **cgroup_project_dirs(const struct cgroup_env *env, bool v2, const char *project,
                           char *const *locators);
/* Remove each directory with everything below it, deepest first: the processes of each level are
 * SIGKILLed until it is empty, then it is rmdir'ed; an emptied berth/ parent goes too. A missing
 * directory is fine. This is `down`'s last word on a project's cgroups: whatever a killed or
 * racing start left there goes, containers of the project included. */
int cgroup_sweep(char *const *project_dirs, struct berr **err);

/* Validate a project or container name for use as a cgroup path component. */
int cgroup_check_name(const char *what, const char *name, struct berr **err);
