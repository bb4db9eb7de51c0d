/* SPDX-License-Identifier: MIT */
/* `berth ctr run|exec|kill|rm|ps`: the internal, low-level face of the container core for tests and
 * debugging (docs/cli.md, "Internal commands"). A container is described by a JSON file that maps
 * one to one onto struct rt_config; `run` starts it in the foreground (forwarding SIGINT/SIGTERM,
 * exiting with its status, OOM reported) or detached (-d) with a state file under
 * $BERTH_RUN/ctr/<id>.json that exec, kill and rm read. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "runtime/runtime.h"

const char cmd_ctr_usage[] =
        "run|exec|kill|rm [OPTIONS] ...\n"
        "\n"
        "Internal: run one container from a JSON description (docs/cli.md).\n"
        "\n"
        "  berth ctr run [-d] [--rm] CONFIG.json [-- CMD...]\n"
        "      -d, --detach   start, record $BERTH_RUN/ctr/<id>.json, print the pid, return\n"
        "          --log FILE with -d: the container's stdout and stderr (default: none)\n"
        "          --rm       remove the upper/work/merged dirs when the container exits\n"
        "          --pre-start CMD  run CMD on the host at the pre-start barrier, $BERTH_PID set\n"
        "  berth ctr exec [-u USER] [-w DIR] [-e K=V]... ID -- CMD...\n"
        "  berth ctr kill [-s SIGNAL] [--all] ID\n"
        "  berth ctr rm [-f] ID\n"
        "  berth ctr bench N CONFIG.json   spawn+reap+remove N times in one process\n";

/* ---- JSON config -> struct rt_config ----------------------------------------------------------
 */

struct ctr_conf {
        struct rt_config cfg;
        json_t *root; /* strings in cfg point into it */
};

static const char *const top_keys[] = {"id",
                                       "project",
                                       "rootfs",
                                       "lowerdirs",
                                       "upperdir",
                                       "workdir",
                                       "mountpoint",
                                       "read_only",
                                       "argv",
                                       "env",
                                       "cwd",
                                       "user",
                                       "hostname",
                                       "domainname",
                                       "mounts",
                                       "devices",
                                       "shm_size",
                                       "ulimits",
                                       "sysctls",
                                       "cap_add",
                                       "cap_drop",
                                       "privileged",
                                       "no_new_privileges",
                                       "seccomp",
                                       "masked_paths",
                                       "readonly_paths",
                                       "init",
                                       "resources",
                                       "network",
                                       "userns",
                                       "hosts_file",
                                       "hostname_file",
                                       "resolv_conf_file",
                                       NULL};

static char *jstr(json_t *o, const char *k)
{
        json_t *v = json_object_get(o, k);

        return json_is_string(v) ? (char *)json_string_value(v) : NULL;
}

/* A NULL-terminated vector of borrowed strings (free only the array). */
static char **jstrv(json_t *o, const char *k, const char *file, struct berr **err)
{
        json_t *a = json_object_get(o, k), *e;
        char **v;
        size_t i;

        if (!a)
                return NULL;
        if (!json_is_array(a)) {
                berr_msg(err, EINVAL, "%s: \"%s\" must be an array of strings", file, k);
                return NULL;
        }
        v = xcalloc(json_array_size(a) + 1, sizeof(*v));
        json_array_foreach(a, i, e)
        {
                if (!json_is_string(e)) {
                        free(v);
                        berr_msg(err, EINVAL, "%s: %s[%zu] must be a string", file, k, i);
                        return NULL;
                }
                v[i] = (char *)json_string_value(e);
        }
        return v;
}

static int parse_mounts(json_t *a, struct rt_config *c, const char *file, struct berr **err)
{
        size_t i;
        json_t *m;

        c->mounts = xcalloc(json_array_size(a) + 1, sizeof(*c->mounts));
        json_array_foreach(a, i, m)
        {
                struct rt_mount *x = &c->mounts[c->n_mounts++];
                const char *type = jstr(m, "type");

                x->type = !type || !strcmp(type, "bind") ? RT_MOUNT_BIND
                          : !strcmp(type, "volume")      ? RT_MOUNT_VOLUME
                          : !strcmp(type, "tmpfs")       ? RT_MOUNT_TMPFS
                                                         : (enum rt_mount_type) - 1;
                if ((int)x->type < 0)
                        return berr_msg(err, EINVAL,
                                        "%s: mounts[%zu].type \"%s\" is not bind, "
                                        "volume or tmpfs",
                                        file, i, type);
                x->source = jstr(m, "source");
                x->target = jstr(m, "target");
                x->read_only = json_is_true(json_object_get(m, "read_only"));
                x->create_source = !json_is_false(json_object_get(m, "create_source"));
                x->copy_up = json_is_true(json_object_get(m, "copy_up"));
                x->recursive = true;
                if (jstr(m, "options") && rt_mount_parse_options(jstr(m, "options"), x, err) < 0)
                        return berr_wrap(err, "%s: mounts[%zu]", file, i);
        }
        return 0;
}

static int parse_ulimits(json_t *o, struct rt_config *c, const char *file, struct berr **err)
{
        const char *k;
        json_t *v;

        c->ulimits = xcalloc(json_object_size(o) + 1, sizeof(*c->ulimits));
        json_object_foreach(o, k, v)
        {
                struct rt_ulimit *u = &c->ulimits[c->n_ulimits++];

                u->resource = rt_ulimit_resource(k);
                if (u->resource < 0)
                        return berr_msg(err, EINVAL, "%s: ulimits: unknown limit \"%s\"", file, k);
                if (json_is_integer(v)) {
                        u->soft = u->hard = (uint64_t)json_integer_value(v);
                } else {
                        u->soft = (uint64_t)json_integer_value(json_object_get(v, "soft"));
                        u->hard = (uint64_t)json_integer_value(json_object_get(v, "hard"));
                }
                if (u->soft > u->hard)
                        return berr_msg(err, EINVAL, "%s: ulimits.%s: soft above hard", file, k);
        }
        return 0;
}

static void parse_resources(json_t *r, struct rt_resources *x)
{
        x->memory = json_integer_value(json_object_get(r, "memory"));
        x->memory_reservation = json_integer_value(json_object_get(r, "memory_reservation"));
        x->memory_swap = json_integer_value(json_object_get(r, "memory_swap"));
        x->cpu_quota = json_integer_value(json_object_get(r, "cpu_quota"));
        x->cpu_period = (uint64_t)json_integer_value(json_object_get(r, "cpu_period"));
        x->cpu_shares = (uint64_t)json_integer_value(json_object_get(r, "cpu_shares"));
        x->cpuset_cpus = jstr(r, "cpuset_cpus");
        x->cpuset_mems = jstr(r, "cpuset_mems");
        x->pids_limit = json_integer_value(json_object_get(r, "pids_limit"));
        x->blkio_weight = (uint16_t)json_integer_value(json_object_get(r, "blkio_weight"));
}

static int parse_idmap(json_t *a, struct rt_idmap **ret, size_t *n)
{
        size_t i;
        json_t *e;

        *ret = xcalloc(json_array_size(a) + 1, sizeof(**ret));
        json_array_foreach(a, i, e)
        {
                if (json_array_size(e) != 3)
                        return -EINVAL;
                (*ret)[i] = (struct rt_idmap){(uint32_t)json_integer_value(json_array_get(e, 0)),
                                              (uint32_t)json_integer_value(json_array_get(e, 1)),
                                              (uint32_t)json_integer_value(json_array_get(e, 2))};
                (*n)++;
        }
        return 0;
}

static int parse_security(json_t *o, struct rt_config *c, const char *file, struct berr **err)
{
        const char *sc = jstr(o, "seccomp");
        const char *net = jstr(o, "network");
        json_t *u = json_object_get(o, "userns");

        c->privileged = json_is_true(json_object_get(o, "privileged"));
        c->no_new_privs_off = json_is_false(json_object_get(o, "no_new_privileges"));
        c->init = json_is_true(json_object_get(o, "init"));
        if (!sc || !strcmp(sc, "default")) {
                c->seccomp = RT_SECCOMP_DEFAULT;
        } else if (!strcmp(sc, "unconfined")) {
                c->seccomp = RT_SECCOMP_UNCONFINED;
        } else {
                c->seccomp = RT_SECCOMP_PROFILE;
                c->seccomp_profile = (char *)sc;
        }
        if (!net || !strcmp(net, "none")) {
                c->net = RT_NET_NEW;
        } else if (!strcmp(net, "host")) {
                c->net = RT_NET_HOST;
        } else {
                c->net = RT_NET_JOIN;
                c->netns_path = (char *)net;
        }
        if (u) {
                c->userns = true;
                if (parse_idmap(json_object_get(u, "uid_map"), &c->uid_map, &c->n_uid_map) < 0 ||
                    parse_idmap(json_object_get(u, "gid_map"), &c->gid_map, &c->n_gid_map) < 0)
                        return berr_msg(err, EINVAL, "%s: userns maps are [[inside, host, size]]",
                                        file);
        }
        return 0;
}

static int check_keys(json_t *o, const char *file, struct berr **err)
{
        const char *k;
        json_t *v;

        json_object_foreach(o, k, v)
        {
                if (!strv_contains((char *const *)top_keys, k))
                        return berr_msg(err, EINVAL, "%s: unknown key \"%s\"", file, k);
        }
        return 0;
}

static int conf_load_json(json_t *root, const char *file, struct ctr_conf *cc, struct berr **err)
{
        struct rt_config *c = &cc->cfg;

        rt_config_init(c);
        /* The command line's own stdio is the container's. */
        c->stdio[0] = 0;
        c->stdio[1] = 1;
        c->stdio[2] = 2;
        cc->root = root;
        if (!json_is_object(root) || check_keys(root, file, err) < 0)
                return err && *err ? -(*err)->code
                                   : berr_msg(err, EINVAL, "%s: not an object", file);
        c->id = jstr(root, "id");
        c->project = jstr(root, "project");
        c->rootfs = jstr(root, "rootfs");
        c->upperdir = jstr(root, "upperdir");
        c->workdir = jstr(root, "workdir");
        c->mountpoint = jstr(root, "mountpoint");
        c->read_only = json_is_true(json_object_get(root, "read_only"));
        c->cwd = jstr(root, "cwd");
        c->user = jstr(root, "user");
        c->hostname = jstr(root, "hostname");
        c->domainname = jstr(root, "domainname");
        c->shm_size = (uint64_t)json_integer_value(json_object_get(root, "shm_size"));
        c->hosts_file = jstr(root, "hosts_file");
        c->hostname_file = jstr(root, "hostname_file");
        c->resolv_conf_file = jstr(root, "resolv_conf_file");
        c->lowerdirs = jstrv(root, "lowerdirs", file, err);
        c->argv = jstrv(root, "argv", file, err);
        c->env = jstrv(root, "env", file, err);
        c->sysctls = jstrv(root, "sysctls", file, err);
        c->cap_add = jstrv(root, "cap_add", file, err);
        c->cap_drop = jstrv(root, "cap_drop", file, err);
        c->masked_paths = jstrv(root, "masked_paths", file, err);
        c->readonly_paths = jstrv(root, "readonly_paths", file, err);
        if (*err)
                return -(*err)->code;
        if (!c->id || !c->project)
                return berr_msg(err, EINVAL, "%s: \"id\" and \"project\" are required", file);
        parse_resources(json_object_get(root, "resources"), &c->resources);
        if (parse_mounts(json_object_get(root, "mounts"), c, file, err) < 0 ||
            parse_ulimits(json_object_get(root, "ulimits"), c, file, err) < 0 ||
            parse_security(root, c, file, err) < 0)
                return -(*err)->code;
        {
                json_t *d = json_object_get(root, "devices"), *e;
                size_t i;

                c->devices = xcalloc(json_array_size(d) + 1, sizeof(*c->devices));
                json_array_foreach(d, i, e)
                {
                        c->devices[i].host_path = (char *)json_string_value(e);
                        if (!c->devices[i].host_path)
                                return berr_msg(err, EINVAL, "%s: devices[%zu]: a path", file, i);
                        c->n_devices++;
                }
        }
        return 0;
}

static void conf_done(struct ctr_conf *cc)
{
        struct rt_config *c = &cc->cfg;

        free(c->lowerdirs);
        free(c->argv);
        free(c->env);
        free(c->sysctls);
        free(c->cap_add);
        free(c->cap_drop);
        free(c->masked_paths);
        free(c->readonly_paths);
        for (size_t i = 0; i < c->n_mounts; i++)
                free(c->mounts[i].options);
        free(c->mounts);
        free(c->ulimits);
        free(c->devices);
        free(c->uid_map);
        free(c->gid_map);
        json_decref(cc->root);
        memset(cc, 0, sizeof(*cc));
}

static int conf_load(const char *file, struct ctr_conf *cc, struct berr **err)
{
        json_error_t je;
        json_t *root = json_load_file(file, 0, &je);

        memset(cc, 0, sizeof(*cc));
        if (!root)
                return berr_msg(err, EINVAL, "%s:%d:%d: %s", file, je.line, je.column, je.text);
        return conf_load_json(root, file, cc, err);
}

/* ---- state ------------------------------------------------------------------------------------
 */

static char *state_path(const struct cli *cli, const char *id)
{
        return xasprintf("%s/ctr/%s.json", cli->run, id);
}

static int state_write(const struct cli *cli, const struct ctr_conf *cc, const struct rt_process *p,
                       struct berr **err)
{
        cleanup_free char *dir = xasprintf("%s/ctr", cli->run), *path = state_path(cli, cc->cfg.id);
        cleanup_free char *text = NULL;
        json_t *s;
        int r;

        if (mkdir_p(dir, 0700, err) < 0)
                return -(*err)->code;
        s = json_pack("{s:i, s:s, s:O}", "pid", (int)p->pid, "cgroup", p->cgroup, "config",
                      cc->root);
        text = json_dumps(s, JSON_COMPACT);
        json_decref(s);
        r = atomic_write_file(path, text, strlen(text), 0600, err);
        return r;
}

struct ctr_state {
        pid_t pid;
        char *cgroup;
        struct ctr_conf conf;
};

static int state_read(const struct cli *cli, const char *id, struct ctr_state *st,
                      struct berr **err)
{
        cleanup_free char *path = state_path(cli, id);
        json_error_t je;
        json_t *s = json_load_file(path, 0, &je), *cfg;
        int r;

        memset(st, 0, sizeof(*st));
        if (!s)
                return berr_msg(err, ENOENT, "no such container: %s", id);
        st->pid = (pid_t)json_integer_value(json_object_get(s, "pid"));
        st->cgroup = xstrdup(jstr(s, "cgroup") ? jstr(s, "cgroup") : "");
        cfg = json_incref(json_object_get(s, "config"));
        json_decref(s);
        r = conf_load_json(cfg, path, &st->conf, err);
        return r;
}

static void state_done(struct ctr_state *st)
{
        free(st->cgroup);
        conf_done(&st->conf);
}

/* ---- commands ---------------------------------------------------------------------------------
 */

static int fail(const struct berr *e, int status)
{
        berr_print(e, stderr);
        return status;
}

/* Wait for the container, forwarding SIGINT/SIGTERM/SIGHUP/SIGQUIT to its pid 1. */
static int wait_forwarding(const struct rt_process *p, int *ret_status)
{
        sigset_t set;
        struct pollfd pfd[2];

        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGQUIT);
        sigprocmask(SIG_BLOCK, &set, NULL);
        pfd[0] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = signalfd(-1, &set, SFD_CLOEXEC), .events = POLLIN};
        for (;;) {
                if (poll(pfd, 2, -1) < 0 && errno != EINTR)
                        return -errno;
                if (pfd[1].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        if (read(pfd[1].fd, &si, sizeof(si)) == sizeof(si))
                                (void)kill(p->pid, (int)si.ssi_signo);
                }
                if (pfd[0].revents & POLLIN)
                        break;
        }
        close(pfd[1].fd);
        return waitpid(p->pid, ret_status, 0) == p->pid ? 0 : -errno;
}

static char **owned_dirs(const struct rt_config *c)
{
        char **v = NULL;

        if (c->upperdir)
                v = strv_push(v, c->upperdir);
        if (c->workdir)
                v = strv_push(v, c->workdir);
        if (c->lowerdirs && c->mountpoint)
                v = strv_push(v, c->mountpoint);
        return v;
}

static int prepare_dirs(const struct rt_config *c, struct berr **err)
{
        const char *dirs[] = {c->upperdir, c->workdir, c->mountpoint};
        cleanup_free char *mp = NULL;

        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
                if (dirs[i] && mkdir_p(dirs[i], 0755, err) < 0)
                        return -(*err)->code;
        if (c->lowerdirs && !c->mountpoint && c->upperdir) {
                cleanup_free char *up = xstrdup(c->upperdir);

                mp = xasprintf("%s/../merged", up);
                if (mkdir_p(mp, 0755, err) < 0)
                        return -(*err)->code;
        }
        return 0;
}

/* --pre-start CMD: a host command run at the pre_start barrier (the container's namespaces exist,
 * it sits in its cgroup, its rootfs is being built) with BERTH_PID set, as netmgr's veth setup
 * will be; a non-zero exit aborts the start. */
static int pre_start_cmd(pid_t pid, void *ud, struct berr **err)
{
        const char *cmd = ud;
        char pidstr[16];
        pid_t c;
        int st;

        snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
        c = fork();
        if (c < 0)
                return berr_set(err, errno, "fork");
        if (c == 0) {
                setenv("BERTH_PID", pidstr, 1);
                execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
                _exit(127);
        }
        if (waitpid(c, &st, 0) != c)
                return berr_set(err, errno, "wait for %s", cmd);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                return berr_msg(err, EIO, "\"%s\" exited with status %d", cmd,
                                WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        return 0;
}

/* Compile the seccomp filter once per (caps, profile) and keep it under $BERTH_RUN/ctr: a CLI
 * process per container would otherwise pay libseccomp's ~5-10 ms every time. */
static struct rt_seccomp_bpf *seccomp_cached(const struct cli *cli, const struct rt_config *c)
{
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *key = NULL, *path = NULL, *buf = NULL, *dir = NULL;
        struct rt_seccomp_bpf *bpf = NULL;
        size_t len = 0;

        if (c->privileged || c->seccomp == RT_SECCOMP_UNCONFINED ||
            rt_seccomp_key(c, &key, &err) < 0)
                return NULL; /* rt_spawn reports any error itself */
        dir = xasprintf("%s/ctr", cli->run);
        path = xasprintf("%s/seccomp-%s.bpf", dir, key);
        if (read_file(path, 1 << 20, &buf, &len, NULL) == 0) {
                bpf = rt_seccomp_bpf_from_data(buf, len);
                if (bpf)
                        return bpf;
        }
        if (rt_seccomp_compile(c, &bpf, &err) < 0 || !bpf)
                return NULL;
        {
                const void *data = rt_seccomp_bpf_data(bpf, &len);

                if (mkdir_p(dir, 0700, NULL) == 0)
                        (void)atomic_write_file(path, data, len, 0600, NULL);
        }
        return bpf;
}

static int ctr_run_foreground(struct ctr_conf *cc, bool rm)
{
        cleanup_berr struct berr *err = NULL;
        struct rt_process p;
        struct rt_exit ex;
        cleanup_strv char **dirs = NULL;
        int st = 0, code;

        if (rt_spawn(&cc->cfg, &p, &err) < 0)
                return fail(err, p.setup_status);
        if (wait_forwarding(&p, &st) < 0) {
                berr_set(&err, errno, "wait for container %s", cc->cfg.id);
                rt_process_done(&p);
                return fail(err, 125);
        }
        if (rt_exit_reason(p.cgroup, st, &ex, &err) < 0)
                berr_freep(&err);
        code = ex.code;
        if (ex.oom_killed)
                fprintf(stderr, "berth: container %s: OOMKilled (exit %d)\n", cc->cfg.id, code);
        if (rm)
                dirs = owned_dirs(&cc->cfg);
        if (rt_destroy(p.cgroup, dirs, &err) < 0)
                berr_print(err, stderr);
        rt_process_done(&p);
        return code;
}

static int ctr_run(struct cli *cli, int argc, char **argv, const struct command *self)
{
        static const struct option opts[] = {{"detach", no_argument, NULL, 'd'},
                                             {"rm", no_argument, NULL, 'r'},
                                             {"log", required_argument, NULL, 'l'},
                                             {"pre-start", required_argument, NULL, 'p'},
                                             {0}};
        const char *log = NULL, *hook = NULL;
        cleanup_close int logfd = -1;
        struct rt_seccomp_bpf *bpf = NULL;
        cleanup_berr struct berr *err = NULL;
        struct ctr_conf cc;
        bool detach = false, rm = false;
        int c, code;

        while ((c = getopt_long(argc, argv, "+d", opts, NULL)) != -1) {
                if (c == 'd')
                        detach = true;
                else if (c == 'r')
                        rm = true;
                else if (c == 'l')
                        log = optarg;
                else if (c == 'p')
                        hook = optarg;
                else
                        return cli_usage_error(self, "run: unknown flag %s", argv[optind - 1]);
        }
        if (optind >= argc)
                return cli_usage_error(self, "run: a CONFIG.json is required");
        if (conf_load(argv[optind], &cc, &err) < 0) {
                conf_done(&cc);
                return fail(err, 125);
        }
        if (optind + 1 < argc && strcmp(argv[optind + 1], "--") == 0) {
                free(cc.cfg.argv);
                cc.cfg.argv = strv_copy(argv + optind + 2); /* leaked at exit; a tiny CLI */
        }
        if (prepare_dirs(&cc.cfg, &err) < 0) {
                conf_done(&cc);
                return fail(err, 125);
        }
        if (detach) {
                /* A detached container must not hold our stdout (a caller's pipe would wait for
                 * it): its output goes to --log or nowhere. */
                if (log) {
                        logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
                        if (logfd < 0) {
                                berr_set(&err, errno, "open %s", log);
                                conf_done(&cc);
                                return fail(err, 125);
                        }
                }
                cc.cfg.stdio[0] = -1;
                cc.cfg.stdio[1] = cc.cfg.stdio[2] = logfd;
        }
        if (hook) {
                cc.cfg.pre_start = pre_start_cmd;
                cc.cfg.pre_start_ud = (void *)hook;
        }
        bpf = seccomp_cached(cli, &cc.cfg);
        cc.cfg.seccomp_bpf = bpf;
        if (!detach) {
                code = ctr_run_foreground(&cc, rm);
        } else {
                struct rt_process p;

                code = 0;
                if (rt_spawn(&cc.cfg, &p, &err) < 0) {
                        code = fail(err, p.setup_status);
                } else {
                        if (state_write(cli, &cc, &p, &err) < 0)
                                code = fail(err, 125);
                        else
                                printf("%d\n", (int)p.pid);
                        rt_process_done(&p);
                }
        }
        rt_seccomp_bpf_free(bpf);
        conf_done(&cc);
        return code;
}

static int ctr_exec(struct cli *cli, int argc, char **argv, const struct command *self)
{
        static const struct option opts[] = {{"user", required_argument, NULL, 'u'},
                                             {"workdir", required_argument, NULL, 'w'},
                                             {"env", required_argument, NULL, 'e'},
                                             {0}};
        cleanup_berr struct berr *err = NULL;
        cleanup_strv char **env = NULL;
        struct rt_exec_opts o = {.stdio = {0, 1, 2}};
        struct ctr_state st;
        struct rt_process ctr = {.pidfd = -1}, p;
        int c, ws = 0, code;

        while ((c = getopt_long(argc, argv, "+u:w:e:", opts, NULL)) != -1) {
                if (c == 'u')
                        o.user = optarg;
                else if (c == 'w')
                        o.cwd = optarg;
                else if (c == 'e')
                        env = strv_push(env, optarg);
                else
                        return cli_usage_error(self, "exec: unknown flag %s", argv[optind - 1]);
        }
        if (optind + 2 > argc)
                return cli_usage_error(self, "exec: ID and a command are required");
        if (state_read(cli, argv[optind], &st, &err) < 0) {
                state_done(&st);
                return fail(err, 125);
        }
        o.env = env;
        o.argv = argv + optind + 1 + (strcmp(argv[optind + 1], "--") == 0);
        ctr.pid = st.pid;
        ctr.cgroup = st.cgroup;
        if (rt_exec(&st.conf.cfg, &ctr, &o, &p, &err) < 0) {
                state_done(&st);
                return fail(err, p.setup_status);
        }
        if (wait_forwarding(&p, &ws) < 0)
                ws = 125 << 8;
        code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        rt_process_done(&p);
        state_done(&st);
        return code;
}

static int ctr_kill(struct cli *cli, int argc, char **argv, const struct command *self)
{
        static const struct option opts[] = {
                {"signal", required_argument, NULL, 's'}, {"all", no_argument, NULL, 'a'}, {0}};
        cleanup_berr struct berr *err = NULL;
        struct ctr_state st;
        int c, sig = SIGKILL, r;
        bool all = false;

        while ((c = getopt_long(argc, argv, "+s:", opts, NULL)) != -1) {
                if (c == 's') {
                        sig = sigabbrev_np(atoi(optarg)) ? atoi(optarg) : 0;
                        for (int i = 1; !sig && i < NSIG; i++) {
                                const char *n = sigabbrev_np(i);
                                const char *want = strncmp(optarg, "SIG", 3) ? optarg : optarg + 3;

                                if (n && strcmp(n, want) == 0)
                                        sig = i;
                        }
                        if (!sig)
                                return cli_usage_error(self, "kill: unknown signal %s", optarg);
                } else if (c == 'a') {
                        all = true;
                } else {
                        return cli_usage_error(self, "kill: unknown flag %s", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error(self, "kill: ID required");
        if (state_read(cli, argv[optind], &st, &err) < 0) {
                state_done(&st);
                return fail(err, 1);
        }
        r = rt_kill(st.cgroup, st.pid, sig, all, &err);
        state_done(&st);
        return r < 0 ? fail(err, 1) : 0;
}

static int ctr_rm(struct cli *cli, int argc, char **argv, const struct command *self)
{
        cleanup_berr struct berr *err = NULL;
        cleanup_strv char **dirs = NULL;
        cleanup_free char *path = NULL;
        struct ctr_state st;
        bool force = false;
        int c, r;

        while ((c = getopt(argc, argv, "+f")) != -1) {
                if (c == 'f')
                        force = true;
                else
                        return cli_usage_error(self, "rm: unknown flag");
        }
        if (optind >= argc)
                return cli_usage_error(self, "rm: ID required");
        if (state_read(cli, argv[optind], &st, &err) < 0) {
                state_done(&st);
                return fail(err, 1);
        }
        if (!force && st.pid > 0 && kill(st.pid, 0) == 0) {
                char *text = NULL;
                cleanup_free char *stat = xasprintf("/proc/%d/stat", (int)st.pid);

                /* A zombie left by an exited detached run is not running. */
                if (read_file(stat, 4096, &text, NULL, NULL) == 0 && !strstr(text, ") Z ")) {
                        free(text);
                        state_done(&st);
                        fprintf(stderr, "berth: container %s is running (use -f)\n", argv[optind]);
                        return 1;
                }
                free(text);
        }
        dirs = owned_dirs(&st.conf.cfg);
        r = rt_destroy(st.cgroup, dirs, &err);
        path = state_path(cli, argv[optind]);
        if (r == 0)
                unlink(path);
        state_done(&st);
        return r < 0 ? fail(err, 1) : 0;
}

/* bench N CONFIG: the library path alone, as the supervisor uses it (one process, the seccomp
 * filter compiled once): spawn, wait, read the exit, destroy; N times. */
static int ctr_bench(int argc, char **argv, const struct command *self)
{
        cleanup_berr struct berr *err = NULL;
        struct rt_seccomp_bpf *bpf = NULL;
        struct ctr_conf cc;
        struct timespec t0, t1;
        long n;
        int code = 0;

        if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0)
                return cli_usage_error(self, "bench: N CONFIG.json");
        if (conf_load(argv[2], &cc, &err) < 0 || rt_seccomp_compile(&cc.cfg, &bpf, &err) < 0) {
                conf_done(&cc);
                return fail(err, 125);
        }
        cc.cfg.seccomp_bpf = bpf;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n && code == 0; i++) {
                struct rt_process p;
                struct rt_exit ex;
                int st = 0;

                if (rt_spawn(&cc.cfg, &p, &err) < 0) {
                        code = fail(err, p.setup_status);
                        break;
                }
                if (waitpid(p.pid, &st, 0) != p.pid ||
                    rt_exit_reason(p.cgroup, st, &ex, &err) < 0 ||
                    rt_destroy(p.cgroup, NULL, &err) < 0)
                        code = err ? fail(err, 1) : 1;
                else if (ex.code != 0)
                        code = ex.code;
                rt_process_done(&p);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (code == 0)
                printf("%.2f ms per container (%ld, spawn to reap and remove, in one process)\n",
                       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                        (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
                               (double)n,
                       n);
        rt_seccomp_bpf_free(bpf);
        conf_done(&cc);
        return code;
}

int cmd_ctr(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("ctr");

        cli_getopt_reset();
        if (argc < 2)
                return cli_usage_error(self, "a subcommand is required: run, exec, kill, rm");
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                cli_print_help(self);
                return 0;
        }
        argc--;
        argv++;
        if (strcmp(argv[0], "run") == 0)
                return ctr_run(cli, argc, argv, self);
        if (strcmp(argv[0], "exec") == 0)
                return ctr_exec(cli, argc, argv, self);
        if (strcmp(argv[0], "kill") == 0)
                return ctr_kill(cli, argc, argv, self);
        if (strcmp(argv[0], "rm") == 0)
                return ctr_rm(cli, argc, argv, self);
        if (strcmp(argv[0], "bench") == 0)
                return ctr_bench(argc, argv, self);
        return cli_usage_error(self, "unknown subcommand \"%s\"", argv[0]);
}
