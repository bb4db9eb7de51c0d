/* SPDX-License-Identifier: MIT */
/* runtime/container: the lifecycle calls around a spawned container (runtime.h): defaults,
 * kill, exit interpretation (OOM included), destroy, ulimit names. */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include "common/error.h"
#include "runtime/cgroup.h"
#include "runtime/container_err.h"
#include "runtime/runtime.h"

void rt_config_init(struct rt_config *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->stdio[0] = cfg->stdio[1] = cfg->stdio[2] = -1;
        cfg->seccomp = RT_SECCOMP_DEFAULT;
        cfg->net = RT_NET_NEW;
}

void rt_process_done(struct rt_process *p)
{
        if (p->pidfd >= 0)
                close(p->pidfd);
        p->pidfd = -1;
        free(p->cgroup);
        p->cgroup = NULL;
}

int rt_kill(const char *cgroup, pid_t pid, int sig, bool all, struct berr **err)
{
        const struct cgroup_ops *ops = cgroup_ops_for(cgroup);

        if (all) {
                if (!ops)
                        return berr_msg(err, EINVAL, "kill: no cgroup recorded for the container");
                return ops->kill(cgroup, sig, err);
        }
        if (kill(pid, sig) < 0 && errno != ESRCH)
                return berr_set(err, errno, "kill %d", (int)pid);
        return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_DP)
                return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
        return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int rt_destroy(const char *cgroup, char *const *dirs, struct berr **err)
{
        const struct cgroup_ops *ops = cgroup_ops_for(cgroup);

        if (ops && ops->destroy(cgroup, err) < 0)
                return berr_code(err);
        for (; dirs && *dirs; dirs++) {
                if (access(*dirs, F_OK) < 0)
                        continue;
                if (nftw(*dirs, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
                        return berr_set(err, errno, "remove %s", *dirs);
        }
        return 0;
}

int rt_exit_reason(const char *cgroup, int st, struct rt_exit *ret, struct berr **err)
{
        const struct cgroup_ops *ops = cgroup_ops_for(cgroup);
        uint64_t ooms = 0;

        memset(ret, 0, sizeof(*ret));
        if (WIFEXITED(st)) {
                ret->code = WEXITSTATUS(st);
                snprintf(ret->reason, sizeof(ret->reason), "exited");
        } else if (WIFSIGNALED(st)) {
                ret->signal = WTERMSIG(st);
                ret->code = 128 + ret->signal;
                snprintf(ret->reason, sizeof(ret->reason), "killed by SIG%s",
                         sigabbrev_np(ret->signal) ? sigabbrev_np(ret->signal) : "?");
        }
        if (ops && ops->oom_kills(cgroup, &ooms, err) < 0)
                return berr_code(err);
        if (ooms > 0) {
                ret->oom_killed = true;
                if (ret->signal == SIGKILL || ret->code == 137 || ret->code == 0)
                        ret->code = 137;
                snprintf(ret->reason, sizeof(ret->reason), "OOMKilled");
        }
        return 0;
}

int rt_ulimit_resource(const char *name)
{
        static const struct {
                const char *name;
                int res;
        } t[] = {
                {"as", RLIMIT_AS},
                {"core", RLIMIT_CORE},
                {"cpu", RLIMIT_CPU},
                {"data", RLIMIT_DATA},
                {"fsize", RLIMIT_FSIZE},
                {"locks", RLIMIT_LOCKS},
                {"memlock", RLIMIT_MEMLOCK},
                {"msgqueue", RLIMIT_MSGQUEUE},
                {"nice", RLIMIT_NICE},
                {"nofile", RLIMIT_NOFILE},
                {"nproc", RLIMIT_NPROC},
                {"rss", RLIMIT_RSS},
                {"rtprio", RLIMIT_RTPRIO},
                {"rttime", RLIMIT_RTTIME},
                {"sigpending", RLIMIT_SIGPENDING},
                {"stack", RLIMIT_STACK},
        };

        for (size_t i = 0; name && i < sizeof(t) / sizeof(t[0]); i++)
                if (strcmp(name, t[i].name) == 0)
                        return t[i].res;
        return -1;
}
