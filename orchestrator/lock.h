/* SPDX-License-Identifier: MIT */
/* orchestrator/lock: the per-project lock, an flock(2) on `$BERTH_RUN/<project>/lock`. The
 * supervisor holds it for its whole life (close-on-exec, so no container inherits it), which
 * keeps a second supervisor, and any CLI that would act on the project without one, out. The
 * kernel drops it when the holder dies, so a SIGKILLed supervisor leaves no stale lock. */
#pragma once

#include <stdbool.h>

#include <sys/types.h>

struct berr;

/* $run/<project> (caller frees). */
char *lock_run_dir(const char *run, const char *project);
/* Take the lock without waiting; -EBUSY (err names the holder's pid when known) if held.
 * The pid of the caller is written into the file for that message. Returns the fd. */
int lock_take(const char *run, const char *project, struct berr **err);
/* Whether someone holds the lock now (the answer can change at once: a hint for messages). */
bool lock_is_held(const char *run, const char *project, pid_t *ret_holder);
