/* SPDX-License-Identifier: MIT */
/* runtime/sync: see sync.h. */
#include "runtime/sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include "common/error.h"

int sync_pair(int fds[2], struct berr **err)
{
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
                return berr_set(err, errno, "socketpair");
        return 0;
}

static int send_msg(int fd, const struct sync_msg *m)
{
        ssize_t n;

        do {
                n = send(fd, m, sizeof(*m), MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        return n == (ssize_t)sizeof(*m) ? 0 : -(errno ? errno : EIO);
}

int sync_send_fd(int fd, enum sync_phase phase, int payload)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctl;
        struct sync_msg m;
        struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf)};
        struct cmsghdr *c;
        ssize_t n;

        memset(&m, 0, sizeof(m));
        memset(&ctl, 0, sizeof(ctl));
        m.phase = phase;
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &payload, sizeof(int));
        do {
                n = sendmsg(fd, &mh, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        return n == (ssize_t)sizeof(m) ? 0 : -(errno ? errno : EIO);
}

int sync_send(int fd, enum sync_phase phase)
{
        return sync_send_value(fd, phase, 0);
}

int sync_send_value(int fd, enum sync_phase phase, int value)
{
        struct sync_msg m;

        memset(&m, 0, sizeof(m));
        m.phase = phase;
        m.code = value;
        return send_msg(fd, &m);
}

void sync_send_berr(int fd, const struct berr *err)
{
        struct sync_msg m;

        memset(&m, 0, sizeof(m));
        m.phase = SYNC_ERROR;
        m.code = err ? err->code : EIO;
        m.synthetic = err ? err->synthetic : true;
        (void)snprintf(m.text, sizeof(m.text), "%s",
                       err && err->msg ? err->msg : "container setup failed");
        (void)send_msg(fd, &m);
}

static const char *phase_name(int p)
{
        switch (p) {
        case SYNC_CHILD_READY:
                return "child-ready";
        case SYNC_PARENT_DONE:
                return "parent-done";
        case SYNC_ERROR:
                return "error";
        case SYNC_MAPS_DONE:
                return "maps-done";
        case SYNC_PTY:
                return "pty";
        case SYNC_CHILD_PID:
                return "child-pid";
        default:
                return "exec";
        }
}

/* One message; an fd that came with it goes to *ret_fd (or is closed when ret_fd is NULL). */
static ssize_t recv_msg(int fd, struct sync_msg *m, int *ret_fd)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctl;
        struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf)};
        ssize_t n;

        do {
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        } while (n < 0 && errno == EINTR);
        if (n < 0)
                return n;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                int got;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
                    c->cmsg_len != CMSG_LEN(sizeof(int)))
                        continue;
                memcpy(&got, CMSG_DATA(c), sizeof(int));
                if (ret_fd && *ret_fd < 0)
                        *ret_fd = got;
                else
                        close(got);
        }
        return n;
}

static int wait_phase(int fd, enum sync_phase expect, int *ret_fd, int *value, struct berr **err)
{
        struct sync_msg m;
        ssize_t n;

        n = recv_msg(fd, &m, ret_fd);
        if (n == (ssize_t)sizeof(int) && expect == SYNC_CHILD_PID && value) {
                /* the exec trampoline writes the bare pid */
                memcpy(value, &m, sizeof(int));
                return 0;
        }
        if (n < 0)
                return berr_set(err, errno, "sync: waiting for %s", phase_name(expect));
        if (n == 0) {
                if (expect == SYNC_EXEC)
                        return 0;
                return berr_msg(err, ECHILD, "sync: the other side exited before %s",
                                phase_name(expect));
        }
        if (n != (ssize_t)sizeof(m))
                return berr_msg(err, EPROTO, "sync: short message (%zd bytes)", n);
        m.text[sizeof(m.text) - 1] = '\0';
        if (m.phase == SYNC_ERROR) {
                int code = m.code > 0 ? m.code : EIO;

                if (m.synthetic)
                        return berr_msg(err, code, "%s", m.text);
                return berr_set(err, code, "%s", m.text);
        }
        if (m.phase != (int)expect)
                return berr_msg(err, EPROTO, "sync: expected %s, got %s", phase_name(expect),
                                phase_name(m.phase));
        if (ret_fd && *ret_fd < 0)
                return berr_msg(err, EPROTO, "sync: %s came without its fd", phase_name(expect));
        if (value)
                *value = m.code;
        return 0;
}

int sync_wait(int fd, enum sync_phase expect, struct berr **err)
{
        return wait_phase(fd, expect, NULL, NULL, err);
}

int sync_wait_value(int fd, enum sync_phase expect, int *value, struct berr **err)
{
        return wait_phase(fd, expect, NULL, value, err);
}

int sync_wait_fd(int fd, enum sync_phase expect, int *ret_fd, struct berr **err)
{
        int r;

        *ret_fd = -1;
        r = wait_phase(fd, expect, ret_fd, NULL, err);
        if (r < 0 && *ret_fd >= 0) {
                close(*ret_fd);
                *ret_fd = -1;
        }
        return r;
}
