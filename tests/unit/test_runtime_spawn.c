/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/syscalls' fallbacks: a seccomp filter makes clone3 and close_range
 * answer ENOSYS (as on kernels before 5.3 / 5.9) and the wrappers must still work. Runs in a
 * forked child so the filter does not stay on the test process; needs no privilege (the filter
 * goes in under no_new_privs). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <seccomp.h>

#include "runtime/syscalls.h"

static int deny_new_syscalls(void)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r;

        if (!ctx)
                return -1;
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(close_range), 0);
        if (r == 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        return r;
}

/* In the filtered child: 0 when both fallbacks did their job. */
static int fallbacks_work(void)
{
        int pidfd = -1, fd, st;
        pid_t pid;

        if (deny_new_syscalls() < 0)
                return 10;
        if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
                return 11; /* the filter is not in force: the test would prove nothing */
        pid = sys_clone_fork(0, &pidfd);
        if (pid == 0)
                _exit(7);
        if (pid < 0 || pidfd < 0)
                return 12;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
                return 13;
        fd = open("/dev/null", O_RDONLY);
        if (fd < 3 || sys_cloexec_from(3) < 0)
                return 14;
        if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC) || !(fcntl(pidfd, F_GETFD) & FD_CLOEXEC))
                return 15;
        return 0;
}

static void test_enosys_fallbacks(void **state)
{
        pid_t pid;
        int st;

        (void)state;
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(fallbacks_work());
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_clone3_path(void **state)
{
        int pidfd = -1, st;
        pid_t pid;

        (void)state;
        pid = sys_clone_fork(0, &pidfd);
        if (pid == 0)
                _exit(3);
        assert_true(pid > 0);
        assert_true(pidfd >= 0);
        assert_int_equal(sys_pidfd_send_signal(pidfd, 0, NULL, 0) == 0 || errno == ESRCH, 1);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_int_equal(WEXITSTATUS(st), 3);
        close(pidfd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clone3_path),
                cmocka_unit_test(test_enosys_fallbacks),
        };

        return cmocka_run_group_tests_name("runtime/spawn", tests, NULL, NULL);
}
