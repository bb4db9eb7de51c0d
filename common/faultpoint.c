/* SPDX-License-Identifier: MIT */
#include "common/faultpoint.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The armed point, parsed once from BERTH_FAULT_KILL_AT; test-only process state (the point
 * name, the hit that kills, the hits so far), like the log level never changed after startup
 * except for the counter. */
static struct {
        char name[64];
        unsigned long at, hits;
        int armed;
} fp;

__attribute__((constructor)) static void fault_point_init(void)
{
        const char *v = getenv("BERTH_FAULT_KILL_AT");
        const char *colon;
        size_t n;

        if (!v || !*v)
                return;
        colon = strrchr(v, ':');
        n = colon ? (size_t)(colon - v) : strlen(v);
        if (n == 0 || n >= sizeof(fp.name))
                return;
        memcpy(fp.name, v, n);
        fp.name[n] = 0;
        fp.at = colon ? strtoul(colon + 1, NULL, 10) : 1;
        if (fp.at == 0)
                fp.at = 1;
        fp.armed = 1;
}

void fault_point(const char *name)
{
        if (__builtin_expect(!fp.armed, 1))
                return;
        /* layers unpack in threads: count atomically */
        if (strcmp(name, fp.name) != 0 ||
            __atomic_add_fetch(&fp.hits, 1, __ATOMIC_RELAXED) != fp.at)
                return;
        (void)kill(getpid(), SIGKILL);
        for (;;)
                pause();
}
