/* SPDX-License-Identifier: MIT */
/* orchestrator/term: see term.h. One poll(2) loop over four fds (input, master, a signalfd and
 * the process's pidfd): the relay is a few hundred bytes at a time on a terminal, and blocking
 * writes to the user's terminal are the back-pressure a terminal should have. Only the master is
 * made non-blocking (it is ours alone); the user's input and output stay blocking, since their
 * file status flags are shared with the shell that started berth. */
#include "orchestrator/term.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/signalfd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"

bool term_want_tty(const struct term_flags *f, bool stdin_tty, bool stdout_tty)
{
        if (f->no_tty || f->detach)
                return false;
        return stdin_tty && stdout_tty;
}

int term_parse_bool(const char *arg)
{
        if (!arg || strcmp(arg, "true") == 0 || strcmp(arg, "1") == 0)
                return 1;
        if (strcmp(arg, "false") == 0 || strcmp(arg, "0") == 0)
                return 0;
        return -1;
}

int term_flags_opt(struct term_flags *f, int c, const char *arg)
{
        switch (c) {
        case 'T':
                f->no_tty = true;
                return 1;
        case 't':
                f->tty = true;
                return 1;
        case 'i':
                if (term_parse_bool(arg) < 0)
                        return -1;
                f->interactive = term_parse_bool(arg) == 1;
                return 1;
        default:
                return 0;
        }
}

int term_size(int fd, unsigned short *rows, unsigned short *cols)
{
        struct winsize ws;

        *rows = *cols = 0;
        if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
                return 0;
        *rows = ws.ws_row;
        *cols = ws.ws_col;
        return 0;
}

struct relay_state {
        const struct term_relay *r;
        char in[4096]; /* typed, not yet written to the master */
        size_t in_len;
        bool in_open;     /* the user's input still readable */
        bool master_open; /* the slave side still open somewhere */
        bool exited;
        bool raw; /* in_fd is in raw mode, saved holds its settings */
        struct termios saved;
};

static void push_size(const struct term_relay *r)
{
        struct winsize ws;

        if (ioctl(r->out_fd, TIOCGWINSZ, &ws) == 0 || ioctl(r->in_fd, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(r->master, TIOCSWINSZ, &ws);
}

/* Master -> output until it would block (or, at the end, until it is empty). EIO is the slave
 * closed by every process: the pty's EOF. */
static int drain_master(struct relay_state *s, struct berr **err)
{
        char buf[16384];

        while (s->master_open) {
                ssize_t n = read(s->r->master, buf, sizeof(buf));

                if (n > 0) {
                        if (write_all(s->r->out_fd, buf, (size_t)n) < 0 && errno != EPIPE)
                                return berr_set(err, errno, "write the terminal's output");
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                s->master_open = false; /* 0 or EIO */
        }
        return 0;
}

static void read_input(struct relay_state *s)
{
        ssize_t n = read(s->r->in_fd, s->in + s->in_len, sizeof(s->in) - s->in_len);

        if (n > 0)
                s->in_len += (size_t)n;
        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                s->in_open = false;
}

static void write_input(struct relay_state *s)
{
        ssize_t n = write(s->r->master, s->in, s->in_len);

        if (n > 0) {
                memmove(s->in, s->in + n, s->in_len - (size_t)n);
                s->in_len -= (size_t)n;
        } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
                s->in_len = 0; /* nobody reads the terminal any more */
        }
}

/* SIGTSTP from outside (^Z in raw mode is a byte for the container): give the shell its
 * terminal back while stopped, raw again when continued (the size may have changed too). */
static void suspend(struct relay_state *s)
{
        struct termios raw;

        if (s->raw)
                (void)tcsetattr(s->r->in_fd, TCSADRAIN, &s->saved);
        (void)raise(SIGSTOP);
        if (s->raw) {
                raw = s->saved;
                cfmakeraw(&raw);
                (void)tcsetattr(s->r->in_fd, TCSANOW, &raw);
        }
        push_size(s->r);
}

static void on_signal(struct relay_state *s, int sfd)
{
        struct signalfd_siginfo si;

        if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
                return;
        if (si.ssi_signo == SIGWINCH)
                push_size(s->r);
        else if (si.ssi_signo == SIGTSTP)
                suspend(s);
        else if (si.ssi_signo != SIGPIPE && s->r->on_signal)
                s->r->on_signal((int)si.ssi_signo, s->r->ud);
}

static int loop(struct relay_state *s, int sfd, struct berr **err)
{
        const struct term_relay *r = s->r;
        int ret;

        while (!s->exited) {
                struct pollfd p[4] = {
                        {.fd = sfd, .events = POLLIN},
                        {.fd = r->pidfd, .events = POLLIN},
                        {.fd = s->master_open ? r->master : -1,
                         .events = (short)(POLLIN | (s->in_len ? POLLOUT : 0))},
                        {.fd = s->in_open && s->in_len < sizeof(s->in) ? r->in_fd : -1,
                         .events = POLLIN},
                };

                if (poll(p, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return berr_set(err, errno, "poll");
                }
                if (p[0].revents & POLLIN)
                        on_signal(s, sfd);
                if (p[2].revents & (POLLIN | POLLHUP | POLLERR) && (ret = drain_master(s, err)) < 0)
                        return ret;
                if (s->master_open && p[2].revents & POLLOUT)
                        write_input(s);
                if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
                        read_input(s);
                if (p[1].revents & POLLIN)
                        s->exited = true;
        }
        /* what it wrote just before it exited */
        return drain_master(s, err);
}

int term_relay_run(const struct term_relay *r, struct berr **err)
{
        struct relay_state s = {.r = r, .in_open = r->in_fd >= 0, .master_open = true};
        struct termios raw;
        sigset_t mask, old;
        cleanup_close int sfd = -1;
        int flags, ret;

        flags = fcntl(r->master, F_GETFL);
        if (flags < 0 || fcntl(r->master, F_SETFL, flags | O_NONBLOCK) < 0)
                return berr_set(err, errno, "make the pty master non-blocking");
        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGQUIT);
        sigaddset(&mask, SIGTSTP);
        sigaddset(&mask, SIGPIPE); /* a write error instead of dying with the terminal raw */
        if (sigprocmask(SIG_BLOCK, &mask, &old) < 0)
                return berr_set(err, errno, "block signals");
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                ret = berr_set(err, errno, "signalfd");
                goto out;
        }
        if (r->in_fd >= 0 && tcgetattr(r->in_fd, &s.saved) == 0) {
                raw = s.saved;
                cfmakeraw(&raw);
                if (tcsetattr(r->in_fd, TCSANOW, &raw) < 0) {
                        ret = berr_set(err, errno, "put the terminal in raw mode");
                        goto out;
                }
                s.raw = true;
        }
        /* the size may have changed since the process was given it */
        push_size(r);
        ret = loop(&s, sfd, err);
out:
        if (s.raw)
                (void)tcsetattr(r->in_fd, TCSADRAIN, &s.saved);
        /* signals that came meanwhile were the relay's: drop them, do not deliver them now */
        if (sfd >= 0) {
                struct signalfd_siginfo si;

                while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                        ;
        }
        (void)sigprocmask(SIG_SETMASK, &old, NULL);
        return ret;
}
