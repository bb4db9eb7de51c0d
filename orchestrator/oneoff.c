/* SPDX-License-Identifier: MIT */
#include "orchestrator/oneoff.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/xalloc.h"
#include "orchestrator/backend_ctr.h"
#include "orchestrator/state.h"

/* Not under projects/<project>: the supervisor removes that directory on `down`. */
static char *oneoff_dir(const char *root, const char *project)
{
        return xasprintf("%s/oneoff/%s", root, project);
}

int oneoff_record(const char *root, const char *project, const char *name, pid_t waiter,
                  struct berr **err)
{
        cleanup_free char *dir = oneoff_dir(root, project);
        cleanup_free char *path = xasprintf("%s/%s", dir, name);
        cleanup_free char *text = NULL;
        uint64_t start = 0;

        if (mkdir_p(dir, 0700, err) < 0)
                return -(*err)->code;
        (void)state_pid_start_time(waiter, &start);
        text = xasprintf("%d %llu\n", (int)waiter, (unsigned long long)start);
        return atomic_write_file(path, text, strlen(text), 0600, err);
}

void oneoff_forget(const char *root, const char *project, const char *name)
{
        cleanup_free char *dir = oneoff_dir(root, project);
        cleanup_free char *path = xasprintf("%s/%s", dir, name);

        (void)unlink(path);
        /* when it was the last one */
        if (rmdir(dir) == 0) {
                cleanup_free char *parent = xasprintf("%s/oneoff", root);

                (void)rmdir(parent);
        }
}

/* SIGKILL the waiter when it is still the process that was recorded; wait until it is gone. */
static void stop_waiter(const char *path)
{
        cleanup_free char *text = NULL;
        struct berr *e = NULL;
        unsigned long long start = 0;
        uint64_t now_start;
        int pid = 0;

        if (read_file(path, 128, &text, NULL, &e) < 0 ||
            sscanf(text, "%d %llu", &pid, &start) < 1 || pid <= 1 || pid == getpid()) {
                berr_free(e);
                return;
        }
        if (state_pid_start_time(pid, &now_start) < 0 || now_start != start)
                return;
        (void)kill(pid, SIGKILL);
        for (int i = 0; i < 200 && state_pid_start_time(pid, &now_start) == 0 && now_start == start;
             i++) {
                struct timespec ts = {0, 10 * 1000 * 1000};

                nanosleep(&ts, NULL);
        }
}

int oneoff_remove_all(const char *root, const char *project, struct berr **err)
{
        cleanup_free char *dir = oneoff_dir(root, project);
        cleanup_closedir DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        while (d && (de = readdir(d))) {
                cleanup_free char *path = NULL;

                if (de->d_name[0] == '.')
                        continue;
                path = xasprintf("%s/%s", dir, de->d_name);
                stop_waiter(path);
                if (backend_ctr_remove(root, project, de->d_name, true, err) < 0)
                        return -(*err)->code;
                (void)unlink(path);
                n++;
        }
        if (rmdir(dir) == 0) {
                cleanup_free char *parent = xasprintf("%s/oneoff", root);

                (void)rmdir(parent);
        }
        return n;
}
