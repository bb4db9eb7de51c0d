/* SPDX-License-Identifier: MIT */
/* orchestrator/super_plan: what a project's supervisor is given to run its containers, built
 * from the CLI's plans (struct sup_config with the container backend and, when the project has
 * networks, the DNS server in its loop), and the same as one JSON text for the berth-supervisor
 * binary, which the CLI execs so that the supervisor is a small fresh process (no compose
 * model, no image or registry state, no libcurl/libcrypto/libarchive/libyaml/libnftables) and
 * not a fork of the CLI. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct berr;
struct plan_service;
struct sup_config;

/* Fill cfg (zeroed by the caller) for project `project`: every non-NULL svcs[i] moves into it
 * (svcs[i] set to NULL). root and run are borrowed. dns: start the project's DNS server. */
void super_plan_config(struct sup_config *cfg, const char *project, const char *root,
                       const char *run, bool dns, struct plan_service **svcs, size_t n);

/* The same as JSON text (the plans are only read). Caller frees. */
char *super_plan_encode(const char *project, const char *root, const char *run, bool dns,
                        int log_level, struct plan_service *const *svcs, size_t n);
/* Decode text into cfg (zeroed by the caller); cfg->root and cfg->run point into *strings,
 * which the caller frees (strv) after sup_config_done. *log_level: the CLI's. A plan made by
 * another build of berth is refused (EPROTO): the format is private to one build. */
int super_plan_decode(const char *text, struct sup_config *cfg, char ***strings, int *log_level,
                      struct berr **err);

/* The berth-supervisor binary next to the running executable, NULL when there is none (the
 * supervisor then runs as a fork of the CLI, as before; so it does when that binary answers
 * EPROTO: another build). Caller frees. */
char *super_plan_exe(void);
