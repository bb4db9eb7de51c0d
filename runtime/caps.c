/* SPDX-License-Identifier: MIT */
/* runtime/caps: see caps.h. */
#include "runtime/caps.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"

int caps_last(void)
{
        int n = (int)cap_max_bits();

        return n > 0 ? n - 1 : CAP_LAST_CAP;
}

int caps_from_name(const char *name)
{
        cleanup_free char *lc = NULL;
        cap_value_t v;

        if (!name || !*name)
                return -1;
        lc = xasprintf("%s%s", strncasecmp(name, "CAP_", 4) == 0 ? "" : "cap_", name);
        for (char *p = lc; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        if (cap_from_name(lc, &v) < 0 || v < 0 || v > 63)
                return -1;
        return v;
}

/* "Every capability" is every one the caller still has in its bounding set: a runtime that is
 * itself confined (a sandbox without CAP_SYS_RESOURCE, say) cannot hand out more. */
static uint64_t all_caps(void)
{
        uint64_t m = 0;

        for (int c = 0; c <= caps_last() && c < 64; c++)
                if (cap_get_bound((cap_value_t)c) == 1)
                        m |= UINT64_C(1) << c;
        return m;
}

static bool has_all(char *const *v)
{
        for (; v && *v; v++)
                if (strcasecmp(*v, "ALL") == 0 || strcasecmp(*v, "CAP_ALL") == 0)
                        return true;
        return false;
}

static int to_mask(char *const *v, const char *what, uint64_t *ret, struct berr **err)
{
        *ret = 0;
        for (; v && *v; v++) {
                int c;

                if (strcasecmp(*v, "ALL") == 0 || strcasecmp(*v, "CAP_ALL") == 0)
                        continue;
                c = caps_from_name(*v);
                if (c < 0)
                        return berr_msg(err, EINVAL, "%s: unknown capability \"%s\"", what, *v);
                *ret |= UINT64_C(1) << c;
        }
        return 0;
}

int caps_compute(bool privileged, char *const *add, char *const *drop, uint64_t *ret,
                 struct berr **err)
{
        uint64_t a, d;
        int r;

        if (privileged) {
                *ret = all_caps();
                return 0;
        }
        r = to_mask(add, "cap_add", &a, err);
        if (r < 0)
                return r;
        r = to_mask(drop, "cap_drop", &d, err);
        if (r < 0)
                return r;
        /* moby: ALL in cap_add wins over the defaults; ALL in cap_drop keeps only what is added. */
        if (has_all(add))
                *ret = all_caps() & ~d;
        else if (has_all(drop))
                *ret = a;
        else
                *ret = (CAPS_DOCKER_DEFAULT | a) & ~d;
        *ret &= all_caps();
        return 0;
}

int caps_apply_bounding(uint64_t caps, struct berr **err)
{
        for (int c = 0; c <= caps_last(); c++) {
                if (caps & (UINT64_C(1) << c))
                        continue;
                if (cap_drop_bound((cap_value_t)c) < 0 && errno != EINVAL)
                        return berr_set(err, errno, "drop capability %d from the bounding set", c);
        }
        /* One prctl; libcap's cap_reset_ambient() probes every capability first. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return berr_set(err, errno, "clear the ambient capabilities");
        return 0;
}

int caps_apply(uint64_t caps, bool is_root, struct berr **err)
{
        cap_t c = cap_init();
        int r = 0;

        if (!c)
                return berr_set(err, errno, "cap_init");
        if (is_root) {
                for (int i = 0; i <= caps_last(); i++) {
                        cap_value_t v = i;

                        if (!(caps & (UINT64_C(1) << i)))
                                continue;
                        if (cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
                            cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0) {
                                r = berr_set(err, errno, "cap_set_flag");
                                goto out;
                        }
                }
        }
        if (cap_set_proc(c) < 0)
                r = berr_set(err, errno, "set the process capabilities");
out:
        cap_free(c);
        return r;
}
