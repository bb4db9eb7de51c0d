/* SPDX-License-Identifier: MIT */
/* orchestrator/images: make the images of a project's services present in the store, honouring
 * each service's pull_policy (missing, always, never; build is an error for now) or a policy
 * given on the command line, with progress shown like docker compose's. */
#pragma once

#include <stdbool.h>

struct berr;
struct progress;
struct spec_project;

/* policy: NULL = each service's own (default "missing"). services: NULL = all. */
int images_ensure(const char *root, const struct spec_project *p, char *const *services,
                  const char *policy, bool ignore_failures, struct progress *pr, struct berr **err);
