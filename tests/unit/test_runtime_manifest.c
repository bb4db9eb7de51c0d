/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/manifest: manifest kinds, platform selection, image config parsing. */
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
#include "common/strv.h"
#include "runtime/image.h"
#include "runtime/manifest.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char oci_no_mt[] =
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MEDIA_OCI_CONFIG "\",\"digest\":\"" D1
        "\",\"size\":10},\"layers\":[{\"mediaType\":\"" MEDIA_OCI_LAYER_GZ "\",\"digest\":\"" D2
        "\",\"size\":20},{\"mediaType\":\"" MEDIA_OCI_LAYER_ZSTD "\",\"digest\":\"" D3
        "\",\"size\":30}]}";

static int parse(const char *body, const char *ct, struct manifest *m, struct berr **err)
{
        return manifest_parse(body, strlen(body), ct, m, err);
}

static void test_oci_without_media_type(void **state)
{
        struct manifest m;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        /* umoci omits mediaType: Content-Type decides, and the shape when that is generic */
        assert_int_equal(parse(oci_no_mt, MEDIA_OCI_MANIFEST, &m, &err), 0);
        assert_int_equal(m.kind, MANIFEST_OCI);
        assert_int_equal(m.n_layers, 2);
        assert_string_equal(m.config.digest, D1);
        assert_int_equal(m.layers[1].size, 30);
        manifest_done(&m);
        assert_int_equal(parse(oci_no_mt, "application/json; charset=utf-8", &m, &err), 0);
        assert_int_equal(m.kind, MANIFEST_OCI);
        manifest_done(&m);
        assert_int_equal(parse(oci_no_mt, NULL, &m, &err), 0);
        assert_int_equal(m.kind, MANIFEST_OCI);
        manifest_done(&m);
}

static void test_docker_v2_and_content_type_wins(void **state)
{
        static const char body[] =
                "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_V2
                "\",\"config\":{\"mediaType\":\"" MEDIA_DOCKER_CONFIG "\",\"digest\":\"" D1
                "\",\"size\":1},\"layers\":[{\"mediaType\":\"" MEDIA_DOCKER_LAYER
                "\",\"digest\":\"" D2 "\",\"size\":2}]}";
        struct manifest m;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(parse(body, MEDIA_DOCKER_V2, &m, &err), 0);
        assert_int_equal(m.kind, MANIFEST_DOCKER_V2);
        manifest_done(&m);
        assert_int_equal(parse(body, "text/plain", &m, &err), 0);
        assert_int_equal(m.kind, MANIFEST_DOCKER_V2);
        manifest_done(&m);
}

static const char index_body[] =
        "{\"schemaVersion\":2,\"manifests\":["
        "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" D1
        "\",\"size\":5,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
        "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" D2
        "\",\"size\":5,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":"
        "\"v8\"}},"
        "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" D3
        "\",\"size\":5,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":"
        "\"v7\"}}]}";

static void test_index_and_platforms(void **state)
{
        struct manifest m;
        struct platform p;
        const struct descriptor *d;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(parse(index_body, MEDIA_OCI_INDEX, &m, &err), 0);
        assert_true(manifest_is_index(&m));
        assert_int_equal(m.n_manifests, 3);

        assert_int_equal(platform_parse("linux/amd64", &p, &err), 0);
        assert_int_equal(manifest_select(&m, &p, &d, &err), 0);
        assert_string_equal(d->digest, D1);
        platform_done(&p);

        assert_int_equal(platform_parse("linux/arm64", &p, &err), 0); /* v8 implied */
        assert_int_equal(manifest_select(&m, &p, &d, &err), 0);
        assert_string_equal(d->digest, D2);
        platform_done(&p);

        assert_int_equal(platform_parse("linux/arm/v7", &p, &err), 0);
        assert_int_equal(manifest_select(&m, &p, &d, &err), 0);
        assert_string_equal(d->digest, D3);
        platform_done(&p);

        assert_int_equal(platform_parse("linux/arm/v6", &p, &err), 0);
        assert_int_equal(manifest_select(&m, &p, &d, &err), -ENOENT);
        assert_string_equal(err->msg, "no manifest for platform linux/arm/v6 (offered: "
                                      "linux/amd64, linux/arm64/v8, linux/arm/v7)");
        platform_done(&p);
        manifest_done(&m);

        berr_freep(&err);
        assert_int_equal(platform_parse("linux", &p, &err), -EINVAL);
        platform_host(&p);
        assert_string_equal(p.os, "linux");
        assert_non_null(p.architecture);
        platform_done(&p);
}

struct bad {
        const char *body, *ct, *msg;
};

static void test_bad_manifests(void **state)
{
        static const struct bad bads[] = {
                {"[1]", NULL, "not a JSON object"},
                {"{", NULL, "not a JSON object"},
                {"{\"schemaVersion\":1,\"fsLayers\":[]}", NULL,
                 "schema1 manifests are not supported"},
                {"{}", MEDIA_DOCKER_V1_JWS, "schema1"},
                {"{\"schemaVersion\":2}", NULL, "unknown manifest type"},
                {"{\"schemaVersion\":3,\"manifests\":[]}", MEDIA_OCI_INDEX, "schemaVersion"},
                {"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:../../etc\",\"size\":1},"
                 "\"layers\":[]}",
                 MEDIA_OCI_MANIFEST, "config: missing or invalid digest"},
                {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                 "\",\"size\":-1},\"layers\":[]}",
                 MEDIA_OCI_MANIFEST, "config: missing or invalid size"},
                {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1}}",
                 MEDIA_OCI_MANIFEST, "manifest has no layers list"},
                {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                 "\",\"size\":1},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs."
                 "foreign.diff.tar.gzip\",\"digest\":\"" D2 "\",\"size\":1}]}",
                 MEDIA_OCI_MANIFEST, "layers[0]: unsupported media type"},
                {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                 "\",\"size\":1},\"layers\":[{\"digest\":\"" D2 "\"}]}",
                 MEDIA_OCI_MANIFEST, "layers[0]: missing or invalid size"},
                {"{\"schemaVersion\":2,\"schemaVersion\":2,\"manifests\":[]}", MEDIA_OCI_INDEX,
                 "not a JSON object"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
                struct manifest m;
                cleanup_berr struct berr *err = NULL;

                if (parse(bads[i].body, bads[i].ct, &m, &err) >= 0)
                        fail_msg("case %zu parsed", i);
                if (!strstr(err->msg, bads[i].msg))
                        fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err->msg, bads[i].msg);
        }
}

static void test_config(void **state)
{
        static const char body[] =
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2023-11-14T22:13:20Z\","
                "\"config\":{\"User\":\"redis\",\"Env\":[\"PATH=/bin\",\"A=b=c\"],"
                "\"Entrypoint\":[\"redis-server\"],\"Cmd\":[\"--bind\",\"0.0.0.0\"],"
                "\"WorkingDir\":\"/data\",\"ExposedPorts\":{\"6379/tcp\":{},\"53/udp\":{}},"
                "\"Volumes\":{\"/data\":{}},\"StopSignal\":\"SIGTERM\","
                "\"Labels\":{\"z\":\"1\",\"a\":\"x y\"},"
                "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"redis-cli ping\"],"
                "\"Interval\":30000000000,\"Timeout\":5000000000,\"Retries\":3}},"
                "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";
        struct image_config c;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(image_config_parse(body, strlen(body), &c, &err), 0);
        assert_string_equal(c.user, "redis");
        assert_string_equal(c.env[1], "A=b=c");
        assert_string_equal(c.entrypoint[0], "redis-server");
        assert_int_equal(strv_length(c.cmd), 2);
        assert_string_equal(c.working_dir, "/data");
        assert_string_equal(c.exposed_ports[0], "53/udp");
        assert_string_equal(c.exposed_ports[1], "6379/tcp");
        assert_string_equal(c.volumes[0], "/data");
        assert_string_equal(c.stop_signal, "SIGTERM");
        assert_string_equal(c.labels[0], "a=x y");
        assert_string_equal(c.labels[1], "z=1");
        assert_string_equal(c.healthcheck->test[1], "redis-cli ping");
        assert_int_equal(c.healthcheck->interval_ns, 30000000000LL);
        assert_int_equal(c.healthcheck->retries, 3);
        assert_int_equal(strv_length(c.diff_ids), 2);
        image_config_done(&c);
}

static void test_config_empty_vs_absent(void **state)
{
        static const char body[] = "{\"config\":{\"Entrypoint\":[],\"Cmd\":null},"
                                   "\"rootfs\":{\"diff_ids\":[]}}";
        struct image_config c;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(image_config_parse(body, strlen(body), &c, &err), 0);
        assert_non_null(c.entrypoint);
        assert_int_equal(strv_length(c.entrypoint), 0);
        assert_null(c.cmd);
        assert_null(c.env);
        assert_string_equal(c.user, "");
        assert_null(c.healthcheck);
        image_config_done(&c);
}

static void test_config_bad(void **state)
{
        static const char *const bodies[] = {
                "[]",
                "{\"rootfs\":{}}",
                "{\"config\":{\"Env\":\"PATH=/bin\"},\"rootfs\":{\"diff_ids\":[]}}",
                "{\"config\":{\"Cmd\":[1]},\"rootfs\":{\"diff_ids\":[]}}",
                "{\"config\":7,\"rootfs\":{\"diff_ids\":[]}}",
                "{\"rootfs\":{\"diff_ids\":[\"sha256:xyz\"]}}",
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(bodies); i++) {
                struct image_config c;
                cleanup_berr struct berr *err = NULL;

                if (image_config_parse(bodies[i], strlen(bodies[i]), &c, &err) >= 0)
                        fail_msg("config %zu parsed", i);
                assert_non_null(err);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_oci_without_media_type),
                cmocka_unit_test(test_docker_v2_and_content_type_wins),
                cmocka_unit_test(test_index_and_platforms),
                cmocka_unit_test(test_bad_manifests),
                cmocka_unit_test(test_config),
                cmocka_unit_test(test_config_empty_vs_absent),
                cmocka_unit_test(test_config_bad),
        };

        return cmocka_run_group_tests_name("runtime/manifest", tests, NULL, NULL);
}
