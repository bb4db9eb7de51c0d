/* SPDX-License-Identifier: MIT */
/* runtime/init: see init.h. */
#include "runtime/init.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int status_code(int st)
{
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return 1;
}

noreturn void init_run(int (*exec_fn)(void *ud), void *ud, int close_fd)
{
        sigset_t all, old;
        pid_t child;
        int sfd;

        /* pid 1 runs berth's own binary for the container's whole life: not dumpable, so no process
         * in the container can open it through /proc/1/exe (CVE-2019-5736) or /proc/1/mem without
         * CAP_SYS_PTRACE. The child inherits that until its execve resets it. */
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        child = fork();
        if (child < 0)
                _exit(125);
        if (child == 0) {
                /* The command gets a normal signal disposition and its own process group, so a
                 * forwarded SIGINT reaches it like a terminal's would. */
                (void)setpgid(0, 0);
                /* on a terminal, that group is the foreground one (SIGTTOU is still blocked) */
                if (isatty(0))
                        (void)tcsetpgrp(0, getpid());
                sigprocmask(SIG_SETMASK, &old, NULL);
                _exit(exec_fn(ud));
        }
        if (close_fd >= 0)
                close(close_fd);
        /* pid 1 itself never execs, so close-on-exec does not protect it: drop everything but
         * stdio so no host fd lives on in the container. */
        (void)syscall(SYS_close_range, 3U, ~0U, 0U);
        sfd = signalfd(-1, &all, SFD_CLOEXEC);
        if (sfd < 0)
                _exit(125);
        for (;;) {
                struct signalfd_siginfo si;
                ssize_t n = read(sfd, &si, sizeof(si));

                if (n != (ssize_t)sizeof(si)) {
                        if (n < 0 && errno == EINTR)
                                continue;
                        _exit(125);
                }
                if (si.ssi_signo != SIGCHLD) {
                        (void)kill(child, (int)si.ssi_signo);
                        continue;
                }
                for (;;) {
                        int st;
                        pid_t p = waitpid(-1, &st, WNOHANG);

                        if (p <= 0)
                                break;
                        if (p == child)
                                _exit(status_code(st));
                }
        }
}
