/* SPDX-License-Identifier: MIT */
/* orchestrator/logs_view: `logs` for a project as compose prints it. Reads the containers from
 * the project's state (no supervisor needed), merges their records in time order, applies
 * --tail/--since/--until, writes `web-1  | line` to out_fd, and with follow keeps going
 * (inotify on the logs directory, surviving rotation and restarts) until *stop becomes true. */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "orchestrator/logs.h"

struct berr;

struct logs_view_opts {
        struct log_filter filter;
        struct log_format fmt; /* width is computed */
        bool follow;
        char **services; /* NULL = all */
};

int logs_view(const char *root, const char *project, const struct logs_view_opts *o, int out_fd,
              volatile sig_atomic_t *stop, struct berr **err);
