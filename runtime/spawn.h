/* SPDX-License-Identifier: MIT */
/* runtime/spawn: rt_spawn (runtime.h). The parent side of the handshake (cgroup, uid/gid maps,
 * the pre_start callback at the SYNC_CHILD_READY barrier, waiting for the exec) and the child's
 * path from clone to proc_exec. Also the checks that need no kernel (validate_config). */
#pragma once

#include <stdint.h>

struct berr;
struct rt_config;

/* Everything about cfg that can be refused before clone; sets *caps. */
int spawn_validate(const struct rt_config *cfg, uint64_t *caps, struct berr **err);
