/* SPDX-License-Identifier: MIT */
/* runtime/user: see user.h. */
#include "runtime/user.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"

static bool parse_id(const char *s, unsigned long *ret)
{
        char *end;

        if (!s || !*s || s[0] == '-' || s[0] == '+')
                return false;
        errno = 0;
        *ret = strtoul(s, &end, 10);
        return !errno && !*end && *ret < 0xffffffffUL;
}

/* Split one "a:b:c..." line into exactly n fields (missing ones are ""). */
static char **fields(const char *line, size_t n)
{
        char **v = NULL;
        const char *p = line;

        for (size_t i = 0; i < n; i++) {
                const char *c = p ? strchr(p, ':') : NULL;

                v = strv_push_take(v, p ? (c ? xstrndup(p, (size_t)(c - p)) : xstrdup(p))
                                        : xstrdup(""));
                p = c ? c + 1 : NULL;
        }
        return v;
}

/* Find the passwd entry whose name (by_name) or uid matches; fills the 7 fields. */
static char **find_passwd(const char *passwd, const char *name, unsigned long uid, bool by_name)
{
        cleanup_strv char **lines = strv_split(passwd ? passwd : "", "\n");

        strv_foreach (l, lines) {
                char **f = fields(l, 7);
                unsigned long id;

                if (l[0] != '#' &&
                    (by_name ? strcmp(f[0], name) == 0 : (parse_id(f[2], &id) && id == uid)))
                        return f;
                strv_free(f);
        }
        return NULL;
}

static char **find_group(const char *group, const char *name, unsigned long gid, bool by_name)
{
        cleanup_strv char **lines = strv_split(group ? group : "", "\n");

        strv_foreach (l, lines) {
                char **f = fields(l, 4);
                unsigned long id;

                if (l[0] != '#' &&
                    (by_name ? strcmp(f[0], name) == 0 : (parse_id(f[2], &id) && id == gid)))
                        return f;
                strv_free(f);
        }
        return NULL;
}

static void add_supplementary(const char *group, const char *name, struct user_ids *u)
{
        cleanup_strv char **lines = strv_split(group ? group : "", "\n");

        strv_foreach (l, lines) {
                cleanup_strv char **f = fields(l, 4);
                cleanup_strv char **members = strv_split(f[3], ",");
                unsigned long id;

                if (l[0] == '#' || !strv_contains(members, name) || !parse_id(f[2], &id))
                        continue;
                u->groups = xrealloc(u->groups, (u->n_groups + 1) * sizeof(*u->groups));
                u->groups[u->n_groups++] = (gid_t)id;
        }
}

static int resolve_user_part(const char *part, const char *passwd, struct user_ids *u,
                             struct berr **err)
{
        cleanup_strv char **pw = NULL;
        unsigned long id;
        bool numeric = parse_id(part, &id);

        pw = find_passwd(passwd, part, numeric ? id : 0, !numeric);
        if (!pw && !numeric)
                return berr_msg(err, ENOENT,
                                "unable to find user %s: no matching entries in passwd file", part);
        u->uid = numeric ? (uid_t)id : 0;
        u->gid = 0;
        if (pw) {
                unsigned long v;

                if (!numeric && !parse_id(pw[2], &v))
                        return berr_msg(err, EINVAL, "passwd entry of %s has a bad uid", part);
                if (!numeric)
                        u->uid = (uid_t)v;
                u->gid = parse_id(pw[3], &v) ? (gid_t)v : 0;
                u->name = xstrdup(pw[0]);
                u->home = xstrdup(*pw[5] ? pw[5] : "/");
        } else {
                u->home = xstrdup("/");
        }
        return 0;
}

int user_resolve(const char *spec, const char *passwd, const char *group, struct user_ids *ret,
                 struct berr **err)
{
        cleanup_free char *user = NULL;
        const char *grp = NULL;
        struct user_ids u = {0};
        char *colon;
        int r;

        user = xstrdup(spec && *spec ? spec : "0");
        colon = strchr(user, ':');
        if (colon) {
                *colon = '\0';
                grp = colon + 1;
        }
        if (!*user)
                return berr_msg(err, EINVAL, "user \"%s\": empty user name", spec);
        r = resolve_user_part(user, passwd, &u, err);
        if (r < 0)
                return r;
        if (grp) {
                cleanup_strv char **gr = NULL;
                unsigned long id;
                bool numeric = parse_id(grp, &id);

                gr = find_group(group, grp, numeric ? id : 0, !numeric);
                if (!gr && !numeric) {
                        user_ids_done(&u);
                        return berr_msg(
                                err, ENOENT,
                                "unable to find group %s: no matching entries in group file", grp);
                }
                if (!numeric && !parse_id(gr[2], &id)) {
                        user_ids_done(&u);
                        return berr_msg(err, EINVAL, "group entry of %s has a bad gid", grp);
                }
                u.gid = (gid_t)id;
        }
        if (u.name)
                add_supplementary(group, u.name, &u);
        *ret = u;
        return 0;
}

void user_ids_done(struct user_ids *u)
{
        free(u->groups);
        free(u->home);
        free(u->name);
        u->groups = NULL;
        u->home = u->name = NULL;
        u->n_groups = 0;
}
