/* SPDX-License-Identifier: MIT */
/* A main() for replaying fuzz inputs without libFuzzer (ASan/UBSan builds in `make test`): each
 * argument is a file, or a directory whose regular files are fed one by one, in name order, to
 * LLVMFuzzerTestOneInput. Shared by every fuzz target (replay_<name> binaries). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        FILE *f = fopen(path, "rb");
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0, n;

        if (!f) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        do {
                if (len == cap) {
                        uint8_t *nb;

                        cap = cap ? cap * 2 : 65536;
                        nb = realloc(buf, cap);
                        if (!nb)
                                abort();
                        buf = nb;
                }
                n = fread(buf + len, 1, cap - len, f);
                len += n;
        } while (n > 0);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(const char *dir, size_t *count)
{
        struct dirent **ents = NULL;
        int n = scandir(dir, &ents, NULL, name_cmp), r = 0;

        if (n < 0) {
                fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
                return -1;
        }
        for (int i = 0; i < n; i++) {
                char path[4096];
                struct stat st;

                snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (run_file(path) < 0)
                                r = -1;
                        (*count)++;
                }
                free(ents[i]);
        }
        free(ents);
        return r;
}

int main(int argc, char **argv)
{
        size_t count = 0;
        int r = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
                        r = 1;
                } else if (S_ISDIR(st.st_mode)) {
                        r |= run_dir(argv[i], &count) < 0;
                } else {
                        r |= run_file(argv[i]) < 0;
                        count++;
                }
        }
        fprintf(stderr, "replay: %zu inputs\n", count);
        return r;
}
