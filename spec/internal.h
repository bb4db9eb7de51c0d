/* SPDX-License-Identifier: MIT */
/* spec/internal: what the files of spec/ share and nobody else includes: the normalisation
 * context and the steps of the load pipeline (interpolate -> normalise -> extends -> merge ->
 * project defaults and validation -> typed model). */
#pragma once

#include <stdbool.h>

#include "spec/diag.h"
#include "spec/interpolate.h"
#include "spec/yaml.h"

/* One normalisation run over the tree of one file (or one extended/included file). */
struct norm {
        struct spec_diags *diags;
        const char *base_dir; /* relative paths resolve against this (absolute) directory */
        spec_env_lookup_fn lookup;
        void *userdata;
        bool no_files; /* fuzzing: never read env_file and friends */
};

/* Short forms to long forms, types checked, unknown keys reported, in place. root is a file's
 * whole document (top-level keys). */
void spec_normalize_file(struct norm *c, struct spec_node *root);
/* Normalise one service mapping (used by extends on a service read from another file). */
void spec_normalize_service(struct norm *c, struct spec_node *svc, const char *path);

/* Substitute variables in every scalar value of n (keys are left alone). */
void spec_interpolate_tree(const struct spec_interp *ip, struct spec_node *n, const char *path,
                           struct spec_diags *diags);

/* Merge the normalised `over` into `base` with compose's rules (consumes over). path is the
 * key path of base ("" for a project, "services.web" for a service). */
void spec_merge(struct spec_node *base, struct spec_node *over, const char *path);
/* Drop every value still tagged !reset (after all merges). */
void spec_strip_resets(struct spec_node *n);

/* Helpers for handlers. */
char *spec_path_key(const char *path, const char *key);
char *spec_path_index(const char *path, size_t i);
char *spec_abs_path(const char *base_dir, const char *p, spec_env_lookup_fn lookup, void *ud);
void spec_err(struct spec_diags *d, const struct spec_node *n, const char *path, const char *fmt,
              ...) __attribute__((format(printf, 4, 5)));
void spec_warn_once(struct spec_diags *d, const struct spec_node *n, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char *spec_kind_name(const struct spec_node *n);

struct spec_load_opts;
struct spec_project;

/* The state of one spec_project_load() run. */
struct loader {
        const struct spec_load_opts *o;
        spec_env_lookup_fn shell;
        void *userdata;
        struct spec_dotenv dotenv; /* .env or --env-file: below the shell environment */
        struct spec_diags *diags;
        char *cwd;
        char *project_dir;
        char **names;              /* display names of every file read; nodes point into them */
        char **stack;              /* files being included or extended, for loop detection */
        char **files;              /* the top-level compose files, absolute */
        struct spec_node *imports; /* resources from `include` */
        char **all_profiles;       /* every profile a service names */
        char **disabled;           /* services switched off by profiles */
        bool failed_io;
};

/* The combined lookup: shell environment first, then .env. */
const char *spec_loader_env(const char *name, void *loader);
/* Read, parse, interpolate, normalise one file and resolve its extends and includes.
 * base_dir: where its relative paths resolve. Returns the tree, or NULL (diagnostics added). */
struct spec_node *spec_load_file(struct loader *l, const char *path, const char *display,
                                 const char *base_dir, const struct spec_node *ref);
/* Read a whole file as text; on failure a diagnostic at ref (or without position). */
char *spec_read_text(struct loader *l, const char *path, const char *display,
                     const struct spec_node *ref, const char *refpath, size_t *ret_len);
/* A path for messages: relative to the working directory when under it. Caller frees. */
char *spec_display_path(const struct loader *l, const char *abs);
/* Project-level steps after merging: name, profiles, env_file, defaults, validation. */
void spec_project_finish(struct loader *l, struct spec_node *tree, const char *name);
/* Cross-reference checks over the merged project (validate.c). */
void spec_validate(struct loader *l, struct spec_node *tree);
/* The typed model from the canonical tree (which it takes over). */
struct spec_project *spec_model_build(struct spec_node *tree, const char *working_dir);
