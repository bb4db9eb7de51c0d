/* SPDX-License-Identifier: MIT */
/* runtime/syscalls: thin wrappers for the syscalls glibc 2.36 lacks or wraps awkwardly (clone3,
 * pivot_root, openat2, pidfd_*, close_range; the new mount API comes from glibc 2.36). Each returns
 * -1 with errno set, like libc. Fallbacks for older kernels: clone3 -> clone(CLONE_PIDFD) (5.2),
 * close_range -> a /proc/self/fd walk; openat2 has none (ENOSYS reaches the caller, which says so).
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/mount.h> /* glibc 2.36: fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr */
#include <sys/syscall.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
        return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static inline int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode,
                              uint64_t resolve)
{
        struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};

        return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
        return (int)syscall(SYS_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
        return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

/* Fork-like clone: no CLONE_VM and no hand-made stack, so the child has a private copy of the
 * address space (ASan and malloc keep working) and returns 0 like fork(). *pidfd gets a pidfd.
 * Falls back to clone(2) with CLONE_PIDFD when clone3 is missing (kernel < 5.3). */
static inline pid_t sys_clone_fork(uint64_t flags, int *pidfd)
{
        struct clone_args args;
        long r;

        memset(&args, 0, sizeof(args));
        args.flags = flags | CLONE_PIDFD;
        args.pidfd = (uint64_t)(uintptr_t)pidfd;
        args.exit_signal = SIGCHLD;
        r = syscall(SYS_clone3, &args, sizeof(args));
        if (r < 0 && errno == ENOSYS)
                r = syscall(SYS_clone, (unsigned long)(flags | CLONE_PIDFD | SIGCHLD), NULL, pidfd,
                            NULL, 0UL);
        return (pid_t)r;
}

/* Mark every fd >= from close-on-exec. */
static inline int sys_cloexec_from(unsigned int from)
{
        DIR *d;
        struct dirent *de;

        if (syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return 0;
        d = opendir("/proc/self/fd");
        if (!d)
                return -1;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);

                if (de->d_name[0] != '.' && fd >= (int)from && fd != dirfd(d))
                        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        closedir(d);
        return 0;
}
