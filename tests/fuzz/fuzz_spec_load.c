/* SPDX-License-Identifier: MIT */
/* libFuzzer target over the whole compose loader: YAML -> interpolation -> normalisation ->
 * merge -> validation -> typed model -> both renderings, from an in-memory buffer with a fixed
 * environment and no access to other files. Inputs above 64 KiB are skipped. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "spec/spec.h"

static const char *const fuzz_env[][2] = {
        {"HOME", "/home/fuzz"}, {"TAG", "1.0"},   {"EMPTY", ""},
        {"PORT", "8080"},       {"USER", "fuzz"}, {"DIR", "./data"},
};

static const char *lookup(const char *name, void *ud)
{
        (void)ud;
        for (size_t i = 0; i < sizeof(fuzz_env) / sizeof(fuzz_env[0]); i++)
                if (strcmp(fuzz_env[i][0], name) == 0)
                        return fuzz_env[i][1];
        return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct spec_load_opts o = {
                .buffer = (const char *)data,
                .buffer_len = size,
                .buffer_name = "fuzz.yaml",
                .cwd = "/nonexistent/berth-fuzz",
                .no_external_files = true,
                .max_nodes = 100000, /* alias bombs are found at this size already */
        };
        struct spec_diags diags = {0};
        struct spec_project *p = NULL;
        struct berr *err = NULL;

        if (size > 65536)
                return 0;
        if (spec_project_load(&o, lookup, NULL, &p, &diags, &err) == 0) {
                free(spec_project_render(p, SPEC_FORMAT_JSON));
                free(spec_project_render(p, SPEC_FORMAT_YAML));
                spec_project_free(p);
        }
        for (size_t i = 0; i < diags.n; i++)
                free(spec_diag_format(&diags.v[i]));
        spec_diags_done(&diags);
        berr_free(err);
        return 0;
}
