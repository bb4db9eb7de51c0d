/* SPDX-License-Identifier: MIT */
/* orchestrator/backend_proc: the backend that runs a service as a plain host process (fork +
 * exec in its own session and process group, signals to the whole group). It is what the
 * supervisor's integration tests drive until the container runtime plugs in. */
#pragma once

struct backend;

struct proc_config {
        char **argv; /* execvp'd */
        char **env;  /* extra KEY=VALUE on top of the supervisor's environment; may be NULL */
        char *cwd;   /* may be NULL */
};

struct backend *backend_proc_new(void);
void proc_config_free(void *config);
