/* SPDX-License-Identifier: MIT */
/* runtime/init: `init: true`, a tiny pid 1 in the container (catatonit/tini's loop): it forks the
 * command, then reads a signalfd: SIGCHLD reaps every zombie (the container's orphans come to
 * pid 1), any other signal is forwarded to the command; it exits with the command's status
 * (128+signal when killed). Nothing is allocated after the fork. */
#pragma once

#include <stdnoreturn.h>

/* exec_fn runs in the forked child with ud and must not return on success; whatever it returns
 * becomes the child's exit status. pid 1 closes close_fd (the sync socket) after the fork, so
 * the spawner sees EOF once the command has exec'd. */
noreturn void init_run(int (*exec_fn)(void *ud), void *ud, int close_fd);
