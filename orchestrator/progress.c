/* SPDX-License-Identifier: MIT */
#include "orchestrator/progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "runtime/image.h"

double progress_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, const struct cli *cli, FILE *out)
{
        const char *m = cli->progress ? cli->progress : "auto";

        memset(p, 0, sizeof(*p));
        p->out = out;
        if (strcmp(m, "quiet") == 0)
                p->mode = PROGRESS_QUIET;
        else if (strcmp(m, "json") == 0)
                p->mode = PROGRESS_JSON;
        else if (strcmp(m, "plain") == 0)
                p->mode = PROGRESS_PLAIN;
        else if (strcmp(m, "tty") == 0)
                p->mode = PROGRESS_TTY;
        else
                p->mode = isatty(fileno(out)) ? PROGRESS_TTY : PROGRESS_PLAIN;
        p->color = p->mode == PROGRESS_TTY && cli_use_ansi(cli, fileno(out));
}

void progress_done(struct progress *p)
{
        free(p->layers);
        free(p->image_label);
        p->layers = NULL;
        p->image_label = NULL;
        p->n_layers = p->drawn = 0;
}

void progress_event(struct progress *p, const char *kind, const char *name, const char *status,
                    double seconds, bool error)
{
        switch (p->mode) {
        case PROGRESS_QUIET:
                return;
        case PROGRESS_JSON:
                fprintf(p->out, "{\"kind\":\"%s\",\"id\":\"%s\",\"status\":\"%s\",\"error\":%s}\n",
                        kind, name, status, error ? "true" : "false");
                break;
        case PROGRESS_PLAIN:
                fprintf(p->out, " %s %s  %s\n", kind, name, status);
                break;
        case PROGRESS_TTY:
                if (p->color)
                        fprintf(p->out, " %s%s\033[0m %s %-28s %s", error ? "\033[31m" : "\033[32m",
                                error ? "✘" : "✔", kind, name, status);
                else
                        fprintf(p->out, " %s %s %-28s %s", error ? "✘" : "✔", kind, name, status);
                if (seconds >= 0)
                        fprintf(p->out, "  %.1fs", seconds);
                fputc('\n', p->out);
                break;
        }
        fflush(p->out);
}

static const char *event_status(int ev)
{
        switch (ev) {
        case IMAGE_PROGRESS_EXISTS:
                return "Already exists";
        case IMAGE_PROGRESS_WAITING:
                return "Waiting";
        case IMAGE_PROGRESS_DOWNLOADING:
                return "Downloading";
        case IMAGE_PROGRESS_VERIFIED:
                return "Verifying Checksum";
        case IMAGE_PROGRESS_EXTRACTING:
                return "Extracting";
        case IMAGE_PROGRESS_DONE:
                return "Pull complete";
        default:
                return "";
        }
}

static struct progress_layer *layer_for(struct progress *p, const char *digest)
{
        const char *hex = strchr(digest, ':') ? strchr(digest, ':') + 1 : digest;
        struct progress_layer *l;

        for (size_t i = 0; i < p->n_layers; i++)
                if (strncmp(p->layers[i].id, hex, 12) == 0)
                        return &p->layers[i];
        p->layers = xrealloc(p->layers, (p->n_layers + 1) * sizeof(*p->layers));
        l = &p->layers[p->n_layers++];
        memset(l, 0, sizeof(*l));
        snprintf(l->id, sizeof(l->id), "%.12s", hex);
        return l;
}

static void human(char *buf, size_t n, int64_t v)
{
        if (v >= 1000000)
                snprintf(buf, n, "%.1fMB", (double)v / 1e6);
        else
                snprintf(buf, n, "%.1fkB", (double)v / 1e3);
}

static void redraw(struct progress *p)
{
        if (p->drawn)
                fprintf(p->out, "\033[%zuA", p->drawn);
        for (size_t i = 0; i < p->n_layers; i++) {
                const struct progress_layer *l = &p->layers[i];
                char cur[32], tot[32], bar[52];

                fprintf(p->out, "\033[2K   %s %s", l->id, l->status);
                if (strcmp(l->status, "Downloading") == 0 && l->total > 0) {
                        int w = (int)(50 * l->current / l->total);

                        memset(bar, '=', sizeof(bar));
                        bar[w > 0 ? w - 1 : 0] = '>';
                        memset(bar + w, ' ', (size_t)(50 - w));
                        bar[50] = '\0';
                        human(cur, sizeof(cur), l->current);
                        human(tot, sizeof(tot), l->total);
                        fprintf(p->out, " [%s] %s/%s", bar, cur, tot);
                }
                fputc('\n', p->out);
        }
        p->drawn = p->n_layers;
        fflush(p->out);
}

void progress_pull(const struct image_progress *ip, void *ud)
{
        struct progress *p = ud;
        struct progress_layer *l;

        if (p->mode == PROGRESS_QUIET || p->mode == PROGRESS_JSON ||
            ip->event == IMAGE_PROGRESS_RESOLVED || !ip->digest)
                return;
        l = layer_for(p, ip->digest);
        snprintf(l->status, sizeof(l->status), "%s", event_status(ip->event));
        l->current = ip->current;
        l->total = ip->total;
        if (p->mode == PROGRESS_TTY) {
                redraw(p);
        } else if (ip->event == IMAGE_PROGRESS_EXISTS || ip->event == IMAGE_PROGRESS_DONE) {
                fprintf(p->out, " %s %s\n", l->id, l->status);
                fflush(p->out);
        }
}
