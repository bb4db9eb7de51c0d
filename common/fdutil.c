/* SPDX-License-Identifier: MIT */
#include "common/fdutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"

int read_all(int fd, size_t max, char **ret_buf, size_t *ret_len, struct berr **err)
{
        cleanup_free char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                ssize_t n;

                buf = xgrow(buf, &cap, len + 4096 + 1, 1);
                n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berr_set(err, errno, "read");
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max)
                        return berr_msg(err, EFBIG, "more than %zu bytes", max);
        }
        buf[len] = '\0';
        *ret_buf = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len, struct berr **err)
{
        cleanup_close int fd = -1;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return berr_set(err, errno, "open `%s`", path);
        r = read_all(fd, max, ret_buf, ret_len, err);
        if (r < 0)
                return berr_wrap(err, "read `%s`", path);
        return 0;
}

int atomic_write_file(const char *path, const void *buf, size_t len, mode_t mode, struct berr **err)
{
        cleanup_free char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
        cleanup_close int fd = -1;
        int r;

        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return berr_set(err, errno, "create `%s`", tmp);
        r = write_all(fd, buf, len);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r < 0) {
                (void)unlink(tmp);
                return berr_set(err, -r, "write `%s`", tmp);
        }
        if (rename(tmp, path) < 0) {
                r = errno;
                (void)unlink(tmp);
                return berr_set(err, r, "rename `%s` to `%s`", tmp, path);
        }
        return 0;
}

int mkdir_p(const char *path, mode_t mode, struct berr **err)
{
        cleanup_free char *p = xstrdup(path);

        for (char *s = p + 1;; s++) {
                char c = *s;

                if (c != '/' && c != '\0')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return berr_set(err, errno, "mkdir `%s`", p);
                *s = c;
                if (c == '\0')
                        break;
        }
        return 0;
}
