/* SPDX-License-Identifier: MIT */
/* common/error: the error object every fallible function returns through `struct berr **err`.
 * Success: return >= 0 and leave *err alone. Failure: return -code (an errno value) and set *err
 * exactly once. Callers add context on the way up with berr_wrap(); only the CLI prints. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct berr {
        int code;       /* errno value > 0; drives the exit status and programmatic checks */
        bool synthetic; /* not from a syscall: berr_print does not append strerror(code) */
        char *msg;      /* "context: context: cause", no trailing newline or punctuation */
};

/* A syscall failure: the message gets ": <strerror(code)>" when printed. Returns -code. */
int berr_set(struct berr **err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* A semantic failure (bad input, unsupported): printed as is. Returns -code. */
int berr_msg(struct berr **err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prefix context to an error already set (not when it already starts with that context). Returns
 * -(*err)->code (or -EIO if none was set). */
int berr_wrap(struct berr **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Full text of the error: msg plus ": strerror" unless synthetic. Caller frees. */
char *berr_text(const struct berr *e);
/* Print "berth: <text>" to f. */
void berr_print(const struct berr *e, FILE *f);
void berr_free(struct berr *e);
void berr_freep(struct berr **e);
