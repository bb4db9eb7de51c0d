/* SPDX-License-Identifier: MIT */
/* common/fdutil: whole-file and whole-buffer I/O with EINTR handling and size limits, atomic
 * file replacement (temp + fsync + rename), recursive mkdir. */
#pragma once

#include <stddef.h>

#include <sys/types.h>

struct berr;

/* Read fd to EOF into a NUL-terminated buffer; fails with EFBIG past max bytes. */
int read_all(int fd, size_t max, char **ret_buf, size_t *ret_len, struct berr **err);
/* Write all of buf, retrying on EINTR and short writes. Returns 0 or -errno (no berr). */
int write_all(int fd, const void *buf, size_t len);
int read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len, struct berr **err);
/* Replace path atomically with buf (mode for a new file). */
int atomic_write_file(const char *path, const void *buf, size_t len, mode_t mode,
                      struct berr **err);
/* mkdir -p with mode for each created component. */
int mkdir_p(const char *path, mode_t mode, struct berr **err);
