/* SPDX-License-Identifier: MIT */
/* Unit tests for spec/types: durations, byte sizes, ports, volumes, restart policies, signals,
 * cpus, booleans, shell splitting, project names. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/strv.h"
#include "spec/types.h"

static void test_durations(void **state)
{
        static const struct {
                const char *in;
                int64_t ns;
                const char *out;
        } ok[] = {
                {"0", 0, "0s"},
                {"1s", 1000000000LL, "1s"},
                {"90s", 90000000000LL, "1m30s"},
                {"1m30s", 90000000000LL, "1m30s"},
                {"1.5s", 1500000000LL, "1.5s"},
                {"1500ms", 1500000000LL, "1.5s"},
                {"100ms", 100000000LL, "100ms"},
                {"10us", 10000, "10\xc2\xb5s"},
                {"10\xc2\xb5s", 10000, "10\xc2\xb5s"},
                {"5ns", 5, "5ns"},
                {"1h", 3600000000000LL, "1h0m0s"},
                {"2h45m", 9900000000000LL, "2h45m0s"},
                {"1h1m1.001s", 3661001000000LL, "1h1m1.001s"},
                {"-1s", -1000000000LL, "-1s"},
                {".5s", 500000000LL, "500ms"},
        };
        static const char *const bad[] = {"",     "1",   "10",     "s",    "1d",  "10 s",
                                          "1m30", "abc", "1.2.3s", "--1s", "1e3s"};

        (void)state;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                int64_t ns = -7;
                char buf[48];

                assert_int_equal(spec_parse_duration(ok[i].in, &ns), 0);
                assert_int_equal(ns, ok[i].ns);
                spec_format_duration(ns, buf, sizeof(buf));
                assert_string_equal(buf, ok[i].out);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int64_t ns;

                assert_int_equal(spec_parse_duration(bad[i], &ns), -EINVAL);
        }
}

static void test_bytes(void **state)
{
        static const struct {
                const char *in;
                int64_t v;
        } ok[] = {
                {"0", 0},
                {"1024", 1024},
                {"10b", 10},
                {"1k", 1024},
                {"2kb", 2048},
                {"512m", 536870912},
                {"512M", 536870912},
                {"256mb", 268435456},
                {"1g", 1073741824},
                {"1.5g", 1610612736},
                {"1gib", 1073741824},
                {"2 GB", 2147483648LL},
                {"1t", 1099511627776LL},
        };
        static const char *const bad[] = {"",       "m",     "512x", "-1m",
                                          "1.5.5g", "1 g b", "lots", "9999999999999999999g"};

        (void)state;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                int64_t v = -1;

                assert_int_equal(spec_parse_bytes(ok[i].in, &v), 0);
                assert_int_equal(v, ok[i].v);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int64_t v;

                assert_int_equal(spec_parse_bytes(bad[i], &v), -EINVAL);
        }
}

static void expect_port(const char *in, size_t n, const char *ip, const char *pub, uint32_t target,
                        const char *proto)
{
        struct spec_port_spec *p = NULL;
        size_t np = 0;
        char *msg = NULL;

        assert_int_equal(spec_parse_port(in, &p, &np, &msg), 0);
        assert_int_equal(np, n);
        if (ip)
                assert_string_equal(p[0].host_ip, ip);
        else
                assert_null(p[0].host_ip);
        if (pub)
                assert_string_equal(p[0].published, pub);
        else
                assert_null(p[0].published);
        assert_int_equal(p[0].target, target);
        assert_string_equal(p[0].protocol, proto);
        spec_port_specs_free(p, np);
}

static void expect_port_error(const char *in, const char *msg)
{
        struct spec_port_spec *p = NULL;
        size_t np = 0;
        char *m = NULL;

        assert_int_equal(spec_parse_port(in, &p, &np, &m), -EINVAL);
        assert_null(p);
        assert_string_equal(m, msg);
        free(m);
}

static void test_ports(void **state)
{
        struct spec_port_spec *p = NULL;
        size_t np = 0;
        char *m = NULL;

        (void)state;
        expect_port("80", 1, NULL, NULL, 80, "tcp");
        expect_port("8080:80", 1, NULL, "8080", 80, "tcp");
        expect_port("127.0.0.1:8080:80", 1, "127.0.0.1", "8080", 80, "tcp");
        expect_port("127.0.0.1::80", 1, "127.0.0.1", NULL, 80, "tcp");
        expect_port("53:53/udp", 1, NULL, "53", 53, "udp");
        expect_port("[::1]:80:80", 1, "::1", "80", 80, "tcp");
        expect_port("8000-8010:80", 1, NULL, "8000-8010", 80, "tcp");
        expect_port("9000-9002", 3, NULL, NULL, 9000, "tcp");
        expect_port("7000:7000/sctp", 1, NULL, "7000", 7000, "sctp");
        assert_int_equal(spec_parse_port("1000-1001:2000-2001/udp", &p, &np, &m), 0);
        assert_int_equal(np, 2);
        assert_string_equal(p[1].published, "1001");
        assert_int_equal(p[1].target, 2001);
        spec_port_specs_free(p, np);
        expect_port_error("80800", "\"80800\" is not a port (1-65535)");
        expect_port_error("0", "\"0\" is not a port (1-65535)");
        expect_port_error("70000:80", "\"70000\" is not a port (1-65535)");
        expect_port_error("80/tcpx", "\"tcpx\" is not a protocol (tcp, udp or sctp)");
        expect_port_error("1.2.3.999:80:80", "\"1.2.3.999\" is not an IP address");
        expect_port_error("8000-8002:80-81",
                          "\"8000-8002:80-81\": the host and container port ranges differ in "
                          "size");
        expect_port_error("81-80", "\"81-80\" is not a port (1-65535)");
        expect_port_error("a:b:c:d", "\"a:b:c:d\" is not a port spec "
                                     "([[ip:]host:]container[/protocol])");
        expect_port_error("", "\"\" is not a port (1-65535)");
}

static void test_volumes(void **state)
{
        struct spec_volume_spec v;
        char *m = NULL;

        (void)state;
        assert_int_equal(spec_parse_volume("/data", &v, &m), 0);
        assert_int_equal(v.type, SPEC_MOUNT_VOLUME);
        assert_null(v.source);
        assert_string_equal(v.target, "/data");
        spec_volume_spec_done(&v);
        assert_int_equal(spec_parse_volume("db:/var/lib/db:ro", &v, &m), 0);
        assert_int_equal(v.type, SPEC_MOUNT_VOLUME);
        assert_string_equal(v.source, "db");
        assert_true(v.read_only);
        spec_volume_spec_done(&v);
        assert_int_equal(spec_parse_volume("./x:/x:ro,Z", &v, &m), 0);
        assert_int_equal(v.type, SPEC_MOUNT_BIND);
        assert_string_equal(v.selinux, "Z");
        assert_true(v.read_only);
        spec_volume_spec_done(&v);
        assert_int_equal(spec_parse_volume("~/x:/x:rshared,cached", &v, &m), 0);
        assert_int_equal(v.type, SPEC_MOUNT_BIND);
        assert_string_equal(v.propagation, "rshared");
        assert_string_equal(v.consistency, "cached");
        spec_volume_spec_done(&v);
        assert_int_equal(spec_parse_volume("cache:/c:nocopy", &v, &m), 0);
        assert_true(v.nocopy);
        spec_volume_spec_done(&v);
        assert_int_equal(spec_parse_volume("./a:rel", &v, &m), -EINVAL);
        assert_string_equal(m, "volume target \"rel\" is not an absolute path");
        free(m);
        assert_int_equal(spec_parse_volume("./a:/b:bad", &v, &m), -EINVAL);
        assert_non_null(strstr(m, "\"bad\" is not a volume mode"));
        free(m);
        assert_int_equal(spec_parse_volume("a:/b:ro:z", &v, &m), -EINVAL);
        free(m);
        assert_int_equal(spec_parse_volume(":/b", &v, &m), -EINVAL);
        free(m);
}

static void test_small_syntaxes(void **state)
{
        char *m = NULL;
        int sig = 0;
        double cpus;
        bool b;
        int64_t i;

        (void)state;
        assert_int_equal(spec_parse_restart("no", &m), 0);
        assert_int_equal(spec_parse_restart("always", &m), 0);
        assert_int_equal(spec_parse_restart("unless-stopped", &m), 0);
        assert_int_equal(spec_parse_restart("on-failure", &m), 0);
        assert_int_equal(spec_parse_restart("on-failure:5", &m), 0);
        assert_int_equal(spec_parse_restart("on-failure:-1", &m), -EINVAL);
        free(m);
        assert_int_equal(spec_parse_restart("sometimes", &m), -EINVAL);
        free(m);
        assert_int_equal(spec_parse_signal("SIGTERM", &sig), 0);
        assert_int_equal(sig, SIGTERM);
        assert_int_equal(spec_parse_signal("quit", &sig), 0);
        assert_int_equal(sig, SIGQUIT);
        assert_int_equal(spec_parse_signal("9", &sig), 0);
        assert_int_equal(sig, 9);
        assert_int_equal(spec_parse_signal("SIGRTMIN+3", &sig), 0);
        assert_int_equal(sig, SIGRTMIN + 3);
        assert_int_equal(spec_parse_signal("SIGFOO", &sig), -EINVAL);
        assert_int_equal(spec_parse_signal("99", &sig), -EINVAL);
        assert_int_equal(spec_parse_cpus("0.5", &cpus), 0);
        assert_true(cpus > 0.49 && cpus < 0.51);
        assert_int_equal(spec_parse_cpus("-1", &cpus), -EINVAL);
        assert_int_equal(spec_parse_cpus("half", &cpus), -EINVAL);
        assert_int_equal(spec_parse_bool("True", false, &b), 0);
        assert_true(b);
        assert_int_equal(spec_parse_bool("yes", false, &b), -EINVAL);
        assert_int_equal(spec_parse_bool("yes", true, &b), 0);
        assert_true(b);
        assert_int_equal(spec_parse_bool("off", true, &b), 0);
        assert_false(b);
        assert_int_equal(spec_parse_int("42", 0, 100, &i), 0);
        assert_int_equal(i, 42);
        assert_int_equal(spec_parse_int("101", 0, 100, &i), -EINVAL);
        assert_int_equal(spec_parse_int(" 1", 0, 100, &i), -EINVAL);
        assert_int_equal(spec_parse_int("1x", 0, 100, &i), -EINVAL);
}

static void expect_split(const char *in, const char *joined)
{
        char **v = NULL, *j;

        assert_int_equal(spec_shell_split(in, &v), 0);
        j = strv_join(v, "|");
        assert_string_equal(j, joined);
        free(j);
        strv_free(v);
}

static void test_shell_split(void **state)
{
        char **v = NULL;

        (void)state;
        expect_split("nginx -g 'daemon off;'", "nginx|-g|daemon off;");
        expect_split("  a   b  ", "a|b");
        expect_split("echo \"a \\\"b\\\" c\"", "echo|a \"b\" c");
        expect_split("a\\ b c", "a b|c");
        expect_split("x''y \"\"", "xy|");
        expect_split("sh -c 'echo $HOME'", "sh|-c|echo $HOME");
        expect_split("", "");
        assert_int_equal(spec_shell_split("echo 'open", &v), -EINVAL);
        assert_int_equal(spec_shell_split("echo \"open", &v), -EINVAL);
}

static void test_project_names(void **state)
{
        char *n;

        (void)state;
        assert_true(spec_project_name_valid("web_1-a"));
        assert_true(spec_project_name_valid("1web"));
        assert_false(spec_project_name_valid("Web"));
        assert_false(spec_project_name_valid("-web"));
        assert_false(spec_project_name_valid("my app"));
        assert_false(spec_project_name_valid(""));
        n = spec_project_name_normalize("My App.v2");
        assert_string_equal(n, "myappv2");
        free(n);
        n = spec_project_name_normalize("__-x_Y");
        assert_string_equal(n, "x_y");
        free(n);
        n = spec_project_name_normalize("!!!");
        assert_string_equal(n, "");
        free(n);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_durations),      cmocka_unit_test(test_bytes),
                cmocka_unit_test(test_ports),          cmocka_unit_test(test_volumes),
                cmocka_unit_test(test_small_syntaxes), cmocka_unit_test(test_shell_split),
                cmocka_unit_test(test_project_names),
        };

        return cmocka_run_group_tests_name("spec/types", tests, NULL, NULL);
}
