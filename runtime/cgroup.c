/* SPDX-License-Identifier: MIT */
/* runtime/cgroup: driver detection and the helpers both drivers share. */
#include "runtime/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/cgroup_internal.h"
#include "runtime/container_err.h"

const struct cgroup_ops *cgroup_detect(void)
{
        struct statfs st;

        if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
                return &cgroup_v2_ops;
        return &cgroup_v1_ops;
}

const struct cgroup_ops *cgroup_ops_for(const char *locator)
{
        if (!locator)
                return NULL;
        if (strncmp(locator, "v1\n", 3) == 0)
                return &cgroup_v1_ops;
        if (strncmp(locator, "v2\n", 3) == 0)
                return &cgroup_v2_ops;
        return NULL;
}

int cgroup_env_host(struct cgroup_env *env, struct berr **err)
{
        char *buf = NULL;
        int r;

        r = read_file("/proc/self/cgroup", 1 << 16, &buf, NULL, err);
        if (r < 0)
                return r;
        env->mount = "/sys/fs/cgroup";
        env->self = buf;
        return 0;
}

void cgroup_env_done(struct cgroup_env *env)
{
        free((char *)env->self);
        env->self = NULL;
}

int cgroup_check_name(const char *what, const char *name, struct berr **err)
{
        if (!name || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
            strchr(name, '/') || strchr(name, '\n') || strlen(name) > 200)
                return berr_msg(err, EINVAL, "%s \"%s\" cannot name a cgroup", what,
                                name ? name : "");
        return 0;
}

int cg_write(const char *dir, const char *file, const char *value, struct berr **err)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, file);
        cleanup_close int fd = open(p, O_WRONLY | O_CLOEXEC | O_TRUNC);

        if (fd < 0)
                return berr_set(err, errno, "cgroup: open %s", p);
        if (write(fd, value, strlen(value)) < 0)
                return berr_set(err, errno, "cgroup: write \"%s\" to %s", value, p);
        return 0;
}

int cg_writef(const char *dir, const char *file, struct berr **err, const char *fmt, ...)
{
        cleanup_free char *v = NULL;
        va_list ap;

        va_start(ap, fmt);
        v = xvasprintf(fmt, ap);
        va_end(ap);
        return cg_write(dir, file, v, err);
}

int cg_read(const char *dir, const char *file, char **ret, struct berr **err)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, file);

        return read_file(p, 1 << 20, ret, NULL, err);
}

char *cg_self_path(const char *self, const char *name)
{
        cleanup_strv char **lines = strv_split(self ? self : "", "\n");

        strv_foreach (l, lines) {
                const char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                cleanup_free char *ctrls = NULL;
                cleanup_strv char **names = NULL;

                if (!c2)
                        continue;
                ctrls = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
                if (!*name) {
                        if (!*ctrls && strncmp(l, "0:", 2) == 0)
                                return xstrdup(c2 + 1);
                        continue;
                }
                names = strv_split(ctrls, ",");
                if (strv_contains(names, name))
                        return xstrdup(c2 + 1);
        }
        return NULL;
}

int cg_mkdirs(const char *base, const char *project, const char *id, char **ret_leaf,
              struct berr **err)
{
        const char *parts[] = {"berth", project, id};

        /* Another berth may remove an empty berth/ or berth/<project> between our mkdirs; start
         * over when a level vanished under us. */
        for (int attempt = 0;; attempt++) {
                cleanup_free char *cur = xstrdup(base);
                bool again = false;

                for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
                        char *next = xasprintf("%s/%s", cur, parts[i]);

                        free(cur);
                        cur = next;
                        if (mkdir(cur, 0755) == 0 || errno == EEXIST)
                                continue;
                        if (errno == ENOENT && i > 0 && attempt < 5) {
                                again = true;
                                break;
                        }
                        return berr_set(err, errno, "cgroup: mkdir %s", cur);
                }
                if (!again) {
                        *ret_leaf = TAKE_PTR(cur);
                        return 0;
                }
        }
}

/* Send sig to every pid in dir/cgroup.procs; *ret_count = how many were listed. */
static int signal_procs(const char *dir, int sig, int *ret_count, struct berr **err)
{
        cleanup_free char *buf = NULL;
        cleanup_strv char **pids = NULL;
        int r;

        r = cg_read(dir, "cgroup.procs", &buf, err);
        if (r < 0)
                return r;
        pids = strv_split(buf, "\n");
        strv_foreach (p, pids) {
                pid_t pid = (pid_t)strtol(p, NULL, 10);

                if (pid > 0)
                        (void)kill(pid, sig);
        }
        *ret_count = (int)strv_length(pids);
        return 0;
}

int cg_kill_procs(const char *dir, int sig, struct berr **err)
{
        for (int i = 0; i < 1000; i++) {
                struct timespec ts = {0, 1000 * 1000};
                struct berr *e = NULL;
                int n = 0, r;

                r = signal_procs(dir, sig, &n, &e);
                if (r < 0 && r != -ENOENT && err)
                        *err = TAKE_PTR(e);
                berr_free(e);
                if (r < 0)
                        return r == -ENOENT ? 0 : r;
                if (n == 0 || sig != SIGKILL)
                        return 0;
                nanosleep(&ts, NULL);
        }
        return berr_msg(err, EBUSY, "cgroup %s: processes survive SIGKILL", dir);
}

int cg_rmdir_wait(const char *dir, struct berr **err)
{
        for (int tries = 0; rmdir(dir) < 0;) {
                struct timespec ts = {0, 2 * 1000 * 1000};

                if (errno == ENOENT)
                        return 0;
                if (errno != EBUSY || ++tries > 500)
                        return berr_set(err, errno, "cgroup: rmdir %s", dir);
                nanosleep(&ts, NULL);
        }
        return 0;
}

int cg_rmdir_leaf(const char *leaf, struct berr **err)
{
        cleanup_free char *p = xstrdup(leaf);
        int r = cg_rmdir_wait(p, err);

        if (r < 0)
                return r;
        /* The project level, then berth itself, go when empty; another container or berth
         * process may be using them, so ENOTEMPTY/EBUSY are fine. */
        for (int i = 0; i < 2; i++) {
                char *slash = strrchr(p, '/');

                if (!slash)
                        break;
                *slash = '\0';
                if (i == 1 && strcmp(strrchr(p, '/') ? strrchr(p, '/') + 1 : p, "berth") != 0)
                        break;
                if (rmdir(p) < 0)
                        break;
        }
        return 0;
}

char **cg_locator_dirs(const char *locator, const char *version)
{
        size_t n = strlen(version);

        if (!locator || strncmp(locator, version, n) != 0 || locator[n] != '\n')
                return NULL;
        return strv_split(locator + n + 1, "\n");
}

uint64_t cg_keyed_value(const char *text, const char *key)
{
        size_t n = strlen(key);

        for (const char *l = text; l && *l;) {
                if (strncmp(l, key, n) == 0 && l[n] == ' ')
                        return strtoull(l + n + 1, NULL, 10);
                l = strchr(l, '\n');
                if (l)
                        l++;
        }
        return 0;
}

char **cgroup_project_dirs(const struct cgroup_env *env, bool v2, const char *project,
                           char *const *locators)
{
        cleanup_strv char **lines = strv_split(env->self ? env->self : "", "\n");
        char **dirs = NULL;

        if (cgroup_check_name("project", project, NULL) < 0)
                return NULL;
        strv_foreach (l, lines) {
                const char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                cleanup_free char *ctrls = NULL, *mnt = NULL, *real = NULL, *dir = NULL;
                cleanup_strv char **names = NULL;
                const char *path;

                if (!c2)
                        continue;
                path = strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1;
                ctrls = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
                if (v2) {
                        if (*ctrls || strncmp(l, "0:", 2) != 0)
                                continue;
                        dir = xasprintf("%s%s/berth/%s", env->mount, path, project);
                } else {
                        names = strv_split(ctrls, ",");
                        if (!names || !names[0] || !cgroup_v1_managed(names[0]))
                                continue;
                        mnt = xasprintf("%s/%s", env->mount, names[0]);
                        real = realpath(mnt, NULL);
                        if (!real)
                                continue;
                        dir = xasprintf("%s%s/berth/%s", real, path, project);
                }
                if (!strv_contains(dirs, dir))
                        dirs = strv_push_take(dirs, TAKE_PTR(dir));
        }
        /* only a recorded leaf's berth/<project>: never whatever else a record might name */
        cleanup_free char *tail = xasprintf("/berth/%s", project);
        size_t tn = strlen(tail);

        for (; locators && *locators; locators++) {
                const char *ver = strncmp(*locators, "v2\n", 3) == 0 ? "v2" : "v1";
                cleanup_strv char **leaves = cg_locator_dirs(*locators, ver);

                strv_foreach (leaf, leaves) {
                        char *slash = strrchr(leaf, '/');
                        size_t n;

                        if (!slash || slash == leaf)
                                continue;
                        *slash = '\0';
                        n = strlen(leaf);
                        if (n <= tn || strcmp(leaf + n - tn, tail) != 0)
                                continue;
                        if (!strv_contains(dirs, leaf))
                                dirs = strv_push(dirs, leaf);
                }
        }
        return dirs;
}

/* Kill what dir holds until it is empty, then rmdir it. */
static int sweep_one(const char *dir, struct berr **err)
{
        int r = cg_kill_procs(dir, SIGKILL, err);

        return r < 0 ? r : cg_rmdir_wait(dir, err);
}

static int sweep_tree(const char *dir, int depth, struct berr **err)
{
        cleanup_closedir DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return errno == ENOENT ? 0 : berr_set(err, errno, "cgroup: open %s", dir);
        while (depth < 16 && (de = readdir(d))) {
                cleanup_free char *sub = NULL;

                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                    strcmp(de->d_name, "..") == 0)
                        continue;
                sub = xasprintf("%s/%s", dir, de->d_name);
                if (sweep_tree(sub, depth + 1, err) < 0)
                        return berr_code(err);
        }
        return sweep_one(dir, err);
}

int cgroup_sweep(char *const *project_dirs, struct berr **err)
{
        for (; project_dirs && *project_dirs; project_dirs++) {
                cleanup_free char *berth = xstrdup(*project_dirs);

                if (sweep_tree(*project_dirs, 0, err) < 0)
                        return berr_code(err);
                /* berth/ itself, when no other project uses it */
                *strrchr(berth, '/') = '\0';
                if (strcmp(strrchr(berth, '/') ? strrchr(berth, '/') + 1 : berth, "berth") == 0)
                        (void)rmdir(berth);
        }
        return 0;
}
