/* SPDX-License-Identifier: MIT */
/* Unit tests for spec/interpolate: every substitution form, errors, and dotenv parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spec/interpolate.h"

static const char *env[][2] = {
        {"HOST", "example.org"},
        {"EMPTY", ""},
        {"PORT", "8080"},
        {"X_1", "x1"},
};

static const char *lookup(const char *name, void *ud)
{
        (void)ud;
        for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
                if (strcmp(env[i][0], name) == 0)
                        return env[i][1];
        return NULL;
}

static int nmissing;
static char last_missing[64];

static void on_missing(const char *name, void *ud)
{
        (void)ud;
        nmissing++;
        strncpy(last_missing, name, sizeof(last_missing) - 1);
}

static void expect(const char *in, const char *out)
{
        struct spec_interp ip = {.lookup = lookup, .missing = on_missing};
        char *r = NULL, *m = NULL;

        assert_int_equal(spec_interpolate(&ip, in, &r, &m), 0);
        assert_string_equal(r, out);
        free(r);
}

static void expect_error(const char *in, const char *msg)
{
        struct spec_interp ip = {.lookup = lookup, .missing = on_missing};
        char *r = NULL, *m = NULL;

        assert_int_equal(spec_interpolate(&ip, in, &r, &m), -EINVAL);
        assert_null(r);
        assert_string_equal(m, msg);
        free(m);
}

static void test_plain_forms(void **state)
{
        (void)state;
        expect("no vars", "no vars");
        expect("$HOST", "example.org");
        expect("${HOST}", "example.org");
        expect("http://$HOST:$PORT/", "http://example.org:8080/");
        expect("${HOST}s", "example.orgs");
        expect("$X_1-y", "x1-y");
        expect("$$HOST", "$HOST");
        expect("$${HOST}", "${HOST}");
        expect("a$$", "a$");
        expect("", "");
}

static void test_defaults(void **state)
{
        (void)state;
        expect("${UNSET:-d}", "d");
        expect("${EMPTY:-d}", "d");
        expect("${HOST:-d}", "example.org");
        expect("${UNSET-d}", "d");
        expect("${EMPTY-d}", "");
        expect("${HOST-d}", "example.org");
        expect("${UNSET:-}", "");
        expect("${UNSET:-a b:c}", "a b:c");
        expect("${UNSET:-${HOST}}", "example.org");
        expect("${UNSET:-${ALSO:-${PORT}}}", "8080");
        expect("${UNSET:-$PORT}", "8080");
        expect("${UNSET:-$$}", "$");
}

static void test_alternatives(void **state)
{
        (void)state;
        expect("${HOST:+alt}", "alt");
        expect("${EMPTY:+alt}", "");
        expect("${UNSET:+alt}", "");
        expect("${HOST+alt}", "alt");
        expect("${EMPTY+alt}", "alt");
        expect("${UNSET+alt}", "");
        expect("${HOST:+${PORT}}", "8080");
}

static void test_required(void **state)
{
        (void)state;
        expect("${HOST:?need it}", "example.org");
        expect("${EMPTY?need it}", "");
        expect_error("${UNSET?}", "required variable UNSET is missing a value");
        expect_error("${UNSET:?set UNSET}",
                     "required variable UNSET is missing a value: set UNSET");
        expect_error("${EMPTY:?empty}", "required variable EMPTY is missing a value: empty");
        expect_error("${UNSET?$HOST}", "required variable UNSET is missing a value: example.org");
        /* an unused alternative is never evaluated */
        expect("${HOST:-${UNSET?x}}", "example.org");
}

static void test_missing_warns(void **state)
{
        (void)state;
        nmissing = 0;
        expect("a${NOPE}b", "ab");
        assert_int_equal(nmissing, 1);
        assert_string_equal(last_missing, "NOPE");
        expect("$NOPE2", "");
        assert_int_equal(nmissing, 2);
        expect("${NOPE3:-x}", "x");
        assert_int_equal(nmissing, 2);
}

static void test_invalid(void **state)
{
        (void)state;
        expect_error("a $ b", "invalid interpolation format for \"a $ b\"; you may need to escape "
                              "any $ with another $");
        expect_error("$", "invalid interpolation format for \"$\"; you may need to escape any $ "
                          "with another $");
        expect_error("${}", "invalid interpolation format for \"${}\"; you may need to escape any "
                            "$ with another $");
        expect_error("${HOST", "invalid interpolation format for \"${HOST\"; you may need to "
                               "escape any $ with another $");
        expect_error("${HOST:x}", "invalid interpolation format for \"${HOST:x}\"; you may need "
                                  "to escape any $ with another $");
        expect_error("$1", "invalid interpolation format for \"$1\"; you may need to escape any $ "
                           "with another $");
        expect_error("${A:-${B}", "invalid interpolation format for \"${A:-${B}\"; you may need "
                                  "to escape any $ with another $");
}

static void test_dotenv(void **state)
{
        static const char text[] = "# comment\n"
                                   "\n"
                                   "A=1\n"
                                   "export B = two words  # trailing\n"
                                   "C='single $A # kept'\n"
                                   "D=\"dq\\n$A\"\n"
                                   "E=${A}-${HOST}\n"
                                   "F=\"multi\nline\"\n"
                                   "G=\n"
                                   "H=a#b\n"
                                   "PORT=1\n";
        struct spec_dotenv d = {0};
        char *msg = NULL;
        int line = 0;

        (void)state;
        assert_int_equal(spec_dotenv_parse(text, strlen(text), lookup, NULL, &d, &line, &msg), 0);
        assert_string_equal(spec_dotenv_get(&d, "A"), "1");
        assert_string_equal(spec_dotenv_get(&d, "B"), "two words");
        assert_string_equal(spec_dotenv_get(&d, "C"), "single $A # kept");
        assert_string_equal(spec_dotenv_get(&d, "D"), "dq\n1");
        assert_string_equal(spec_dotenv_get(&d, "E"), "1-example.org");
        assert_string_equal(spec_dotenv_get(&d, "F"), "multi\nline");
        assert_string_equal(spec_dotenv_get(&d, "G"), "");
        assert_string_equal(spec_dotenv_get(&d, "H"), "a#b");
        assert_string_equal(spec_dotenv_get(&d, "PORT"), "1");
        assert_null(spec_dotenv_get(&d, "ZZ"));
        spec_dotenv_done(&d);
}

static void test_dotenv_errors(void **state)
{
        static const char *bad[][2] = {
                {"A=1\nnot a line\n", "2"},
                {"A=1\nB=\"open\n\n", "2"},
                {"=x\n", "1"},
                {"A='x' y\n", "1"},
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct spec_dotenv d = {0};
                char *msg = NULL;
                int line = 0;

                assert_int_equal(spec_dotenv_parse(bad[i][0], strlen(bad[i][0]), NULL, NULL, &d,
                                                   &line, &msg),
                                 -EINVAL);
                assert_int_equal(line, atoi(bad[i][1]));
                assert_non_null(msg);
                free(msg);
                spec_dotenv_done(&d);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain_forms),   cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_alternatives),  cmocka_unit_test(test_required),
                cmocka_unit_test(test_missing_warns), cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_dotenv),        cmocka_unit_test(test_dotenv_errors),
        };

        return cmocka_run_group_tests_name("spec/interpolate", tests, NULL, NULL);
}
