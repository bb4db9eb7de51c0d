/* SPDX-License-Identifier: MIT */
/* Fuzz target: runtime/unpack. The input is a layer (a tar stream, plain or compressed) unpacked
 * into <tmp>/root of a fresh temp dir. Afterwards <tmp> must hold exactly one entry, the
 * directory `root`: an entry that escaped the layer root (`..`, absolute path, symlink, hardlink)
 * would show up next to it. The tree is removed after every input. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include "common/error.h"
#include "runtime/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_DP || flag == FTW_D)
                chmod(path, 0700);
        if (remove(path) < 0) {
                perror(path);
                abort();
        }
        return 0;
}

/* Directories first made writable (an unpacked 0000 dir), then removed bottom-up, no symlink
 * followed, no mount crossed. */
static int chmod_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)ftw;
        if (flag == FTW_D && S_ISDIR(st->st_mode))
                chmod(path, 0700);
        return 0;
}

static void rm_tree(const char *path)
{
        nftw(path, chmod_dir, 16, FTW_PHYS | FTW_MOUNT);
        if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0) {
                perror(path);
                abort();
        }
}

/* Abort unless dir holds exactly one entry, the real directory `root`. */
static void check_only_root(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        struct stat st;
        char path[4096];
        int n = 0;

        if (!d)
                abort();
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (strcmp(de->d_name, "root") != 0) {
                        fprintf(stderr, "fuzz_layer_unpack: `%s` written outside the root\n",
                                de->d_name);
                        abort();
                }
                n++;
        }
        closedir(d);
        snprintf(path, sizeof(path), "%s/root", dir);
        if (n != 1 || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                fprintf(stderr, "fuzz_layer_unpack: the root was replaced\n");
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char tmp[] = "/tmp/berth-fuzz-unpack-XXXXXX";
        char root[sizeof(tmp) + 8];
        struct unpack_result res = {0};
        struct berr *err = NULL;
        int in, dir;

        if (size > 1024 * 1024)
                return 0;
        if (!mkdtemp(tmp))
                abort();
        snprintf(root, sizeof(root), "%s/root", tmp);
        if (mkdir(root, 0755) < 0)
                abort();
        dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        in = memfd_create("layer", MFD_CLOEXEC);
        if (dir < 0 || in < 0 || write(in, data, size) != (ssize_t)size ||
            lseek(in, 0, SEEK_SET) != 0)
                abort();
        if (unpack_layer(in, dir, "fuzz", &res, &err) == 0) {
                if (!res.diff_id || strncmp(res.diff_id, "sha256:", 7) != 0)
                        abort();
                unpack_result_done(&res);
        } else if (!err) {
                abort();
        }
        berr_free(err);
        close(in);
        close(dir);
        check_only_root(tmp);
        rm_tree(tmp);
        return 0;
}
