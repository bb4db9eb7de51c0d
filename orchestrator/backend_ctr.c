/* SPDX-License-Identifier: MIT */
#include "orchestrator/backend_ctr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/netmgr.h"
#include "orchestrator/backend.h"
#include "orchestrator/plan.h"
#include "orchestrator/state.h"
#include "runtime/cgroup.h"
#include "runtime/runtime.h"
#include "runtime/syscalls.h"

/* Per service, the filter it uses; services that need the same filter (same capability set and
 * profile: rt_seccomp_key) share one compiled program (owner: the entry that compiled it). */
struct seccomp_cache {
        char *service;
        char *key; /* NULL when the key could not be computed */
        struct rt_seccomp_bpf *bpf;
        bool owner;
};

struct backend_ctr {
        struct backend base; /* first: the supervisor holds a struct backend * */
        struct seccomp_cache *cache;
        size_t n_cache;
};

static char *cgroup_file(const char *root, const char *name)
{
        cleanup_free char *dir = plan_container_dir(root, name);

        return xasprintf("%s/cgroup", dir);
}

static char *read_cgroup(const char *root, const char *name)
{
        cleanup_free char *path = cgroup_file(root, name);
        char *buf = NULL;
        struct berr *e = NULL;

        if (read_file(path, 4096, &buf, NULL, &e) < 0) {
                berr_free(e);
                return NULL;
        }
        return buf;
}

void backend_ctr_rt_config(const struct plan_service *s, const char *name, struct rt_config *cfg)
{
        rt_config_init(cfg);
        plan_rt_config(s, name, cfg);
}

static const struct rt_seccomp_bpf *seccomp_for(struct backend_ctr *b, const struct plan_service *s,
                                                const struct rt_config *cfg, struct berr **err)
{
        struct rt_seccomp_bpf *bpf = NULL;
        struct seccomp_cache *c;
        char *key = NULL;
        struct berr *e = NULL;

        for (size_t i = 0; i < b->n_cache; i++)
                if (strcmp(b->cache[i].service, s->name) == 0)
                        return b->cache[i].bpf;
        /* (privileged and unconfined have no filter, and a key that may equal a filtered one's) */
        if (!cfg->privileged && cfg->seccomp != RT_SECCOMP_UNCONFINED &&
            rt_seccomp_key(cfg, &key, &e) < 0)
                berr_free(e); /* compiled below, which reports the same problem */
        for (size_t i = 0; key && i < b->n_cache && !bpf; i++)
                if (b->cache[i].key && strcmp(b->cache[i].key, key) == 0)
                        bpf = b->cache[i].bpf;
        if (!bpf && rt_seccomp_compile(cfg, &bpf, err) < 0) {
                free(key);
                return NULL;
        }
        b->cache = xrealloc(b->cache, (b->n_cache + 1) * sizeof(*b->cache));
        c = &b->cache[b->n_cache++];
        c->service = xstrdup(s->name);
        c->key = key;
        c->owner = true;
        for (size_t i = 0; i + 1 < b->n_cache; i++)
                if (b->cache[i].bpf == bpf)
                        c->owner = false;
        c->bpf = bpf;
        return bpf;
}

struct prestart {
        const struct plan_service *s;
        const char *name;
        const struct rt_config *cfg;
        const char *join_dir; /* network_mode service:X: the directory of X's container */
};

static int write_text(const char *path, const char *text, struct berr **err)
{
        return atomic_write_file(path, text, strlen(text), 0644, err);
}

static int copy_host_file(const char *src, const char *dst, struct berr **err)
{
        cleanup_free char *buf = NULL;
        size_t len = 0;
        struct berr *e = NULL;

        if (read_file(src, 1 << 20, &buf, &len, &e) < 0) {
                berr_free(e);
                return write_text(dst, "", err);
        }
        return atomic_write_file(dst, buf, len, 0644, err);
}

static char **dns_names(const struct plan_service *s, const struct plan_attach *a, const char *name)
{
        char **v = NULL;

        v = strv_push(v, s->name);
        v = strv_push(v, name);
        if (s->hostname && !strv_contains(v, s->hostname))
                v = strv_push(v, s->hostname);
        strv_foreach (al, a->aliases)
                if (!strv_contains(v, al))
                        v = strv_push(v, al);
        return v;
}

/* compose `links: [SERVICE:ALIAS]` -> "ALIAS=SERVICE" for net_attach (ALIAS alone: the service's
 * own name, nothing to add) */
static char **link_aliases(const struct plan_service *s)
{
        char **v = NULL;

        strv_foreach (l, s->links) {
                const char *colon = strchr(l, ':');

                if (!colon || !colon[1] ||
                    (strlen(colon + 1) == (size_t)(colon - l) &&
                     strncmp(l, colon + 1, (size_t)(colon - l)) == 0))
                        continue;
                v = strv_push_take(v, xasprintf("%s=%.*s", colon + 1, (int)(colon - l), l));
        }
        return v;
}

/* Runs in the parent at the runtime's barrier: the child's netns exists, its rootfs is not
 * mounted yet, so the files written here are what it binds. */
static int prestart(pid_t pid, void *ud, struct berr **err)
{
        const struct prestart *ps = ud;
        const struct plan_service *s = ps->s;
        struct net_attach_info first = {0};
        struct net_hosts_config hc = {0};
        struct net_resolv_config rc = {0};
        cleanup_free char *hosts = NULL, *resolv = NULL;
        int r;

        if (s->net_mode == RT_NET_HOST) {
                if (copy_host_file("/etc/hosts", ps->cfg->hosts_file, err) < 0)
                        return -(*err)->code;
                return copy_host_file("/etc/resolv.conf", ps->cfg->resolv_conf_file, err);
        }
        if (s->net_mode == RT_NET_JOIN) {
                cleanup_free char *h = xasprintf("%s/hosts", ps->join_dir);
                cleanup_free char *rc_path = xasprintf("%s/resolv.conf", ps->join_dir);

                /* the same network namespace: the same names and resolver */
                if (copy_host_file(h, ps->cfg->hosts_file, err) < 0)
                        return -(*err)->code;
                return copy_host_file(rc_path, ps->cfg->resolv_conf_file, err);
        }
        for (size_t i = 0; i < s->n_attach; i++) {
                const struct plan_attach *a = &s->attach[i];
                cleanup_strv char **names = dns_names(s, a, ps->name);
                cleanup_strv char **links = link_aliases(s);
                struct net_attach_config ac = {
                        .project = s->project,
                        .root = s->root,
                        .container = ps->name,
                        .network = a->network,
                        .netns_fd = -1,
                        .pid = pid,
                        .ifindex = (int)i,
                        .ipv4_address = a->ipv4_address,
                        .mac_address = a->mac_address,
                        .names = (const char *const *)names,
                        .links = (const char *const *)links,
                };
                struct net_attach_info info;

                r = net_attach(&ac, &info, err);
                if (r < 0)
                        return berr_wrap(err, "network `%s`", a->network);
                if (i == 0)
                        first = info;
        }
        hc.hostname = ps->cfg->hostname ? ps->cfg->hostname : ps->name;
        hc.address = first.address;
        hc.gateway = first.gateway;
        hc.extra_hosts = (const char *const *)s->extra_hosts;
        hosts = net_hosts_render(&hc, err);
        if (!hosts)
                return -(*err)->code;
        if (write_text(ps->cfg->hosts_file, hosts, err) < 0)
                return -(*err)->code;
        if (s->n_attach == 0)
                return copy_host_file("/etc/resolv.conf", ps->cfg->resolv_conf_file, err);
        rc.gateway = first.gateway;
        rc.dns = (const char *const *)s->dns;
        rc.dns_search = (const char *const *)s->dns_search;
        rc.dns_opt = (const char *const *)s->dns_opt;
        resolv = net_resolv_render(&rc);
        return write_text(ps->cfg->resolv_conf_file, resolv, err);
}

static int make_dirs(const struct rt_config *cfg, const char *name, struct berr **err)
{
        cleanup_free char *host = NULL, *dir = NULL, *owner = NULL;

        if (mkdir_p(cfg->upperdir, 0755, err) < 0 || mkdir_p(cfg->workdir, 0755, err) < 0 ||
            mkdir_p(cfg->mountpoint, 0755, err) < 0)
                return -(*err)->code;
        /* whose container this is, so `down` finds it even when the project's state is gone */
        dir = xstrndup(cfg->upperdir, strlen(cfg->upperdir) - strlen("/upper"));
        owner = xasprintf("%s/project", dir);
        if (write_text(owner, cfg->project, err) < 0)
                return -(*err)->code;
        host = xasprintf("%s\n", cfg->hostname ? cfg->hostname : name);
        if (write_text(cfg->hostname_file, host, err) < 0)
                return -(*err)->code;
        /* placeholders, filled at the pre-start barrier */
        if (write_text(cfg->hosts_file, "", err) < 0 ||
            write_text(cfg->resolv_conf_file, "", err) < 0)
                return -(*err)->code;
        return 0;
}

/* network_mode service:X: the network namespace of X's first container, which runs (depends_on
 * started it first). */
static int join_target(const struct plan_service *s, struct rt_config *cfg, char **ret_dir,
                       struct berr **err)
{
        struct state_project *sp = NULL;
        cleanup_free char *target = xasprintf("%s-%s-1", s->project, s->net_mode_service);
        const struct state_container *c;
        uint64_t start = 0;
        int r;

        r = state_load(s->root, s->project, &sp, err);
        if (r < 0)
                return berr_wrap(err, "network_mode service:%s", s->net_mode_service);
        c = state_find(sp, target);
        if (!c || c->status != CTR_RUNNING || c->pid <= 0 ||
            state_pid_start_time(c->pid, &start) < 0 || start != c->pid_start) {
                state_project_free(sp);
                return berr_msg(err, ESRCH, "network_mode service:%s: container %s is not running",
                                s->net_mode_service, target);
        }
        cfg->netns_path = xasprintf("/proc/%d/ns/net", (int)c->pid);
        *ret_dir = plan_container_dir(s->root, target);
        state_project_free(sp);
        return 0;
}

/* stdin_open: a FIFO the container holds both ends of (opened read-write), so reading it
 * blocks instead of giving EOF, as an open stdin nobody writes to does in docker; it needs no
 * supervisor to stay that way. */
static int open_stdin(const struct plan_service *s, const char *name, int *ret, struct berr **err)
{
        cleanup_free char *dir = plan_container_dir(s->root, name);
        cleanup_free char *path = xasprintf("%s/stdin", dir);

        if (mkfifo(path, 0600) < 0 && errno != EEXIST)
                return berr_set(err, errno, "mkfifo `%s`", path);
        *ret = open(path, O_RDWR | O_CLOEXEC);
        if (*ret < 0)
                return berr_set(err, errno, "open `%s`", path);
        return 0;
}

static int ctr_start(struct backend *b, const void *config, const char *name, int out_fd,
                     int err_fd, struct backend_proc *ret, struct berr **err)
{
        const struct plan_service *s = config;
        struct backend_ctr_io io = {.stdio = {-1, out_fd, err_fd}, .tty = s->tty, .tty_master = -1};
        cleanup_close int in = -1;
        int r;

        if (s->stdin_open && !s->tty) {
                cleanup_free char *dir = plan_container_dir(s->root, name);

                if (mkdir_p(dir, 0755, err) < 0 || open_stdin(s, name, &in, err) < 0)
                        return berr_wrap(err, "container %s", name);
                io.stdio[0] = in;
        }
        r = backend_ctr_start_with(b, s, name, &io, ret, err);
        if (r >= 0 && io.tty_master >= 0)
                ret->tty_master = io.tty_master;
        return r;
}

int backend_ctr_start_io(struct backend *b, const struct plan_service *s, const char *name,
                         int in_fd, int out_fd, int err_fd, struct backend_proc *ret,
                         struct berr **err)
{
        struct backend_ctr_io io = {.stdio = {in_fd, out_fd, err_fd}, .tty_master = -1};

        return backend_ctr_start_with(b, s, name, &io, ret, err);
}

int backend_ctr_start_with(struct backend *b, const struct plan_service *s, const char *name,
                           struct backend_ctr_io *io, struct backend_proc *ret, struct berr **err)
{
        struct backend_ctr *bc = (struct backend_ctr *)b;
        struct rt_config cfg;
        struct rt_process p = {0};
        struct prestart ps = {.s = s, .name = name};
        cleanup_free char *cgf = NULL, *old_cg = NULL, *join_dir = NULL;
        int r;

        backend_ctr_rt_config(s, name, &cfg);
        if (s->net_mode == RT_NET_JOIN) {
                r = join_target(s, &cfg, &join_dir, err);
                if (r < 0)
                        goto out;
                ps.join_dir = join_dir;
        }
        r = make_dirs(&cfg, name, err);
        if (r < 0)
                goto out;
        /* the cgroup of an earlier run of this container (emptied when its pid 1 died) */
        old_cg = read_cgroup(s->root, name);
        if (old_cg && rt_destroy(old_cg, NULL, err) < 0) {
                r = -(*err)->code;
                goto out;
        }
        /* the runtime records the cgroup before the clone: a supervisor killed in between leaves
         * one that `down` still finds */
        cgf = cgroup_file(s->root, name);
        cfg.cgroup_file = cgf;
        cfg.seccomp_bpf = seccomp_for(bc, s, &cfg, err);
        if (!cfg.seccomp_bpf && *err) {
                r = -(*err)->code;
                goto out;
        }
        cfg.stdio[0] = io->stdio[0];
        cfg.stdio[1] = io->stdio[1];
        cfg.stdio[2] = io->stdio[2];
        cfg.tty = io->tty;
        cfg.tty_rows = io->tty_rows;
        cfg.tty_cols = io->tty_cols;
        ps.cfg = &cfg;
        cfg.pre_start = prestart;
        cfg.pre_start_ud = &ps;
        r = rt_spawn(&cfg, &p, err);
        if (r < 0)
                goto out;
        io->tty_master = p.tty_master;
        ret->pid = p.pid;
        ret->pidfd = TAKE_FD(p.pidfd);
        ret->child = true;
        if (state_pid_start_time(p.pid, &ret->start) < 0)
                ret->start = 0;
        rt_process_done(&p);
        r = 0;
out:
        plan_rt_config_done(&cfg);
        if (r < 0)
                return berr_wrap(err, "container %s", name);
        return r;
}

static int ctr_kill(struct backend *b, const struct backend_proc *p, int sig, bool all,
                    struct berr **err)
{
        (void)b;
        (void)all;
        /* The stop signal goes to pid 1, as docker sends it; SIGKILL of pid 1 takes its whole pid
         * namespace with it (every process of the container, exec'd ones included). */
        if (sys_pidfd_send_signal(p->pidfd, sig, NULL, 0) == 0)
                return 0;
        if (kill(p->pid, sig) < 0 && errno != ESRCH)
                return berr_set(err, errno, "kill %d", (int)p->pid);
        return 0;
}

static int ctr_probe(struct backend *b, const void *config, const struct backend_proc *p,
                     char *const *argv, struct backend_proc *ret, struct berr **err)
{
        struct backend_ctr *bc = (struct backend_ctr *)b;
        const struct plan_service *s = config;
        struct rt_process ctr = {.pid = p->pid, .pidfd = p->pidfd};
        struct rt_exec_opts o = {.argv = (char **)argv, .stdio = {-1, -1, -1}};
        struct rt_process rp = {0};
        struct rt_config cfg;
        cleanup_free char *name = NULL;
        int r;

        /* the probe runs as the container does; its name only matters for messages */
        name = xasprintf("%s-%s", s->project, s->name);
        backend_ctr_rt_config(s, name, &cfg);
        cfg.seccomp_bpf = seccomp_for(bc, s, &cfg, err);
        if (!cfg.seccomp_bpf && *err) {
                plan_rt_config_done(&cfg);
                return -(*err)->code;
        }
        r = rt_exec(&cfg, &ctr, &o, &rp, err);
        plan_rt_config_done(&cfg);
        if (r < 0)
                return r;
        ret->pid = rp.pid;
        ret->pidfd = TAKE_FD(rp.pidfd);
        ret->child = true;
        ret->start = 0;
        rt_process_done(&rp);
        return 0;
}

static int ctr_adopt(struct backend *b, const void *config, const char *name, pid_t pid,
                     uint64_t start, struct backend_proc *ret, struct berr **err)
{
        (void)b;
        (void)config;
        (void)name;
        return backend_adopt_pid(pid, start, ret, err);
}

static void ctr_cleanup(struct backend *b, const void *config, const struct backend_proc *p)
{
        const struct plan_service *s = config;

        (void)b;
        (void)s;
        (void)p;
        /* The cgroup is emptied when pid 1 dies (its pid namespace goes with it); it is removed by
         * backend_ctr_remove on rm/down, and reused by the next start of the same container. */
}

static void ctr_free(struct backend *b)
{
        struct backend_ctr *bc = (struct backend_ctr *)b;

        for (size_t i = 0; i < bc->n_cache; i++) {
                free(bc->cache[i].service);
                free(bc->cache[i].key);
                if (bc->cache[i].owner)
                        rt_seccomp_bpf_free(bc->cache[i].bpf);
        }
        free(bc->cache);
        free(bc);
}

static const struct backend_ops ctr_ops = {
        .name = "container",
        .start = ctr_start,
        .kill = ctr_kill,
        .probe = ctr_probe,
        .adopt = ctr_adopt,
        .cleanup = ctr_cleanup,
        .free = ctr_free,
};

struct backend *backend_ctr_new(void)
{
        struct backend_ctr *bc = xcalloc(1, sizeof(*bc));

        bc->base.ops = &ctr_ops;
        return &bc->base;
}

void backend_ctr_config_free(void *config)
{
        plan_service_free(config);
}

char **backend_ctr_list(const char *root, const char *project)
{
        cleanup_free char *dir = xasprintf("%s/containers", root);
        cleanup_closedir DIR *d = opendir(dir);
        char **v = xcalloc(1, sizeof(char *));
        struct dirent *de;

        while (d && (de = readdir(d))) {
                cleanup_free char *path = NULL, *owner = NULL;
                struct berr *e = NULL;

                if (de->d_name[0] == '.')
                        continue;
                path = xasprintf("%s/%s/project", dir, de->d_name);
                if (read_file(path, 4096, &owner, NULL, &e) < 0) {
                        berr_free(e);
                        continue;
                }
                if (strcmp(owner, project) == 0)
                        v = strv_push(v, de->d_name);
        }
        return v;
}

char **backend_ctr_cgroup_dirs(const char *root, const char *project)
{
        cleanup_strv char **names = backend_ctr_list(root, project);
        cleanup_strv char **locators = NULL;
        struct cgroup_env env = {0};
        struct berr *e = NULL;
        char **dirs;

        strv_foreach (n, names) {
                char *cg = read_cgroup(root, n);

                if (cg)
                        locators = strv_push_take(locators, cg);
        }
        if (cgroup_env_host(&env, &e) < 0)
                berr_free(e);
        dirs = cgroup_project_dirs(&env, cgroup_detect() == &cgroup_v2_ops, project, locators);
        cgroup_env_done(&env);
        return dirs;
}

int backend_ctr_remove(const char *root, const char *project, const char *name, bool anon_volumes,
                       struct berr **err)
{
        cleanup_free char *cg = read_cgroup(root, name);
        cleanup_free char *dir = plan_container_dir(root, name);
        cleanup_free char *anon = anon_volumes ? plan_anon_volumes_dir(root, project, name) : NULL;
        char *dirs[] = {dir, anon, NULL};
        int r;

        r = rt_destroy(cg, dirs, err);
        if (r < 0)
                return berr_wrap(err, "remove container %s", name);
        r = net_release(project, root, name, err);
        if (r < 0)
                return berr_wrap(err, "release the address of %s", name);
        return 0;
}
