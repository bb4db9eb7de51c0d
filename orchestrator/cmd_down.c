/* SPDX-License-Identifier: MIT */
/* `berth down`: stop and remove the project's containers, networks (and with -v its named
 * volumes, never external ones; with --rmi its images), as `docker compose down`. Works whether
 * or not a supervisor runs, and after a crash at any step of `up`: everything is found by name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/faultpoint.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/netmgr.h"
#include "orchestrator/backend_ctr.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/lock.h"
#include "orchestrator/oneoff.h"
#include "orchestrator/paused.h"
#include "orchestrator/plan.h"
#include "orchestrator/progress.h"
#include "orchestrator/reconcile.h"
#include "orchestrator/stack.h"
#include "orchestrator/state.h"
#include "runtime/cgroup.h"
#include "runtime/image.h"
#include "runtime/runtime.h"
#include "spec/spec.h"

const char cmd_down_usage[] =
        "[OPTIONS] [SERVICES]\n"
        "\n"
        "Stop and remove containers, networks\n"
        "\n"
        "Options:\n"
        "      --remove-orphans    Remove containers for services not defined in the Compose file\n"
        "      --rmi string        Remove images used by services. \"local\" remove only images that don't have a custom tag (\"local\"|\"all\")\n"
        "  -t, --timeout int       Specify a shutdown timeout in seconds\n"
        "  -v, --volumes           Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers\n";

struct down_opts {
        bool volumes, remove_orphans;
        const char *rmi;
        int64_t timeout_ms;
};

static int parse(const struct command *self, int argc, char **argv, struct down_opts *o)
{
        enum {
                O_ORPHANS = 256,
                O_RMI
        };
        static const struct option opts[] = {
                {"remove-orphans", no_argument, NULL, O_ORPHANS},
                {"rmi", required_argument, NULL, O_RMI},
                {"timeout", required_argument, NULL, 't'},
                {"volumes", no_argument, NULL, 'v'},
                {0},
        };
        char *end;
        int c;

        o->timeout_ms = -1;
        while ((c = getopt_long(argc, argv, ":t:v", opts, NULL)) != -1) {
                switch (c) {
                case O_ORPHANS:
                        o->remove_orphans = true;
                        break;
                case O_RMI:
                        if (strcmp(optarg, "all") != 0 && strcmp(optarg, "local") != 0)
                                return cli_usage_error(
                                        self, "--rmi: \"%s\" is not one of local, all", optarg);
                        o->rmi = optarg;
                        break;
                case 't':
                        o->timeout_ms = strtol(optarg, &end, 10) * 1000;
                        if (*end || o->timeout_ms < 0)
                                return cli_usage_error(
                                        self, "--timeout: \"%s\" is not a number of seconds",
                                        optarg);
                        break;
                case 'v':
                        o->volumes = true;
                        break;
                case ':':
                        return cli_usage_error(self, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
                }
        }
        return 0;
}

/* Ask the supervisor to stop everything and exit; wait until it has. */
static int supervisor_down(struct stack *st, const struct down_opts *o, struct progress *pr,
                           struct berr **err)
{
        struct ctl_conn *conn = NULL;
        struct proto_request req = {.op = PROTO_OP_DOWN, .timeout_ms = o->timeout_ms};
        struct proto_response resp = {0};
        struct berr *e = NULL;
        int r;

        if (ctl_connect(st->cli->run, st->name, &conn, &e) < 0) {
                berr_free(e);
                return 0;
        }
        r = ctl_call(conn, &req, &resp, -1, err);
        for (size_t i = 0; r == 0 && i < resp.n_ctrs; i++)
                progress_event(pr, "Container", resp.ctrs[i].name, "Stopped", -1, false);
        proto_response_done(&resp);
        ctl_close(conn);
        if (r < 0)
                return r;
        /* the answer comes before it exits: wait for its lock */
        return reconcile_kill_supervisor(st->cli->run, st->name, err);
}

/* One `down` of a project at a time: a second one waits for the first to finish, then finds
 * little or nothing left to do (as `docker compose down` run twice). The lock is an flock on the
 * project's run directory, which the first `down` removes: after waiting, the directory must
 * still be the one locked, else lock the new one. The kernel drops it if the CLI is killed. */
static int down_lock(const char *run_dir, struct berr **err)
{
        for (;;) {
                struct stat a, b;
                int fd, r;

                r = mkdir_p(run_dir, 0700, err);
                if (r < 0)
                        return r;
                fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return berr_set(err, errno, "open `%s`", run_dir);
                }
                while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
                        ;
                if (r < 0) {
                        r = berr_set(err, errno, "lock `%s`", run_dir);
                        close(fd);
                        return r;
                }
                if (fstat(fd, &a) == 0 && stat(run_dir, &b) == 0 && a.st_ino == b.st_ino &&
                    a.st_dev == b.st_dev)
                        return fd;
                close(fd);
        }
}

static int remove_tree(const char *path, struct berr **err)
{
        char *dirs[] = {(char *)path, NULL};

        return rt_destroy(NULL, dirs, err);
}

static int remove_volumes(struct stack *st, struct progress *pr, struct berr **err)
{
        for (size_t i = 0; i < st->p->nvolumes; i++) {
                const struct spec_volume *v = &st->p->volumes[i];
                cleanup_free char *full =
                        v->name ? xstrdup(v->name) : xasprintf("%s_%s", st->name, v->key);
                cleanup_free char *dir = plan_volume_dir(st->cli->root, st->name, full);
                struct stat sb;

                if (v->external || stat(dir, &sb) < 0)
                        continue;
                if (remove_tree(dir, err) < 0)
                        return berr_wrap(err, "volume %s", full);
                progress_event(pr, "Volume", full, "Removed", -1, false);
        }
        return 0;
}

/* -v: the anonymous volumes left by containers removed earlier (a `down` without -v, `rm`),
 * except those of containers that still exist (orphans kept without --remove-orphans) */
static int remove_anon_volumes(struct stack *st, struct berr **err)
{
        cleanup_free char *top = plan_anon_volumes_dir(st->cli->root, st->name, NULL);
        cleanup_strv char **live = backend_ctr_list(st->cli->root, st->name);
        cleanup_closedir DIR *d = opendir(top);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                cleanup_free char *path = NULL;

                if (de->d_name[0] == '.' || strv_contains(live, de->d_name))
                        continue;
                path = xasprintf("%s/%s", top, de->d_name);
                if (remove_tree(path, err) < 0)
                        return berr_wrap(err, "anonymous volumes of %s", de->d_name);
        }
        return 0;
}

static void remove_images(struct stack *st, const char *rmi, struct progress *pr)
{
        for (size_t i = 0; i < st->p->nservices; i++) {
                const char *ref = st->p->services[i].image;
                struct berr *e = NULL;

                /* local: only images without a custom tag, i.e. those berth would have built */
                if (!ref || strcmp(rmi, "all") != 0)
                        continue;
                if (image_remove(st->cli->root, ref, &e) == 0)
                        progress_event(pr, "Image", ref, "Removed", -1, false);
                berr_free(e);
        }
}

int cmd_down(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("down");
        struct down_opts o = {0};
        struct stack st;
        struct progress pr;
        struct state_project *sp = NULL;
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *state_dir = NULL, *run_dir = NULL;
        cleanup_strv char **cg_dirs = NULL;
        cleanup_close int lock_fd = -1;
        int r;

        if ((r = parse(self, argc, argv, &o)) != 0)
                return r;
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        progress_init(&pr, cli, stderr);
        run_dir = lock_run_dir(cli->run, st.name);
        lock_fd = down_lock(run_dir, &err);
        if (lock_fd < 0) {
                berr_print(err, stderr);
                progress_done(&pr);
                stack_done(&st);
                return 1;
        }
        fault_point("down.load");
        sp = stack_state(&st);
        /* frozen containers (`berth pause`) could not die */
        (void)paused_thaw_all(cli->root, sp);
        /* one-off containers of `berth run` (orchestrator/oneoff.h) */
        r = oneoff_remove_all(cli->root, st.name, &err) < 0 ? -1 : 0;
        if (r == 0)
                r = supervisor_down(&st, &o, &pr, &err);
        fault_point("down.stop");
        /* where the project's cgroups are, read before the containers' records go */
        cg_dirs = backend_ctr_cgroup_dirs(cli->root, st.name);
        for (size_t i = 0; r == 0 && sp && i < sp->n_ctrs; i++) {
                const struct state_container *c = &sp->ctrs[i];

                if (!spec_project_service(st.p, c->service) && !o.remove_orphans)
                        continue;
                r = reconcile_remove_container(&st, c->name, o.volumes, &err);
                if (r == 0)
                        progress_event(&pr, "Container", c->name, "Removed", -1, false);
                fault_point("down.rm");
        }
        /* containers a killed `down` left without state: found by their directories */
        if (r == 0) {
                cleanup_strv char **left = backend_ctr_list(cli->root, st.name);

                strv_foreach (n, left) {
                        if (sp && state_find(sp, n))
                                continue;
                        r = reconcile_remove_container(&st, n, o.volumes, &err);
                        if (r < 0)
                                break;
                        progress_event(&pr, "Container", n, "Removed", -1, false);
                        fault_point("down.rm");
                }
        }
        /* and whatever a killed or racing start left in them */
        if (r == 0 && cgroup_sweep(cg_dirs, &err) < 0)
                r = berr_wrap(&err, "project %s: cgroups", st.name);
        if (r == 0 && plan_project_build(st.p, cli->root, &st.pp, &err) == 0) {
                r = net_project_down(st.name, cli->root, &err);
                if (r < 0)
                        berr_wrap(&err, "project %s: networks", st.name);
                for (size_t i = 0; r == 0 && i < st.pp->n_networks; i++)
                        if (!st.pp->networks[i].external)
                                progress_event(&pr, "Network", st.pp->networks[i].full_name,
                                               "Removed", -1, false);
        }
        fault_point("down.net");
        if (r == 0 && o.volumes)
                r = remove_volumes(&st, &pr, &err);
        if (r == 0 && o.volumes)
                r = remove_anon_volumes(&st, &err);
        if (r == 0) { /* the project's anonymous volume directory, once empty */
                cleanup_free char *anon = plan_anon_volumes_dir(cli->root, st.name, NULL);

                (void)rmdir(anon);
        }
        if (r == 0 && o.rmi)
                remove_images(&st, o.rmi, &pr);
        fault_point("down.state");
        if (r == 0) {
                state_dir = state_project_dir(cli->root, st.name);
                r = remove_tree(state_dir, &err);
                if (r == 0)
                        r = remove_tree(run_dir, &err);
        }
        if (r < 0)
                berr_print(err, stderr);
        state_project_free(sp);
        progress_done(&pr);
        stack_done(&st);
        return r < 0 ? 1 : 0;
}
