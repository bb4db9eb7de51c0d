/* SPDX-License-Identifier: MIT */
#include "orchestrator/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/xalloc.h"

char *lock_run_dir(const char *run, const char *project)
{
        return xasprintf("%s/%s", run, project);
}

static pid_t read_holder(int fd)
{
        char buf[32] = {0};
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

        return n > 0 ? (pid_t)atoi(buf) : 0;
}

int lock_take(const char *run, const char *project, struct berr **err)
{
        cleanup_free char *dir = lock_run_dir(run, project);
        cleanup_free char *path = xasprintf("%s/lock", dir);
        cleanup_close int fd = -1;
        char buf[32];
        int r, n;

        r = mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return berr_set(err, errno, "open `%s`", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                pid_t holder;

                if (errno != EWOULDBLOCK)
                        return berr_set(err, errno, "lock `%s`", path);
                holder = read_holder(fd);
                if (holder > 0)
                        return berr_msg(err, EBUSY,
                                        "project \"%s\" is locked by another berth (pid %d)",
                                        project, (int)holder);
                return berr_msg(err, EBUSY, "project \"%s\" is locked by another berth", project);
        }
        n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
                return berr_set(err, errno, "write `%s`", path);
        return TAKE_FD(fd);
}

bool lock_is_held(const char *run, const char *project, pid_t *ret_holder)
{
        cleanup_free char *path = xasprintf("%s/%s/lock", run, project);
        cleanup_close int fd = open(path, O_RDWR | O_CLOEXEC);

        if (fd < 0)
                return false;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                (void)flock(fd, LOCK_UN);
                return false;
        }
        if (ret_holder)
                *ret_holder = read_holder(fd);
        return true;
}
