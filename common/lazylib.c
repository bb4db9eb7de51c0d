/* SPDX-License-Identifier: MIT */
/* common/lazylib: see lazylib.h. */
#include "common/lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* pthread_once's routine takes no argument: the library being opened is handed over here,
 * under the once-lock of that very library (one at a time per library, so a per-thread slot
 * suffices). */
static _Thread_local struct lazylib *opening;

static void open_lib(void)
{
        opening->handle = dlopen(opening->soname, RTLD_NOW | RTLD_LOCAL);
}

void *lazylib_sym(struct lazylib *l, const char *name)
{
        void *p;

        opening = l;
        pthread_once(&l->once, open_lib);
        if (!l->handle) {
                const char *e = dlerror();

                fprintf(stderr, "berth: cannot load %s (%s): install the Debian package %s\n",
                        l->soname, e ? e : "not found", l->package);
                _exit(127);
        }
        p = dlsym(l->handle, name);
        if (!p) {
                fprintf(stderr, "berth: %s has no %s: %s is too old\n", l->soname, name,
                        l->package);
                _exit(127);
        }
        return p;
}
