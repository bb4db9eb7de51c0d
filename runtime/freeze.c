/* SPDX-License-Identifier: MIT */
#include "runtime/freeze.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_internal.h"

#define FREEZE_WAIT_MS 5000

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

        nanosleep(&ts, NULL);
}

/* ---- v2 ---------------------------------------------------------------------------------- */

static bool v2_frozen(const char *dir)
{
        cleanup_free char *ev = NULL;
        struct berr *e = NULL;

        if (cg_read(dir, "cgroup.events", &ev, &e) < 0) {
                berr_free(e);
                return false;
        }
        return cg_keyed_value(ev, "frozen") == 1;
}

static int v2_freeze(const char *dir, bool freeze, struct berr **err)
{
        if (cg_write(dir, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
                return -(*err)->code;
        for (int i = 0; i < FREEZE_WAIT_MS / 10; i++) {
                if (v2_frozen(dir) == freeze)
                        return 0;
                sleep_ms(10);
        }
        return berr_msg(err, ETIMEDOUT, "%s: the cgroup did not %s", dir,
                        freeze ? "freeze" : "thaw");
}

/* ---- v1 ---------------------------------------------------------------------------------- */

/* freezer/<self>/berth/<project>/<id> for the container whose first hierarchy dir is first;
 * *ret_base gets freezer/<self>. */
static int v1_freezer_dir(const char *first, char **ret_base, char **ret_leaf, struct berr **err)
{
        cleanup_free char *a = xstrdup(first), *b = xstrdup(first);
        struct cgroup_env env = {0};
        char *id = basename(a), *project_dir = dirname(b), *project = basename(project_dir);
        cleanup_free char *self = NULL;
        int r;

        r = cgroup_env_host(&env, err);
        if (r < 0)
                return r;
        self = cg_self_path(env.self, "freezer");
        if (!self) {
                cgroup_env_done(&env);
                return berr_msg(err, ENOTSUP, "no cgroup v1 freezer hierarchy: cannot pause");
        }
        *ret_base = xasprintf("%s/freezer%s", env.mount, strcmp(self, "/") == 0 ? "" : self);
        *ret_leaf = xasprintf("%s/berth/%s/%s", *ret_base, project, id);
        cgroup_env_done(&env);
        return 0;
}

static int move_procs(const char *from, const char *to, int *ret_moved, struct berr **err)
{
        cleanup_free char *text = NULL;
        char *save = NULL;
        int moved = 0;

        if (cg_read(from, "cgroup.procs", &text, err) < 0)
                return -(*err)->code;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                struct berr *e = NULL;

                /* a process that exited meanwhile is fine */
                if (cg_write(to, "cgroup.procs", l, &e) < 0) {
                        int code = e->code;

                        berr_free(e);
                        if (code != ESRCH)
                                return berr_msg(err, code, "move pid %s into %s", l, to);
                        continue;
                }
                moved++;
        }
        if (ret_moved)
                *ret_moved = moved;
        return 0;
}

static int v1_state_is(const char *leaf, const char *want)
{
        cleanup_free char *st = NULL;
        struct berr *e = NULL;

        if (cg_read(leaf, "freezer.state", &st, &e) < 0) {
                berr_free(e);
                return 0;
        }
        return strncmp(st, want, strlen(want)) == 0 && st[strlen(want)] != 'I';
}

static int v1_freeze(const char *first, bool freeze, struct berr **err)
{
        cleanup_free char *base = NULL, *leaf = NULL;
        struct stat sb;
        int r, moved;

        r = v1_freezer_dir(first, &base, &leaf, err);
        if (r < 0)
                return r;
        if (freeze) {
                cleanup_free char *made = NULL;
                cleanup_free char *copy = xstrdup(leaf);
                cleanup_free char *d1 = xstrdup(dirname(copy));
                cleanup_free char *copy2 = xstrdup(d1);
                char *project = basename(copy2);
                const char *id = leaf + strlen(d1) + 1;

                r = cg_mkdirs(base, project, id, &made, err);
                if (r < 0)
                        return r;
                /* until no process of the container is outside (a fork may race a move) */
                for (int i = 0; i < 10; i++) {
                        r = move_procs(first, leaf, &moved, err);
                        if (r < 0)
                                return r;
                        r = move_procs(first, leaf, &moved, err);
                        if (r < 0)
                                return r;
                        if (moved == 0)
                                break;
                }
                if (cg_write(leaf, "freezer.state", "FROZEN", err) < 0)
                        return -(*err)->code;
                for (int i = 0; i < FREEZE_WAIT_MS / 10; i++) {
                        if (v1_state_is(leaf, "FROZEN"))
                                return 0;
                        sleep_ms(10);
                }
                return berr_msg(err, ETIMEDOUT, "%s: the cgroup did not freeze", leaf);
        }
        if (stat(leaf, &sb) < 0)
                return 0; /* never frozen */
        if (cg_write(leaf, "freezer.state", "THAWED", err) < 0)
                return -(*err)->code;
        for (int i = 0; i < FREEZE_WAIT_MS / 10 && !v1_state_is(leaf, "THAWED"); i++)
                sleep_ms(10);
        r = move_procs(leaf, base, NULL, err);
        if (r < 0)
                return r;
        return cg_rmdir_leaf(leaf, err);
}

static bool v1_frozen(const char *first)
{
        cleanup_free char *base = NULL, *leaf = NULL;
        struct berr *e = NULL;

        if (v1_freezer_dir(first, &base, &leaf, &e) < 0) {
                berr_free(e);
                return false;
        }
        return v1_state_is(leaf, "FROZEN");
}

/* ---- API --------------------------------------------------------------------------------- */

int rt_freeze(const char *cgroup, bool freeze, struct berr **err)
{
        bool v2 = cgroup && strncmp(cgroup, "v2\n", 3) == 0;
        cleanup_strv char **dirs = cgroup ? cg_locator_dirs(cgroup, v2 ? "v2" : "v1") : NULL;

        if (!dirs || !dirs[0])
                return berr_msg(err, EINVAL, "malformed cgroup locator");
        return v2 ? v2_freeze(dirs[0], freeze, err) : v1_freeze(dirs[0], freeze, err);
}

bool rt_frozen(const char *cgroup)
{
        bool v2 = cgroup && strncmp(cgroup, "v2\n", 3) == 0;
        cleanup_strv char **dirs = cgroup ? cg_locator_dirs(cgroup, v2 ? "v2" : "v1") : NULL;

        if (!dirs || !dirs[0])
                return false;
        return v2 ? v2_frozen(dirs[0]) : v1_frozen(dirs[0]);
}
