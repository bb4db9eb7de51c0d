/* SPDX-License-Identifier: MIT */
/* runtime/lazy_archive: the libarchive functions berth calls, forwarded to libarchive.so.13
 * opened on the first call (common/lazylib.h says why). */
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>

#include <archive.h>

#include "common/lazylib.h"

static struct lazylib arc = LAZYLIB_INIT("libarchive.so.13", "libarchive13");

#define E struct archive_entry *e
LAZYLIB_FWD(arc, mode_t, archive_entry_filetype, (E), (e))
LAZYLIB_FWD(arc, la_int64_t, archive_entry_gid, (E), (e))
LAZYLIB_FWD(arc, const char *, archive_entry_hardlink, (E), (e))
LAZYLIB_FWD(arc, time_t, archive_entry_mtime, (E), (e))
LAZYLIB_FWD(arc, long, archive_entry_mtime_nsec, (E), (e))
LAZYLIB_FWD(arc, const char *, archive_entry_pathname, (E), (e))
LAZYLIB_FWD(arc, mode_t, archive_entry_perm, (E), (e))
LAZYLIB_FWD(arc, dev_t, archive_entry_rdev, (E), (e))
LAZYLIB_FWD(arc, la_int64_t, archive_entry_size, (E), (e))
LAZYLIB_FWD(arc, int, archive_entry_sparse_count, (E), (e))
LAZYLIB_FWD(arc, const char *, archive_entry_symlink, (E), (e))
LAZYLIB_FWD(arc, la_int64_t, archive_entry_uid, (E), (e))
LAZYLIB_FWD(arc, int, archive_entry_xattr_next,
            (E, const char **name, const void **value, size_t *size), (e, name, value, size))
LAZYLIB_FWD(arc, int, archive_entry_xattr_reset, (E), (e))
#undef E
#define A struct archive *a
LAZYLIB_FWD(arc, int, archive_errno, (A), (a))
LAZYLIB_FWD(arc, const char *, archive_error_string, (A), (a))
LAZYLIB_FWD(arc, la_ssize_t, archive_read_data, (A, void *buf, size_t len), (a, buf, len))
LAZYLIB_FWD(arc, int, archive_read_data_block, (A, const void **buf, size_t *len, la_int64_t *off),
            (a, buf, len, off))
LAZYLIB_FWD(arc, int, archive_read_free, (A), (a))
LAZYLIB_FWD(arc, struct archive *, archive_read_new, (void), ())
LAZYLIB_FWD(arc, int, archive_read_next_header, (A, struct archive_entry **e), (a, e))
LAZYLIB_FWD(arc, int, archive_read_open,
            (A, void *data, archive_open_callback *o, archive_read_callback *r,
             archive_close_callback *c),
            (a, data, o, r, c))
LAZYLIB_FWD(arc, int, archive_read_open_fd, (A, int fd, size_t block), (a, fd, block))
LAZYLIB_FWD(arc, int, archive_read_support_filter_all, (A), (a))
LAZYLIB_FWD(arc, int, archive_read_support_filter_none, (A), (a))
LAZYLIB_FWD(arc, int, archive_read_support_format_raw, (A), (a))
LAZYLIB_FWD(arc, int, archive_read_support_format_tar, (A), (a))

void archive_set_error(A, int err, const char *fmt, ...)
{
        typedef void (*fn_t)(struct archive *, int, const char *, ...);
        fn_t real = LAZYLIB_REAL(arc, fn_t, "archive_set_error");
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        real(a, err, "%s", msg);
}
#undef A
