/* SPDX-License-Identifier: MIT */
/* common/strv: NULL-terminated vectors of owned strings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *v);
/* Append a copy of s; returns the (possibly moved) vector. */
char **strv_push(char **v, const char *s);
/* Append s, taking ownership of it. */
char **strv_push_take(char **v, char *s);
char **strv_copy(char *const *v);
bool strv_contains(char *const *v, const char *s);
/* Join with sep; caller frees. */
char *strv_join(char *const *v, const char *sep);
/* Split s on any character of seps, dropping empty fields. */
char **strv_split(const char *s, const char *seps);
void strv_free(char **v);

#define strv_foreach(s, v) \
        for (char *const *s##_it_ = (v), *s = s##_it_ ? *s##_it_ : NULL; s; s = *++s##_it_)
