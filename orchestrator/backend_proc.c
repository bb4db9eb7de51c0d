/* SPDX-License-Identifier: MIT */
#include "orchestrator/backend_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/pidfd.h>
#include <sys/wait.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/backend.h"
#include "orchestrator/state.h"

int backend_adopt_pid(pid_t pid, uint64_t start, struct backend_proc *ret, struct berr **err)
{
        cleanup_close int fd = -1;
        uint64_t now_start = 0;
        struct pollfd pfd;

        if (pid <= 0)
                return berr_msg(err, ESRCH, "no pid recorded");
        fd = pidfd_open(pid, 0);
        if (fd < 0)
                return berr_set(err, errno == ESRCH ? ESRCH : errno, "pidfd_open %d", (int)pid);
        /* read the start time after taking the pidfd: if the pid is still that process now, the
         * pidfd refers to it; then check the pidfd has not exited in between */
        if (state_pid_start_time(pid, &now_start) < 0 || now_start != start)
                return berr_msg(err, ESRCH, "pid %d is gone or reused", (int)pid);
        pfd = (struct pollfd){.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 0) > 0)
                return berr_msg(err, ESRCH, "pid %d has exited", (int)pid);
        ret->pid = pid;
        ret->pidfd = TAKE_FD(fd);
        ret->start = start;
        ret->child = false;
        return 0;
}

static void reset_child_signals(void)
{
        sigset_t all;
        struct sigaction dfl = {.sa_handler = SIG_DFL};

        for (int s = 1; s < NSIG; s++)
                (void)sigaction(s, &dfl, NULL);
        sigemptyset(&all);
        (void)sigprocmask(SIG_SETMASK, &all, NULL);
}

/* fork + exec argv in a new session; the child reports an exec failure's errno through a
 * close-on-exec pipe, so start fails with the real cause. */
static int spawn(char *const *argv, char *const *env, const char *cwd, int out_fd, int err_fd,
                 struct backend_proc *ret, struct berr **err)
{
        int pfd[2], e = 0, r;
        ssize_t n;
        pid_t pid;

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return berr_set(err, errno, "pipe");
        pid = fork();
        if (pid < 0) {
                r = berr_set(err, errno, "fork");
                close(pfd[0]);
                close(pfd[1]);
                return r;
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR);

                reset_child_signals();
                (void)setsid();
                if (devnull < 0 || dup2(devnull, 0) < 0 ||
                    dup2(out_fd >= 0 ? out_fd : devnull, 1) < 0 ||
                    dup2(err_fd >= 0 ? err_fd : devnull, 2) < 0)
                        goto fail;
                for (char *const *kv = env; kv && *kv; kv++)
                        (void)putenv(*kv);
                if (cwd && chdir(cwd) < 0)
                        goto fail;
                execvp(argv[0], argv);
fail:
                e = errno;
                (void)!write(pfd[1], &e, sizeof(e));
                _exit(127);
        }
        close(pfd[1]);
        do
                n = read(pfd[0], &e, sizeof(e));
        while (n < 0 && errno == EINTR);
        close(pfd[0]);
        if (n == sizeof(e)) {
                (void)waitpid(pid, NULL, 0);
                return berr_set(err, e, "exec `%s`", argv[0]);
        }
        ret->pid = pid;
        ret->pidfd = pidfd_open(pid, 0);
        if (ret->pidfd < 0) {
                r = berr_set(err, errno, "pidfd_open");
                kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return r;
        }
        ret->child = true;
        if (state_pid_start_time(pid, &ret->start) < 0)
                ret->start = 0;
        return 0;
}

static int proc_start(struct backend *b, const void *config, const char *name, int out_fd,
                      int err_fd, struct backend_proc *ret, struct berr **err)
{
        const struct proc_config *c = config;
        int r;

        (void)b;
        r = spawn(c->argv, c->env, c->cwd, out_fd, err_fd, ret, err);
        if (r < 0)
                return berr_wrap(err, "start `%s`", name);
        return 0;
}

static int proc_kill(struct backend *b, const struct backend_proc *p, int sig, bool all,
                     struct berr **err)
{
        (void)b;
        if (!all) {
                if (pidfd_send_signal(p->pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
                        return berr_set(err, errno, "signal pid %d", (int)p->pid);
                return 0;
        }
        /* the main process leads its own process group (setsid) */
        if (kill(-p->pid, sig) < 0 && errno != ESRCH)
                return berr_set(err, errno, "kill process group %d", (int)p->pid);
        return 0;
}

static int proc_probe(struct backend *b, const void *config, const struct backend_proc *p,
                      char *const *argv, struct backend_proc *ret, struct berr **err)
{
        const struct proc_config *c = config;

        (void)b;
        (void)p;
        return spawn(argv, c->env, c->cwd, -1, -1, ret, err);
}

static int proc_adopt(struct backend *b, const void *config, const char *name, pid_t pid,
                      uint64_t start, struct backend_proc *ret, struct berr **err)
{
        (void)b;
        (void)config;
        (void)name;
        return backend_adopt_pid(pid, start, ret, err);
}

static void proc_cleanup(struct backend *b, const void *config, const struct backend_proc *p)
{
        (void)b;
        (void)config;
        /* a container's processes die with its init (pid namespace); host processes do not,
         * so take the rest of the group down the same way */
        if (p->pid > 0)
                (void)kill(-p->pid, SIGKILL);
}

static void proc_free(struct backend *b)
{
        free(b);
}

static const struct backend_ops proc_ops = {
        .name = "process",
        .start = proc_start,
        .kill = proc_kill,
        .probe = proc_probe,
        .adopt = proc_adopt,
        .cleanup = proc_cleanup,
        .free = proc_free,
};

struct backend *backend_proc_new(void)
{
        struct backend *b = xcalloc(1, sizeof(*b));

        b->ops = &proc_ops;
        return b;
}

void proc_config_free(void *config)
{
        struct proc_config *c = config;

        if (!c)
                return;
        strv_free(c->argv);
        strv_free(c->env);
        free(c->cwd);
        free(c);
}
