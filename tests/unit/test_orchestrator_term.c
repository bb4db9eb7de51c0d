/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/term (and the pty helpers of runtime/pty it works with): compose's
 * rule for allocating a tty, --interactive values, a pty made the controlling terminal of a new
 * session with a size, and the relay between plain pipes and a real pty until the process exits
 * (input delivered, output with the terminal's \r\n, everything written before exit drained). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "orchestrator/term.h"
#include "runtime/pty.h"
#include "runtime/syscalls.h"

static void test_want_tty(void **state)
{
        struct term_flags f = {.interactive = true};

        (void)state;
        assert_true(term_want_tty(&f, true, true));
        assert_false(term_want_tty(&f, false, true)); /* piped input */
        assert_false(term_want_tty(&f, true, false)); /* output to a file */
        assert_false(term_want_tty(&f, false, false));
        f.tty = true; /* -t is compose's default already: it cannot make a pipe a terminal */
        assert_false(term_want_tty(&f, false, true));
        f.no_tty = true;
        assert_false(term_want_tty(&f, true, true));
        f.no_tty = false;
        f.detach = true;
        assert_false(term_want_tty(&f, true, true));
}

static void test_parse_bool(void **state)
{
        (void)state;
        assert_int_equal(term_parse_bool(NULL), 1);
        assert_int_equal(term_parse_bool("true"), 1);
        assert_int_equal(term_parse_bool("1"), 1);
        assert_int_equal(term_parse_bool("false"), 0);
        assert_int_equal(term_parse_bool("0"), 0);
        assert_int_equal(term_parse_bool("yes"), -1);
        assert_int_equal(term_parse_bool(""), -1);
}

/* In a child (a new session): the slave becomes its controlling terminal with the size given. */
static void test_flags_opt(void **state)
{
        struct term_flags f = {.interactive = true};

        (void)state;
        assert_int_equal(term_flags_opt(&f, 'T', NULL), 1);
        assert_true(f.no_tty);
        assert_int_equal(term_flags_opt(&f, 't', NULL), 1);
        assert_true(f.tty);
        assert_int_equal(term_flags_opt(&f, 'i', "false"), 1);
        assert_false(f.interactive);
        assert_int_equal(term_flags_opt(&f, 'i', NULL), 1);
        assert_true(f.interactive);
        assert_int_equal(term_flags_opt(&f, 'i', "maybe"), -1);
        assert_int_equal(term_flags_opt(&f, 'u', "root"), 0);
}

static void test_pty_controlling(void **state)
{
        int master = -1, slave = -1, st;
        pid_t pid;

        (void)state;
        assert_int_equal(pty_open(&master, &slave, NULL), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct winsize ws;

                if (setsid() < 0 || pty_make_controlling(slave, 33, 101, NULL) < 0)
                        _exit(1);
                if (ioctl(slave, TIOCGWINSZ, &ws) < 0 || ws.ws_row != 33 || ws.ws_col != 101)
                        _exit(2);
                if (tcgetsid(slave) != getpid())
                        _exit(3);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        close(master);
        close(slave);
}

static void test_relay(void **state)
{
        int master = -1, slave = -1, in[2], out[2], st;
        char buf[4096];
        cleanup_close int pidfd = -1;
        struct term_relay r;
        ssize_t n;
        pid_t pid;

        (void)state;
        assert_int_equal(pty_open(&master, &slave, NULL), 0);
        assert_int_equal(pipe(in), 0);
        assert_int_equal(pipe(out), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char line[64];

                if (setsid() < 0 || pty_make_controlling(slave, 0, 0, NULL) < 0)
                        _exit(100);
                dup2(slave, 0);
                dup2(slave, 1);
                close(master);
                printf("hello\n");
                fflush(stdout);
                if (!fgets(line, sizeof(line), stdin))
                        _exit(101);
                /* a last burst right before exiting must still reach the output */
                for (int i = 0; i < 200; i++)
                        printf("%03d-padding-padding-padding\n", i);
                printf("got:%s", line);
                fflush(stdout);
                _exit(3);
        }
        close(slave);
        pidfd = sys_pidfd_open(pid, 0);
        assert_true(pidfd >= 0);
        assert_int_equal(write(in[1], "abc\n", 4), 4);
        close(in[1]);
        r = (struct term_relay){.in_fd = in[0], .out_fd = out[1], .master = master, .pidfd = pidfd};
        /* the output pipe holds it all (64 KiB): the relay never blocks on it */
        assert_int_equal(term_relay_run(&r, NULL), 0);
        close(out[1]);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 3);
        {
                cleanup_free char *all = NULL;
                size_t len = 0;

                while ((n = read(out[0], buf, sizeof(buf))) > 0) {
                        all = realloc(all, len + (size_t)n + 1);
                        memcpy(all + len, buf, (size_t)n);
                        len += (size_t)n;
                }
                assert_non_null(all);
                all[len] = '\0';
                assert_non_null(strstr(all, "hello\r\n"));
                assert_non_null(strstr(all, "abc\r\n")); /* the pty's echo */
                assert_non_null(strstr(all, "199-padding-padding-padding\r\n"));
                assert_non_null(strstr(all, "got:abc\r\n"));
        }
        close(out[0]);
        close(in[0]);
        close(master);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_want_tty),  cmocka_unit_test(test_parse_bool),
                cmocka_unit_test(test_flags_opt), cmocka_unit_test(test_pty_controlling),
                cmocka_unit_test(test_relay),
        };

        return cmocka_run_group_tests_name("orchestrator/term", tests, NULL, NULL);
}
