/* SPDX-License-Identifier: MIT */
/* orchestrator/plan: the only place that knows both the compose model (spec/) and what the parts
 * below it take (runtime/, netmgr/, the supervisor). It turns a loaded project into: the
 * project's networks for netmgr, and per service a plan_service that holds everything needed to
 * make any replica's rt_config (image config merged with the service as docker does:
 * entrypoint/command, environment, user, working dir), its network attachments and published
 * ports, and the supervisor's view (restart policy, healthcheck, stop signal and grace, logging).
 * Pure apart from reading the host environment for `environment` keys without a value. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netmgr/netmgr.h"
#include "orchestrator/health.h"
#include "orchestrator/logs.h"
#include "orchestrator/restart.h"
#include "runtime/runtime.h"

struct berr;
struct spec_project;
struct spec_service;

/* What the image says (its OCI config) and where its layers are. Borrowed by plan. */
struct plan_image {
        const char *ref;    /* the reference as written in the compose file */
        const char *digest; /* manifest digest, part of the config hash */
        char *const *env;   /* "K=V" */
        char *const *entrypoint;
        char *const *cmd;
        const char *user;
        const char *workdir;
        const char *stop_signal;
        char *const *lowerdirs;        /* top layer first */
        char *const *volumes;          /* image VOLUME paths: anonymous volumes unless mounted */
        char *const *healthcheck_test; /* image HEALTHCHECK test, may be NULL */
        int64_t hc_interval_ns, hc_timeout_ns, hc_start_period_ns, hc_start_interval_ns;
        int hc_retries;
};

struct plan_attach {
        char *network; /* compose key */
        char *ipv4_address;
        char *mac_address;
        char **aliases; /* service-level aliases on this network */
};

struct plan_service {
        char *project;
        char *name;
        char *root; /* $BERTH_ROOT */
        char *image_ref;
        char *image_digest;
        unsigned replicas;
        char *container_name; /* compose container_name; only with one replica */

        /* The runtime template: everything but the per-replica paths and names. */
        char **argv;
        char **env;
        char *cwd;
        char *user;
        char *hostname;
        char *domainname;
        char **lowerdirs;
        bool read_only, privileged, init, no_new_privs_off;
        bool tty;        /* stdio is a pty whose master the supervisor logs (docs/tty.md) */
        bool stdin_open; /* stdin never reaches EOF (a FIFO of its own) instead of /dev/null */
        enum rt_seccomp_mode seccomp;
        char *seccomp_profile;
        char **cap_add, **cap_drop, **sysctls;
        struct rt_mount *mounts;
        size_t n_mounts;
        struct rt_ulimit *ulimits;
        size_t n_ulimits;
        struct rt_device *devices; /* compose `devices` */
        size_t n_devices;
        uint64_t shm_size;
        struct rt_resources resources;
        enum rt_net_mode net_mode;
        char *net_mode_service; /* network_mode: service:NAME */

        struct plan_attach *attach;
        size_t n_attach;
        struct net_port *ports; /* container field left NULL: the backend fills it per replica */
        size_t n_ports;
        char **extra_hosts, **dns, **dns_search, **dns_opt;
        char **links; /* "service[:alias]" */

        /* The supervisor's view. */
        struct restart_spec restart;
        struct health_config health;
        int stop_signal;
        uint64_t stop_grace_ms;
        struct log_writer_opts log;
        char *config_hash; /* sha256 of the canonical service config + image digest */
};

struct plan_network {
        char *key;
        char *full_name;
        char *bridge_name;
        int mtu;
        char *subnet;
        char *gateway;
        bool internal;
        bool external;
};

struct plan_project {
        char *name;
        char *root;
        struct plan_network *networks; /* only the networks some service uses */
        size_t n_networks;
};

/* The container name of replica n (1-based): container_name or <project>-<service>-<n>. */
char *plan_container_name(const struct plan_service *s, unsigned n);

/* Build the plan for one service from the compose model and its image. */
int plan_service_build(const struct spec_project *p, const struct spec_service *svc,
                       const struct plan_image *img, const char *root, struct plan_service **ret,
                       struct berr **err);
void plan_service_free(struct plan_service *s);

/* The networks the project's (enabled) services use, `default` when a service names none. */
int plan_project_build(const struct spec_project *p, const char *root, struct plan_project **ret,
                       struct berr **err);
void plan_project_free(struct plan_project *p);
/* netmgr's view of the project's networks; the array borrows from p; free() it. */
struct net_network_config *plan_net_networks(const struct plan_project *p);

/* Fill cfg (rt_config_init'd by the caller) for replica `name` of s: the template plus the
 * per-container directories under <root>/containers/<name>/. Strings borrow from s, except
 * the directories, which the caller frees with plan_rt_config_done. */
void plan_rt_config(const struct plan_service *s, const char *name, struct rt_config *cfg);
void plan_rt_config_done(struct rt_config *cfg);

/* The per-container directory <root>/containers/<name> (caller frees). */
char *plan_container_dir(const char *root, const char *name);
/* The host directory of named volume `key` of project p: <root>/volumes/<project>_<key> or, for
 * an external volume, <root>/volumes/<name>. Caller frees. */
char *plan_volume_dir(const char *root, const char *project, const char *name);
/* Anonymous volumes (a compose `volumes: [/path]` entry, an image VOLUME) of container `name`:
 * <root>/volumes/_anon/<project>/<name>/, one directory per target. They outlive the container
 * when it is recreated (as compose hands them to the new one) and go with `rm -v`, `down -v`,
 * `run --rm`. Caller frees. */
char *plan_anon_volumes_dir(const char *root, const char *project, const char *name);
char *plan_anon_volume_dir(const char *root, const char *project, const char *name,
                           const char *target);

/* docker's merge of image and service: entrypoint/command. Returns a new NULL-terminated argv. */
char **plan_merge_argv(char *const *img_entrypoint, char *const *img_cmd,
                       char *const *svc_entrypoint, char *const *svc_command);
