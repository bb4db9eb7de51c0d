/* SPDX-License-Identifier: MIT */
/* spec/spec: the public face of spec/. spec_project_load() finds and reads the compose files,
 * merges them, interpolates variables, resolves extends/include/profiles, normalises every short
 * syntax to its long form, validates, and returns the project as plain C data for the
 * orchestrator (no libyaml types). Problems go to a diagnostics vector (all of them, with
 * file:line:col and key path); the return value says whether there was any error. The
 * canonical tree (`tree`) is what `berth config` prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/diag.h"
#include "spec/interpolate.h"

struct berr;
struct spec_node;

struct spec_load_opts {
        char *const *files;       /* -f, in order; "-" is stdin; NULL: discover */
        const char *project_name; /* -p */
        const char *project_dir;  /* --project-directory */
        char *const *env_files;   /* --env-file, in order; NULL: <project dir>/.env */
        char *const *profiles;    /* --profile */
        char *const *services;    /* keep only these and what they depend on (NULL: all) */
        const char *cwd;          /* NULL: getcwd() */
        bool no_interpolate;
        bool no_normalize_paths; /* reserved */
        /* In-memory content of the single file instead of reading files[0] (fuzzing, tests). */
        const char *buffer;
        size_t buffer_len;
        const char *buffer_name;
        bool no_external_files; /* never read extends/include/env_file files (fuzzing) */
        int stdin_fd;           /* for "-"; 0 when unset */
        size_t max_nodes;       /* YAML nodes per file, aliases expanded (0: 4 million) */
};

struct spec_kv {
        char *key;
        char *value; /* NULL: declared without a value */
};

struct spec_kvs {
        struct spec_kv *v;
        size_t n;
};

struct spec_port {
        char *name;
        uint32_t target;
        char *published; /* NULL (random), "8080" or a range "8000-8010" */
        char *host_ip;   /* NULL: all addresses */
        char *protocol;  /* tcp, udp, sctp */
        char *mode;      /* ingress, host */
        char *app_protocol;
};

enum spec_mount_kind {
        SPEC_MOUNT_KIND_BIND,
        SPEC_MOUNT_KIND_VOLUME,
        SPEC_MOUNT_KIND_TMPFS,
        SPEC_MOUNT_KIND_OTHER,
};

struct spec_mount {
        enum spec_mount_kind type;
        char *source; /* absolute for binds; the volume key for volumes; NULL: anonymous */
        char *target;
        bool read_only;
        bool create_host_path;
        char *propagation;
        char *selinux;
        bool nocopy;
        char *subpath;
        int64_t tmpfs_size; /* bytes, 0: unset */
        uint32_t tmpfs_mode;
};

struct spec_dependency {
        char *service;
        char *condition; /* service_started, service_healthy, service_completed_successfully */
        bool required;
        bool restart;
};

struct spec_healthcheck {
        bool present;
        bool disable;
        char **test; /* ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"] or NULL (image's) */
        int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns; /* -1: default */
        int64_t retries;                                                     /* -1: default */
};

struct spec_service_network {
        char *name; /* the key under top-level networks */
        char **aliases;
        char *ipv4_address;
        char *ipv6_address;
        char *mac_address;
        int64_t priority;
};

struct spec_device {
        char *source, *target, *permissions; /* normalised: all three set */
};

struct spec_ulimit {
        char *name;
        int64_t soft, hard;
};

struct spec_file_ref {
        char *source, *target, *uid, *gid;
        int64_t mode; /* -1: unset */
};

struct spec_resources {
        double cpus; /* 0: unset */
        int64_t memory;
        int64_t pids;
};

struct spec_service {
        char *name;
        char *image;
        char *container_name;
        char *build_context; /* NULL without build */
        char *build_dockerfile;
        char **command;    /* NULL: the image's */
        char **entrypoint; /* NULL: the image's */
        struct spec_kvs environment;
        struct spec_kvs labels;
        struct spec_kvs sysctls;
        struct spec_port *ports;
        size_t nports;
        char **expose;
        struct spec_mount *mounts;
        size_t nmounts;
        struct spec_dependency *depends_on;
        size_t ndepends_on;
        struct spec_service_network *networks;
        size_t nnetworks;
        char *network_mode;
        struct spec_healthcheck healthcheck;
        char *restart; /* "no", "always", "on-failure[:N]", "unless-stopped" */
        char *user, *working_dir, *hostname, *domainname, *ipc, *pid, *uts;
        char **cap_add, **cap_drop, **dns, **dns_search, **dns_opt, **extra_hosts;
        char **security_opt, **tmpfs, **profiles, **links, **volumes_from, **group_add;
        struct spec_ulimit *ulimits;
        size_t nulimits;
        struct spec_device *devices;
        size_t ndevices;
        struct spec_file_ref *secrets, *configs;
        size_t nsecrets, nconfigs;
        bool init, privileged, read_only, tty, stdin_open;
        int64_t mem_limit, mem_reservation, memswap_limit, shm_size; /* 0: unset */
        double cpus;
        int64_t cpu_shares, cpu_quota, cpu_period, pids_limit, oom_score_adj;
        char *cpuset;
        int64_t stop_grace_period_ns; /* -1: default (10 s) */
        char *stop_signal;
        char *pull_policy;
        int64_t replicas; /* deploy.replicas or scale; 1 by default */
        struct spec_resources limits, reservations;
        char *restart_policy_condition; /* deploy.restart_policy, NULL when absent */
        int64_t restart_policy_max_attempts;
        int64_t restart_policy_delay_ns;
        char *logging_driver;
        struct spec_kvs logging_options;
        int64_t blkio_weight;
        /* Everything, as the canonical tree (for attributes not modelled above). */
        const struct spec_node *node;
};

struct spec_network {
        char *key, *name, *driver;
        bool external, internal, attachable, enable_ipv6;
        struct spec_kvs driver_opts, labels;
        char *subnet, *gateway, *ip_range; /* the first ipam.config entry */
};

struct spec_volume {
        char *key, *name, *driver;
        bool external;
        struct spec_kvs driver_opts, labels;
};

struct spec_secret {
        char *key, *name, *file, *environment, *content;
        bool external;
};

struct spec_project {
        char *name;
        char *working_dir;             /* the project directory, absolute */
        char **files;                  /* the compose files read, absolute ("-" for stdin) */
        struct spec_service *services; /* sorted by name */
        size_t nservices;
        struct spec_network *networks;
        size_t nnetworks;
        struct spec_volume *volumes;
        size_t nvolumes;
        struct spec_secret *secrets, *configs;
        size_t nsecrets, nconfigs;
        char **disabled_services; /* services switched off by profiles */
        char **all_profiles;      /* every profile named by a service, sorted */
        struct spec_node *tree;   /* canonical form, what `berth config` prints */
        char **names;             /* file names the tree's positions point to */
};

/* Load a project. Returns 0 with *ret set; -EINVAL when diags holds errors (*ret NULL); other
 * -errno with *err set for failures that are not about the files' content (I/O). Warnings may
 * be in diags either way. */
int spec_project_load(const struct spec_load_opts *opts, spec_env_lookup_fn lookup, void *userdata,
                      struct spec_project **ret, struct spec_diags *diags, struct berr **err);
void spec_project_free(struct spec_project *p);

const struct spec_service *spec_project_service(const struct spec_project *p, const char *name);
/* The dependency order: waves[i] is the start wave of services[i]. Returns the wave count. */
int spec_project_waves(const struct spec_project *p, int *waves);

enum spec_format {
        SPEC_FORMAT_YAML,
        SPEC_FORMAT_JSON,
};

/* The canonical model as text (YAML or JSON like `docker compose config`). Caller frees. */
char *spec_project_render(const struct spec_project *p, enum spec_format fmt);
