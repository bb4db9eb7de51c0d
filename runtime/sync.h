/* SPDX-License-Identifier: MIT */
/* runtime/sync: the parent/child handshake of a spawn or exec over a SOCK_SEQPACKET socketpair, in
 * numbered phases (LXC's START_SYNC_*). The child reports a failure as a typed message (code,
 * whether it is a syscall error, text), so the parent turns it into an ordinary struct berr with
 * its cause. A successful exec closes the child's end (CLOEXEC): EOF is the last phase. */
#pragma once

#include <stdbool.h>

struct berr;

enum sync_phase {
        SYNC_CHILD_READY =
                1, /* child -> parent: namespaces made; configure me (maps, cgroup, net) */
        SYNC_PARENT_DONE = 2, /* parent -> child: configured; set up rootfs and exec */
        SYNC_ERROR = 3,       /* either way: a failure with its cause */
        SYNC_EXEC = 4,        /* pseudo phase: the child's end closed on exec */
        SYNC_MAPS_DONE = 5,   /* parent -> child: uid/gid maps written (user namespace only) */
        SYNC_PTY = 6,         /* child -> parent: the pty master (SCM_RIGHTS), tty only */
        SYNC_CHILD_PID = 7,   /* exec's intermediate -> parent: the pid of the process it cloned
                               * (a child of the parent's) to execve, in the code field */
};

struct sync_msg {
        int phase;
        int code;
        bool synthetic;
        char text[1024];
};

/* A close-on-exec SOCK_SEQPACKET pair: fds[0] for the parent, fds[1] for the child. */
int sync_pair(int fds[2], struct berr **err);
/* Send a phase marker. Returns 0 or -errno. */
int sync_send(int fd, enum sync_phase phase);
/* Send a phase marker carrying a value (SYNC_CHILD_PID). */
int sync_send_value(int fd, enum sync_phase phase, int value);
/* Send err (or, when NULL, a generic failure) as a SYNC_ERROR message. */
void sync_send_berr(int fd, const struct berr *err);
/* Send a phase marker carrying one fd (SCM_RIGHTS). Returns 0 or -errno. */
int sync_send_fd(int fd, enum sync_phase phase, int payload);
/* Wait for phase `expect` carrying one fd, returned close-on-exec in *ret_fd. */
int sync_wait_fd(int fd, enum sync_phase expect, int *ret_fd, struct berr **err);
/* Wait for phase `expect`; an error message from the peer becomes *err; EOF is success only
 * when expect is SYNC_EXEC, otherwise "exited during setup". */
int sync_wait(int fd, enum sync_phase expect, struct berr **err);
/* sync_wait, and the value the message carried. */
int sync_wait_value(int fd, enum sync_phase expect, int *value, struct berr **err);
