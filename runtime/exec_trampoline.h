/* SPDX-License-Identifier: MIT */
/* runtime/exec_trampoline: the very last step of an exec into a container whose processes hold
 * CAP_SYS_PTRACE (which passes the kernel's ptrace check despite the non-dumpable flag, so they
 * could open /proc/<pid>/exe of a process that still runs berth's binary: CVE-2019-5736). The
 * confined intermediate execs, from a sealed memfd, a 496-byte static program that clones
 * (CLONE_PARENT) the process that execve's the command and writes that pid (4 bytes) to fd 3
 * (the sync socket). What the container can see is then a sealed memfd, never berth's binary.
 * x86_64 only; elsewhere the caller keeps the in-process clone. */
#pragma once

struct berr;

/* A sealed, close-on-exec memfd holding the program; -ENOTSUP on other architectures. */
int trampoline_fd(struct berr **err);
