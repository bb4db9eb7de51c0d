/* SPDX-License-Identifier: MIT */
/* orchestrator/logs: container output as data (never berth's own diagnostics). One file per
 * container, `$BERTH_ROOT/projects/<project>/logs/<container>.log`, in docker's json-file shape:
 * one JSON object per line {"log": "text\n", "stream": "stdout|stderr", "time": RFC3339Nano};
 * a line longer than LOG_LINE_MAX is split into records whose "log" lacks the final "\n", as
 * docker does. Size rotation keeps <name>.log, <name>.log.1 ... <name>.log.<max_file-1>.
 *
 * Writer (logs.c): an object per container, no statics; the supervisor feeds it whatever the
 * pipe gave it, it keeps at most LOG_LINE_MAX bytes of a partial line per stream and writes
 * each chunk's records with one write(2), so memory is bounded whatever the service prints.
 * Reader (logs_read.c): read, filter (--since/--until/--tail), merge several containers in time
 * order, format like compose (`web-1  | ` prefixes), and follow files across rotation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

struct berr;
struct strbuf;

#define LOG_LINE_MAX (16u * 1024u)

enum log_stream {
        LOG_STREAM_STDOUT,
        LOG_STREAM_STDERR,
        LOG_STREAM__MAX,
};

const char *log_stream_to_string(enum log_stream s);

struct log_writer_opts {
        uint64_t max_size; /* bytes per file before rotation; 0 = unlimited */
        unsigned max_file; /* files kept including the live one; 0 or 1 = truncate in place */
};

struct log_writer;

/* Open (append) the log at path, creating its directory. */
int log_writer_open(const char *path, const struct log_writer_opts *opts, struct log_writer **ret,
                    struct berr **err);
/* Feed bytes read from a container's stream; complete lines become records stamped now_ns. */
int log_writer_write(struct log_writer *w, enum log_stream s, const void *data, size_t len,
                     int64_t now_ns, struct berr **err);
/* The stream hit EOF: write its pending partial line (without "\n"), if any. */
int log_writer_flush(struct log_writer *w, enum log_stream s, int64_t now_ns, struct berr **err);
void log_writer_close(struct log_writer *w);
/* Bytes in the live file (for tests and `ps`). */
uint64_t log_writer_size(const struct log_writer *w);

/* Append one record as a JSON line to b (the writer's encoder, exposed for tests). */
void log_encode_record(struct strbuf *b, enum log_stream s, const char *text, size_t len,
                       int64_t time_ns);

/* ---- reader ---------------------------------------------------------------------------- */

struct log_record {
        int64_t time_ns;
        enum log_stream stream;
        unsigned source; /* index of the container in the caller's list */
        char *text;      /* without the trailing "\n" */
        bool partial;    /* the record did not end a line */
};

struct log_records {
        struct log_record *v;
        size_t n, cap;
};

void log_records_done(struct log_records *r);
/* Parse one JSON line into rec (text owned by rec). Returns 0 or -EINVAL. */
int log_decode_record(const char *line, size_t len, struct log_record *rec);

struct log_filter {
        int64_t since_ns; /* 0 = no bound */
        int64_t until_ns; /* 0 = no bound */
        long tail;        /* < 0 = all */
};

/* Read every record of one container (rotated files oldest first) that passes the filter,
 * appending to out with the given source index. A missing log is no error. If ret_follow is
 * given, it receives a follower positioned right after what was read. */
struct log_follower;
int log_read_container(const char *path, unsigned source, const struct log_filter *f,
                       struct log_records *out, struct log_follower **ret_follow,
                       struct berr **err);
/* Stable sort by time: containers merged, each container's order kept. */
void log_records_sort(struct log_records *r);

/* Follow a log file from its current end (or where log_read_container stopped): each poll
 * appends new complete records, surviving rotation (rename or truncation) and a file that does
 * not exist yet. */
struct log_follower *log_follower_new(const char *path, unsigned source);
int log_follower_poll(struct log_follower *fl, const struct log_filter *f, struct log_records *out,
                      struct berr **err);
void log_follower_free(struct log_follower *fl);

struct log_format {
        bool timestamps; /* -t */
        bool no_prefix;  /* --no-log-prefix */
        bool color;      /* on a terminal, unless --no-color */
        int width;       /* prefix name width (longest name) */
};

/* Append the printed form of rec to b: "<name padded>  | [time ]text\n", coloured by source. */
void log_format_record(struct strbuf *b, const struct log_format *fmt, const char *name,
                       const struct log_record *rec);
