/* SPDX-License-Identifier: MIT */
#include "orchestrator/project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/cli.h"
#include "spec/spec.h"

static const char *env_lookup(const char *name, void *ud)
{
        (void)ud;
        return getenv(name);
}

int project_load(const struct cli *cli, struct spec_project **ret)
{
        struct spec_load_opts lo = {0};
        struct spec_diags diags = {0};
        cleanup_berr struct berr *err = NULL;
        int r;

        lo.files = cli->files;
        lo.project_name = cli->project_name;
        lo.project_dir = cli->project_dir;
        lo.env_files = cli->env_files;
        lo.profiles = cli->profiles;
        r = spec_project_load(&lo, env_lookup, NULL, ret, &diags, &err);
        spec_diags_print(&diags, SPEC_WARNING, stderr);
        spec_diags_print(&diags, SPEC_ERROR, stderr);
        spec_diags_done(&diags);
        if (r < 0 && err)
                berr_print(err, stderr);
        return r < 0 ? 1 : 0;
}

bool project_selected(const struct spec_service *svc, char *const *names)
{
        return !names || !names[0] || strv_contains(names, svc->name);
}

int project_check_names(const struct spec_project *p, char *const *names)
{
        for (size_t i = 0; names && names[i]; i++) {
                if (!spec_project_service(p, names[i])) {
                        fprintf(stderr, "berth: no such service: %s\n", names[i]);
                        return 1;
                }
        }
        return 0;
}
