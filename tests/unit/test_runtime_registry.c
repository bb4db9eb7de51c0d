/* SPDX-License-Identifier: MIT */
/* Unit tests for the pure parts of runtime/registry: WWW-Authenticate challenges, credentials
 * from docker's config.json, which registries are spoken to over plain HTTP. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "runtime/registry.h"

static void test_challenge(void **state)
{
        cleanup_free char *scheme = NULL, *realm = NULL, *service = NULL, *scope = NULL;

        (void)state;
        assert_int_equal(registry_parse_challenge(
                                 "Bearer realm=\"https://auth.example.com/token\",service=\"reg"
                                 "istry.example.com\",scope=\"repository:a/b:pull\"",
                                 &scheme, &realm, &service, &scope),
                         0);
        assert_string_equal(scheme, "Bearer");
        assert_string_equal(realm, "https://auth.example.com/token");
        assert_string_equal(service, "registry.example.com");
        assert_string_equal(scope, "repository:a/b:pull");
        free(scheme), free(realm), free(service), free(scope);
        assert_int_equal(registry_parse_challenge("Basic realm=\"berth-test\"", &scheme, &realm,
                                                  &service, &scope),
                         0);
        assert_string_equal(scheme, "Basic");
        assert_string_equal(realm, "berth-test");
        assert_null(service);
        assert_null(scope);
        free(scheme), free(realm);
        /* unquoted values, escaped quotes, a parameter whose name ends in realm */
        assert_int_equal(registry_parse_challenge("Bearer xrealm=\"no\", realm=http://a/t, "
                                                  "service=\"s\\\"q\"",
                                                  &scheme, &realm, &service, &scope),
                         0);
        assert_string_equal(realm, "http://a/t");
        assert_string_equal(service, "s\"q");
        scope = NULL;
        assert_int_equal(registry_parse_challenge("", &scheme, &realm, &service, &scope), -EINVAL);
}

static void test_auth_from_config(void **state)
{
        /* "dXNlcjpwYTpzcw==" is base64("user:pa:ss"): the password may hold colons */
        static const char cfg[] =
                "{\"auths\":{"
                "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnBhc3M=\"},"
                "\"reg.example.com:5000\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
                "\"https://other.example.com/v2/\":{\"username\":\"u2\",\"password\":\"p2\"},"
                "\"empty.example.com\":{\"auth\":\"\"}}}";
        static const char nocolon[] = "{\"auths\":{\"h\":{\"auth\":\"bm9jb2xvbg==\"}}}";
        cleanup_berr struct berr *err = NULL;
        char *u = NULL, *p = NULL;

        (void)state;
        assert_int_equal(
                registry_auth_from_config(cfg, strlen(cfg), "reg.example.com:5000", &u, &p, &err),
                0);
        assert_string_equal(u, "user");
        assert_string_equal(p, "pa:ss");
        free(u), free(p);
        assert_int_equal(registry_auth_from_config(cfg, strlen(cfg), "docker.io", &u, &p, &err), 0);
        assert_string_equal(u, "hub");
        assert_string_equal(p, "hubpass");
        free(u), free(p);
        assert_int_equal(
                registry_auth_from_config(cfg, strlen(cfg), "other.example.com", &u, &p, &err), 0);
        assert_string_equal(u, "u2");
        assert_string_equal(p, "p2");
        free(u), free(p);
        assert_int_equal(
                registry_auth_from_config(cfg, strlen(cfg), "reg.example.com", &u, &p, &err),
                -ENOENT);
        assert_int_equal(
                registry_auth_from_config(cfg, strlen(cfg), "empty.example.com", &u, &p, &err),
                -ENOENT);
        /* base64("nocolon") */
        assert_int_equal(registry_auth_from_config(nocolon, strlen(nocolon), "h", &u, &p, &err),
                         -EINVAL);
        assert_non_null(strstr(err->msg, "user:password"));
}

static void test_insecure(void **state)
{
        (void)state;
        assert_true(registry_is_insecure("127.0.0.1:5000", NULL));
        assert_true(registry_is_insecure("127.1.2.3", NULL));
        assert_true(registry_is_insecure("localhost:5000", NULL));
        assert_true(registry_is_insecure("[::1]:5000", NULL));
        assert_false(registry_is_insecure("docker.io", NULL));
        assert_false(registry_is_insecure("127.0.0.1.example.com", NULL) &&
                     registry_is_insecure("example.com:5000", ""));
        assert_false(registry_is_insecure("reg.lan:5000", "reg.lan other:1"));
        assert_true(registry_is_insecure("reg.lan:5000", "x, reg.lan:5000\nother:1"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_challenge),
                cmocka_unit_test(test_auth_from_config),
                cmocka_unit_test(test_insecure),
        };

        return cmocka_run_group_tests_name("runtime/registry", tests, NULL, NULL);
}
