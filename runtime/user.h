/* SPDX-License-Identifier: MIT */
/* runtime/user: docker's `user:` resolution against the image's /etc/passwd and /etc/group text:
 * "name", "uid", "name:group", "uid:gid" (any mix), supplementary groups from group membership,
 * HOME from the passwd entry. Pure: the caller reads the files (inside the container's root). */
#pragma once

#include <stddef.h>

#include <sys/types.h>

struct berr;

struct user_ids {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary */
        size_t n_groups;
        char *home;
        char *name; /* NULL when the uid has no passwd entry */
};

/* passwd/group may be NULL (file missing). spec NULL or "" means root. */
int user_resolve(const char *spec, const char *passwd, const char *group, struct user_ids *ret,
                 struct berr **err);
void user_ids_done(struct user_ids *u);
