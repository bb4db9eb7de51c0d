/* SPDX-License-Identifier: MIT */
/* runtime/pty: the container's side of a terminal (tty: true, exec/run with a tty). Run inside the
 * container after its root is in place, so /dev/ptmx is the container's own devpts instance
 * (mounted newinstance,ptmxmode=0666 by rootfs.c) and `tty` there prints /dev/pts/N. pty_open
 * makes the pair; the caller sends the master to the spawner over the sync socket (SYNC_PTY) and
 * pty_make_controlling turns the slave into the session's controlling terminal. */
#pragma once

struct berr;

/* A new pty pair from /dev/ptmx, both ends close-on-exec and O_NOCTTY, the slave unlocked. */
int pty_open(int *ret_master, int *ret_slave, struct berr **err);

/* For a session leader without a terminal (after setsid): slave becomes its controlling
 * terminal, with rows x cols when both are non-zero. */
int pty_make_controlling(int slave, unsigned short rows, unsigned short cols, struct berr **err);
