/* SPDX-License-Identifier: MIT */
/* runtime/runtime: the container core's public API. A struct rt_config (plain data, owned by the
 * caller, never by the runtime) describes one container: its rootfs (overlay lowerdirs +
 * upper/work, or one plain directory), process, mounts, limits, namespaces and security settings.
 * rt_spawn() turns it into a running, confined process and returns at once (the caller reaps
 * through the pidfd); rt_kill(), rt_exit_reason(), rt_destroy() and rt_exec() act on it afterwards
 * through the opaque cgroup locator it returned. Images, layers and the store are runtime/image*'s
 * business. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

struct berr;

enum rt_mount_type {
        RT_MOUNT_BIND,   /* source: a host path */
        RT_MOUNT_VOLUME, /* source: the volume's directory under $BERTH_ROOT/volumes */
        RT_MOUNT_TMPFS,  /* no source */
};

enum rt_propagation {
        RT_PROP_DEFAULT, /* rprivate, as docker */
        RT_PROP_PRIVATE,
        RT_PROP_RPRIVATE,
        RT_PROP_SHARED,
        RT_PROP_RSHARED,
        RT_PROP_SLAVE,
        RT_PROP_RSLAVE,
};

struct rt_mount {
        enum rt_mount_type type;
        char *source;
        char *target; /* absolute path inside the container; resolved without leaving the rootfs */
        bool read_only;
        bool recursive;     /* bind: MS_REC (docker's default is rbind) */
        bool create_source; /* bind: mkdir -p the host path when missing (compose does) */
        bool copy_up;       /* volume: fill an empty volume from the image content at target */
        enum rt_propagation propagation;
        uint64_t tmpfs_size; /* bytes, 0 = kernel default */
        uint32_t tmpfs_mode; /* 0 = 01777 */
        char *options;       /* extra comma-separated mount data (tmpfs), may be NULL */
};

struct rt_device {
        char *host_path;      /* e.g. /dev/fuse */
        char *container_path; /* NULL = same as host_path */
        uint32_t mode;        /* 0 = the host node's mode */
        char *permissions;    /* cgroup access, a subset of "rwm"; NULL = "rwm" */
};

struct rt_ulimit {
        int resource; /* RLIMIT_*; rt_ulimit_resource() maps docker's names */
        uint64_t soft, hard;
};

struct rt_idmap {
        uint32_t container_id, host_id, size;
};

/* Zero means "not set" for every field. */
struct rt_resources {
        int64_t memory;             /* bytes */
        int64_t memory_reservation; /* bytes */
        int64_t memory_swap;        /* bytes of memory+swap; -1 unlimited */
        int64_t cpu_quota;          /* microseconds per period; -1 unlimited */
        uint64_t cpu_period;        /* microseconds; 0 = 100000 */
        uint64_t cpu_shares;        /* v1 shares (2..262144); converted to cpu.weight on v2 */
        char *cpuset_cpus;
        char *cpuset_mems;
        int64_t pids_limit;    /* -1 unlimited */
        uint16_t blkio_weight; /* 10..1000 */
};

enum rt_net_mode {
        RT_NET_NEW,  /* a new, empty netns (lo only, brought up); netmgr adds the rest */
        RT_NET_JOIN, /* setns into netns_path (another container's, or a bind-mounted one) */
        RT_NET_HOST, /* the host's network namespace */
};

enum rt_seccomp_mode {
        RT_SECCOMP_DEFAULT,    /* berth's default profile (moby's semantics) */
        RT_SECCOMP_UNCONFINED, /* no filter */
        RT_SECCOMP_PROFILE,    /* seccomp_profile: a docker JSON profile file */
};

/* A compiled seccomp filter (BPF), made once by rt_seccomp_compile() and installed per container.
 */
struct rt_seccomp_bpf;

/* Called in the parent at the named barrier after clone: the child's namespaces exist (so a veth
 * can be moved into /proc/<pid>/ns/net) and it sits in its cgroup. Meanwhile the child mounts its
 * rootfs, /proc, /sys, /dev and volumes; it binds hosts_file, hostname_file and resolv_conf_file
 * only after the hook returned, so the hook may still write them (even by rename). A negative
 * return aborts the spawn with *err. */
typedef int (*rt_pre_start_fn)(pid_t pid, void *ud, struct berr **err);

struct rt_config {
        char *id;      /* container name (<project>-<service>-<n>); cgroup leaf */
        char *project; /* cgroup parent berth/<project> */
        /* When set, the cgroup locator is written there (atomically) as soon as the cgroup exists,
         * before the clone: a caller killed before rt_spawn() returns leaves a cgroup it can still
         * find and rt_destroy(). Not owned. */
        const char *cgroup_file;

        /* rootfs: either lowerdirs (top layer first) with upperdir + workdir (+ mountpoint, an
         * empty dir; defaults to "<dirname(upperdir)>/merged"; all three are created when
         * missing), or rootfs (a plain directory). */
        char **lowerdirs;
        char *upperdir;
        char *workdir;
        char *mountpoint;
        char *rootfs;
        bool read_only;

        char **argv;    /* already merged entrypoint + command */
        char **env;     /* "K=V", already merged image Env + environment; PATH/HOME/HOSTNAME added
                         * when missing */
        char *cwd;      /* NULL = "/" */
        char *user;     /* "name", "uid", "name:group", "uid:gid"; NULL = root */
        char *hostname; /* NULL = first 12 chars of id */
        char *domainname;

        struct rt_mount *mounts;
        size_t n_mounts;
        struct rt_device *devices;
        size_t n_devices;
        uint64_t shm_size; /* 0 = 64 MiB */
        struct rt_ulimit *ulimits;
        size_t n_ulimits;
        char **sysctls; /* "key=value"; only namespaced ones are accepted */

        char **cap_add; /* "NET_ADMIN" or "CAP_NET_ADMIN" or "ALL" */
        char **cap_drop;
        bool privileged;       /* all caps, no seccomp, no masked paths, host devices */
        bool no_new_privs_off; /* security_opt no-new-privileges:false (berth defaults to on) */
        enum rt_seccomp_mode seccomp;
        char *seccomp_profile;                    /* RT_SECCOMP_PROFILE */
        const struct rt_seccomp_bpf *seccomp_bpf; /* precompiled; NULL = compile now */
        char **masked_paths;                      /* NULL = docker's defaults */
        char **readonly_paths;                    /* NULL = docker's defaults */
        bool init; /* built-in pid 1 that reaps and forwards signals */

        struct rt_resources resources;

        enum rt_net_mode net;
        char *netns_path; /* RT_NET_JOIN */
        bool userns;      /* new user namespace with the maps below */
        struct rt_idmap *uid_map, *gid_map;
        size_t n_uid_map, n_gid_map;

        char *hosts_file; /* host files bind-mounted (read-only data copies are the caller's) */
        char *hostname_file;
        char *resolv_conf_file;

        int stdio[3]; /* fds dup'ed to 0,1,2 in the container; -1 = /dev/null */
        /* Instead of stdio: a new pty of the container's /dev/pts as fds 0-2 and controlling
         * terminal, of tty_rows x tty_cols when both are set; the master comes back in
         * rt_process.tty_master. */
        bool tty;
        unsigned short tty_rows, tty_cols;

        rt_pre_start_fn pre_start;
        void *pre_start_ud;
};

struct rt_process {
        pid_t pid;    /* in the caller's pid namespace */
        int pidfd;    /* owned by the caller after success */
        char *cgroup; /* opaque locator; persist it and pass it back to rt_kill/rt_destroy/... */
        int setup_status; /* after a failed rt_spawn/rt_exec: docker's exit code for it (127 command
                           * not found, 126 not executable, 125 any other setup failure) */
        int tty_master;   /* rt_spawn/rt_exec with tty: the pty's master, owned by the caller (not
                           * closed by rt_process_done); -1 otherwise */
};

/* Fill cfg with defaults (stdio -1, seccomp default); everything else zero. */
void rt_config_init(struct rt_config *cfg);

/* Create, configure and start the container; returns once its command has been exec'd (or the
 * init has). Any failure, in the parent or in the child after clone, comes back in *err with its
 * cause and leaves no process, cgroup or mount behind; ret->setup_status then holds docker's
 * exit code for the failure (127 when the command is not found). */
int rt_spawn(const struct rt_config *cfg, struct rt_process *ret, struct berr **err);
void rt_process_done(struct rt_process *p);

/* Send sig to pid 1 of the container; with all, to every process in its cgroup (SIGKILL on the
 * whole cgroup: cgroup.kill on v2, a cgroup.procs walk on v1). */
int rt_kill(const char *cgroup, pid_t pid, int sig, bool all, struct berr **err);

/* Kill anything left in the cgroup, remove it (and the empty berth/<project> parents), and remove
 * the given per-container directories (upper, work, merged). Idempotent. */
int rt_destroy(const char *cgroup, char *const *dirs, struct berr **err);

struct rt_exit {
        int code;        /* docker's exit code: status, or 128+signal */
        int signal;      /* 0 when it exited */
        bool oom_killed; /* the cgroup saw an OOM kill */
        char reason[64]; /* "exited", "killed by SIGTERM", "OOMKilled" */
};

/* Interpret a wait status; call before rt_destroy so the cgroup's OOM counter can be read. */
int rt_exit_reason(const char *cgroup, int wait_status, struct rt_exit *ret, struct berr **err);

struct rt_exec_opts {
        char **argv;
        char **env; /* added to / overriding cfg->env */
        char *cwd;  /* NULL = cfg->cwd */
        char *user; /* NULL = cfg->user */
        int stdio[3];
        bool tty; /* as rt_config.tty: stdio ignored, the master in rt_process.tty_master */
        unsigned short tty_rows, tty_cols;
};

/* Run a process in a running container: setns into all of ctr's namespaces and its cgroup, with
 * cfg's caps, seccomp, no_new_privs, user and environment. Returns without waiting. */
int rt_exec(const struct rt_config *cfg, const struct rt_process *ctr,
            const struct rt_exec_opts *opts, struct rt_process *ret, struct berr **err);

/* Compile the seccomp filter cfg asks for (default or profile file, with cfg's capability set)
 * once; *ret is NULL for unconfined/privileged. Reuse it for every container with the same
 * settings through cfg->seccomp_bpf. */
int rt_seccomp_compile(const struct rt_config *cfg, struct rt_seccomp_bpf **ret, struct berr **err);
void rt_seccomp_bpf_free(struct rt_seccomp_bpf *bpf);
/* A name for the filter cfg needs (capability set, profile content, berth's build), to cache the
 * compiled BPF across processes. Caller frees. */
int rt_seccomp_key(const struct rt_config *cfg, char **ret, struct berr **err);
/* The BPF program as bytes (an array of struct sock_filter), and back (NULL when len is not a
 * whole number of instructions). */
const void *rt_seccomp_bpf_data(const struct rt_seccomp_bpf *bpf, size_t *len);
struct rt_seccomp_bpf *rt_seccomp_bpf_from_data(const void *data, size_t len);

/* docker's mount option words ("ro", "rprivate", "size=64m", "mode=1777", "noexec", ...) into m;
 * m->options gets the words passed through to tmpfs. An unknown word is an error naming it. */
int rt_mount_parse_options(const char *opts, struct rt_mount *m, struct berr **err);

/* docker's ulimit names ("nofile", "nproc", "core", ...) to RLIMIT_*; -1 when unknown. */
int rt_ulimit_resource(const char *name);
