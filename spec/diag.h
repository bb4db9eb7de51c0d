/* SPDX-License-Identifier: MIT */
/* spec/diag: the diagnostics of one load: every error and warning found in the compose files,
 * each with its file:line:col and key path (`services.web.ports[1]`). Loading goes on after an
 * error so that all of them are reported, sorted by position, one per line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum spec_severity {
        SPEC_ERROR,
        SPEC_WARNING,
};

struct spec_diag {
        enum spec_severity severity;
        char *file; /* NULL when the problem has no file (a flag, the environment) */
        int line;   /* 1-based; 0 when unknown */
        int col;
        char *path; /* key path, NULL when none */
        char *msg;
};

struct spec_diags {
        struct spec_diag *v;
        size_t n;
        size_t cap;
        size_t max; /* stop recording past this many (0: 1000) */
};

void spec_diag_add(struct spec_diags *d, enum spec_severity sev, const char *file, int line,
                   int col, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));
size_t spec_diags_count(const struct spec_diags *d, enum spec_severity sev);
/* Whether a diagnostic with the same severity and text is already recorded. */
bool spec_diags_has(const struct spec_diags *d, enum spec_severity sev, const char *msg);
/* Sort by file, line, column (stable for equal positions) and drop exact duplicates. */
void spec_diags_sort(struct spec_diags *d);
/* One line: "file:line:col: path: msg" (errors) or "warning: file:line:col: path: msg". */
char *spec_diag_format(const struct spec_diag *e);
/* Print every diagnostic of the given severity, one per line. */
void spec_diags_print(const struct spec_diags *d, enum spec_severity sev, FILE *f);
void spec_diags_done(struct spec_diags *d);
