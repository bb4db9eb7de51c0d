/* SPDX-License-Identifier: MIT */
#include "orchestrator/images.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/progress.h"
#include "orchestrator/project.h"
#include "runtime/image.h"
#include "spec/spec.h"

static bool image_present(const char *root, const char *ref)
{
        struct image *img = NULL;
        struct berr *e = NULL;
        bool ok = image_open(root, ref, &img, &e) == 0;

        image_free(img);
        berr_free(e);
        return ok;
}

static int pull_one(const char *root, const char *svc, const char *ref, struct progress *pr,
                    struct berr **err)
{
        struct image_pull_opts o = {.progress = progress_pull, .userdata = pr};
        double t0 = progress_now();
        int r;

        progress_event(pr, "Image", ref, "Pulling", -1, false);
        free(pr->image_label);
        pr->image_label = xstrdup(ref);
        r = image_pull(root, ref, &o, NULL, err);
        progress_done(pr);
        if (r < 0) {
                progress_event(pr, "Image", ref, "Error", progress_now() - t0, true);
                return berr_wrap(err, "service `%s`", svc); /* image_pull() names the image */
        }
        progress_event(pr, "Image", ref, "Pulled", progress_now() - t0, false);
        return 0;
}

static int ensure_one(const char *root, const struct spec_service *s, const char *policy,
                      struct progress *pr, struct berr **err)
{
        const char *pol = policy ? policy : (s->pull_policy ? s->pull_policy : "missing");

        if (!s->image)
                return berr_msg(
                        err, ENOTSUP,
                        "service `%s`: has no image, and berth cannot build images yet (build:)",
                        s->name);
        if (strcmp(pol, "build") == 0)
                return berr_msg(err, ENOTSUP,
                                "service `%s`: pull_policy `build`: berth cannot build images yet",
                                s->name);
        if (strcmp(pol, "always") == 0)
                return pull_one(root, s->name, s->image, pr, err);
        if (image_present(root, s->image))
                return 0;
        if (strcmp(pol, "never") == 0)
                return berr_msg(
                        err, ENOENT,
                        "service `%s`: image `%s` is not in the store and pull_policy is never",
                        s->name, s->image);
        /* missing, if_not_present, daily, weekly, every_<d>: pull what is absent */
        return pull_one(root, s->name, s->image, pr, err);
}

int images_ensure(const char *root, const struct spec_project *p, char *const *services,
                  const char *policy, bool ignore_failures, struct progress *pr, struct berr **err)
{
        cleanup_strv char **done = NULL;

        for (size_t i = 0; i < p->nservices; i++) {
                const struct spec_service *s = &p->services[i];
                struct berr *e = NULL;

                if (!project_selected(s, services))
                        continue;
                if (s->image && strv_contains(done, s->image))
                        continue;
                if (ensure_one(root, s, policy, pr, &e) < 0) {
                        if (!ignore_failures) {
                                *err = e;
                                return -e->code;
                        }
                        berr_print(e, stderr);
                        berr_free(e);
                        continue;
                }
                if (s->image)
                        done = strv_push(done, s->image);
        }
        return 0;
}
