/* SPDX-License-Identifier: MIT */
#include "orchestrator/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/xalloc.h"

#define STATE_MAX_BYTES (64u << 20)

static const char *const status_names[CTR_STATUS__MAX] = {
        [CTR_CREATED] = "created", [CTR_RUNNING] = "running", [CTR_RESTARTING] = "restarting",
        [CTR_EXITED] = "exited",   [CTR_PAUSED] = "paused",   [CTR_DEAD] = "dead",
};

const char *ctr_status_to_string(enum ctr_status s)
{
        if ((int)s < 0 || s >= CTR_STATUS__MAX)
                return NULL;
        return status_names[s];
}

enum ctr_status ctr_status_from_string(const char *s)
{
        for (int i = 0; s && i < CTR_STATUS__MAX; i++)
                if (strcmp(s, status_names[i]) == 0)
                        return (enum ctr_status)i;
        return CTR_STATUS__INVALID;
}

bool state_project_name_valid(const char *name)
{
        size_t n;

        if (!name || !*name)
                return false;
        n = strlen(name);
        if (n > 63)
                return false;
        if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
                return false;
        for (size_t i = 1; i < n; i++) {
                char c = name[i];

                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

char *state_project_dir(const char *root, const char *project)
{
        return xasprintf("%s/projects/%s", root, project);
}

struct state_project *state_project_new(const char *name)
{
        struct state_project *p = xcalloc(1, sizeof(*p));

        p->name = xstrdup(name);
        return p;
}

static void container_done(struct state_container *c)
{
        free(c->name);
        free(c->service);
        free(c->config_hash);
        free(c->image_digest);
        free(c->health);
}

void state_project_free(struct state_project *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_ctrs; i++)
                container_done(&p->ctrs[i]);
        free(p->ctrs);
        free(p->name);
        free(p);
}

void state_project_freep(struct state_project **p)
{
        state_project_free(*p);
        *p = NULL;
}

struct state_container *state_find(struct state_project *p, const char *name)
{
        for (size_t i = 0; i < p->n_ctrs; i++)
                if (strcmp(p->ctrs[i].name, name) == 0)
                        return &p->ctrs[i];
        return NULL;
}

struct state_container *state_add(struct state_project *p, const char *service, unsigned number)
{
        struct state_container *c;

        p->ctrs = xgrow(p->ctrs, &p->cap_ctrs, p->n_ctrs + 1, sizeof(*p->ctrs));
        c = &p->ctrs[p->n_ctrs++];
        memset(c, 0, sizeof(*c));
        c->name = xasprintf("%s-%s-%u", p->name, service, number);
        c->service = xstrdup(service);
        c->number = number;
        c->exit_code = -1;
        c->status = CTR_CREATED;
        return c;
}

void state_remove(struct state_project *p, const char *name)
{
        struct state_container *c = state_find(p, name);
        size_t i;

        if (!c)
                return;
        i = (size_t)(c - p->ctrs);
        container_done(c);
        memmove(&p->ctrs[i], &p->ctrs[i + 1], (p->n_ctrs - i - 1) * sizeof(*c));
        p->n_ctrs--;
}

static void set_str(json_t *o, const char *k, const char *v)
{
        if (v)
                json_object_set_new(o, k, json_string(v));
}

static json_t *container_to_json(const struct state_container *c)
{
        json_t *o = json_object();

        set_str(o, "name", c->name);
        set_str(o, "service", c->service);
        json_object_set_new(o, "number", json_integer(c->number));
        set_str(o, "config_hash", c->config_hash);
        set_str(o, "image_digest", c->image_digest);
        json_object_set_new(o, "pid", json_integer(c->pid));
        json_object_set_new(o, "pid_start", json_integer((json_int_t)c->pid_start));
        set_str(o, "status", ctr_status_to_string(c->status));
        json_object_set_new(o, "exit_code", json_integer(c->exit_code));
        json_object_set_new(o, "restart_count", json_integer(c->restart_count));
        json_object_set_new(o, "restart_attempts", json_integer(c->restart_attempts));
        json_object_set_new(o, "backoff_ms", json_integer((json_int_t)c->backoff_ms));
        json_object_set_new(o, "manual_stop", json_boolean(c->manual_stop));
        set_str(o, "health", c->health);
        json_object_set_new(o, "created_ns", json_integer(c->created_ns));
        json_object_set_new(o, "started_ns", json_integer(c->started_ns));
        json_object_set_new(o, "finished_ns", json_integer(c->finished_ns));
        return o;
}

char *state_to_json(const struct state_project *p)
{
        json_t *root = json_object(), *arr = json_array();
        char *s;

        json_object_set_new(root, "version", json_integer(STATE_VERSION));
        json_object_set_new(root, "project", json_string(p->name));
        json_object_set_new(root, "supervisor_pid", json_integer(p->supervisor_pid));
        for (size_t i = 0; i < p->n_ctrs; i++)
                json_array_append_new(arr, container_to_json(&p->ctrs[i]));
        json_object_set_new(root, "containers", arr);
        s = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
        json_decref(root);
        if (!s)
                abort();
        return s;
}

static char *get_str(json_t *o, const char *k)
{
        json_t *v = json_object_get(o, k);

        return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static json_int_t get_int(json_t *o, const char *k, json_int_t dflt)
{
        json_t *v = json_object_get(o, k);

        return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static int container_from_json(json_t *o, size_t idx, struct state_container *c, struct berr **err)
{
        const char *st;

        memset(c, 0, sizeof(*c));
        c->name = get_str(o, "name");
        c->service = get_str(o, "service");
        if (!c->name || !c->service) {
                container_done(c);
                return berr_msg(err, EINVAL, "containers[%zu]: name and service are required", idx);
        }
        c->number = (unsigned)get_int(o, "number", 0);
        c->config_hash = get_str(o, "config_hash");
        c->image_digest = get_str(o, "image_digest");
        c->pid = (pid_t)get_int(o, "pid", 0);
        c->pid_start = (uint64_t)get_int(o, "pid_start", 0);
        st = json_string_value(json_object_get(o, "status"));
        c->status = ctr_status_from_string(st ? st : "created");
        if ((int)c->status < 0) {
                container_done(c);
                return berr_msg(err, EINVAL, "containers[%zu]: unknown status \"%s\"", idx, st);
        }
        c->exit_code = (int)get_int(o, "exit_code", -1);
        c->restart_count = (unsigned)get_int(o, "restart_count", 0);
        c->restart_attempts = (unsigned)get_int(o, "restart_attempts", 0);
        c->backoff_ms = (uint64_t)get_int(o, "backoff_ms", 0);
        c->manual_stop = json_is_true(json_object_get(o, "manual_stop"));
        c->health = get_str(o, "health");
        c->created_ns = get_int(o, "created_ns", 0);
        c->started_ns = get_int(o, "started_ns", 0);
        c->finished_ns = get_int(o, "finished_ns", 0);
        return 0;
}

int state_from_json(const char *text, struct state_project **ret, struct berr **err)
{
        json_error_t jerr;
        json_t *root = json_loads(text, 0, &jerr), *arr, *it;
        struct state_project *p;
        const char *name;
        size_t i;
        int r;

        if (!root)
                return berr_msg(err, EINVAL, "line %d: %s", jerr.line, jerr.text);
        if (get_int(root, "version", 0) != STATE_VERSION) {
                r = berr_msg(err, EPROTO, "unsupported state version %lld (this berth reads %d)",
                             (long long)get_int(root, "version", 0), STATE_VERSION);
                json_decref(root);
                return r;
        }
        name = json_string_value(json_object_get(root, "project"));
        if (!state_project_name_valid(name)) {
                json_decref(root);
                return berr_msg(err, EINVAL, "missing or invalid project name");
        }
        p = state_project_new(name);
        p->supervisor_pid = (pid_t)get_int(root, "supervisor_pid", 0);
        arr = json_object_get(root, "containers");
        json_array_foreach(arr, i, it)
        {
                p->ctrs = xgrow(p->ctrs, &p->cap_ctrs, p->n_ctrs + 1, sizeof(*p->ctrs));
                r = container_from_json(it, i, &p->ctrs[p->n_ctrs], err);
                if (r < 0) {
                        state_project_free(p);
                        json_decref(root);
                        return r;
                }
                p->n_ctrs++;
        }
        json_decref(root);
        *ret = p;
        return 0;
}

int state_load(const char *root, const char *project, struct state_project **ret, struct berr **err)
{
        cleanup_free char *path = xasprintf("%s/projects/%s/state.json", root, project);
        cleanup_free char *text = NULL;
        size_t len;
        int r;

        r = read_file(path, STATE_MAX_BYTES, &text, &len, err);
        if (r < 0)
                return r;
        r = state_from_json(text, ret, err);
        if (r < 0)
                return berr_wrap(err, "%s", path);
        return 0;
}

int state_save(const char *root, const struct state_project *p, struct berr **err)
{
        cleanup_free char *dir = state_project_dir(root, p->name);
        cleanup_free char *path = xasprintf("%s/state.json", dir);
        cleanup_free char *text = state_to_json(p);
        int r;

        r = mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        return atomic_write_file(path, text, strlen(text), 0600, err);
}

int state_pid_start_time(pid_t pid, uint64_t *ret)
{
        char path[64], buf[1024], *p;
        cleanup_close int fd = -1;
        ssize_t n;
        unsigned long long v;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -ESRCH;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -ESRCH;
        buf[n] = 0;
        /* comm may hold spaces and parentheses: fields resume after the last ')' */
        p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        /* after ") " come field 3 (state) ... field 22 (starttime): skip 19 fields */
        p += 2;
        for (int i = 0; i < 19; i++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EIO;
                p++;
        }
        if (sscanf(p, "%llu", &v) != 1)
                return -EIO;
        *ret = v;
        return 0;
}
