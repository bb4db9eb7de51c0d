/* SPDX-License-Identifier: MIT */
/* runtime/image: what the container part needs from an image, and the operations behind
 * `berth pull/images/load`. An image in the store is its manifest + config blobs and unpacked
 * layers shared with every other image (runtime/store). image_open() gives the ordered layer
 * directories (top first, ready for overlayfs lowerdir) and the parsed image config. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;

struct image_healthcheck {
        char **test;         /* ["CMD-SHELL", "..."], ["CMD", ...], ["NONE"]; NULL when unset */
        int64_t interval_ns; /* 0 = inherit the default */
        int64_t timeout_ns;
        int64_t start_period_ns;
        int64_t start_interval_ns;
        int retries;
};

/* The image config (OCI image-spec config / docker image JSON). Absent lists are NULL; an
 * explicitly empty list (e.g. "Entrypoint": []) is a non-NULL vector of length 0. */
struct image_config {
        char *os, *architecture, *variant;
        char *created;
        char **env; /* "KEY=value" */
        char **entrypoint;
        char **cmd;
        char *user;           /* "", "name", "uid", "uid:gid", "name:group" */
        char *working_dir;    /* "" when unset */
        char **exposed_ports; /* "80/tcp" */
        char **volumes;       /* "/data" */
        char *stop_signal;    /* "SIGQUIT"; NULL when unset */
        char **labels;        /* "key=value", sorted by key */
        struct image_healthcheck *healthcheck;
        char **diff_ids; /* rootfs.diff_ids, bottom layer first */
};

void image_config_done(struct image_config *c);

/* An image present in the store. */
struct image {
        char *id;              /* config digest, "sha256:..." (docker's image ID) */
        char *manifest_digest; /* digest of the manifest it was pulled or loaded with */
        char **layer_dirs;     /* unpacked layer trees, TOP FIRST (overlayfs lowerdir order) */
        struct image_config config;
};

/* Open an image that is in the store under root ($BERTH_ROOT) by reference ("redis:7",
 * "host:5000/x@sha256:...") or by ID ("sha256:<hex>" or a unique hex prefix of >= 12).
 * -ENOENT with "image `X` not found" when absent. */
int image_open(const char *root, const char *name, struct image **ret, struct berr **err);
void image_free(struct image *img);
void image_freep(struct image **img);

/* Progress of a pull, reported per blob (to draw docker-like bars or plain lines). */
enum image_progress_event {
        IMAGE_PROGRESS_RESOLVED,    /* manifest resolved: ref, digest */
        IMAGE_PROGRESS_EXISTS,      /* layer already present */
        IMAGE_PROGRESS_WAITING,     /* queued */
        IMAGE_PROGRESS_DOWNLOADING, /* bytes of total */
        IMAGE_PROGRESS_VERIFIED,    /* download complete and verified */
        IMAGE_PROGRESS_EXTRACTING,
        IMAGE_PROGRESS_DONE, /* layer unpacked */
};

struct image_progress {
        enum image_progress_event event;
        const char *ref;    /* the reference being pulled */
        const char *digest; /* the blob (layer) or, for RESOLVED, the manifest */
        int64_t current, total;
};

/* Layers are unpacked by worker threads: the callback may run on any of them, but never two
 * calls at once. */
typedef void (*image_progress_fn)(const struct image_progress *p, void *userdata);

struct image_pull_opts {
        const char *platform; /* "os/arch[/variant]"; NULL = the host's */
        image_progress_fn progress;
        void *userdata;
};

/* Pull name from its registry into the store under root, unpack its layers and record the
 * reference. ret_id (optional) gets the image ID. */
int image_pull(const char *root, const char *name, const struct image_pull_opts *opts,
               char **ret_id, struct berr **err);
/* Load an OCI layout tar or a `docker save` archive; ret_refs gets the references loaded
 * (or the IDs of untagged images). */
int image_load(const char *root, const char *archive_path, char ***ret_refs, struct berr **err);

struct image_summary {
        char *ref;     /* canonical reference, or NULL for an untagged image */
        char *id;      /* config digest */
        char *digest;  /* manifest digest */
        char *created; /* from the config */
        int64_t size;  /* unpacked bytes of its layers (approximate) */
};
/* Every reference in the store, sorted; *ret_n entries. */
int image_list(const char *root, struct image_summary **ret, size_t *ret_n, struct berr **err);
void image_summaries_free(struct image_summary *s, size_t n);
/* Remove a reference; blobs and layers no other reference uses are deleted. */
int image_remove(const char *root, const char *name, struct berr **err);
