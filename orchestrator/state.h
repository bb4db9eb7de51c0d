/* SPDX-License-Identifier: MIT */
/* orchestrator/state: a project's recorded state on disk, `$BERTH_ROOT/projects/<project>/
 * state.json` (jansson, versioned, replaced atomically). It lists every container the project
 * has (`<project>-<service>-<n>`) with what reconcile needs (config hash, image digest) and what
 * the supervisor needs to re-adopt a running one (pid plus its start time, to tell a reused pid
 * apart). The supervisor is its only writer; CLIs read it when no supervisor runs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

struct berr;

#define STATE_VERSION 1

enum ctr_status {
        CTR_CREATED,
        CTR_RUNNING,
        CTR_RESTARTING,
        CTR_EXITED,
        CTR_PAUSED,
        CTR_DEAD,
        CTR_STATUS__MAX,
        CTR_STATUS__INVALID = -22,
};

struct state_container {
        char *name; /* <project>-<service>-<n> */
        char *service;
        unsigned number;
        char *config_hash;  /* may be NULL */
        char *image_digest; /* may be NULL */
        pid_t pid;          /* 0 when not running */
        uint64_t pid_start; /* /proc/<pid>/stat starttime (clock ticks after boot) */
        enum ctr_status status;
        int exit_code;             /* last exit, -1 unknown */
        unsigned restart_count;    /* restarts done by policy */
        unsigned restart_attempts; /* counted against max_attempts */
        uint64_t backoff_ms;
        bool manual_stop; /* the user stopped it: no policy restart, even after re-adoption */
        char *health;     /* "starting", "healthy", "unhealthy" or NULL */
        int64_t created_ns, started_ns, finished_ns;
};

struct state_project {
        char *name;
        pid_t supervisor_pid;
        struct state_container *ctrs;
        size_t n_ctrs, cap_ctrs;
};

const char *ctr_status_to_string(enum ctr_status s);
enum ctr_status ctr_status_from_string(const char *s);

/* [a-z0-9][a-z0-9_-]*, at most 63 characters (compose's rule; keeps paths and names safe). */
bool state_project_name_valid(const char *name);
/* $root/projects/<project> (caller frees). */
char *state_project_dir(const char *root, const char *project);

struct state_project *state_project_new(const char *name);
void state_project_free(struct state_project *p);
void state_project_freep(struct state_project **p);
/* Find by container name; NULL when absent. */
struct state_container *state_find(struct state_project *p, const char *name);
/* Append a container (strings copied); returns the new slot. */
struct state_container *state_add(struct state_project *p, const char *service, unsigned number);
void state_remove(struct state_project *p, const char *name);

/* JSON text of the project (caller frees) and back. */
char *state_to_json(const struct state_project *p);
int state_from_json(const char *text, struct state_project **ret, struct berr **err);
/* Load $root/projects/<project>/state.json; -ENOENT (with err set) when there is none. */
int state_load(const char *root, const char *project, struct state_project **ret,
               struct berr **err);
/* Write atomically, creating the directory. */
int state_save(const char *root, const struct state_project *p, struct berr **err);

/* starttime of a live pid from /proc/<pid>/stat; -ESRCH when gone. */
int state_pid_start_time(pid_t pid, uint64_t *ret);
