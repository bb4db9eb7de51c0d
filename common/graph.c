/* SPDX-License-Identifier: MIT */
#include "common/graph.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/xalloc.h"

struct graph {
        size_t n;
        size_t **adj; /* adj[i]: the nodes i depends on */
        size_t *deg;
        size_t *cap;
};

struct graph *graph_new(size_t n)
{
        struct graph *g = xcalloc(1, sizeof(*g));

        g->n = n;
        g->adj = xcalloc(n ? n : 1, sizeof(*g->adj));
        g->deg = xcalloc(n ? n : 1, sizeof(*g->deg));
        g->cap = xcalloc(n ? n : 1, sizeof(*g->cap));
        return g;
}

void graph_free(struct graph *g)
{
        if (!g)
                return;
        for (size_t i = 0; i < g->n; i++)
                free(g->adj[i]);
        free(g->adj);
        free(g->deg);
        free(g->cap);
        free(g);
}

void graph_add_edge(struct graph *g, size_t from, size_t to)
{
        if (from >= g->n || to >= g->n)
                return;
        for (size_t i = 0; i < g->deg[from]; i++)
                if (g->adj[from][i] == to)
                        return;
        g->adj[from] = xgrow(g->adj[from], &g->cap[from], g->deg[from] + 1, sizeof(size_t));
        g->adj[from][g->deg[from]++] = to;
}

/* Longest-path depth by memoised DFS; state: 0 new, 1 on stack, 2 done. */
static int depth(const struct graph *g, size_t v, unsigned char *state, int *wave)
{
        int best = 0;

        if (state[v] == 2)
                return wave[v];
        if (state[v] == 1)
                return -ELOOP;
        state[v] = 1;
        for (size_t i = 0; i < g->deg[v]; i++) {
                int d = depth(g, g->adj[v][i], state, wave);

                if (d < 0)
                        return d;
                if (d + 1 > best)
                        best = d + 1;
        }
        state[v] = 2;
        wave[v] = best;
        return best;
}

int graph_waves(const struct graph *g, int *ret_wave)
{
        unsigned char *state = xcalloc(g->n ? g->n : 1, 1);
        int max = -1;

        for (size_t v = 0; v < g->n; v++) {
                int d = depth(g, v, state, ret_wave);

                if (d < 0) {
                        free(state);
                        return d;
                }
                if (d > max)
                        max = d;
        }
        free(state);
        return max + 1;
}

static bool find_from(const struct graph *g, size_t v, unsigned char *state, size_t *stack,
                      size_t *sp, size_t *ret_path, size_t *ret_len)
{
        state[v] = 1;
        stack[(*sp)++] = v;
        for (size_t i = 0; i < g->deg[v]; i++) {
                size_t w = g->adj[v][i];

                if (state[w] == 1) {
                        size_t start = 0, n = 0;

                        while (stack[start] != w)
                                start++;
                        for (size_t k = start; k < *sp; k++)
                                ret_path[n++] = stack[k];
                        ret_path[n++] = w;
                        *ret_len = n;
                        return true;
                }
                if (state[w] == 0 && find_from(g, w, state, stack, sp, ret_path, ret_len))
                        return true;
        }
        (*sp)--;
        state[v] = 2;
        return false;
}

size_t graph_find_cycle(const struct graph *g, size_t *ret_path)
{
        unsigned char *state = xcalloc(g->n ? g->n : 1, 1);
        size_t *stack = xcalloc(g->n ? g->n : 1, sizeof(size_t));
        size_t len = 0;

        for (size_t v = 0; v < g->n && !len; v++) {
                size_t sp = 0;

                if (state[v] == 0)
                        (void)find_from(g, v, state, stack, &sp, ret_path, &len);
        }
        free(state);
        free(stack);
        return len;
}
