/* SPDX-License-Identifier: MIT */
/* orchestrator/pull_progress: prints image pull progress as docker does. On a terminal one line
 * per layer, redrawn in place with a bar ("Downloading [====>   ] 1.2MB/20MB"); otherwise one
 * plain line per state change. Used by `berth image pull` and `berth pull`. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct image_progress;

struct pull_progress;

/* tty: draw bars with ANSI cursor movement; quiet: print nothing. */
struct pull_progress *pull_progress_new(FILE *out, bool tty, bool quiet);
/* An image_progress_fn; userdata is the struct pull_progress. */
void pull_progress_cb(const struct image_progress *p, void *userdata);
/* Final redraw. */
void pull_progress_finish(struct pull_progress *pp);
void pull_progress_free(struct pull_progress *pp);
