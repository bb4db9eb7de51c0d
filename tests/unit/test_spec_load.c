/* SPDX-License-Identifier: MIT */
/* Unit tests for the loader: normalisation of every short syntax, merge rules between files,
 * !reset/!override, extends, profiles, env_file and .env, project name, the typed model, and
 * diagnostics. Files live in a private temporary directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "spec/spec.h"
#include "spec/yaml.h"

static char tmpdir[] = "/tmp/berth-spec-unit-XXXXXX";

static const char *const env[][2] = {{"HOME", "/home/u"}, {"TAG", "7"}, {"FROM_SHELL", "s"}};

static const char *lookup(const char *name, void *ud)
{
        (void)ud;
        for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
                if (strcmp(env[i][0], name) == 0)
                        return env[i][1];
        return NULL;
}

static void write_file(const char *name, const char *text)
{
        char *p = xasprintf("%s/%s", tmpdir, name);
        FILE *f = fopen(p, "w");

        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        free(p);
}

/* Load files (NULL-terminated names in tmpdir); fails the test on any error. */
static struct spec_project *load_files(char **files, char **profiles)
{
        struct spec_load_opts o = {
                .files = files, .cwd = tmpdir, .profiles = profiles, .project_name = "t"};
        struct spec_diags d = {0};
        struct spec_project *p = NULL;
        struct berr *err = NULL;
        int r = spec_project_load(&o, lookup, NULL, &p, &d, &err);

        for (size_t i = 0; i < d.n; i++)
                if (d.v[i].severity == SPEC_ERROR)
                        print_error("%s\n", spec_diag_format(&d.v[i]));
        assert_int_equal(r, 0);
        spec_diags_done(&d);
        return p;
}

static struct spec_project *load_text(const char *text)
{
        char *files[] = {"compose.yaml", NULL};

        write_file("compose.yaml", text);
        return load_files(files, NULL);
}

/* The first error message for text, formatted; caller frees. */
static char *load_error(const char *text)
{
        struct spec_load_opts o = {.buffer = text,
                                   .buffer_len = strlen(text),
                                   .buffer_name = "c.yaml",
                                   .cwd = tmpdir,
                                   .no_external_files = true};
        struct spec_diags d = {0};
        struct spec_project *p = NULL;
        struct berr *err = NULL;
        char *s = NULL;

        assert_int_equal(spec_project_load(&o, lookup, NULL, &p, &d, &err), -EINVAL);
        for (size_t i = 0; i < d.n && !s; i++)
                if (d.v[i].severity == SPEC_ERROR)
                        s = spec_diag_format(&d.v[i]);
        spec_diags_done(&d);
        assert_non_null(s);
        return s;
}

static void test_short_forms(void **state)
{
        struct spec_project *p = load_text(
                "services:\n"
                "  web:\n"
                "    image: nginx:${TAG}\n"
                "    command: nginx -g 'daemon off;'\n"
                "    entrypoint: [\"/init\"]\n"
                "    ports: [\"127.0.0.1:8080:80/udp\", 443]\n"
                "    volumes: [\"./html:/usr/share/nginx/html:ro\", \"data:/data\", /anon]\n"
                "    depends_on: [db]\n"
                "    environment: [A=1, B, C=]\n"
                "    labels: [x=y]\n"
                "    healthcheck: {test: curl -f localhost, interval: 90s, retries: 3}\n"
                "    restart: on-failure:3\n"
                "    mem_limit: 1g\n"
                "    cpus: '1.5'\n"
                "    ulimits: {nofile: {soft: 10, hard: 20}, nproc: 5}\n"
                "    extra_hosts: [\"a:1.2.3.4\"]\n"
                "    networks: {default: {aliases: [w]}}\n"
                "    stop_grace_period: 1m\n"
                "  db: {image: postgres}\n"
                "volumes: {data: {}}\n");
        const struct spec_service *s = spec_project_service(p, "web");

        (void)state;
        assert_non_null(s);
        assert_string_equal(s->image, "nginx:7");
        assert_int_equal(strv_length(s->command), 3);
        assert_string_equal(s->command[2], "daemon off;");
        assert_string_equal(s->entrypoint[0], "/init");
        assert_int_equal(s->nports, 2);
        assert_string_equal(s->ports[0].host_ip, "127.0.0.1");
        assert_string_equal(s->ports[0].published, "8080");
        assert_string_equal(s->ports[0].protocol, "udp");
        assert_int_equal(s->ports[1].target, 443);
        assert_null(s->ports[1].published);
        assert_int_equal(s->nmounts, 3);
        assert_int_equal(s->mounts[0].type, SPEC_MOUNT_KIND_BIND);
        assert_true(s->mounts[0].read_only);
        assert_true(s->mounts[0].create_host_path);
        assert_string_equal(s->mounts[0].source + strlen(tmpdir), "/html");
        assert_string_equal(s->mounts[1].source, "data");
        assert_null(s->mounts[2].source);
        assert_int_equal(s->ndepends_on, 1);
        assert_string_equal(s->depends_on[0].condition, "service_started");
        assert_true(s->depends_on[0].required);
        assert_int_equal(s->environment.n, 3);
        assert_null(s->environment.v[1].value);
        assert_string_equal(s->environment.v[2].value, "");
        assert_string_equal(s->labels.v[0].value, "y");
        assert_string_equal(s->healthcheck.test[0], "CMD-SHELL");
        assert_int_equal(s->healthcheck.interval_ns, 90000000000LL);
        assert_int_equal(s->healthcheck.retries, 3);
        assert_int_equal(s->healthcheck.timeout_ns, -1);
        assert_string_equal(s->restart, "on-failure:3");
        assert_int_equal(s->mem_limit, 1073741824LL);
        assert_true(s->cpus > 1.49 && s->cpus < 1.51);
        assert_int_equal(s->nulimits, 2);
        assert_int_equal(s->ulimits[1].soft, 5);
        assert_string_equal(s->extra_hosts[0], "a=1.2.3.4");
        assert_string_equal(s->networks[0].aliases[0], "w");
        assert_int_equal(s->stop_grace_period_ns, 60000000000LL);
        assert_int_equal(p->nvolumes, 1);
        assert_string_equal(p->volumes[0].name, "t_data");
        assert_string_equal(p->networks[0].name, "t_default");
        spec_project_free(p);
}

static void test_merge_files(void **state)
{
        char *files[] = {"a.yaml", "b.yaml", NULL};
        struct spec_project *p;
        const struct spec_service *s;

        (void)state;
        write_file("a.yaml", "services:\n"
                             "  app:\n"
                             "    image: one\n"
                             "    command: [a, b]\n"
                             "    ports: ['80:80', '81:81']\n"
                             "    volumes: ['./x:/data', './logs:/logs']\n"
                             "    environment: {A: '1', B: '1'}\n"
                             "    dns: [8.8.8.8]\n"
                             "    healthcheck: {test: [CMD, a], retries: 1}\n");
        write_file("b.yaml", "services:\n"
                             "  app:\n"
                             "    image: two\n"
                             "    command: [c]\n"
                             "    ports: ['81:81', '82:82']\n"
                             "    volumes: ['./y:/data']\n"
                             "    environment: [B=2, C=3]\n"
                             "    dns: 1.1.1.1\n"
                             "    healthcheck: {test: [CMD, b]}\n");
        p = load_files(files, NULL);
        s = spec_project_service(p, "app");
        assert_string_equal(s->image, "two");
        assert_int_equal(strv_length(s->command), 1);
        assert_int_equal(s->nports, 3);
        assert_int_equal(s->nmounts, 2);
        assert_string_equal(s->mounts[0].target, "/data");
        assert_string_equal(s->mounts[0].source + strlen(tmpdir), "/y");
        assert_int_equal(s->environment.n, 3);
        assert_string_equal(s->environment.v[1].value, "2");
        assert_int_equal(strv_length(s->dns), 2);
        assert_int_equal(strv_length(s->healthcheck.test), 2);
        assert_string_equal(s->healthcheck.test[1], "b");
        assert_int_equal(s->healthcheck.retries, 1);
        spec_project_free(p);
}

static void test_reset_override(void **state)
{
        char *files[] = {"a.yaml", "b.yaml", NULL};
        struct spec_project *p;
        const struct spec_service *s;

        (void)state;
        write_file("a.yaml", "services:\n"
                             "  app: {image: one, ports: ['80:80'], environment: {A: '1'}}\n"
                             "  gone: {image: x}\n");
        write_file("b.yaml", "services:\n"
                             "  app:\n"
                             "    ports: !reset []\n"
                             "    environment: !override {B: '2'}\n"
                             "  gone: !reset {}\n");
        p = load_files(files, NULL);
        s = spec_project_service(p, "app");
        assert_int_equal(s->nports, 0);
        assert_int_equal(s->environment.n, 1);
        assert_string_equal(s->environment.v[0].key, "B");
        assert_null(spec_project_service(p, "gone"));
        spec_project_free(p);
}

static void test_extends_and_profiles(void **state)
{
        char *files[] = {"compose.yaml", NULL};
        char *prof[] = {"debug", NULL};
        struct spec_project *p;
        const struct spec_service *s;

        (void)state;
        write_file("base.yaml", "services:\n  b: {image: base, environment: {X: '1'}, "
                                "volumes: ['./v:/v']}\n");
        write_file("compose.yaml", "services:\n"
                                   "  web:\n"
                                   "    extends: {file: base.yaml, service: b}\n"
                                   "    environment: {Y: '2'}\n"
                                   "  dbg: {image: busybox, profiles: [debug]}\n");
        p = load_files(files, NULL);
        s = spec_project_service(p, "web");
        assert_string_equal(s->image, "base");
        assert_int_equal(s->environment.n, 2);
        assert_null(spec_project_service(p, "dbg"));
        assert_string_equal(p->disabled_services[0], "dbg");
        assert_string_equal(p->all_profiles[0], "debug");
        spec_project_free(p);
        p = load_files(files, prof);
        assert_non_null(spec_project_service(p, "dbg"));
        spec_project_free(p);
}

static void test_env_file_and_dotenv(void **state)
{
        char *files[] = {"compose.yaml", NULL};
        struct spec_project *p;
        const struct spec_service *s;

        (void)state;
        write_file(".env", "TAG=from-dotenv\nDOT=d\nFROM_SHELL=dotenv-loses\n");
        write_file("svc.env", "E1=1\nE2=from-file\n");
        write_file("compose.yaml", "services:\n"
                                   "  s:\n"
                                   "    image: x:${TAG}-${DOT}-${FROM_SHELL}\n"
                                   "    env_file: svc.env\n"
                                   "    environment: {E2: compose, E3: }\n");
        p = load_files(files, NULL);
        s = spec_project_service(p, "s");
        assert_string_equal(s->image, "x:7-d-s");
        assert_int_equal(s->environment.n, 3);
        assert_string_equal(s->environment.v[0].key, "E2");
        assert_string_equal(s->environment.v[0].value, "compose");
        assert_null(s->environment.v[1].value);
        assert_string_equal(s->environment.v[2].value, "1");
        spec_project_free(p);
        unlink(".env");
}

static void test_waves(void **state)
{
        struct spec_project *p = load_text("services:\n"
                                           "  web: {image: x, depends_on: [app]}\n"
                                           "  app: {image: x, depends_on: [db, cache]}\n"
                                           "  db: {image: x}\n"
                                           "  cache: {image: x}\n");
        int waves[4];

        (void)state;
        assert_int_equal(spec_project_waves(p, waves), 3);
        /* services are sorted: app, cache, db, web */
        assert_int_equal(waves[0], 1);
        assert_int_equal(waves[1], 0);
        assert_int_equal(waves[2], 0);
        assert_int_equal(waves[3], 2);
        spec_project_free(p);
}

static void test_errors(void **state)
{
        char *s;

        (void)state;
        s = load_error("services:\n  web:\n    image: x\n    ports: ['80800']\n");
        assert_string_equal(s, "c.yaml:4:13: services.web.ports[0]: \"80800\" is not a port "
                               "(1-65535)");
        free(s);
        s = load_error("services:\n  a: {image: x, depends_on: [b]}\n"
                       "  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n");
        assert_string_equal(s, "c.yaml:2:29: services.a.depends_on: dependency cycle: a -> b "
                               "-> c -> a");
        free(s);
        s = load_error("services:\n  web: {image: x, env_file: a.env}\n");
        assert_string_equal(s, "c.yaml:2:29: services.web.env_file[0]: env_file is disabled");
        free(s);
}

static void test_render_roundtrip(void **state)
{
        struct spec_project *p = load_text("services:\n  w:\n    image: x\n"
                                           "    environment: {A: 'yes', B: '1', C: }\n"
                                           "    command: [\"on\", \"null\", \"1.5\"]\n");
        char *y = spec_project_render(p, SPEC_FORMAT_YAML);
        char *j = spec_project_render(p, SPEC_FORMAT_JSON);
        struct spec_project *q;
        char *j2;

        (void)state;
        assert_non_null(strstr(j, "\"A\": \"yes\""));
        assert_non_null(strstr(j, "\"C\": null"));
        assert_non_null(strstr(y, "A: \"yes\""));
        q = load_text(y);
        j2 = spec_project_render(q, SPEC_FORMAT_JSON);
        assert_string_equal(j, j2);
        free(y);
        free(j);
        free(j2);
        spec_project_free(p);
        spec_project_free(q);
}

static int setup(void **state)
{
        (void)state;
        if (!mkdtemp(tmpdir))
                return -1;
        return chdir(tmpdir);
}

static int teardown(void **state)
{
        char *cmd = xasprintf("rm -rf '%s'", tmpdir);
        int r;

        (void)state;
        r = system(cmd);
        free(cmd);
        return r == 0 ? 0 : -1;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_short_forms),
                cmocka_unit_test(test_merge_files),
                cmocka_unit_test(test_reset_override),
                cmocka_unit_test(test_extends_and_profiles),
                cmocka_unit_test(test_env_file_and_dotenv),
                cmocka_unit_test(test_waves),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_render_roundtrip),
        };

        return cmocka_run_group_tests_name("spec/load", tests, setup, teardown);
}
