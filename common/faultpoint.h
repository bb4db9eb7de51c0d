/* SPDX-License-Identifier: MIT */
/* common/faultpoint: a test-only hook for the fault-injection tests (docs/reliability.md).
 * fault_point("up.net") SIGKILLs the calling process when the environment variable
 * BERTH_FAULT_KILL_AT names that point: "up.net" (its first hit) or "ctr.start:2" (its second
 * hit in this process). The variable is read once, at program start (a forked supervisor inherits
 * what was read); when it is unset a point costs one load and one branch. Points the supervisor
 * hits are named "super.*". Not a user interface: nothing but the tests sets the variable. */
#pragma once

void fault_point(const char *name);
