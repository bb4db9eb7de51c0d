/* SPDX-License-Identifier: MIT */
#include "orchestrator/project_record.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/state.h"

int project_record_files(const char *root, const char *project, char *const *files,
                         struct berr **err)
{
        cleanup_free char *dir = state_project_dir(root, project);
        cleanup_free char *path = xasprintf("%s/config_files", dir);
        struct strbuf b = STRBUF_INIT;
        int r;

        if (mkdir_p(dir, 0700, err) < 0)
                return -(*err)->code;
        strv_foreach (f, files)
                strbuf_printf(&b, "%s\n", f);
        r = atomic_write_file(path, b.buf ? b.buf : "", b.len, 0600, err);
        strbuf_done(&b);
        return r;
}

char **project_record_read_files(const char *root, const char *project)
{
        cleanup_free char *dir = state_project_dir(root, project);
        cleanup_free char *path = xasprintf("%s/config_files", dir);
        cleanup_free char *text = NULL;
        struct berr *e = NULL;

        if (read_file(path, 1 << 16, &text, NULL, &e) < 0) {
                berr_free(e);
                return NULL;
        }
        return strv_split(text, "\n");
}
