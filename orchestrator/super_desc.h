/* SPDX-License-Identifier: MIT */
/* orchestrator/super_desc: the small JSON description `berth super` runs: services as host
 * commands with compose's restart, deploy.restart_policy/replicas, healthcheck, stop_signal,
 * stop_grace_period and logging options (docs/cli.md, `berth super`). It fills a sup_config
 * for the process backend; the compose path fills the same struct from the project model. */
#pragma once

#include <stdint.h>

struct berr;
struct sup_config;

/* text: the JSON; origin names it in errors. Fills cfg (project only if cfg->project is NULL). */
int super_desc_parse(const char *text, const char *origin, struct sup_config *cfg,
                     struct berr **err);
/* "SIGTERM", "TERM", "15" -> 15; -EINVAL when unknown. */
int super_parse_signal(const char *s);
/* docker's sizes: "100", "10k", "1m", "1g" (optionally "kb"...) -> bytes; -EINVAL. */
int super_parse_size(const char *s, uint64_t *ret);
