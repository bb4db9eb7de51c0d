/* SPDX-License-Identifier: MIT */
/* runtime/seccomp: seccomp profiles in docker's model (default action, arch map, rules with
 * names, action, errno, argument conditions, includes/excludes by capability and arch), the
 * built-in default profile with moby's semantics, a parser for docker's JSON profile files
 * (jansson), compilation to BPF with libseccomp (once: seccomp_export_bpf) and installation of the
 * BPF in a container process. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;
struct rt_seccomp_bpf;

enum sc_action {
        SC_ACT_ALLOW,
        SC_ACT_ERRNO,
        SC_ACT_KILL_THREAD,
        SC_ACT_KILL_PROCESS,
        SC_ACT_TRAP,
        SC_ACT_TRACE,
        SC_ACT_LOG,
};

enum sc_op {
        SC_OP_NE = 1,
        SC_OP_LT,
        SC_OP_LE,
        SC_OP_EQ,
        SC_OP_GE,
        SC_OP_GT,
        SC_OP_MASKED_EQ,
};

struct sc_arg {
        unsigned index;
        uint64_t value, value_two;
        enum sc_op op;
};

struct sc_rule {
        char **names;
        enum sc_action action;
        int errno_ret; /* SC_ACT_ERRNO; 0 = the profile's default errno */
        struct sc_arg args[6];
        size_t n_args;
        uint64_t caps_include; /* rule applies only when all these caps are held */
        uint64_t caps_exclude; /* rule skipped when any of these caps is held */
        char **arches_include; /* docker/Go arch names ("amd64", "x86", "x32") */
        char **arches_exclude;
};

struct sc_profile {
        enum sc_action default_action;
        int default_errno; /* 0 = EPERM */
        char **arches;     /* libseccomp arch names; NULL = native + x86 + x32 on x86_64 */
        struct sc_rule *rules;
        size_t n_rules;
};

/* berth's default profile (moby's default.json semantics). */
void sc_profile_default(struct sc_profile *ret);
/* Parse a docker JSON profile; origin names the file in errors. */
int sc_profile_parse(const char *json, const char *origin, struct sc_profile *ret,
                     struct berr **err);
void sc_profile_done(struct sc_profile *p);
/* Whether rule r is part of the filter for a process holding caps on the host arch. */
bool sc_rule_applies(const struct sc_rule *r, uint64_t caps);
/* Compile with libseccomp and export the BPF. */
int sc_compile(const struct sc_profile *p, uint64_t caps, struct rt_seccomp_bpf **ret,
               struct berr **err);
/* Number of BPF instructions (for tests and logs). */
size_t sc_bpf_len(const struct rt_seccomp_bpf *bpf);
/* Load the filter into the calling process (needs no_new_privs or CAP_SYS_ADMIN). */
int sc_install(const struct rt_seccomp_bpf *bpf, struct berr **err);
