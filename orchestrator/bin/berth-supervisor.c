/* SPDX-License-Identifier: MIT */
/* berth-supervisor: the supervisor of one project as its own small program. `berth up` (and every
 * command that finds no supervisor) execs it in a detached session with two inherited fds: the
 * plan (orchestrator/super_plan's JSON) and the ready pipe. It links only what the supervisor
 * uses (libevent, jansson, libnl, libseccomp, libcap), so a project costs a few hundred KiB of
 * resident memory instead of the CLI's heap and every library of the CLI. Not a user command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/log.h"
#include "common/strv.h"
#include "orchestrator/super_plan.h"
#include "orchestrator/supervisor.h"

static int parse_fd(const char *s)
{
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || !end || *end || v < 0 || v > 65535)
                return -1;
        return (int)v;
}

static void fail(int ready_fd, struct berr *e)
{
        cleanup_free char *t = berr_text(e);
        cleanup_free char *line = NULL;

        if (asprintf(&line, "err %d %s\n", e->code, t) > 0)
                (void)write_all(ready_fd, line, strlen(line));
        _exit(1);
}

int main(int argc, char **argv)
{
        struct sup_config cfg = {0};
        struct berr *err = NULL;
        char *text = NULL, **strings = NULL;
        size_t len = 0;
        int plan_fd, ready_fd, level = 0;

        if (argc != 3 || (plan_fd = parse_fd(argv[1])) < 0 || (ready_fd = parse_fd(argv[2])) < 0) {
                fprintf(stderr, "berth-supervisor: started by berth, not by hand\n");
                return 2;
        }
        if (read_all(plan_fd, 64u << 20, &text, &len, &err) < 0)
                fail(ready_fd, err);
        close(plan_fd);
        if (super_plan_decode(text, &cfg, &strings, &level, &err) < 0)
                fail(ready_fd, err);
        free(text);
        log_set_level((enum log_level)level);
        /* strings (root, run) live as long as the process: supervisor_daemon_main never returns */
        supervisor_daemon_main(&cfg, ready_fd);
}
