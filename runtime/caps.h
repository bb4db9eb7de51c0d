/* SPDX-License-Identifier: MIT */
/* runtime/caps: capability sets as 64-bit masks of CAP_* numbers. docker's 14 defaults,
 * cap_add/cap_drop with "ALL" (moby's rules), privileged = every capability the kernel knows;
 * applying a set in the container: bounding set first (while still root), then, after the user
 * switch, permitted/effective (root only; a non-root user keeps none, as in docker). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct berr;

#define CAPS_DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)

/* "NET_ADMIN", "CAP_NET_ADMIN", "net_admin" -> CAP_NET_ADMIN; -1 when unknown. */
int caps_from_name(const char *name);
/* Highest capability number this kernel knows (from libcap). */
int caps_last(void);
int caps_compute(bool privileged, char *const *add, char *const *drop, uint64_t *ret,
                 struct berr **err);
/* In the container, as root, before the user switch: drop everything outside caps from the
 * bounding set and clear the ambient set. */
int caps_apply_bounding(uint64_t caps, struct berr **err);
/* After the user switch: permitted = effective = caps for uid 0, nothing otherwise. */
int caps_apply(uint64_t caps, bool is_root, struct berr **err);
