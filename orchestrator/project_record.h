/* SPDX-License-Identifier: MIT */
/* orchestrator/project_record: what `berth ls` needs to know about a project that is not in its
 * state: the compose files it was brought up from, kept as
 * $BERTH_ROOT/projects/<project>/config_files (one absolute path a line), written when its
 * supervisor is spawned and removed with the project's directory by `down`. */
#pragma once

struct berr;

int project_record_files(const char *root, const char *project, char *const *files,
                         struct berr **err);
/* The recorded files (caller frees with strv_free), NULL when none were recorded. */
char **project_record_read_files(const char *root, const char *project);
