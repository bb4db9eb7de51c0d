/* SPDX-License-Identifier: MIT */
/* orchestrator/oneoff: the project's one-off containers (`berth run`), which no supervisor
 * knows. Each is recorded while it exists as $BERTH_ROOT/oneoff/<project>/<name> with
 * the pid (and /proc start time) of the berth process that spawned it and waits on it, so
 * `down` can stop that process first (it would clean up after the project is gone) and then
 * remove the container: its processes, cgroup, directories and address. */
#pragma once

#include <sys/types.h>

struct berr;

int oneoff_record(const char *root, const char *project, const char *name, pid_t waiter,
                  struct berr **err);
void oneoff_forget(const char *root, const char *project, const char *name);
/* Stop every recorded one-off container's waiter, remove the container, forget it. Returns how
 * many were removed, or a negative errno with err set. */
int oneoff_remove_all(const char *root, const char *project, struct berr **err);
