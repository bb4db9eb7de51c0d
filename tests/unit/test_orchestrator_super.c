/* SPDX-License-Identifier: MIT */
/* Unit tests for the supervisor's helpers: the `berth super` description parser (signals,
 * sizes, errors naming the key), the project lock, the socket address fallback for long paths,
 * and the process backend (start with stdio, signal, adopt with the pid-reuse check). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "orchestrator/backend.h"
#include "orchestrator/backend_proc.h"
#include "orchestrator/ctl_client.h"
#include "orchestrator/lock.h"
#include "orchestrator/super_desc.h"
#include "orchestrator/supervisor.h"

static void test_signal_and_size(void **state)
{
        uint64_t v;

        (void)state;
        assert_int_equal(super_parse_signal("SIGTERM"), SIGTERM);
        assert_int_equal(super_parse_signal("term"), SIGTERM);
        assert_int_equal(super_parse_signal("SIGUSR1"), SIGUSR1);
        assert_int_equal(super_parse_signal("9"), 9);
        assert_int_equal(super_parse_signal("SIGNOPE"), -EINVAL);
        assert_int_equal(super_parse_signal("0"), -EINVAL);
        assert_int_equal(super_parse_signal(""), -EINVAL);
        assert_int_equal(super_parse_size("100", &v), 0);
        assert_int_equal(v, 100);
        assert_int_equal(super_parse_size("10k", &v), 0);
        assert_int_equal(v, 10240);
        assert_int_equal(super_parse_size("1.5m", &v), 0);
        assert_int_equal(v, 1572864);
        assert_int_equal(super_parse_size("2GB", &v), 0);
        assert_int_equal(v, 2147483648ull);
        assert_int_equal(super_parse_size("x", &v), -EINVAL);
        assert_int_equal(super_parse_size("10q", &v), -EINVAL);
}

static void test_desc_full(void **state)
{
        const char *text =
                "{\"project\":\"ordevu\",\"services\":{\"web\":{\"command\":[\"sleep\",\"1\"],"
                "\"environment\":{\"A\":\"1\"},\"restart\":\"on-failure:4\",\"scale\":2,"
                "\"stop_signal\":\"SIGINT\",\"stop_grace_period\":\"1m30s\","
                "\"healthcheck\":{\"test\":[\"CMD\",\"true\"],\"interval\":\"2s\",\"retries\":5},"
                "\"logging\":{\"options\":{\"max-size\":\"1m\",\"max-file\":\"4\"}}},"
                "\"job\":{\"command\":[\"true\"],\"deploy\":{\"replicas\":3,\"restart_policy\":"
                "{\"max_attempts\":2,\"delay\":\"500ms\",\"window\":\"10s\"}}}}}";
        struct sup_config cfg = {0};
        cleanup_berr struct berr *err = NULL;
        struct sup_service *web, *job;
        struct proc_config *pc;

        (void)state;
        assert_int_equal(super_desc_parse(text, "d.json", &cfg, &err), 0);
        assert_string_equal(cfg.project, "ordevu");
        assert_int_equal(cfg.n_services, 2);
        web = &cfg.services[0];
        job = &cfg.services[1];
        assert_string_equal(web->name, "web");
        assert_int_equal(web->replicas, 2);
        assert_int_equal(web->restart.policy, RESTART_ON_FAILURE);
        assert_int_equal(web->restart.max_attempts, 4);
        assert_int_equal(web->stop_signal, SIGINT);
        assert_int_equal(web->stop_grace_ms, 90000);
        assert_int_equal(web->health.kind, HEALTH_TEST_CMD);
        assert_int_equal(web->health.interval_ms, 2000);
        assert_int_equal(web->health.timeout_ms, 30000);
        assert_int_equal(web->health.retries, 5);
        assert_int_equal(web->log.max_size, 1048576);
        assert_int_equal(web->log.max_file, 4);
        pc = web->backend_config;
        assert_string_equal(pc->argv[0], "sleep");
        assert_string_equal(pc->env[0], "A=1");
        assert_int_equal(job->replicas, 3);
        assert_int_equal(job->restart.policy, RESTART_ALWAYS);
        assert_int_equal(job->restart.max_attempts, 2);
        assert_int_equal(job->restart.delay_ms, 500);
        assert_int_equal(job->restart.window_ms, 10000);
        assert_int_equal(job->stop_grace_ms, SUP_DEFAULT_STOP_GRACE_MS);
        assert_int_equal(job->health.kind, HEALTH_TEST_NONE);
        sup_config_done(&cfg);
}

static void test_desc_errors(void **state)
{
        static const struct {
                const char *text, *want;
        } cases[] = {
                {"{", "d.json:1:"},
                {"{\"services\":{}}", "services: must be a non-empty mapping"},
                {"{\"services\":{\"Web\":{\"command\":[\"x\"]}}}", "services.Web: invalid"},
                {"{\"services\":{\"w\":{}}}", "services.w.command"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"restart\":\"x\"}}}",
                 "services.w.restart"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"stop_signal\":\"SIGFOO\"}}}",
                 "services.w.stop_signal"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"stop_grace_period\":\"10\"}}}",
                 "services.w.stop_grace_period"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"healthcheck\":{\"test\":[\"CMD\"]}}}}",
                 "services.w.healthcheck.test"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"healthcheck\":{\"test\":\"x\","
                 "\"retries\":0}}}}",
                 "services.w.healthcheck.retries"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"logging\":{\"options\":{\"max-size\":"
                 "\"big\"}}}}}",
                 "services.w.logging.options.max-size"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"deploy\":{\"restart_policy\":{"
                 "\"condition\":\"always\"}}}}}",
                 "services.w.deploy.restart_policy.condition"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"scale\":-1}}}", "services.w.scale"},
                {"{\"services\":{\"w\":{\"command\":[\"x\"],\"environment\":[1]}}}",
                 "services.w.environment"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct sup_config cfg = {0};
                cleanup_berr struct berr *err = NULL;
                cleanup_free char *t = NULL;

                assert_true(super_desc_parse(cases[i].text, "d.json", &cfg, &err) < 0);
                t = berr_text(err);
                if (!strstr(t, cases[i].want))
                        fail_msg("case %zu: \"%s\" lacks \"%s\"", i, t, cases[i].want);
                sup_config_done(&cfg);
        }
}

static void test_lock(void **state)
{
        char tmpl[] = "/tmp/berth-orch-lock-XXXXXX";
        char *run = mkdtemp(tmpl);
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *cmd = NULL;
        pid_t holder = 0;
        int fd, fd2;

        (void)state;
        assert_non_null(run);
        assert_false(lock_is_held(run, "ordevl", NULL));
        fd = lock_take(run, "ordevl", &err);
        assert_true(fd >= 0);
        assert_true(lock_is_held(run, "ordevl", &holder));
        assert_int_equal(holder, getpid());
        fd2 = lock_take(run, "ordevl", &err);
        assert_int_equal(fd2, -EBUSY);
        assert_non_null(strstr(err->msg, "is locked by another berth (pid"));
        close(fd);
        assert_false(lock_is_held(run, "ordevl", NULL));
        berr_freep(&err);
        fd = lock_take(run, "ordevl", &err);
        assert_true(fd >= 0);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
        cmd = xasprintf("rm -rf '%s'", run);
        assert_int_equal(system(cmd), 0);
}

static void test_sockaddr(void **state)
{
        struct sockaddr_un sa;
        char longpath[200];

        (void)state;
        assert_int_equal(ctl_sockaddr("/run/berth/p/control.sock", -1, &sa), 0);
        assert_string_equal(sa.sun_path, "/run/berth/p/control.sock");
        memset(longpath, 'a', sizeof(longpath));
        longpath[0] = '/';
        strcpy(longpath + 150, "/control.sock");
        assert_int_equal(ctl_sockaddr(longpath, -1, &sa), -ENAMETOOLONG);
        assert_int_equal(ctl_sockaddr(longpath, 7, &sa), 0);
        assert_string_equal(sa.sun_path, "/proc/self/fd/7/control.sock");
}

static void test_backend_proc(void **state)
{
        struct backend *b = backend_proc_new();
        struct proc_config pc = {0};
        struct backend_proc p = {0}, adopted = {0};
        cleanup_berr struct berr *err = NULL;
        char *argv[] = {"sh", "-c", "echo \"$BERTH_X\"; exec sleep 100", NULL};
        char *env[] = {"BERTH_X=hello", NULL};
        char *bad[] = {"/nonexistent/x", NULL};
        int pfd[2];
        char buf[64] = {0};
        siginfo_t si = {0};
        struct pollfd pl;

        (void)state;
        pc.argv = argv;
        pc.env = env;
        assert_int_equal(pipe(pfd), 0);
        assert_int_equal(b->ops->start(b, &pc, "c", pfd[1], -1, &p, &err), 0);
        close(pfd[1]);
        assert_true(p.pid > 0 && p.pidfd >= 0 && p.child && p.start > 0);
        assert_true(read(pfd[0], buf, sizeof(buf) - 1) > 0);
        assert_string_equal(buf, "hello\n");
        close(pfd[0]);
        /* adoption checks the start time */
        assert_int_equal(b->ops->adopt(b, &pc, "c", p.pid, p.start, &adopted, &err), 0);
        assert_false(adopted.child);
        close(adopted.pidfd);
        assert_int_equal(b->ops->adopt(b, &pc, "c", p.pid, p.start + 1, &adopted, &err), -ESRCH);
        berr_freep(&err);
        /* its own process group: kill(all) reaches it */
        assert_int_equal(b->ops->kill(b, &p, SIGKILL, true, &err), 0);
        pl = (struct pollfd){.fd = p.pidfd, .events = POLLIN};
        assert_int_equal(poll(&pl, 1, 5000), 1);
        assert_int_equal(waitid(P_PIDFD, (id_t)p.pidfd, &si, WEXITED), 0);
        assert_int_equal(si.si_code, CLD_KILLED);
        assert_int_equal(si.si_status, SIGKILL);
        close(p.pidfd);
        /* exec failure is reported with its cause */
        pc.argv = bad;
        assert_int_equal(b->ops->start(b, &pc, "c", -1, -1, &p, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "exec `/nonexistent/x`"));
        b->ops->free(b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_signal_and_size), cmocka_unit_test(test_desc_full),
                cmocka_unit_test(test_desc_errors),     cmocka_unit_test(test_lock),
                cmocka_unit_test(test_sockaddr),        cmocka_unit_test(test_backend_proc),
        };
        return cmocka_run_group_tests_name("orchestrator/super", tests, NULL, NULL);
}
