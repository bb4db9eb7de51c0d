/* SPDX-License-Identifier: MIT */
/* runtime/seccomp: profile model, docker JSON parsing, compilation and installation; the default
 * profile's table lives in seccomp_default.c. */
#include "runtime/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <jansson.h>
#include <seccomp.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/caps.h"
#include "runtime/container_err.h"
#include "runtime/runtime.h"

/* Changes whenever the built-in profile or its compilation may: part of rt_seccomp_key. */
#define BERTH_SECCOMP_BUILD __DATE__ " " __TIME__

struct rt_seccomp_bpf {
        struct sock_filter *insns;
        size_t len;
};

void sc_profile_done(struct sc_profile *p)
{
        for (size_t i = 0; i < p->n_rules; i++) {
                strv_free(p->rules[i].names);
                strv_free(p->rules[i].arches_include);
                strv_free(p->rules[i].arches_exclude);
        }
        free(p->rules);
        strv_free(p->arches);
        memset(p, 0, sizeof(*p));
}

/* docker/Go name of the host architecture, as used in includes/excludes. */
static const char *host_go_arch(void)
{
#if defined(__x86_64__)
        return "amd64";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__i386__)
        return "386";
#else
        return "unknown";
#endif
}

bool sc_rule_applies(const struct sc_rule *r, uint64_t caps)
{
        if ((r->caps_include & caps) != r->caps_include)
                return false;
        if (r->caps_exclude & caps)
                return false;
        if (r->arches_include && !strv_contains(r->arches_include, host_go_arch()))
                return false;
        if (r->arches_exclude && strv_contains(r->arches_exclude, host_go_arch()))
                return false;
        return true;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static const char *const action_names[] = {
        [SC_ACT_ALLOW] = "SCMP_ACT_ALLOW",      [SC_ACT_ERRNO] = "SCMP_ACT_ERRNO",
        [SC_ACT_KILL_THREAD] = "SCMP_ACT_KILL", [SC_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
        [SC_ACT_TRAP] = "SCMP_ACT_TRAP",        [SC_ACT_TRACE] = "SCMP_ACT_TRACE",
        [SC_ACT_LOG] = "SCMP_ACT_LOG",
};

static int parse_action(const char *s, enum sc_action *ret)
{
        if (s && strcmp(s, "SCMP_ACT_KILL_THREAD") == 0) {
                *ret = SC_ACT_KILL_THREAD;
                return 0;
        }
        for (size_t i = 0; s && i < sizeof(action_names) / sizeof(action_names[0]); i++)
                if (strcmp(s, action_names[i]) == 0) {
                        *ret = (enum sc_action)i;
                        return 0;
                }
        return -1;
}

static int parse_op(const char *s, enum sc_op *ret)
{
        static const char *const ops[] = {NULL,          "SCMP_CMP_NE",       "SCMP_CMP_LT",
                                          "SCMP_CMP_LE", "SCMP_CMP_EQ",       "SCMP_CMP_GE",
                                          "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

        for (size_t i = 1; s && i < sizeof(ops) / sizeof(ops[0]); i++)
                if (strcmp(s, ops[i]) == 0) {
                        *ret = (enum sc_op)i;
                        return 0;
                }
        return -1;
}

static char **json_strv(json_t *a)
{
        char **v = NULL;
        size_t i;
        json_t *e;

        if (!json_is_array(a))
                return NULL;
        json_array_foreach(a, i, e)
        {
                if (json_is_string(e))
                        v = strv_push(v, json_string_value(e));
        }
        return v;
}

static int caps_mask(json_t *a, const char *where, uint64_t *ret, struct berr **err)
{
        size_t i;
        json_t *e;

        *ret = 0;
        json_array_foreach(a, i, e)
        {
                int c = caps_from_name(json_string_value(e));

                if (c < 0)
                        return berr_msg(err, EINVAL, "%s: unknown capability %s", where,
                                        json_is_string(e) ? json_string_value(e)
                                                          : "(not a string)");
                *ret |= UINT64_C(1) << c;
        }
        return 0;
}

/* "SCMP_ARCH_X86_64" -> "x86_64" (libseccomp's name). */
static char *arch_name(const char *s)
{
        char *n = xstrdup(strncmp(s, "SCMP_ARCH_", 10) == 0 ? s + 10 : s);

        for (char *p = n; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        return n;
}

static int parse_args(json_t *args, struct sc_rule *r, const char *where, struct berr **err)
{
        size_t i;
        json_t *a;

        if (json_array_size(args) > 6)
                return berr_msg(err, EINVAL, "%s: more than 6 args", where);
        json_array_foreach(args, i, a)
        {
                struct sc_arg *x = &r->args[r->n_args];
                json_t *idx = json_object_get(a, "index"), *val = json_object_get(a, "value");

                if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
                    json_integer_value(idx) > 5 || !json_is_integer(val))
                        return berr_msg(err, EINVAL, "%s.args[%zu]: index 0-5 and value required",
                                        where, i);
                x->index = (unsigned)json_integer_value(idx);
                x->value = (uint64_t)json_integer_value(val);
                x->value_two = (uint64_t)json_integer_value(json_object_get(a, "valueTwo"));
                if (parse_op(json_string_value(json_object_get(a, "op")), &x->op) < 0)
                        return berr_msg(err, EINVAL, "%s.args[%zu]: unknown op", where, i);
                r->n_args++;
        }
        return 0;
}

static int parse_rule(json_t *o, size_t i, struct sc_profile *p, struct berr **err)
{
        char where[64];
        struct sc_rule r;
        json_t *inc = json_object_get(o, "includes"), *exc = json_object_get(o, "excludes");
        const char *act = json_string_value(json_object_get(o, "action"));

        memset(&r, 0, sizeof(r));
        snprintf(where, sizeof(where), "syscalls[%zu]", i);
        r.names = json_strv(json_object_get(o, "names"));
        if (json_is_string(json_object_get(o, "name")))
                r.names = strv_push(r.names, json_string_value(json_object_get(o, "name")));
        if (!r.names)
                return berr_msg(err, EINVAL, "%s: no names", where);
        if (parse_action(act, &r.action) < 0) {
                strv_free(r.names);
                return berr_msg(err, EINVAL, "%s: unknown action \"%s\"", where, act ? act : "");
        }
        r.errno_ret = (int)json_integer_value(json_object_get(o, "errnoRet"));
        p->rules = xrealloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
        p->rules[p->n_rules++] = r;
        struct sc_rule *pr = &p->rules[p->n_rules - 1];
        if (parse_args(json_object_get(o, "args"), pr, where, err) < 0)
                return berr_code(err);
        if (caps_mask(json_object_get(inc, "caps"), where, &pr->caps_include, err) < 0 ||
            caps_mask(json_object_get(exc, "caps"), where, &pr->caps_exclude, err) < 0)
                return berr_code(err);
        pr->arches_include = json_strv(json_object_get(inc, "arches"));
        pr->arches_exclude = json_strv(json_object_get(exc, "arches"));
        return 0;
}

static void parse_arches(json_t *root, struct sc_profile *p)
{
        json_t *a = json_object_get(root, "architectures"), *m = json_object_get(root, "archMap");
        size_t i;
        json_t *e;

        json_array_foreach(a, i, e)
        {
                if (json_is_string(e))
                        p->arches = strv_push_take(p->arches, arch_name(json_string_value(e)));
        }
        json_array_foreach(m, i, e)
        {
                const char *main = json_string_value(json_object_get(e, "architecture"));
                cleanup_free char *mn = main ? arch_name(main) : NULL;
                size_t k;
                json_t *s;

                if (!mn || seccomp_arch_resolve_name(mn) != seccomp_arch_native())
                        continue;
                p->arches = strv_push(p->arches, mn);
                json_array_foreach(json_object_get(e, "subArchitectures"), k, s)
                {
                        if (json_is_string(s))
                                p->arches =
                                        strv_push_take(p->arches, arch_name(json_string_value(s)));
                }
        }
}

int sc_profile_parse(const char *text, const char *origin, struct sc_profile *ret,
                     struct berr **err)
{
        json_error_t je;
        json_t *root = json_loads(text, 0, &je), *calls;
        struct sc_profile p;
        const char *def;
        size_t i;
        json_t *o;
        int r = 0;

        memset(&p, 0, sizeof(p));
        if (!root)
                return berr_msg(err, EINVAL, "%s:%d:%d: %s", origin, je.line, je.column, je.text);
        def = json_string_value(json_object_get(root, "defaultAction"));
        if (!json_is_object(root) || parse_action(def, &p.default_action) < 0) {
                r = berr_msg(err, EINVAL, "%s: defaultAction \"%s\" is not a seccomp action",
                             origin, def ? def : "");
                goto out;
        }
        p.default_errno = (int)json_integer_value(json_object_get(root, "defaultErrnoRet"));
        parse_arches(root, &p);
        calls = json_object_get(root, "syscalls");
        json_array_foreach(calls, i, o)
        {
                r = parse_rule(o, i, &p, err);
                if (r < 0) {
                        berr_wrap(err, "%s", origin);
                        goto out;
                }
        }
        *ret = p;
        memset(&p, 0, sizeof(p));
out:
        sc_profile_done(&p);
        json_decref(root);
        return r;
}

/* ---- compile and install --------------------------------------------------------------------- */

static uint32_t scmp_action(enum sc_action a, int errno_ret, int def_errno)
{
        switch (a) {
        case SC_ACT_ALLOW:
                return SCMP_ACT_ALLOW;
        case SC_ACT_ERRNO:
                return SCMP_ACT_ERRNO((uint16_t)(errno_ret   ? errno_ret
                                                 : def_errno ? def_errno
                                                             : EPERM));
        case SC_ACT_KILL_THREAD:
                return SCMP_ACT_KILL;
        case SC_ACT_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case SC_ACT_TRAP:
                return SCMP_ACT_TRAP;
        case SC_ACT_TRACE:
                return SCMP_ACT_TRACE((uint16_t)errno_ret);
        case SC_ACT_LOG:
                return SCMP_ACT_LOG;
        }
        return SCMP_ACT_KILL;
}

static bool dup_index(const struct sc_rule *r)
{
        for (size_t i = 0; i < r->n_args; i++)
                for (size_t j = i + 1; j < r->n_args; j++)
                        if (r->args[i].index == r->args[j].index)
                                return true;
        return false;
}

static void add_rule(scmp_filter_ctx ctx, const struct sc_rule *r, uint32_t act)
{
        struct scmp_arg_cmp cmp[6];

        for (size_t i = 0; i < r->n_args; i++)
                cmp[i] = (struct scmp_arg_cmp){.arg = r->args[i].index,
                                               .op = (enum scmp_compare)r->args[i].op,
                                               .datum_a = r->args[i].value,
                                               .datum_b = r->args[i].value_two};
        strv_foreach (name, r->names) {
                int nr = seccomp_syscall_resolve_name(name);

                if (nr == __NR_SCMP_ERROR)
                        continue; /* not a syscall on this kernel's arches */
                /* A failure to add (same action as the default, a name missing on one sub-arch)
                 * leaves the default action in force for it, which is the safe side. */
                if (!dup_index(r)) {
                        (void)seccomp_rule_add_array(ctx, act, nr, (unsigned)r->n_args, cmp);
                        continue;
                }
                /* docker: conditions on the same argument are alternatives, one rule each. */
                for (size_t i = 0; i < r->n_args; i++)
                        (void)seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
        }
}

static int export_bpf(scmp_filter_ctx ctx, struct rt_seccomp_bpf **ret, struct berr **err)
{
        cleanup_close int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
        cleanup_free char *buf = NULL;
        size_t len = 0;
        struct rt_seccomp_bpf *b;
        int r;

        if (fd < 0)
                return berr_set(err, errno, "memfd_create");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return berr_set(err, -r, "seccomp_export_bpf");
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berr_set(err, errno, "lseek");
        r = read_all(fd, 1 << 22, &buf, &len, err);
        if (r < 0)
                return r;
        b = xcalloc(1, sizeof(*b));
        b->len = len / sizeof(struct sock_filter);
        b->insns = xmalloc(len ? len : 1);
        memcpy(b->insns, buf, len);
        *ret = b;
        return 0;
}

int sc_compile(const struct sc_profile *p, uint64_t caps, struct rt_seccomp_bpf **ret,
               struct berr **err)
{
        scmp_filter_ctx ctx;
        int r;

        ctx = seccomp_init(scmp_action(p->default_action, p->default_errno, p->default_errno));
        if (!ctx)
                return berr_msg(err, EINVAL, "seccomp_init failed");
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (p->arches) {
                strv_foreach (a, p->arches) {
                        uint32_t tok = seccomp_arch_resolve_name(a);

                        if (tok && tok != seccomp_arch_native())
                                (void)seccomp_arch_add(ctx, tok);
                }
        } else if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                (void)seccomp_arch_add(ctx, SCMP_ARCH_X86);
                (void)seccomp_arch_add(ctx, SCMP_ARCH_X32);
        }
        for (size_t i = 0; i < p->n_rules; i++)
                if (sc_rule_applies(&p->rules[i], caps))
                        add_rule(ctx, &p->rules[i],
                                 scmp_action(p->rules[i].action, p->rules[i].errno_ret,
                                             p->default_errno));
        r = export_bpf(ctx, ret, err);
        seccomp_release(ctx);
        return r;
}

size_t sc_bpf_len(const struct rt_seccomp_bpf *bpf)
{
        return bpf ? bpf->len : 0;
}

int sc_install(const struct rt_seccomp_bpf *bpf, struct berr **err)
{
        struct sock_fprog prog = {.len = (unsigned short)bpf->len, .filter = bpf->insns};

        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return berr_set(err, errno, "install the seccomp filter");
        return 0;
}

void rt_seccomp_bpf_free(struct rt_seccomp_bpf *bpf)
{
        if (!bpf)
                return;
        free(bpf->insns);
        free(bpf);
}

int rt_seccomp_compile(const struct rt_config *cfg, struct rt_seccomp_bpf **ret, struct berr **err)
{
        struct sc_profile p;
        uint64_t caps;
        int r;

        *ret = NULL;
        if (cfg->privileged || cfg->seccomp == RT_SECCOMP_UNCONFINED)
                return 0;
        r = caps_compute(cfg->privileged, cfg->cap_add, cfg->cap_drop, &caps, err);
        if (r < 0)
                return r;
        if (cfg->seccomp == RT_SECCOMP_PROFILE) {
                cleanup_free char *text = NULL;

                r = read_file(cfg->seccomp_profile, 1 << 22, &text, NULL, err);
                if (r < 0)
                        return berr_wrap(err, "seccomp profile");
                r = sc_profile_parse(text, cfg->seccomp_profile, &p, err);
                if (r < 0)
                        return r;
        } else {
                sc_profile_default(&p);
        }
        r = sc_compile(&p, caps, ret, err);
        sc_profile_done(&p);
        return r;
}

const void *rt_seccomp_bpf_data(const struct rt_seccomp_bpf *bpf, size_t *len)
{
        *len = bpf->len * sizeof(struct sock_filter);
        return bpf->insns;
}

struct rt_seccomp_bpf *rt_seccomp_bpf_from_data(const void *data, size_t len)
{
        struct rt_seccomp_bpf *b;

        if (len == 0 || len % sizeof(struct sock_filter) ||
            len / sizeof(struct sock_filter) > 65535)
                return NULL;
        b = xcalloc(1, sizeof(*b));
        b->len = len / sizeof(struct sock_filter);
        b->insns = xmalloc(len);
        memcpy(b->insns, data, len);
        return b;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
        const unsigned char *c = p;

        for (size_t i = 0; i < n; i++) {
                h ^= c[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

/* The built-in profile's content, so a change to seccomp_default.c alone (which does not rebuild
 * this file's BERTH_SECCOMP_BUILD) changes the key too. */
static uint64_t hash_default_profile(uint64_t h)
{
        struct sc_profile p;

        sc_profile_default(&p);
        h = fnv1a(h, &p.default_action, sizeof(p.default_action));
        h = fnv1a(h, &p.default_errno, sizeof(p.default_errno));
        for (size_t i = 0; i < p.n_rules; i++) {
                const struct sc_rule *r = &p.rules[i];

                strv_foreach (n, r->names)
                        h = fnv1a(h, n, strlen(n) + 1);
                strv_foreach (a, r->arches_include)
                        h = fnv1a(h, a, strlen(a) + 1);
                h = fnv1a(h, &r->action, sizeof(r->action));
                h = fnv1a(h, &r->errno_ret, sizeof(r->errno_ret));
                for (size_t k = 0; k < r->n_args; k++) {
                        h = fnv1a(h, &r->args[k].index, sizeof(r->args[k].index));
                        h = fnv1a(h, &r->args[k].op, sizeof(r->args[k].op));
                        h = fnv1a(h, &r->args[k].value, sizeof(r->args[k].value));
                        h = fnv1a(h, &r->args[k].value_two, sizeof(r->args[k].value_two));
                }
                h = fnv1a(h, &r->caps_include, sizeof(r->caps_include));
                h = fnv1a(h, &r->caps_exclude, sizeof(r->caps_exclude));
        }
        sc_profile_done(&p);
        return h;
}

int rt_seccomp_key(const struct rt_config *cfg, char **ret, struct berr **err)
{
        uint64_t caps, h = UINT64_C(0xcbf29ce484222325);
        int r;

        r = caps_compute(cfg->privileged, cfg->cap_add, cfg->cap_drop, &caps, err);
        if (r < 0)
                return r;
        if (cfg->seccomp == RT_SECCOMP_PROFILE) {
                cleanup_free char *text = NULL;
                size_t len = 0;

                r = read_file(cfg->seccomp_profile, 1 << 22, &text, &len, err);
                if (r < 0)
                        return berr_wrap(err, "seccomp profile");
                h = fnv1a(h, text, len);
        }
        if (cfg->seccomp == RT_SECCOMP_DEFAULT)
                h = hash_default_profile(h);
        h = fnv1a(h, BERTH_SECCOMP_BUILD, strlen(BERTH_SECCOMP_BUILD));
        *ret = xasprintf("%d-%016" PRIx64 "-%016" PRIx64, (int)cfg->seccomp, caps, h);
        return 0;
}
