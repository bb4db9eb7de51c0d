/* SPDX-License-Identifier: MIT */
/* orchestrator/project: loading the compose project for a command from the global flags (-f, -p,
 * --project-directory, --env-file, --profile) and the environment, printing its diagnostics
 * (warnings, then every error, sorted) the way every command does, and choosing services by the
 * names given on the command line. */
#pragma once

#include <stdbool.h>

struct cli;
struct spec_project;
struct spec_service;

/* Load the project. Returns 0, or the exit status (1) after printing why. */
int project_load(const struct cli *cli, struct spec_project **ret);

/* Whether service svc is selected by names (NULL or empty: every service). Unknown names are
 * reported by project_check_names. */
bool project_selected(const struct spec_service *svc, char *const *names);
/* Print "berth: no such service: X" for names the project lacks; returns 0 or 1. */
int project_check_names(const struct spec_project *p, char *const *names);
