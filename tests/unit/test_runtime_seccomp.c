/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/seccomp: the default profile's rules and their cap/arch conditions,
 * docker JSON profile parsing (good and bad), and compilation to BPF. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/capability.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "runtime/caps.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"

/* Whether name is allowed (unconditionally, for caps) by some applying ALLOW rule. */
static bool allowed(const struct sc_profile *p, const char *name, uint64_t caps, bool *with_args)
{
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct sc_rule *r = &p->rules[i];

                if (r->action == SC_ACT_ALLOW && sc_rule_applies(r, caps) &&
                    strv_contains(r->names, name)) {
                        if (with_args)
                                *with_args = r->n_args > 0;
                        return true;
                }
        }
        return false;
}

static void test_default_profile(void **state)
{
        struct sc_profile p;
        uint64_t def = CAPS_DOCKER_DEFAULT, admin = def | (UINT64_C(1) << CAP_SYS_ADMIN);
        bool args = false;

        (void)state;
        sc_profile_default(&p);
        assert_int_equal(p.default_action, SC_ACT_ERRNO);
        assert_int_equal(p.default_errno, EPERM);
        assert_true(allowed(&p, "read", def, NULL));
        assert_true(allowed(&p, "execve", def, NULL));
        assert_true(allowed(&p, "arch_prctl", def, NULL));
        assert_false(allowed(&p, "mount", def, NULL));
        assert_true(allowed(&p, "mount", admin, NULL));
        assert_false(allowed(&p, "unshare", def, NULL));
        assert_false(allowed(&p, "keyctl", admin, NULL));
        assert_false(allowed(&p, "bpf", def, NULL));
        assert_true(allowed(&p, "socket", def, &args));
        assert_true(args); /* AF_VSOCK filtered */
        assert_true(allowed(&p, "clone", def, &args));
        assert_true(args); /* namespace flags filtered without CAP_SYS_ADMIN */
        assert_true(allowed(&p, "clone", admin, &args));
        assert_false(args);
        assert_true(allowed(&p, "ptrace", def, NULL));
        assert_false(allowed(&p, "reboot", def, NULL));
        assert_true(allowed(&p, "reboot", def | (UINT64_C(1) << CAP_SYS_BOOT), NULL));
        sc_profile_done(&p);
}

static void test_compile(void **state)
{
        struct sc_profile p;
        struct rt_seccomp_bpf *b1 = NULL, *b2 = NULL;

        (void)state;
        sc_profile_default(&p);
        assert_int_equal(sc_compile(&p, CAPS_DOCKER_DEFAULT, &b1, NULL), 0);
        assert_int_equal(
                sc_compile(&p, CAPS_DOCKER_DEFAULT | (UINT64_C(1) << CAP_SYS_ADMIN), &b2, NULL), 0);
        assert_true(sc_bpf_len(b1) > 100);
        assert_true(sc_bpf_len(b2) > 100);
        assert_true(sc_bpf_len(b1) != sc_bpf_len(b2));
        rt_seccomp_bpf_free(b1);
        rt_seccomp_bpf_free(b2);
        sc_profile_done(&p);
}

static void test_parse_json(void **state)
{
        const char *json =
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
                "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\","
                "\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},"
                "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
                "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
                "\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
                "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,"
                "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
                "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\","
                "\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"],\"arches\":[\"amd64\"]}}]}";
        struct sc_profile p;
        struct rt_seccomp_bpf *b = NULL;

        (void)state;
        assert_int_equal(sc_profile_parse(json, "p.json", &p, NULL), 0);
        assert_int_equal(p.n_rules, 4);
        assert_int_equal(strv_length(p.arches), 3);
        assert_string_equal(p.arches[0], "x86_64");
        assert_int_equal(p.rules[1].n_args, 1);
        assert_int_equal(p.rules[1].args[0].op, SC_OP_EQ);
        assert_int_equal(p.rules[2].errno_ret, 38);
        assert_true(p.rules[2].caps_exclude == (UINT64_C(1) << CAP_SYS_ADMIN));
        assert_false(sc_rule_applies(&p.rules[3], CAPS_DOCKER_DEFAULT));
        assert_int_equal(sc_compile(&p, CAPS_DOCKER_DEFAULT, &b, NULL), 0);
        assert_true(sc_bpf_len(b) > 5);
        rt_seccomp_bpf_free(b);
        sc_profile_done(&p);
}

static void test_parse_errors(void **state)
{
        static const struct {
                const char *json, *msg;
        } cases[] = {
                {"{\"defaultAction\":\"NOPE\"}",
                 "x.json: defaultAction \"NOPE\" is not a seccomp action"},
                {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}",
                 "x.json: syscalls[0]: no names"},
                {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":9,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                 "x.json: syscalls[0].args[0]: index 0-5 and value required"},
                {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_FLY\"]}}]}",
                 "x.json: syscalls[0]: unknown capability CAP_FLY"},
                {"{\"defaultAction\":", NULL},
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cleanup_berr struct berr *err = NULL;
                struct sc_profile p;

                assert_int_equal(sc_profile_parse(cases[i].json, "x.json", &p, &err), -EINVAL);
                if (cases[i].msg)
                        assert_string_equal(err->msg, cases[i].msg);
                else
                        assert_non_null(strstr(err->msg, "x.json:1:"));
        }
}

static void test_rt_compile_modes(void **state)
{
        struct rt_config cfg;
        struct rt_seccomp_bpf *b = NULL;

        (void)state;
        rt_config_init(&cfg);
        assert_int_equal(rt_seccomp_compile(&cfg, &b, NULL), 0);
        assert_non_null(b);
        rt_seccomp_bpf_free(b);
        cfg.seccomp = RT_SECCOMP_UNCONFINED;
        assert_int_equal(rt_seccomp_compile(&cfg, &b, NULL), 0);
        assert_null(b);
        cfg.seccomp = RT_SECCOMP_DEFAULT;
        cfg.privileged = true;
        assert_int_equal(rt_seccomp_compile(&cfg, &b, NULL), 0);
        assert_null(b);
}

/* The cache key is stable for one configuration (the default profile's content is hashed field
 * by field, never padding) and tells capability sets apart; io_uring is not allowed. */
static void test_key_and_io_uring(void **state)
{
        struct rt_config cfg;
        cleanup_free char *a = NULL, *b = NULL, *c = NULL;
        char *add[] = {"SYS_PTRACE", NULL};
        struct sc_profile p;

        (void)state;
        rt_config_init(&cfg);
        assert_int_equal(rt_seccomp_key(&cfg, &a, NULL), 0);
        assert_int_equal(rt_seccomp_key(&cfg, &b, NULL), 0);
        assert_string_equal(a, b);
        cfg.cap_add = add;
        assert_int_equal(rt_seccomp_key(&cfg, &c, NULL), 0);
        assert_string_not_equal(a, c);
        sc_profile_default(&p);
        for (size_t i = 0; i < p.n_rules; i++)
                assert_false(strv_contains(p.rules[i].names, "io_uring_setup"));
        sc_profile_done(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_profile),  cmocka_unit_test(test_compile),
                cmocka_unit_test(test_parse_json),       cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_rt_compile_modes), cmocka_unit_test(test_key_and_io_uring),
        };

        return cmocka_run_group_tests_name("runtime/seccomp", tests, NULL, NULL);
}
