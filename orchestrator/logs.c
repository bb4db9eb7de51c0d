/* SPDX-License-Identifier: MIT */
/* The log writer. Records are encoded by hand rather than through jansson: the writer sits on
 * the hot path of a service printing hundreds of MB, and one JSON object per line costs an
 * allocation per line in jansson; the reader side does use jansson. */
#include "orchestrator/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "orchestrator/timefmt.h"

struct log_writer {
        char *path;
        int fd;
        uint64_t size;
        struct log_writer_opts opts;
        struct strbuf partial[LOG_STREAM__MAX];
        struct strbuf out; /* records of the current chunk, written with one write(2) */
};

const char *log_stream_to_string(enum log_stream s)
{
        return s == LOG_STREAM_STDERR ? "stderr" : "stdout";
}

/* Length of a valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
        size_t n;
        unsigned cp;

        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xe0) == 0xc0) {
                n = 2;
                cp = p[0] & 0x1f;
        } else if ((p[0] & 0xf0) == 0xe0) {
                n = 3;
                cp = p[0] & 0x0f;
        } else if ((p[0] & 0xf8) == 0xf0) {
                n = 4;
                cp = p[0] & 0x07;
        } else {
                return 0;
        }
        if (n > avail)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

static void json_escape(struct strbuf *b, const char *text, size_t len)
{
        const unsigned char *p = (const unsigned char *)text;
        size_t i = 0, run = 0;

        while (i < len) {
                unsigned char c = p[i];
                size_t n;

                if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                        i++;
                        run++;
                        continue;
                }
                strbuf_add(b, p + i - run, run);
                run = 0;
                if (c >= 0x80) {
                        n = utf8_len(p + i, len - i);
                        if (n == 0) {
                                strbuf_puts(b, "\\ufffd");
                                i++;
                        } else {
                                strbuf_add(b, p + i, n);
                                i += n;
                        }
                        continue;
                }
                switch (c) {
                case '"':
                        strbuf_puts(b, "\\\"");
                        break;
                case '\\':
                        strbuf_puts(b, "\\\\");
                        break;
                case '\n':
                        strbuf_puts(b, "\\n");
                        break;
                case '\r':
                        strbuf_puts(b, "\\r");
                        break;
                case '\t':
                        strbuf_puts(b, "\\t");
                        break;
                default:
                        strbuf_printf(b, "\\u%04x", c);
                        break;
                }
                i++;
        }
        strbuf_add(b, p + i - run, run);
}

void log_encode_record(struct strbuf *b, enum log_stream s, const char *text, size_t len,
                       int64_t time_ns)
{
        char ts[TIMEFMT_RFC3339NANO_MAX];

        timefmt_rfc3339nano(time_ns, ts, sizeof(ts));
        strbuf_puts(b, "{\"log\":\"");
        json_escape(b, text, len);
        strbuf_puts(b, "\",\"stream\":\"");
        strbuf_puts(b, log_stream_to_string(s));
        strbuf_puts(b, "\",\"time\":\"");
        strbuf_puts(b, ts);
        strbuf_puts(b, "\"}\n");
}

int log_writer_open(const char *path, const struct log_writer_opts *opts, struct log_writer **ret,
                    struct berr **err)
{
        cleanup_free char *dir = xstrdup(path);
        struct log_writer *w;
        struct stat st;
        int fd, r;

        r = mkdir_p(dirname(dir), 0700, err);
        if (r < 0)
                return r;
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0)
                return berr_set(err, errno, "open log `%s`", path);
        if (fstat(fd, &st) < 0) {
                r = berr_set(err, errno, "stat log `%s`", path);
                close(fd);
                return r;
        }
        w = xcalloc(1, sizeof(*w));
        w->path = xstrdup(path);
        w->fd = fd;
        w->size = (uint64_t)st.st_size;
        if (opts)
                w->opts = *opts;
        *ret = w;
        return 0;
}

void log_writer_close(struct log_writer *w)
{
        if (!w)
                return;
        if (w->fd >= 0)
                close(w->fd);
        for (int i = 0; i < LOG_STREAM__MAX; i++)
                strbuf_done(&w->partial[i]);
        strbuf_done(&w->out);
        free(w->path);
        free(w);
}

uint64_t log_writer_size(const struct log_writer *w)
{
        return w->size;
}

static int flush_out(struct log_writer *w, struct berr **err)
{
        int r;

        if (w->out.len == 0)
                return 0;
        r = write_all(w->fd, w->out.buf, w->out.len);
        if (r < 0)
                return berr_set(err, -r, "write log `%s`", w->path);
        w->size += w->out.len;
        w->out.len = 0;
        return 0;
}

static int rotate(struct log_writer *w, struct berr **err)
{
        unsigned keep = w->opts.max_file;
        int fd;

        if (keep <= 1) {
                if (ftruncate(w->fd, 0) < 0)
                        return berr_set(err, errno, "truncate log `%s`", w->path);
                w->size = 0;
                return 0;
        }
        for (unsigned i = keep - 1; i >= 1; i--) {
                cleanup_free char *from =
                        i == 1 ? xstrdup(w->path) : xasprintf("%s.%u", w->path, i - 1);
                cleanup_free char *to = xasprintf("%s.%u", w->path, i);

                if (rename(from, to) < 0 && errno != ENOENT)
                        return berr_set(err, errno, "rotate log `%s`", from);
        }
        fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return berr_set(err, errno, "open log `%s`", w->path);
        close(w->fd);
        w->fd = fd;
        w->size = 0;
        return 0;
}

/* Queue one record, rotating first when it would push the live file past max_size. */
static int emit(struct log_writer *w, enum log_stream s, const char *text, size_t len,
                int64_t now_ns, struct berr **err)
{
        size_t before = w->out.len;
        int r;

        log_encode_record(&w->out, s, text, len, now_ns);
        if (w->opts.max_size > 0 && w->size + w->out.len > w->opts.max_size &&
            w->size + before > 0) {
                /* write what precedes this record to the old file, then rotate */
                size_t rec_len = w->out.len - before;
                cleanup_free char *rec = xstrndup(w->out.buf + before, rec_len);

                w->out.len = before;
                r = flush_out(w, err);
                if (r < 0)
                        return r;
                r = rotate(w, err);
                if (r < 0)
                        return r;
                strbuf_add(&w->out, rec, rec_len);
        }
        return 0;
}

int log_writer_write(struct log_writer *w, enum log_stream s, const void *data, size_t len,
                     int64_t now_ns, struct berr **err)
{
        struct strbuf *part = &w->partial[s];
        const char *p = data, *end = p + len;
        int r;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

                if (part->len + n > LOG_LINE_MAX) {
                        /* a line longer than LOG_LINE_MAX: emit what fits as a partial record */
                        size_t room = LOG_LINE_MAX - part->len;

                        strbuf_add(part, p, room);
                        r = emit(w, s, part->buf, part->len, now_ns, err);
                        if (r < 0)
                                return r;
                        part->len = 0;
                        p += room;
                        continue;
                }
                if (!nl) {
                        strbuf_add(part, p, n);
                        break;
                }
                if (part->len) {
                        strbuf_add(part, p, n);
                        r = emit(w, s, part->buf, part->len, now_ns, err);
                        part->len = 0;
                } else {
                        r = emit(w, s, p, n, now_ns, err);
                }
                if (r < 0)
                        return r;
                p += n;
        }
        return flush_out(w, err);
}

int log_writer_flush(struct log_writer *w, enum log_stream s, int64_t now_ns, struct berr **err)
{
        struct strbuf *part = &w->partial[s];
        int r;

        if (part->len == 0)
                return 0;
        r = emit(w, s, part->buf, part->len, now_ns, err);
        part->len = 0;
        if (r < 0)
                return r;
        return flush_out(w, err);
}
