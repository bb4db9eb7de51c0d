/* SPDX-License-Identifier: MIT */
#include "orchestrator/ctl_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

int ctl_sockaddr(const char *path, int dirfd, struct sockaddr_un *sa)
{
        const char *base = strrchr(path, '/');
        int n;

        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (strlen(path) < sizeof(sa->sun_path)) {
                memcpy(sa->sun_path, path, strlen(path) + 1);
                return 0;
        }
        if (dirfd < 0 || !base)
                return -ENAMETOOLONG;
        n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dirfd, base + 1);
        return n < 0 || (size_t)n >= sizeof(sa->sun_path) ? -ENAMETOOLONG : 0;
}

int ctl_connect(const char *run, const char *project, struct ctl_conn **ret, struct berr **err)
{
        cleanup_free char *dir = xasprintf("%s/%s", run, project);
        cleanup_free char *path = xasprintf("%s/control.sock", dir);
        cleanup_close int dirfd = -1, fd = -1;
        struct sockaddr_un sa;
        struct ctl_conn *c;
        int r;

        dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return berr_set(err, errno == ENOENT ? ENOENT : errno, "open `%s`", dir);
        r = ctl_sockaddr(path, dirfd, &sa);
        if (r < 0)
                return berr_set(err, -r, "socket path `%s`", path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berr_set(err, errno, "socket");
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return berr_set(err, errno, "connect to the supervisor of \"%s\"", project);
        c = xcalloc(1, sizeof(*c));
        c->fd = TAKE_FD(fd);
        c->next_id = 1;
        c->project = xstrdup(project);
        c->log = xasprintf("%s/supervisor.log", dir);
        proto_reader_init(&c->rd, PROTO_LINE_MAX);
        *ret = c;
        return 0;
}

void ctl_close(struct ctl_conn *c)
{
        if (!c)
                return;
        close(c->fd);
        free(c->project);
        free(c->log);
        proto_reader_done(&c->rd);
        free(c);
}

int ctl_next(struct ctl_conn *c, struct proto_response *resp, struct proto_event *ev,
             bool *is_event, int timeout_ms, struct berr **err)
{
        for (;;) {
                const char *line;
                size_t len;
                char buf[16 * 1024];
                struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
                ssize_t n;
                int r = proto_reader_next(&c->rd, &line, &len);

                if (r == -EMSGSIZE)
                        return berr_msg(err, EMSGSIZE, "message from the supervisor too large");
                if (r > 0) {
                        r = proto_decode_message(line, len, resp, ev, is_event, err);
                        return r < 0 ? r : 1;
                }
                r = poll(&pfd, 1, timeout_ms);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return berr_set(err, errno, "poll");
                if (r == 0)
                        return berr_msg(err, ETIMEDOUT, "no answer from the supervisor");
                n = read(c->fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berr_set(err, errno, "read from the supervisor");
                if (n == 0)
                        return 0;
                proto_reader_feed(&c->rd, buf, (size_t)n);
        }
}

int ctl_call(struct ctl_conn *c, struct proto_request *req, struct proto_response *ret,
             int timeout_ms, struct berr **err)
{
        struct strbuf b = STRBUF_INIT;
        int r;

        req->id = c->next_id++;
        proto_encode_request(&b, req);
        r = write_all(c->fd, b.buf, b.len);
        strbuf_done(&b);
        if (r < 0)
                return berr_set(err, -r, "write to the supervisor");
        for (;;) {
                struct proto_event ev;
                bool is_event = false;

                r = ctl_next(c, ret, &ev, &is_event, timeout_ms, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        return berr_msg(err, EPIPE,
                                        "the supervisor of project %s exited before it "
                                        "answered (its log: %s)",
                                        c->project, c->log);
                if (is_event) {
                        proto_event_done(&ev);
                        continue;
                }
                if (ret->id != req->id) {
                        proto_response_done(ret);
                        continue;
                }
                if (!ret->ok) {
                        r = berr_msg(err, EIO, "%s", ret->error ? ret->error : "failed");
                        proto_response_done(ret);
                        return r;
                }
                return 0;
        }
}
