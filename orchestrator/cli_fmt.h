/* SPDX-License-Identifier: MIT */
/* orchestrator/cli_fmt: the small text shapes several compose commands print, as docker compose
 * prints them: image sizes in decimal units, a reference split into REPOSITORY and TAG, the
 * STATUS of a project in `ls` ("exited(1), running(2)"), and docker's container name rule.
 * Pure (unit-tested). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "512B", "1.98MB", "80.3MB", "1.2GB": 3 significant digits, units of 1000. */
void cli_fmt_size(int64_t bytes, char *buf, size_t len);
/* "host:5000/a/b:tag" -> "host:5000/a/b" + "tag"; no tag: "latest"; a digest: "<none>". */
void cli_fmt_split_ref(const char *ref, char **ret_repo, char **ret_tag);
/* Count equal statuses, sorted by name: "exited(1), running(2)"; *ret_running when any is
 * "running". statuses is sorted in place. Caller frees; "" for none. */
char *cli_fmt_status_counts(char **statuses, bool *ret_running);
/* docker's container name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+, at most 128 characters. */
bool cli_fmt_container_name_valid(const char *s);
