/* SPDX-License-Identifier: MIT */
#include "orchestrator/paused.h"

#include <stdlib.h>

#include "common/error.h"
#include "common/strv.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/state.h"
#include "runtime/freeze.h"

int paused_thaw_all(const char *root, const struct state_project *sp)
{
        return paused_thaw_services(root, sp, NULL);
}

int paused_thaw_services(const char *root, const struct state_project *sp, char *const *services)
{
        int n = 0;

        for (size_t i = 0; sp && i < sp->n_ctrs; i++) {
                char *cg;

                if (services && services[0] && !strv_contains(services, sp->ctrs[i].service))
                        continue;
                cg = ctr_query_cgroup(root, sp->ctrs[i].name);
                struct berr *e = NULL;

                if (cg && rt_frozen(cg)) {
                        n++;
                        if (rt_freeze(cg, false, &e) < 0)
                                berr_free(e);
                }
                free(cg);
        }
        return n;
}
