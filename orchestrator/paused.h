/* SPDX-License-Identifier: MIT */
/* orchestrator/paused: containers `berth pause` froze must be thawed before they can die (on
 * cgroup v1 a frozen process does not act on SIGKILL): `down`, `stop`, `restart` and `kill`
 * (SIGKILL) thaw them first. */
#pragma once

struct state_project;

/* Thaw every frozen container of sp (best effort); returns how many were frozen. */
int paused_thaw_all(const char *root, const struct state_project *sp);
/* The same for the containers of the services named (NULL: all), before stop/restart/kill. */
int paused_thaw_services(const char *root, const struct state_project *sp, char *const *services);
