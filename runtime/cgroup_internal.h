/* SPDX-License-Identifier: MIT */
/* runtime/cgroup_internal: helpers shared by the v1 and v2 drivers (file writes with context,
 * the caller's own cgroup path per hierarchy, process walks, recursive rmdir of berth's levels). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sys/types.h>

struct berr;

/* Write a value to dir/file; the error names the file and value. */
int cg_write(const char *dir, const char *file, const char *value, struct berr **err);
int cg_writef(const char *dir, const char *file, struct berr **err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Read dir/file (small); caller frees. */
int cg_read(const char *dir, const char *file, char **ret, struct berr **err);
/* The caller's path in the hierarchy whose /proc/self/cgroup line has `controllers` matching
 * `name` (v1: "memory"; v2: "" for the 0:: line). Caller frees; NULL when not listed. */
char *cg_self_path(const char *self, const char *name);
/* mkdir base/berth, base/berth/project, base/berth/project/id; ret = the leaf. */
int cg_mkdirs(const char *base, const char *project, const char *id, char **ret_leaf,
              struct berr **err);
/* Send sig to every process in dir/cgroup.procs; SIGKILL is repeated until the list is empty
 * (bounded: an error after a second). A missing dir is fine. */
int cg_kill_procs(const char *dir, int sig, struct berr **err);
/* rmdir dir, retrying while it drains (EBUSY, up to a second); a missing dir is fine. */
int cg_rmdir_wait(const char *dir, struct berr **err);
/* cg_rmdir_wait of leaf, then its empty berth/<project> and berth parents. */
int cg_rmdir_leaf(const char *leaf, struct berr **err);
/* Split a locator "vN\n<dir>\n..." into its dirs (NULL-terminated, caller frees with strv_free). */
char **cg_locator_dirs(const char *locator, const char *version);
/* Parse "key value" lines (memory.events, memory.oom_control) for key; 0 when absent. */
uint64_t cg_keyed_value(const char *text, const char *key);
