/* SPDX-License-Identifier: MIT */
/* orchestrator/progress: what the user sees while commands act, in docker compose's words.
 * On a terminal: "✔ Container demo-db-1  Started  0.1s" lines and per-layer pull bars redrawn in
 * place; otherwise (or with --progress plain) plain lines " Container demo-db-1  Started".
 * --progress quiet prints nothing, json one JSON object per event. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cli;
struct image_progress;

enum progress_mode {
        PROGRESS_TTY,
        PROGRESS_PLAIN,
        PROGRESS_QUIET,
        PROGRESS_JSON,
};

struct progress_layer {
        char id[13];
        char status[24];
        int64_t current, total;
};

struct progress {
        enum progress_mode mode;
        FILE *out;
        bool color;
        /* pull bars of the image being pulled */
        struct progress_layer *layers;
        size_t n_layers, drawn;
        char *image_label;
};

void progress_init(struct progress *p, const struct cli *cli, FILE *out);
void progress_done(struct progress *p);
/* One event: kind "Container", "Network", "Volume", "Image"; status "Created", "Started"...;
 * seconds < 0: no timing shown. error: the line is marked failed. */
void progress_event(struct progress *p, const char *kind, const char *name, const char *status,
                    double seconds, bool error);
/* image_progress_fn for image_pull: ud is a struct progress with image_label set. */
void progress_pull(const struct image_progress *ip, void *ud);
/* Monotonic seconds, for the timings. */
double progress_now(void);
