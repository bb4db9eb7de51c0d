/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/plan_json and orchestrator/super_plan: a service plan survives the
 * trip to the berth-supervisor binary field for field, and a damaged plan is refused with the
 * field named. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/plan.h"
#include "orchestrator/plan_json.h"
#include "orchestrator/super_plan.h"
#include "orchestrator/supervisor.h"
#include "spec/spec.h"

static const char *no_env(const char *name, void *ud)
{
        (void)name;
        (void)ud;
        return NULL;
}

static const char yaml[] =
        "services:\n"
        "  db:\n"
        "    image: db:1\n"
        "  web:\n"
        "    image: web:1\n"
        "    command: [\"httpd\", \"-f\"]\n"
        "    environment: {A: \"1\", B: \"two words\"}\n"
        "    user: \"1000:1000\"\n"
        "    working_dir: /srv\n"
        "    hostname: front\n"
        "    read_only: true\n"
        "    init: true\n"
        "    tty: true\n"
        "    devices: [\"/dev/fuse:/dev/f:rw\"]\n"
        "    links: [\"db:database\"]\n"
        "    cap_add: [NET_ADMIN]\n"
        "    cap_drop: [MKNOD]\n"
        "    sysctls: {net.core.somaxconn: \"1024\"}\n"
        "    ulimits: {nofile: {soft: 1024, hard: 4096}, nproc: -1}\n"
        "    shm_size: 128m\n"
        "    mem_limit: 64m\n"
        "    pids_limit: 50\n"
        "    cpu_shares: 512\n"
        "    volumes: [\"data:/data\", \"/tmp:/host:ro\"]\n"
        "    tmpfs: [\"/run:size=1m\"]\n"
        "    networks: {front: {aliases: [www], ipv4_address: 10.98.0.5}}\n"
        "    dns: [1.1.1.1]\n"
        "    extra_hosts: [\"h:10.0.0.1\"]\n"
        "    restart: on-failure:3\n"
        "    stop_signal: SIGINT\n"
        "    stop_grace_period: 3s\n"
        "    healthcheck: {test: [\"CMD\", \"true\"], interval: 2s, retries: 4}\n"
        "    logging: {options: {max-size: 1m, max-file: \"3\"}}\n"
        "networks:\n"
        "  front: {ipam: {config: [{subnet: 10.98.0.0/24}]}}\n"
        "volumes:\n"
        "  data: {}\n";

static char *img_env[] = {"PATH=/usr/bin:/bin", NULL};
static char *img_layers[] = {"/l/2", "/l/1", NULL};
static const struct plan_image img = {
        .ref = "web:1",
        .digest = "sha256:abc",
        .env = img_env,
        .lowerdirs = img_layers,
};

static struct plan_service *plan_web(struct spec_project **ret_p)
{
        struct spec_load_opts o = {0};
        struct spec_project *p = NULL;
        struct spec_diags d = {0};
        struct plan_service *s = NULL;
        cleanup_berr struct berr *err = NULL;

        o.buffer = yaml;
        o.buffer_len = strlen(yaml);
        o.buffer_name = "compose.yaml";
        o.project_name = "demo";
        o.cwd = "/tmp";
        o.no_external_files = true;
        if (spec_project_load(&o, no_env, NULL, &p, &d, &err) < 0)
                for (size_t i = 0; i < d.n; i++)
                        fprintf(stderr, "%s\n", d.v[i].msg);
        assert_non_null(p);
        spec_diags_done(&d);
        assert_int_equal(
                plan_service_build(p, spec_project_service(p, "web"), &img, "/r", &s, &err), 0);
        *ret_p = p;
        return s;
}

static void test_round_trip(void **state)
{
        struct spec_project *p = NULL;
        struct plan_service *s = plan_web(&p), *svcs[2] = {NULL, s};
        struct sup_config cfg = {0};
        cleanup_berr struct berr *err = NULL;
        cleanup_free char *text = NULL;
        char **strings = NULL;
        const struct plan_service *back;
        json_t *a, *b;
        int level = 0;

        (void)state;
        /* the fields the test relies on are really set by the plan */
        assert_true(s->n_mounts >= 3 && s->n_ulimits == 2 && s->n_attach == 1);
        assert_true(s->resources.memory > 0 && s->health.argv && s->log.max_file == 3);
        text = super_plan_encode("demo", "/r", "/run/b", true, 3, svcs, 2);
        assert_int_equal(super_plan_decode(text, &cfg, &strings, &level, &err), 0);
        assert_int_equal(level, 3);
        assert_string_equal(cfg.project, "demo");
        assert_string_equal(cfg.root, "/r");
        assert_string_equal(cfg.run, "/run/b");
        assert_non_null(cfg.loop_init); /* the DNS server */
        assert_true(cfg.no_start);
        assert_int_equal(cfg.n_services, 1);
        assert_string_equal(cfg.services[0].name, "web");
        assert_int_equal(cfg.services[0].restart.max_attempts, 3);
        assert_int_equal(cfg.services[0].stop_grace_ms, 3000);
        assert_string_equal(cfg.services[0].health.argv[0], "true");
        back = cfg.services[0].backend_config;
        /* every field: both sides serialise to the same document */
        a = plan_service_to_json(s);
        b = plan_service_to_json(back);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
        /* unsigned 64-bit values beyond INT64_MAX (nproc: -1 is unlimited) come back whole */
        for (size_t i = 0; i < s->n_ulimits; i++)
                assert_true(s->ulimits[i].hard == back->ulimits[i].hard);
        assert_string_equal(back->attach[0].aliases[0], "www");
        assert_string_equal(back->attach[0].ipv4_address, "10.98.0.5");
        assert_true(back->tty && !back->stdin_open);
        assert_int_equal(back->n_devices, 1);
        assert_string_equal(back->devices[0].container_path, "/dev/f");
        assert_string_equal(back->devices[0].permissions, "rw");
        assert_string_equal(back->links[0], "db:database");
        sup_config_done(&cfg);
        strv_free(strings);
        plan_service_free(s);
        spec_project_free(p);
}

static void test_bad_field_named(void **state)
{
        struct spec_project *p = NULL;
        struct plan_service *s = plan_web(&p), *back = NULL;
        cleanup_berr struct berr *err = NULL;
        json_t *o = plan_service_to_json(s);

        (void)state;
        json_object_set_new(o, "env", json_string("not a list"));
        assert_int_equal(plan_service_from_json(o, &back, &err), -EINVAL);
        assert_null(back);
        assert_non_null(strstr(err->msg, "\"env\""));
        json_decref(o);
        plan_service_free(s);
        spec_project_free(p);
}

static void test_bad_document(void **state)
{
        struct sup_config cfg = {0};
        cleanup_berr struct berr *err = NULL;
        char **strings = NULL;
        int level = 0;

        (void)state;
        assert_true(super_plan_decode("{\"project\": 1}", &cfg, &strings, &level, &err) < 0);
        assert_null(cfg.project);
        berr_freep(&err);
        /* a plan from another build of berth */
        assert_int_equal(
                super_plan_decode("{\"build\": \"0.0.0 elsewhere\"}", &cfg, &strings, &level, &err),
                -EPROTO);
        assert_non_null(strstr(err->msg, "0.0.0 elsewhere"));
        berr_freep(&err);
        assert_true(super_plan_decode("not json", &cfg, &strings, &level, &err) < 0);
        assert_null(strings);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_bad_field_named),
                cmocka_unit_test(test_bad_document),
        };

        return cmocka_run_group_tests_name("orchestrator/super_plan", tests, NULL, NULL);
}
