/* SPDX-License-Identifier: MIT */
/* spec/interpolate: compose's variable substitution in strings ($VAR, ${VAR}, ${VAR:-d},
 * ${VAR-d}, ${VAR:?msg}, ${VAR?msg}, ${VAR:+alt}, ${VAR+alt}, nested defaults, $$) and the dotenv
 * syntax of .env and --env-file files. The environment is a lookup callback: nothing here reads
 * the process environment. */
#pragma once

#include <stddef.h>

/* The value of name, or NULL when unset. */
typedef const char *(*spec_env_lookup_fn)(const char *name, void *userdata);

struct spec_interp {
        spec_env_lookup_fn lookup;
        void *userdata;
        /* Called for each variable used without a value and without a default. */
        void (*missing)(const char *name, void *userdata);
};

/* Substitute variables in s into *ret. On error returns -EINVAL and sets *ret_msg (caller
 * frees) to what went wrong, e.g. `required variable "DB" is missing a value: set it`. */
int spec_interpolate(const struct spec_interp *ip, const char *s, char **ret, char **ret_msg);

/* A parsed dotenv file: names and values in file order (later duplicates overwrite). */
struct spec_dotenv {
        char **names;
        char **values;
        size_t n, cap;
};

/* Parse dotenv text. Values may refer to earlier variables of the file or to lookup (which
 * wins, as the shell environment wins over .env). On a syntax error returns -EINVAL with *ret_line
 * and *ret_msg set. */
int spec_dotenv_parse(const char *text, size_t len, spec_env_lookup_fn lookup, void *userdata,
                      struct spec_dotenv *ret, int *ret_line, char **ret_msg);
const char *spec_dotenv_get(const struct spec_dotenv *d, const char *name);
void spec_dotenv_set(struct spec_dotenv *d, const char *name, const char *value);
void spec_dotenv_done(struct spec_dotenv *d);
