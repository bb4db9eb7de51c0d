/* SPDX-License-Identifier: MIT */
/* runtime/freeze: pause and resume every process of a container (`berth pause/unpause`) with the
 * cgroup freezer. v2: the container cgroup's cgroup.freeze. v1: berth's containers have no
 * freezer cgroup of their own (runtime/cgroup_v1 does not create one), so freezing makes
 * freezer/<self>/berth/<project>/<id>, moves the container's processes there and sets FROZEN;
 * thawing sets THAWED, moves them back and removes that directory, so nothing is left behind.
 * A frozen container's processes cannot die until thawed (v1): thaw before killing. */
#pragma once

#include <stdbool.h>

struct berr;

/* Freeze (true) or thaw (false) the container whose cgroup locator rt_spawn returned; returns
 * once the kernel reports the new state. Idempotent. */
int rt_freeze(const char *cgroup, bool freeze, struct berr **err);
/* Whether the container is frozen now (false when it cannot tell). */
bool rt_frozen(const char *cgroup);
