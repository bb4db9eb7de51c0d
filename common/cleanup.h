/* SPDX-License-Identifier: MIT */
/* common/cleanup: scope-bound ownership (GCC cleanup attribute) and visible hand-offs.
 * fds start at -1, pointers at NULL; every cleaner accepts those and keeps errno. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"
#include "common/strv.h"

#define CLEANUP(fn) __attribute__((cleanup(fn)))

static inline void cleanup_free_fn(void *p)
{
        free(*(void **)p);
}

static inline void cleanup_close_fn(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;

                (void)close(*fd);
                errno = saved;
                *fd = -1;
        }
}

static inline void cleanup_fclose_fn(FILE **f)
{
        if (*f) {
                int saved = errno;

                (void)fclose(*f);
                errno = saved;
                *f = NULL;
        }
}

static inline void cleanup_closedir_fn(DIR **d)
{
        if (*d) {
                int saved = errno;

                (void)closedir(*d);
                errno = saved;
                *d = NULL;
        }
}

static inline void cleanup_strv_fn(char ***v)
{
        strv_free(*v);
        *v = NULL;
}

#define cleanup_free     CLEANUP(cleanup_free_fn)
#define cleanup_close    CLEANUP(cleanup_close_fn)
#define cleanup_fclose   CLEANUP(cleanup_fclose_fn)
#define cleanup_closedir CLEANUP(cleanup_closedir_fn)
#define cleanup_strv     CLEANUP(cleanup_strv_fn)
#define cleanup_berr     CLEANUP(berr_freep)

/* Hand ownership out of a cleanup-attributed variable. */
#define TAKE_PTR(p)                                \
        ({                                         \
                __typeof__(p) take_ptr_tmp_ = (p); \
                (p) = NULL;                        \
                take_ptr_tmp_;                     \
        })
#define TAKE_FD(fd)                      \
        ({                               \
                int take_fd_tmp_ = (fd); \
                (fd) = -1;               \
                take_fd_tmp_;            \
        })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
