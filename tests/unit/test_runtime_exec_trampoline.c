/* SPDX-License-Identifier: MIT */
/* Unit test for runtime/exec_trampoline: the sealed program runs from its memfd, cannot be
 * written, clones a child of its caller's parent that execs the given path with the given
 * argv, and writes that child's pid to fd 3 (which the exec'd command does not inherit). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "runtime/exec_trampoline.h"

extern char **environ;

static void test_trampoline(void **state)
{
        cleanup_berr struct berr *err = NULL;
        char self[64],
                *argv[] = {
                        "berth-exec", "/bin/sh", "sh", "-c", "test ! -e /proc/self/fd/3 && exit 42",
                        NULL};
        int tfd, sv[2], got = 0, st;
        pid_t mid, child;

        (void)state;
        tfd = trampoline_fd(&err);
#if !defined(__x86_64__)
        assert_int_equal(tfd, -ENOTSUP);
        return;
#endif
        assert_true(tfd >= 0);
        /* sealed: no write, through the fd or through a reopen by /proc (which the kernel
         * allows; the write is what F_SEAL_WRITE refuses) */
        assert_int_equal(write(tfd, "x", 1), -1);
        assert_int_equal(errno, EPERM);
        snprintf(self, sizeof(self), "/proc/self/fd/%d", tfd);
        {
                int w = open(self, O_WRONLY);

                assert_true(w < 0 || (write(w, "x", 1) == -1 && errno == EPERM));
                if (w >= 0)
                        close(w);
        }
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        mid = fork();
        if (mid == 0) {
                /* fd 3 is the program's: keep the memfd elsewhere */
                tfd = fcntl(tfd, F_DUPFD_CLOEXEC, 10);
                if (tfd < 0 || dup2(sv[1], 3) < 0)
                        _exit(100);
                syscall(SYS_execveat, tfd, "", argv, environ, AT_EMPTY_PATH);
                _exit(101);
        }
        close(sv[1]);
        assert_int_equal(recv(sv[0], &got, sizeof(got), 0), (ssize_t)sizeof(got));
        assert_int_equal(waitpid(mid, &st, 0), mid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        /* the clone is our child (CLONE_PARENT), and ran the command without fd 3 */
        child = (pid_t)got;
        assert_true(child > 0);
        assert_int_equal(waitpid(child, &st, 0), child);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 42);
        /* the socket reached EOF: nothing else holds the peer */
        assert_int_equal(recv(sv[0], &got, sizeof(got), 0), 0);
        close(sv[0]);
        close(tfd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_trampoline),
        };

        return cmocka_run_group_tests_name("runtime/exec_trampoline", tests, NULL, NULL);
}
