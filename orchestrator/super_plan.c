/* SPDX-License-Identifier: MIT */
#include "orchestrator/super_plan.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/dns.h"
#include "orchestrator/backend_ctr.h"
#include "orchestrator/plan.h"
#include "orchestrator/plan_json.h"
#include "orchestrator/supervisor.h"

#define SUPER_EXE_NAME   "berth-supervisor"
/* The plan's format is private to one build: berth and berth-supervisor link this same object,
 * so a berth-supervisor from another build is refused by name rather than misread. */
#define SUPER_PLAN_BUILD BERTH_VERSION " " __DATE__ " " __TIME__

struct dns_ud {
        char *project;
        char *root;
        struct dns_server *srv;
};

/* In the supervisor: the project's DNS server answers on every network's gateway. */
static int dns_init(struct event_base *base, void *ud, struct berr **err)
{
        struct dns_ud *d = ud;
        struct dns_server_config c = {.project = d->project, .root = d->root};

        return dns_server_new(base, &c, &d->srv, err);
}

static void dns_done(void *ud)
{
        struct dns_ud *d = ud;

        dns_server_free(d->srv);
        free(d->project);
        free(d->root);
        free(d);
}

static void sup_service_from_plan(struct sup_service *ss, struct plan_service *ps)
{
        memset(ss, 0, sizeof(*ss));
        ss->name = xstrdup(ps->name);
        ss->replicas = ps->replicas;
        ss->restart = ps->restart;
        ss->health = ps->health;
        ss->health.argv = strv_copy(ps->health.argv);
        ss->stop_signal = ps->stop_signal;
        ss->stop_grace_ms = ps->stop_grace_ms;
        ss->log = ps->log;
        ss->config_hash = xstrdup(ps->config_hash);
        ss->backend_config = ps;
        ss->free_backend_config = backend_ctr_config_free;
}

void super_plan_config(struct sup_config *cfg, const char *project, const char *root,
                       const char *run, bool dns, struct plan_service **svcs, size_t n)
{
        size_t k = 0;

        cfg->project = xstrdup(project);
        cfg->root = root;
        cfg->run = run;
        cfg->no_start = true;
        cfg->backend = backend_ctr_new();
        if (dns) {
                struct dns_ud *d = xcalloc(1, sizeof(*d));

                d->project = xstrdup(project);
                d->root = xstrdup(root);
                cfg->loop_init = dns_init;
                cfg->loop_done = dns_done;
                cfg->loop_ud = d;
        }
        cfg->services = xcalloc(n ? n : 1, sizeof(*cfg->services));
        for (size_t i = 0; i < n; i++) {
                if (!svcs[i])
                        continue;
                sup_service_from_plan(&cfg->services[k++], svcs[i]);
                svcs[i] = NULL;
        }
        cfg->n_services = k;
}

char *super_plan_encode(const char *project, const char *root, const char *run, bool dns,
                        int log_level, struct plan_service *const *svcs, size_t n)
{
        json_t *o = json_object(), *a = json_array();
        char *text;

        json_object_set_new(o, "build", json_string(SUPER_PLAN_BUILD));
        json_object_set_new(o, "project", json_string(project));
        json_object_set_new(o, "root", json_string(root));
        json_object_set_new(o, "run", json_string(run));
        json_object_set_new(o, "dns", json_boolean(dns));
        json_object_set_new(o, "log_level", json_integer(log_level));
        for (size_t i = 0; i < n; i++)
                if (svcs[i])
                        json_array_append_new(a, plan_service_to_json(svcs[i]));
        json_object_set_new(o, "services", a);
        text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!text)
                abort(); /* jansson fails only when out of memory */
        return text;
}

int super_plan_decode(const char *text, struct sup_config *cfg, char ***strings, int *log_level,
                      struct berr **err)
{
        json_error_t je;
        json_t *o = json_loads(text, 0, &je), *a = NULL, *e;
        const char *project = NULL, *root = NULL, *run = NULL, *build = NULL;
        struct plan_service **svcs = NULL;
        int dns = 0, r = 0;
        json_int_t lvl = 0;
        size_t i, n;

        if (!o)
                return berr_msg(err, EINVAL, "supervisor plan: %s (line %d)", je.text, je.line);
        if (json_unpack_ex(o, &je, 0, "{s:s}", "build", &build) < 0 ||
            strcmp(build, SUPER_PLAN_BUILD) != 0) {
                r = berr_msg(err, EPROTO,
                             "berth-supervisor (%s) is not from the build of this berth (%s)",
                             SUPER_PLAN_BUILD, build ? build : "no build stamp");
                goto out;
        }
        if (json_unpack_ex(o, &je, 0, "{s:s,s:s,s:s,s:b,s:I,s:o}", "project", &project, "root",
                           &root, "run", &run, "dns", &dns, "log_level", &lvl, "services",
                           &a) < 0 ||
            !json_is_array(a)) {
                r = berr_msg(err, EINVAL, "supervisor plan: %s", je.text);
                goto out;
        }
        n = json_array_size(a);
        svcs = xcalloc(n ? n : 1, sizeof(*svcs));
        for (i = 0; i < json_array_size(a); i++) {
                e = json_array_get(a, i);
                r = plan_service_from_json(e, &svcs[i], err);
                if (r < 0)
                        goto out;
        }
        *strings = strv_push(strv_push(NULL, root), run);
        *log_level = (int)lvl;
        super_plan_config(cfg, project, (*strings)[0], (*strings)[1], dns, svcs, n);
out:
        if (svcs)
                for (i = 0; i < json_array_size(a); i++)
                        plan_service_free(svcs[i]);
        free(svcs);
        json_decref(o);
        return r;
}

char *super_plan_exe(void)
{
        char self[PATH_MAX];
        ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
        char *slash, *exe;

        if (len <= 0)
                return NULL;
        self[len] = 0;
        slash = strrchr(self, '/');
        if (!slash)
                return NULL;
        *slash = 0;
        exe = xasprintf("%s/" SUPER_EXE_NAME, self);
        if (access(exe, X_OK) < 0) {
                free(exe);
                return NULL;
        }
        return exe;
}
