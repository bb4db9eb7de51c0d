/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/sync: phases in order, a child's typed error arriving as a berr (syscall
 * errors keep their errno text, semantic ones do not), EOF as the exec phase, an fd passed with a
 * phase (the pty master). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "runtime/sync.h"

static void test_phases_and_eof(void **state)
{
        int fds[2];

        (void)state;
        assert_int_equal(sync_pair(fds, NULL), 0);
        assert_int_equal(sync_send(fds[1], SYNC_CHILD_READY), 0);
        assert_int_equal(sync_wait(fds[0], SYNC_CHILD_READY, NULL), 0);
        close(fds[1]);
        assert_int_equal(sync_wait(fds[0], SYNC_EXEC, NULL), 0);
        close(fds[0]);
}

static void test_child_error(void **state)
{
        cleanup_berr struct berr *err = NULL, *e2 = NULL;
        char *text;
        int fds[2];
        pid_t pid;

        (void)state;
        assert_int_equal(sync_pair(fds, NULL), 0);
        pid = fork();
        if (pid == 0) {
                struct berr *ce = NULL;

                berr_set(&ce, EACCES, "mount proc on /proc");
                sync_send_berr(fds[1], ce);
                _exit(0);
        }
        close(fds[1]);
        assert_int_equal(sync_wait(fds[0], SYNC_EXEC, &err), -EACCES);
        text = berr_text(err);
        assert_string_equal(text, "mount proc on /proc: Permission denied");
        free(text);
        waitpid(pid, NULL, 0);
        close(fds[0]);

        assert_int_equal(sync_pair(fds, NULL), 0);
        close(fds[1]);
        assert_int_equal(sync_wait(fds[0], SYNC_CHILD_READY, &e2), -ECHILD);
        assert_non_null(strstr(e2->msg, "before child-ready"));
        close(fds[0]);
}

static void test_semantic_and_wrong_phase(void **state)
{
        cleanup_berr struct berr *err = NULL, *e2 = NULL;
        struct berr *ce = NULL;
        char *text;
        int fds[2];

        (void)state;
        assert_int_equal(sync_pair(fds, NULL), 0);
        berr_msg(&ce, ENOENT, "exec: \"x\": executable file not found in $PATH");
        sync_send_berr(fds[1], ce);
        berr_free(ce);
        assert_int_equal(sync_wait(fds[0], SYNC_EXEC, &err), -ENOENT);
        text = berr_text(err);
        assert_string_equal(text, "exec: \"x\": executable file not found in $PATH");
        free(text);
        assert_int_equal(sync_send(fds[1], SYNC_PARENT_DONE), 0);
        assert_int_equal(sync_wait(fds[0], SYNC_CHILD_READY, &e2), -EPROTO);
        close(fds[0]);
        close(fds[1]);
}

/* An fd rides along with its phase and arrives as the same open file, close-on-exec; an error in
 * its place leaves no fd; a phase without the fd it should carry is a protocol error. */
static void test_fd_passing(void **state)
{
        cleanup_berr struct berr *e1 = NULL, *e2 = NULL;
        struct berr *ce = NULL;
        int fds[2], p[2], got = -2;
        char c = 0;

        (void)state;
        assert_int_equal(sync_pair(fds, NULL), 0);
        assert_int_equal(pipe(p), 0);
        assert_int_equal(sync_send_fd(fds[1], SYNC_PTY, p[1]), 0);
        close(p[1]);
        assert_int_equal(sync_wait_fd(fds[0], SYNC_PTY, &got, NULL), 0);
        assert_true(got >= 0);
        assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
        assert_int_equal(write(got, "x", 1), 1);
        assert_int_equal(read(p[0], &c, 1), 1);
        assert_int_equal(c, 'x');
        close(got);
        close(p[0]);
        berr_set(&ce, ENOENT, "open /dev/ptmx");
        sync_send_berr(fds[1], ce);
        berr_free(ce);
        assert_int_equal(sync_wait_fd(fds[0], SYNC_PTY, &got, &e1), -ENOENT);
        assert_int_equal(got, -1);
        assert_int_equal(sync_send(fds[1], SYNC_PTY), 0);
        assert_int_equal(sync_wait_fd(fds[0], SYNC_PTY, &got, &e2), -EPROTO);
        assert_int_equal(got, -1);
        close(fds[0]);
        close(fds[1]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_phases_and_eof),
                cmocka_unit_test(test_child_error),
                cmocka_unit_test(test_semantic_and_wrong_phase),
                cmocka_unit_test(test_fd_passing),
        };

        return cmocka_run_group_tests_name("runtime/sync", tests, NULL, NULL);
}
