/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/reference: docker's reference grammar and normalisation rules. */
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
#include "runtime/reference.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct good {
        const char *in;
        const char *domain, *path, *tag, *digest;
        const char *canonical, *familiar;
};

static const struct good goods[] = {
        {"redis", "docker.io", "library/redis", "latest", NULL, "docker.io/library/redis:latest",
         "redis:latest"},
        {"redis:7", "docker.io", "library/redis", "7", NULL, "docker.io/library/redis:7",
         "redis:7"},
        {"library/redis", "docker.io", "library/redis", "latest", NULL,
         "docker.io/library/redis:latest", "redis:latest"},
        {"docker.io/redis", "docker.io", "library/redis", "latest", NULL,
         "docker.io/library/redis:latest", "redis:latest"},
        {"index.docker.io/redis:7", "docker.io", "library/redis", "7", NULL,
         "docker.io/library/redis:7", "redis:7"},
        {"index.docker.io/team/app", "docker.io", "team/app", "latest", NULL,
         "docker.io/team/app:latest", "team/app:latest"},
        {"team/app", "docker.io", "team/app", "latest", NULL, "docker.io/team/app:latest",
         "team/app:latest"},
        {"team/sub/app:1.0", "docker.io", "team/sub/app", "1.0", NULL, "docker.io/team/sub/app:1.0",
         "team/sub/app:1.0"},
        {"host:5000/team/app:tag", "host:5000", "team/app", "tag", NULL, "host:5000/team/app:tag",
         "host:5000/team/app:tag"},
        {"127.0.0.1:5000/berth/busybox", "127.0.0.1:5000", "berth/busybox", "latest", NULL,
         "127.0.0.1:5000/berth/busybox:latest", "127.0.0.1:5000/berth/busybox:latest"},
        {"localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest",
         "localhost/app:latest"},
        {"localhost:5000/app:v1", "localhost:5000", "app", "v1", NULL, "localhost:5000/app:v1",
         "localhost:5000/app:v1"},
        {"quay.io/org/img", "quay.io", "org/img", "latest", NULL, "quay.io/org/img:latest",
         "quay.io/org/img:latest"},
        {"Registry.Example.COM/app", "Registry.Example.COM", "app", "latest", NULL,
         "Registry.Example.COM/app:latest", "Registry.Example.COM/app:latest"},
        {"Foo/bar", "Foo", "bar", "latest", NULL, "Foo/bar:latest", "Foo/bar:latest"},
        {"[::1]:5000/app:x", "[::1]:5000", "app", "x", NULL, "[::1]:5000/app:x",
         "[::1]:5000/app:x"},
        {"redis@sha256:" D64, "docker.io", "library/redis", NULL, "sha256:" D64,
         "docker.io/library/redis@sha256:" D64, "redis@sha256:" D64},
        {"redis:7@sha256:" D64, "docker.io", "library/redis", "7", "sha256:" D64,
         "docker.io/library/redis:7@sha256:" D64, "redis:7@sha256:" D64},
        {"host:5000/a@sha256:" D64, "host:5000", "a", NULL, "sha256:" D64,
         "host:5000/a@sha256:" D64, "host:5000/a@sha256:" D64},
        {"a_b.c-d__e---f", "docker.io", "library/a_b.c-d__e---f", "latest", NULL,
         "docker.io/library/a_b.c-d__e---f:latest", "a_b.c-d__e---f:latest"},
        {"app:_Tag.x-1", "docker.io", "library/app", "_Tag.x-1", NULL,
         "docker.io/library/app:_Tag.x-1", "app:_Tag.x-1"},
        {"my-host/app", "docker.io", "my-host/app", "latest", NULL, "docker.io/my-host/app:latest",
         "my-host/app:latest"},
        {"a.b/c/d/e", "a.b", "c/d/e", "latest", NULL, "a.b/c/d/e:latest", "a.b/c/d/e:latest"},
        {"docker.io/library/sub/x", "docker.io", "library/sub/x", "latest", NULL,
         "docker.io/library/sub/x:latest", "library/sub/x:latest"},
};

static void test_good(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(goods); i++) {
                const struct good *g = &goods[i];
                cleanup_berr struct berr *err = NULL;
                struct reference r;
                cleanup_free char *canon = NULL, *fam = NULL;

                if (reference_parse(g->in, &r, &err) < 0)
                        fail_msg("%s: %s", g->in, err->msg);
                assert_string_equal(r.domain, g->domain);
                assert_string_equal(r.path, g->path);
                if (g->tag)
                        assert_string_equal(r.tag, g->tag);
                else
                        assert_null(r.tag);
                if (g->digest)
                        assert_string_equal(r.digest, g->digest);
                else
                        assert_null(r.digest);
                canon = reference_string(&r);
                fam = reference_familiar(&r);
                assert_string_equal(canon, g->canonical);
                assert_string_equal(fam, g->familiar);
                reference_done(&r);
        }
}

struct bad {
        const char *in;
        const char *msg;
};

static const struct bad bads[] = {
        {"", "invalid reference format: empty image name"},
        {"REDIS", "`REDIS`: invalid reference format: repository name must be lowercase"},
        {"team/App", "`team/App`: invalid reference format: repository name must be lowercase"},
        {"host:5000/Team/app", "repository name must be lowercase"},
        {D64, "invalid repository name (" D64 "), cannot specify 64-byte hexadecimal strings"},
        {"redis:", "`redis:`: invalid reference format"},
        {"redis:-bad", "invalid reference format"},
        {"redis:.bad", "invalid reference format"},
        {"redis:a/b", "invalid reference format"},
        {":7", "invalid reference format"},
        {"/redis", "invalid reference format"},
        {"redis/", "invalid reference format"},
        {"a//b", "invalid reference format"},
        {"-redis", "invalid reference format"},
        {"redis-", "invalid reference format"},
        {"re..dis", "invalid reference format"},
        {"re___dis", "invalid reference format"},
        {"re._dis", "invalid reference format"},
        {"red is", "invalid reference format"},
        {"redis@", "invalid reference format"},
        {"redis@sha256:", "invalid reference format"},
        {"redis@sha256:abc", "invalid reference format"},
        {"redis@sha512:" D64, "unsupported digest algorithm"},
        {"redis@md5:" D64, "unsupported digest algorithm"},
        {"redis@sha256:" D64 "00", "invalid checksum digest format"},
        {"redis@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
         "invalid checksum digest format"},
        {"host:port/app", "invalid reference format"},
        {"host:/app", "invalid reference format"},
        {"-host.com/app", "invalid reference format"},
        {"host-.com/app", "invalid reference format"},
        {"a..b/app", "invalid reference format"},
        {"[zz]:5000/app", "invalid reference format"},
        {"[::1/app", "invalid reference format"},
        {"redis:7:8", "invalid reference format"},
        {"redis:7@sha256:" D64 "@x", "invalid reference format"},
        {"redis:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "invalid reference format"},
};

static void test_bad(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
                cleanup_berr struct berr *err = NULL;
                struct reference r;
                int rc = reference_parse(bads[i].in, &r, &err);

                if (rc >= 0)
                        fail_msg("`%s` parsed but should not", bads[i].in);
                assert_int_equal(rc, -EINVAL);
                assert_non_null(err);
                if (!strstr(err->msg, bads[i].msg))
                        fail_msg("`%s`: got \"%s\", want \"%s\"", bads[i].in, err->msg,
                                 bads[i].msg);
                assert_null(r.domain);
        }
}

static void test_name_too_long(void **state)
{
        char buf[300];
        cleanup_berr struct berr *err = NULL;
        struct reference r;

        (void)state;
        memset(buf, 'a', sizeof(buf) - 1);
        buf[sizeof(buf) - 1] = 0;
        assert_int_equal(reference_parse(buf, &r, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "must not be more than 255 characters"));
        berr_free(err);
        err = NULL;
        /* docker.io/library/ + 237 = 255: the limit itself is fine */
        buf[237] = 0;
        assert_int_equal(reference_parse(buf, &r, &err), 0);
        reference_done(&r);
        buf[237] = 'a';
        buf[238] = 0;
        assert_int_equal(reference_parse(buf, &r, &err), -EINVAL);
}

static void test_tag_max(void **state)
{
        char tag[130];

        (void)state;
        memset(tag, 'x', sizeof(tag));
        tag[128] = 0;
        assert_true(reference_tag_valid(tag));
        tag[128] = 'x';
        tag[129] = 0;
        assert_false(reference_tag_valid(tag));
        assert_false(reference_tag_valid(""));
}

static void test_api_host_and_copy(void **state)
{
        struct reference r, c = {0};
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *name = NULL;

        (void)state;
        assert_int_equal(reference_parse("redis", &r, &err), 0);
        assert_string_equal(reference_api_host(&r), "registry-1.docker.io");
        reference_copy(&c, &r);
        reference_done(&r);
        name = reference_name(&c);
        assert_string_equal(name, "docker.io/library/redis");
        reference_done(&c);
        assert_int_equal(reference_parse("127.0.0.1:5100/x/y:1", &r, &err), 0);
        assert_string_equal(reference_api_host(&r), "127.0.0.1:5100");
        reference_done(&r);
}

static void test_digest_valid(void **state)
{
        (void)state;
        assert_true(reference_digest_valid("sha256:" D64));
        assert_false(reference_digest_valid("sha256:" D64 "0"));
        assert_false(reference_digest_valid("sha256:"));
        assert_false(reference_digest_valid("sha512:" D64));
        assert_false(reference_digest_valid(
                "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg"));
        assert_false(reference_digest_valid("sha256:../../../../etc/passwd"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_bad),
                cmocka_unit_test(test_name_too_long),
                cmocka_unit_test(test_tag_max),
                cmocka_unit_test(test_api_host_and_copy),
                cmocka_unit_test(test_digest_valid),
        };

        return cmocka_run_group_tests_name("runtime/reference", tests, NULL, NULL);
}
