/* SPDX-License-Identifier: MIT */
/* The log reader: decode, filter, merge, format and follow container logs (orchestrator/logs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "orchestrator/logs.h"
#include "orchestrator/timefmt.h"

#define LOG_MAX_ROTATED 100u
#define READ_CHUNK      (64u * 1024u)
/* A record line is at most ~6x LOG_LINE_MAX once escaped; anything longer is garbage. */
#define RECORD_LINE_MAX (8u * LOG_LINE_MAX)

struct log_follower {
        char *path;
        unsigned source;
        int fd;
        dev_t dev;
        ino_t ino;
        off_t off;
        struct strbuf line; /* an incomplete trailing record */
};

void log_records_done(struct log_records *r)
{
        for (size_t i = 0; i < r->n; i++)
                free(r->v[i].text);
        free(r->v);
        r->v = NULL;
        r->n = r->cap = 0;
}

int log_decode_record(const char *line, size_t len, struct log_record *rec)
{
        json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
        const char *log, *stream, *time;
        size_t n;
        int64_t ns;
        int r = -EINVAL;

        if (!o)
                return -EINVAL;
        log = json_string_value(json_object_get(o, "log"));
        stream = json_string_value(json_object_get(o, "stream"));
        time = json_string_value(json_object_get(o, "time"));
        if (!log || !stream || !time || timefmt_parse_rfc3339(time, &ns) < 0)
                goto out;
        n = json_string_length(json_object_get(o, "log"));
        memset(rec, 0, sizeof(*rec));
        rec->time_ns = ns;
        rec->stream = strcmp(stream, "stderr") == 0 ? LOG_STREAM_STDERR : LOG_STREAM_STDOUT;
        rec->partial = n == 0 || log[n - 1] != '\n';
        rec->text = xstrndup(log, rec->partial ? n : n - 1);
        r = 0;
out:
        json_decref(o);
        return r;
}

static bool passes(const struct log_filter *f, int64_t t)
{
        if (!f)
                return true;
        if (f->since_ns && t < f->since_ns)
                return false;
        if (f->until_ns && t > f->until_ns)
                return false;
        return true;
}

/* Decode the complete lines of buf[0..len) into out; returns bytes consumed. */
static size_t parse_lines(const char *buf, size_t len, unsigned source, const struct log_filter *f,
                          struct log_records *out)
{
        size_t used = 0;

        while (used < len) {
                const char *nl = memchr(buf + used, '\n', len - used);
                struct log_record rec;

                if (!nl)
                        break;
                if (log_decode_record(buf + used, (size_t)(nl - buf - used), &rec) == 0) {
                        if (passes(f, rec.time_ns)) {
                                rec.source = source;
                                out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
                                out->v[out->n++] = rec;
                        } else {
                                free(rec.text);
                        }
                }
                used = (size_t)(nl - buf) + 1;
        }
        return used;
}

/* Read new bytes of fl's fd into out. */
static int drain(struct log_follower *fl, const struct log_filter *f, struct log_records *out,
                 struct berr **err)
{
        char buf[READ_CHUNK];

        for (;;) {
                ssize_t n = pread(fl->fd, buf, sizeof(buf), fl->off);
                size_t used;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berr_set(err, errno, "read log `%s`", fl->path);
                }
                if (n == 0)
                        return 0;
                fl->off += n;
                strbuf_add(&fl->line, buf, (size_t)n);
                used = parse_lines(fl->line.buf, fl->line.len, fl->source, f, out);
                memmove(fl->line.buf, fl->line.buf + used, fl->line.len - used);
                fl->line.len -= used;
                if (fl->line.len > RECORD_LINE_MAX)
                        fl->line.len = 0;
        }
}

static int follower_open(struct log_follower *fl)
{
        struct stat st;
        int fd = open(fl->path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return -errno;
        }
        if (fl->fd >= 0)
                close(fl->fd);
        fl->fd = fd;
        fl->dev = st.st_dev;
        fl->ino = st.st_ino;
        fl->off = 0;
        fl->line.len = 0;
        return 0;
}

struct log_follower *log_follower_new(const char *path, unsigned source)
{
        struct log_follower *fl = xcalloc(1, sizeof(*fl));
        struct stat st;

        fl->path = xstrdup(path);
        fl->source = source;
        fl->fd = -1;
        if (follower_open(fl) == 0 && fstat(fl->fd, &st) == 0)
                fl->off = st.st_size;
        return fl;
}

void log_follower_free(struct log_follower *fl)
{
        if (!fl)
                return;
        if (fl->fd >= 0)
                close(fl->fd);
        strbuf_done(&fl->line);
        free(fl->path);
        free(fl);
}

int log_follower_poll(struct log_follower *fl, const struct log_filter *f, struct log_records *out,
                      struct berr **err)
{
        struct stat st, cur;
        int r;

        if (fl->fd < 0) {
                if (follower_open(fl) < 0)
                        return 0; /* not created yet */
        }
        r = drain(fl, f, out, err);
        if (r < 0)
                return r;
        if (stat(fl->path, &st) < 0)
                return 0; /* between rename and re-create: next poll */
        if (st.st_dev != fl->dev || st.st_ino != fl->ino) {
                /* rotated: the old file is complete (drained above); start on the new one */
                if (follower_open(fl) < 0)
                        return 0;
                return drain(fl, f, out, err);
        }
        if (fstat(fl->fd, &cur) == 0 && cur.st_size < fl->off) {
                /* truncated in place (max_file 1) */
                fl->off = 0;
                fl->line.len = 0;
                return drain(fl, f, out, err);
        }
        return 0;
}

static int read_whole(const char *path, unsigned source, const struct log_filter *f,
                      struct log_records *out, struct log_follower **ret_follow, struct berr **err)
{
        struct log_follower *fl = xcalloc(1, sizeof(*fl));
        int r;

        fl->path = xstrdup(path);
        fl->source = source;
        fl->fd = -1;
        r = follower_open(fl);
        if (r < 0) {
                log_follower_free(fl);
                return r == -ENOENT ? 0 : berr_set(err, -r, "open log `%s`", path);
        }
        r = drain(fl, f, out, err);
        if (r >= 0 && ret_follow)
                *ret_follow = fl;
        else
                log_follower_free(fl);
        return r;
}

int log_read_container(const char *path, unsigned source, const struct log_filter *f,
                       struct log_records *out, struct log_follower **ret_follow, struct berr **err)
{
        size_t first = out->n;
        unsigned last = 0;
        int r;

        while (last < LOG_MAX_ROTATED) {
                cleanup_free char *p = xasprintf("%s.%u", path, last + 1);

                if (access(p, F_OK) < 0)
                        break;
                last++;
        }
        for (unsigned i = last; i >= 1; i--) {
                cleanup_free char *p = xasprintf("%s.%u", path, i);

                r = read_whole(p, source, f, out, NULL, err);
                if (r < 0)
                        return r;
        }
        r = read_whole(path, source, f, out, ret_follow, err);
        if (r < 0)
                return r;
        if (ret_follow && !*ret_follow)
                *ret_follow = log_follower_new(path, source);
        if (f && f->tail >= 0 && out->n - first > (size_t)f->tail) {
                size_t drop = out->n - first - (size_t)f->tail;

                for (size_t i = first; i < first + drop; i++)
                        free(out->v[i].text);
                memmove(&out->v[first], &out->v[first + drop],
                        (out->n - first - drop) * sizeof(*out->v));
                out->n -= drop;
        }
        return 0;
}

static bool before(const struct log_record *x, const struct log_record *y)
{
        if (x->time_ns != y->time_ns)
                return x->time_ns < y->time_ns;
        return x->source < y->source;
}

/* Stable merge sort: records of one source are already in file order and must stay so even
 * when two of them carry the same timestamp. */
void log_records_sort(struct log_records *r)
{
        struct log_record *tmp;

        if (r->n < 2)
                return;
        tmp = xcalloc(r->n, sizeof(*tmp));
        for (size_t width = 1; width < r->n; width *= 2) {
                for (size_t lo = 0; lo < r->n; lo += 2 * width) {
                        size_t mid = lo + width < r->n ? lo + width : r->n;
                        size_t hi = lo + 2 * width < r->n ? lo + 2 * width : r->n;
                        size_t i = lo, j = mid, k = lo;

                        while (i < mid && j < hi)
                                tmp[k++] = before(&r->v[j], &r->v[i]) ? r->v[j++] : r->v[i++];
                        while (i < mid)
                                tmp[k++] = r->v[i++];
                        while (j < hi)
                                tmp[k++] = r->v[j++];
                }
                memcpy(r->v, tmp, r->n * sizeof(*tmp));
        }
        free(tmp);
}

static const char *const palette[] = {
        "\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m", "\033[31m",
        "\033[96m", "\033[93m", "\033[92m", "\033[95m", "\033[94m", "\033[91m",
};

void log_format_record(struct strbuf *b, const struct log_format *fmt, const char *name,
                       const struct log_record *rec)
{
        if (!fmt->no_prefix) {
                if (fmt->color)
                        strbuf_puts(b, palette[rec->source % (sizeof(palette) / sizeof(*palette))]);
                strbuf_printf(b, "%-*s  | ", fmt->width, name);
                if (fmt->color)
                        strbuf_puts(b, "\033[0m");
        }
        if (fmt->timestamps) {
                char ts[TIMEFMT_RFC3339NANO_MAX];

                timefmt_rfc3339nano(rec->time_ns, ts, sizeof(ts));
                strbuf_puts(b, ts);
                strbuf_putc(b, ' ');
        }
        strbuf_puts(b, rec->text);
        if (!rec->partial)
                strbuf_putc(b, '\n');
}
