/* SPDX-License-Identifier: MIT */
/* common/graph: a directed graph over node indices 0..n-1 where an edge a -> b means "a depends
 * on b". Gives start waves (every node after all it depends on), and the first cycle in node
 * order when there is one. Pure; used by spec validation and the orchestrator's plan. */
#pragma once

#include <stddef.h>

struct graph;

struct graph *graph_new(size_t n);
void graph_free(struct graph *g);
void graph_add_edge(struct graph *g, size_t from, size_t to);
/* Fill ret_wave[i] with the start wave of node i (0 = depends on nothing) and return the number
 * of waves, or -ELOOP when there is a cycle. */
int graph_waves(const struct graph *g, int *ret_wave);
/* When there is a cycle, store its nodes in order (a -> b -> ... -> a, the first node repeated
 * at the end) in ret_path (room for n + 1) and return its length; 0 when acyclic. */
size_t graph_find_cycle(const struct graph *g, size_t *ret_path);
