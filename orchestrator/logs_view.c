/* SPDX-License-Identifier: MIT */
#include "orchestrator/logs_view.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/inotify.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/state.h"
#include "orchestrator/timefmt.h"

struct source {
        char *label; /* service-n */
        char *path;
        struct log_follower *fl;
};

static int emit(int out_fd, const struct log_format *fmt, struct source *src,
                struct log_records *recs, struct berr **err)
{
        struct strbuf b = STRBUF_INIT;
        int r = 0;

        log_records_sort(recs);
        for (size_t i = 0; i < recs->n; i++)
                log_format_record(&b, fmt, src[recs->v[i].source].label, &recs->v[i]);
        if (b.len && write_all(out_fd, b.buf, b.len) < 0)
                r = berr_set(err, errno, "write");
        strbuf_done(&b);
        log_records_done(recs);
        return r;
}

static int follow(const char *logdir, int out_fd, const struct logs_view_opts *o,
                  const struct log_format *fmt, struct source *src, size_t n,
                  volatile sig_atomic_t *stop, struct berr **err)
{
        cleanup_close int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        struct log_filter f = o->filter;
        int r;

        f.tail = -1;
        if (ino < 0)
                return berr_set(err, errno, "inotify_init1");
        (void)mkdir_p(logdir, 0700, NULL);
        if (inotify_add_watch(ino, logdir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
                return berr_set(err, errno, "watch `%s`", logdir);
        while (!stop || !*stop) {
                struct log_records recs = {0};
                struct pollfd pfd = {.fd = ino, .events = POLLIN};
                char buf[4096];

                for (size_t i = 0; i < n; i++) {
                        r = log_follower_poll(src[i].fl, &f, &recs, err);
                        if (r < 0) {
                                log_records_done(&recs);
                                return r;
                        }
                }
                r = emit(out_fd, fmt, src, &recs, err);
                if (r < 0)
                        return r;
                if (poll(&pfd, 1, 250) > 0)
                        while (read(ino, buf, sizeof(buf)) > 0)
                                ;
                if (f.until_ns && timefmt_until_passed(f.until_ns))
                        break;
        }
        return 0;
}

int logs_view(const char *root, const char *project, const struct logs_view_opts *o, int out_fd,
              volatile sig_atomic_t *stop, struct berr **err)
{
        struct state_project *p = NULL;
        cleanup_free char *logdir = NULL;
        struct log_records recs = {0};
        struct log_format fmt = o->fmt;
        struct source *src;
        size_t n = 0;
        int r;

        r = state_load(root, project, &p, err);
        if (r < 0)
                return r == -ENOENT ? berr_wrap(err, "no such project \"%s\"", project) : r;
        for (char **s = o->services; s && *s; s++) {
                bool found = false;

                for (size_t i = 0; i < p->n_ctrs; i++)
                        found |= strcmp(p->ctrs[i].service, *s) == 0;
                if (!found) {
                        state_project_free(p);
                        return berr_msg(err, ENOENT, "no such service: %s", *s);
                }
        }
        logdir = xasprintf("%s/projects/%s/logs", root, project);
        src = xcalloc(p->n_ctrs + 1, sizeof(*src));
        fmt.width = 0;
        for (size_t i = 0; i < p->n_ctrs; i++) {
                struct state_container *c = &p->ctrs[i];
                int w;

                if (o->services && !strv_contains(o->services, c->service))
                        continue;
                src[n].label = xasprintf("%s-%u", c->service, c->number);
                src[n].path = xasprintf("%s/%s.log", logdir, c->name);
                w = (int)strlen(src[n].label);
                fmt.width = w > fmt.width ? w : fmt.width;
                n++;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = log_read_container(src[i].path, (unsigned)i, &o->filter, &recs,
                                       o->follow ? &src[i].fl : NULL, err);
        if (r >= 0)
                r = emit(out_fd, &fmt, src, &recs, err);
        else
                log_records_done(&recs);
        if (r >= 0 && o->follow)
                r = follow(logdir, out_fd, o, &fmt, src, n, stop, err);
        for (size_t i = 0; i < n; i++) {
                free(src[i].label);
                free(src[i].path);
                log_follower_free(src[i].fl);
        }
        free(src);
        state_project_free(p);
        return r;
}
