/* SPDX-License-Identifier: MIT */
/* Unit tests for orchestrator/plan: compose model + image config -> runtime/netmgr/supervisor
 * configs, as docker compose would run the service. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/plan.h"
#include "spec/spec.h"

static const char *no_env(const char *name, void *ud)
{
        (void)name;
        (void)ud;
        return NULL;
}

static struct spec_project *load(const char *yaml)
{
        struct spec_load_opts o = {0};
        struct spec_project *p = NULL;
        struct spec_diags d = {0};
        struct berr *err = NULL;
        int r;

        o.buffer = yaml;
        o.buffer_len = strlen(yaml);
        o.buffer_name = "compose.yaml";
        o.project_name = "demo";
        o.cwd = "/tmp";
        o.no_external_files = true;
        r = spec_project_load(&o, no_env, NULL, &p, &d, &err);
        if (r < 0) {
                for (size_t i = 0; i < d.n; i++)
                        fprintf(stderr, "%s\n", d.v[i].msg);
        }
        assert_int_equal(r, 0);
        spec_diags_done(&d);
        berr_free(err);
        return p;
}

static char *img_env[] = {"PATH=/usr/bin:/bin", "LANG=C", NULL};
static char *img_ep[] = {"redis-server", NULL};
static char *img_cmd[] = {"--bind", "0.0.0.0", NULL};
static char *img_layers[] = {"/l/2", "/l/1", NULL};

static const struct plan_image redis_img = {
        .ref = "redis:7",
        .digest = "sha256:abc",
        .env = img_env,
        .entrypoint = img_ep,
        .cmd = img_cmd,
        .user = "redis",
        .workdir = "/data",
        .stop_signal = "SIGQUIT",
        .lowerdirs = img_layers,
};

static struct plan_service *plan(struct spec_project *p, const char *svc,
                                 const struct plan_image *img)
{
        struct plan_service *s = NULL;
        cleanup_berr struct berr *err = NULL;
        int r = plan_service_build(p, spec_project_service(p, svc), img, "/var/lib/berth", &s,
                                   &err);

        if (r < 0)
                fprintf(stderr, "%s\n", err->msg);
        assert_int_equal(r, 0);
        return s;
}

static void test_argv_merge_rules(void **state)
{
        char *ep[] = {"ep", NULL}, *cmd[] = {"c1", NULL}, *sep[] = {"sep", NULL},
             *scmd[] = {"sc", NULL};
        cleanup_strv char **a = plan_merge_argv(ep, cmd, NULL, NULL);
        cleanup_strv char **b = plan_merge_argv(ep, cmd, NULL, scmd);
        cleanup_strv char **c = plan_merge_argv(ep, cmd, sep, NULL);
        cleanup_strv char **d = plan_merge_argv(ep, cmd, sep, scmd);
        cleanup_free char *ja = strv_join(a, " "), *jb = strv_join(b, " ");
        cleanup_free char *jc = strv_join(c, " "), *jd = strv_join(d, " ");

        (void)state;
        assert_string_equal(ja, "ep c1");
        assert_string_equal(jb, "ep sc");
        /* an entrypoint in the compose file drops the image's Cmd */
        assert_string_equal(jc, "sep");
        assert_string_equal(jd, "sep sc");
}

static void test_service_from_image(void **state)
{
        struct spec_project *p =
                load("services:\n"
                     "  cache:\n"
                     "    image: redis:7\n"
                     "    environment:\n"
                     "      LANG: en_US.UTF-8\n"
                     "      EXTRA: x\n"
                     "    restart: on-failure:2\n"
                     "    mem_limit: 256m\n"
                     "    cpus: 0.5\n"
                     "    pids_limit: 64\n"
                     "    ports: [\"127.0.0.1:16379:6379\", \"9000-9001:7000-7001/udp\"]\n"
                     "    volumes: [\"data:/data\", \"/srv:/srv:ro\"]\n"
                     "    security_opt: [\"no-new-privileges:false\"]\n"
                     "volumes:\n"
                     "  data: {}\n");
        struct plan_service *s = plan(p, "cache", &redis_img);
        cleanup_free char *argv = strv_join(s->argv, " ");
        cleanup_free char *env = strv_join(s->env, ";");
        cleanup_free char *name = plan_container_name(s, 2);

        (void)state;
        assert_string_equal(argv, "redis-server --bind 0.0.0.0");
        assert_string_equal(env, "PATH=/usr/bin:/bin;LANG=en_US.UTF-8;EXTRA=x");
        assert_string_equal(s->user, "redis");
        assert_string_equal(s->cwd, "/data");
        assert_string_equal(name, "demo-cache-2");
        assert_int_equal(s->stop_signal, SIGQUIT);
        assert_int_equal(s->stop_grace_ms, 10000);
        assert_int_equal(s->restart.policy, RESTART_ON_FAILURE);
        assert_int_equal(s->restart.max_attempts, 2);
        assert_int_equal(s->resources.memory, 256 * 1024 * 1024);
        assert_int_equal(s->resources.cpu_quota, 50000);
        assert_int_equal(s->resources.pids_limit, 64);
        assert_true(s->no_new_privs_off);
        /* compose expands port ranges into one entry per port */
        assert_int_equal(s->n_ports, 3);
        assert_string_equal(s->ports[0].host_ip, "127.0.0.1");
        assert_int_equal(s->ports[0].host_port, 16379);
        assert_int_equal(s->ports[0].container_port, 6379);
        assert_int_equal(s->ports[1].proto, NET_PROTO_UDP);
        assert_int_equal(s->ports[1].host_port, 9000);
        assert_int_equal(s->ports[1].container_port, 7000);
        assert_int_equal(s->ports[2].host_port, 9001);
        assert_int_equal(s->ports[2].container_port, 7001);
        assert_int_equal(s->n_mounts, 2);
        assert_int_equal(s->mounts[0].type, RT_MOUNT_VOLUME);
        assert_string_equal(s->mounts[0].source, "/var/lib/berth/volumes/demo_data");
        assert_true(s->mounts[0].copy_up);
        assert_int_equal(s->mounts[1].type, RT_MOUNT_BIND);
        assert_true(s->mounts[1].read_only);
        assert_int_equal(s->n_attach, 1);
        assert_string_equal(s->attach[0].network, "default");
        assert_int_equal(strlen(s->config_hash), 64);
        plan_service_free(s);
        spec_project_free(p);
}

static void test_hash_changes_only_with_config(void **state)
{
        struct spec_project *p1 = load("services:\n  a:\n    image: redis:7\n");
        struct spec_project *p2 = load("services:\n  a:\n    image: redis:7\n");
        struct spec_project *p3 =
                load("services:\n  a:\n    image: redis:7\n    environment: [X=1]\n");
        struct plan_service *s1 = plan(p1, "a", &redis_img), *s2 = plan(p2, "a", &redis_img);
        struct plan_service *s3 = plan(p3, "a", &redis_img);
        struct plan_image other = redis_img;
        struct plan_service *s4;

        (void)state;
        other.digest = "sha256:def";
        s4 = plan(p1, "a", &other);
        assert_string_equal(s1->config_hash, s2->config_hash);
        assert_string_not_equal(s1->config_hash, s3->config_hash);
        assert_string_not_equal(s1->config_hash, s4->config_hash);
        plan_service_free(s1);
        plan_service_free(s2);
        plan_service_free(s3);
        plan_service_free(s4);
        spec_project_free(p1);
        spec_project_free(p2);
        spec_project_free(p3);
}

/* tty and stdin_open reach the plan and recreate the container when they change; `false` hashes
 * like the key left out (containers made before berth knew them keep their hash). */
static void test_tty_stdin_open(void **state)
{
        struct spec_project *p0 = load("services:\n  a:\n    image: redis:7\n");
        struct spec_project *p1 = load("services:\n  a:\n    image: redis:7\n    tty: false\n");
        struct spec_project *p2 = load("services:\n  a:\n    image: redis:7\n    tty: true\n");
        struct spec_project *p3 =
                load("services:\n  a:\n    image: redis:7\n    stdin_open: true\n");
        struct plan_service *s0 = plan(p0, "a", &redis_img), *s1 = plan(p1, "a", &redis_img);
        struct plan_service *s2 = plan(p2, "a", &redis_img), *s3 = plan(p3, "a", &redis_img);

        (void)state;
        assert_false(s0->tty);
        assert_false(s0->stdin_open);
        assert_true(s2->tty);
        assert_false(s2->stdin_open);
        assert_true(s3->stdin_open);
        assert_false(s3->tty);
        assert_string_equal(s0->config_hash, s1->config_hash);
        assert_string_not_equal(s0->config_hash, s2->config_hash);
        assert_string_not_equal(s0->config_hash, s3->config_hash);
        assert_string_not_equal(s2->config_hash, s3->config_hash);
        plan_service_free(s0);
        plan_service_free(s1);
        plan_service_free(s2);
        plan_service_free(s3);
        spec_project_free(p0);
        spec_project_free(p1);
        spec_project_free(p2);
        spec_project_free(p3);
}

static void test_entrypoint_override_and_healthcheck(void **state)
{
        struct spec_project *p = load("services:\n"
                                      "  a:\n"
                                      "    image: redis:7\n"
                                      "    entrypoint: /bin/sh -c 'echo hi'\n"
                                      "    healthcheck:\n"
                                      "      test: [\"CMD-SHELL\", \"true\"]\n"
                                      "      interval: 2s\n"
                                      "      retries: 5\n"
                                      "    stop_grace_period: 1m30s\n"
                                      "    network_mode: none\n");
        struct plan_service *s = plan(p, "a", &redis_img);
        cleanup_free char *argv = strv_join(s->argv, "|");

        (void)state;
        assert_string_equal(argv, "/bin/sh|-c|echo hi");
        assert_int_equal(s->health.kind, HEALTH_TEST_CMD_SHELL);
        assert_int_equal(s->health.interval_ms, 2000);
        assert_int_equal(s->health.retries, 5);
        assert_int_equal(s->health.timeout_ms, 30000);
        assert_int_equal(s->stop_grace_ms, 90000);
        assert_int_equal(s->n_attach, 0);
        assert_int_equal(s->net_mode, RT_NET_NEW);
        plan_service_free(s);
        spec_project_free(p);
}

static void test_no_command_is_an_error(void **state)
{
        struct spec_project *p = load("services:\n  a:\n    image: scratch\n");
        struct plan_image img = {.ref = "scratch"};
        struct plan_service *s = NULL;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(plan_service_build(p, spec_project_service(p, "a"), &img, "/r", &s, &err),
                         -EINVAL);
        assert_non_null(strstr(err->msg, "service `a`: no command"));
        spec_project_free(p);
}

static void test_project_networks(void **state)
{
        struct spec_project *p = load(
                "services:\n"
                "  a:\n    image: x\n    networks: [front, back]\n"
                "  b:\n    image: x\n"
                "  c:\n    image: x\n    network_mode: host\n"
                "networks:\n"
                "  front:\n    driver_opts:\n      com.docker.network.driver.mtu: \"1400\"\n"
                "  back:\n    internal: true\n    ipam:\n      config:\n        - subnet: 10.99.0.0/24\n");
        struct plan_project *pp = NULL;
        cleanup_berr struct berr *err = NULL;

        (void)state;
        assert_int_equal(plan_project_build(p, "/r", &pp, &err), 0);
        assert_int_equal(pp->n_networks, 3);
        for (size_t i = 0; i < pp->n_networks; i++) {
                struct plan_network *n = &pp->networks[i];

                if (strcmp(n->key, "front") == 0) {
                        assert_int_equal(n->mtu, 1400);
                        assert_string_equal(n->full_name, "demo_front");
                } else if (strcmp(n->key, "back") == 0) {
                        assert_true(n->internal);
                        assert_string_equal(n->subnet, "10.99.0.0/24");
                } else {
                        assert_string_equal(n->key, "default");
                }
        }
        plan_project_free(pp);
        spec_project_free(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_argv_merge_rules),
                cmocka_unit_test(test_service_from_image),
                cmocka_unit_test(test_hash_changes_only_with_config),
                cmocka_unit_test(test_tty_stdin_open),
                cmocka_unit_test(test_entrypoint_override_and_healthcheck),
                cmocka_unit_test(test_no_command_is_an_error),
                cmocka_unit_test(test_project_networks),
        };

        return cmocka_run_group_tests_name("orchestrator/plan", tests, NULL, NULL);
}
