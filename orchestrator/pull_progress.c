/* SPDX-License-Identifier: MIT */
#include "orchestrator/pull_progress.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xalloc.h"
#include "runtime/image.h"

#define BAR_WIDTH 50

struct layer_line {
        char id[13];
        enum image_progress_event state;
        int64_t current, total;
};

struct pull_progress {
        FILE *out;
        bool tty, quiet;
        struct layer_line *lines;
        size_t n, cap;
        size_t drawn; /* lines on screen from the last redraw */
        struct timespec last;
};

struct pull_progress *pull_progress_new(FILE *out, bool tty, bool quiet)
{
        struct pull_progress *pp = xcalloc(1, sizeof(*pp));

        pp->out = out;
        pp->tty = tty;
        pp->quiet = quiet;
        return pp;
}

void pull_progress_free(struct pull_progress *pp)
{
        if (!pp)
                return;
        free(pp->lines);
        free(pp);
}

static const char *state_text(enum image_progress_event e)
{
        switch (e) {
        case IMAGE_PROGRESS_EXISTS:
                return "Already exists";
        case IMAGE_PROGRESS_WAITING:
                return "Pulling fs layer";
        case IMAGE_PROGRESS_DOWNLOADING:
                return "Downloading";
        case IMAGE_PROGRESS_VERIFIED:
                return "Download complete";
        case IMAGE_PROGRESS_EXTRACTING:
                return "Extracting";
        case IMAGE_PROGRESS_DONE:
                return "Pull complete";
        default:
                return "";
        }
}

static void human(char *buf, size_t n, int64_t v)
{
        if (v >= 1000 * 1000)
                snprintf(buf, n, "%.1fMB", (double)v / 1e6);
        else if (v >= 1000)
                snprintf(buf, n, "%.1fkB", (double)v / 1e3);
        else
                snprintf(buf, n, "%" PRId64 "B", v);
}

static void draw_line(struct pull_progress *pp, const struct layer_line *l)
{
        char cur[32], tot[32], bar[BAR_WIDTH + 1];
        int fill;

        if (l->state != IMAGE_PROGRESS_DOWNLOADING || l->total <= 0) {
                fprintf(pp->out, "%s: %s\033[K\n", l->id, state_text(l->state));
                return;
        }
        fill = (int)(l->current * BAR_WIDTH / l->total);
        fill = fill > BAR_WIDTH ? BAR_WIDTH : fill;
        for (int i = 0; i < BAR_WIDTH; i++)
                bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
        bar[BAR_WIDTH] = 0;
        human(cur, sizeof(cur), l->current);
        human(tot, sizeof(tot), l->total);
        fprintf(pp->out, "%s: Downloading [%s]  %s/%s\033[K\n", l->id, bar, cur, tot);
}

static void redraw(struct pull_progress *pp, bool force)
{
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!force &&
            (now.tv_sec - pp->last.tv_sec) * 1000000000L + (now.tv_nsec - pp->last.tv_nsec) <
                    100000000L)
                return;
        pp->last = now;
        if (pp->drawn)
                fprintf(pp->out, "\033[%zuA", pp->drawn);
        for (size_t i = 0; i < pp->n; i++)
                draw_line(pp, &pp->lines[i]);
        pp->drawn = pp->n;
        fflush(pp->out);
}

static struct layer_line *line_for(struct pull_progress *pp, const char *digest)
{
        const char *hex = strchr(digest, ':') ? strchr(digest, ':') + 1 : digest;

        for (size_t i = 0; i < pp->n; i++)
                if (strncmp(pp->lines[i].id, hex, 12) == 0)
                        return &pp->lines[i];
        pp->lines = xgrow(pp->lines, &pp->cap, pp->n + 1, sizeof(*pp->lines));
        memset(&pp->lines[pp->n], 0, sizeof(pp->lines[pp->n]));
        snprintf(pp->lines[pp->n].id, sizeof(pp->lines[pp->n].id), "%.12s", hex);
        return &pp->lines[pp->n++];
}

void pull_progress_cb(const struct image_progress *p, void *userdata)
{
        struct pull_progress *pp = userdata;
        struct layer_line *l;
        bool changed;

        if (pp->quiet)
                return;
        if (p->event == IMAGE_PROGRESS_RESOLVED) {
                fprintf(pp->out, "%s: Pulling (manifest %s)\n", p->ref, p->digest);
                fflush(pp->out);
                return;
        }
        l = line_for(pp, p->digest);
        changed = l->state != p->event;
        l->state = p->event;
        l->current = p->current;
        l->total = p->total;
        if (pp->tty)
                redraw(pp, changed && p->event != IMAGE_PROGRESS_DOWNLOADING);
        else if (changed) {
                fprintf(pp->out, "%s: %s\n", l->id, state_text(l->state));
                fflush(pp->out);
        }
}

void pull_progress_finish(struct pull_progress *pp)
{
        if (pp && pp->tty && !pp->quiet && pp->n)
                redraw(pp, true);
}
