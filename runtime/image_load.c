/* SPDX-License-Identifier: MIT */
/* image_load: bring images in offline from an OCI layout tar (skopeo oci-archive:, buildah) or
 * a `docker save` archive (skopeo docker-archive:). The archive is unpacked into the store's
 * tmp/ with the same escape-proof unpacker as layers; every file it names is then opened
 * beneath that directory (RESOLVE_BENEATH: docker save links duplicate layers with relative
 * symlinks, but nothing may lead out), hashed and imported as a verified blob. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <sys/syscall.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/digest.h"
#include "runtime/image.h"
#include "runtime/image_internal.h"
#include "runtime/manifest.h"
#include "runtime/reference.h"
#include "runtime/store.h"
#include "runtime/unpack.h"

#define cleanup_json     CLEANUP(json_decrefp)
#define ANNOT_REF_NAME   "org.opencontainers.image.ref.name"
#define ANNOT_IMAGE_NAME "io.containerd.image.name"

struct load {
        struct store *store;
        const char *archive;
        char *tmp;   /* extraction dir (store tmp/) */
        int dirfd;   /* of tmp */
        char **refs; /* loaded references (or IDs) */
};

static int open_member(struct load *l, const char *rel, struct berr **err)
{
        struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
                               .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
        int fd = (int)syscall(SYS_openat2, l->dirfd, rel, &how, sizeof(how));

        if (fd < 0)
                return berr_set(err, errno, "`%s`: open `%s` in the archive", l->archive, rel);
        return fd;
}

static int read_member(struct load *l, const char *rel, size_t max, char **ret_buf, size_t *ret_len,
                       struct berr **err)
{
        cleanup_close int fd = open_member(l, rel, err);

        if (fd < 0)
                return fd;
        if (read_all(fd, max, ret_buf, ret_len, err) < 0)
                return berr_wrap(err, "`%s`: read `%s`", l->archive, rel);
        return 0;
}

/* Import a member as a blob: verified against `digest` when given, else hashed first. */
static int import_member(struct load *l, const char *rel, const char *digest, char **ret_digest,
                         int64_t *ret_size, struct berr **err)
{
        cleanup_close int fd = open_member(l, rel, err);
        cleanup_free char *computed = NULL;
        struct store_writer *w = NULL;
        char buf[65536];
        int64_t size = 0;
        int r;

        if (fd < 0)
                return fd;
        if (!digest) {
                r = digest_fd(fd, &computed, err);
                if (r < 0)
                        return r;
                digest = computed;
                if (lseek(fd, 0, SEEK_SET) < 0)
                        return berr_set(err, errno, "seek `%s`", rel);
        }
        r = store_blob_begin(l->store, digest, -1, &w, err);
        for (ssize_t n; r >= 0 && (n = read(fd, buf, sizeof(buf))) != 0;) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r = berr_set(err, errno, "read `%s`", rel);
                else {
                        r = store_blob_write(w, buf, (size_t)n, err);
                        size += n;
                }
        }
        if (r < 0) {
                store_blob_abort(w);
                return r;
        }
        r = store_blob_commit(w, err);
        if (r < 0)
                return berr_wrap(err, "`%s`: `%s`", l->archive, rel);
        if (ret_digest)
                *ret_digest = xstrdup(digest);
        if (ret_size)
                *ret_size = size;
        return 0;
}

/* Unpack the layers of an image whose blobs are in the store, then record it. */
static int finish_image(struct load *l, const char *manifest_digest, const char *name,
                        struct berr **err)
{
        struct manifest m = {0};
        struct image_config c = {0};
        cleanup_free char *key = NULL;
        int r;

        r = image_read(l->store, manifest_digest, &m, &c, err);
        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && i < m.n_layers; i++)
                r = image_ensure_layer(l->store, m.layers[i].digest, c.diff_ids[i], err);
        if (r >= 0) {
                key = name ? xstrdup(name) : xstrdup(m.config.digest);
                r = store_ref_set(l->store, key, manifest_digest, m.config.digest, err);
        }
        if (r >= 0)
                l->refs = strv_push(l->refs, key);
        manifest_done(&m);
        image_config_done(&c);
        return r;
}

/* ---- OCI layout ----------------------------------------------------------------------------- */

static char *blob_rel(const char *digest)
{
        return xasprintf("blobs/sha256/%s", digest_hex(digest));
}

static int oci_import_manifest(struct load *l, const char *digest, struct manifest *ret,
                               struct berr **err)
{
        cleanup_free char *rel = blob_rel(digest), *buf = NULL;
        size_t len;
        int r;

        r = import_member(l, rel, digest, NULL, NULL, err);
        if (r < 0)
                return r;
        r = read_member(l, rel, MANIFEST_MAX_SIZE, &buf, &len, err);
        if (r < 0)
                return r;
        r = manifest_parse(buf, len, NULL, ret, err);
        return r < 0 ? berr_wrap(err, "`%s`: manifest %s", l->archive, digest) : 0;
}

static char *oci_name(json_t *entry)
{
        json_t *ann = json_object_get(entry, "annotations");
        const char *full = json_string_value(json_object_get(ann, ANNOT_IMAGE_NAME));
        const char *ref = json_string_value(json_object_get(ann, ANNOT_REF_NAME));
        struct reference r = {0};
        struct berr *tmp = NULL;
        char *out = NULL;

        /* a bare tag ("latest") names no repository: the image is loaded untagged */
        if (!full && ref && (strchr(ref, '/') || strchr(ref, ':')))
                full = ref;
        if (full && reference_parse(full, &r, &tmp) == 0)
                out = reference_string(&r);
        berr_free(tmp);
        reference_done(&r);
        return out;
}

static int oci_load_entry(struct load *l, json_t *entry, struct berr **err)
{
        const char *digest = json_string_value(json_object_get(entry, "digest"));
        cleanup_free char *name = oci_name(entry), *chosen = NULL;
        struct manifest m = {0};
        int r;

        if (!digest || !reference_digest_valid(digest))
                return berr_msg(err, EINVAL, "`%s`: index.json entry without a valid digest",
                                l->archive);
        r = oci_import_manifest(l, digest, &m, err);
        chosen = xstrdup(digest);
        if (r >= 0 && manifest_is_index(&m)) {
                struct platform p;
                const struct descriptor *d;

                platform_host(&p);
                r = manifest_select(&m, &p, &d, err);
                platform_done(&p);
                if (r >= 0) {
                        free(chosen);
                        chosen = xstrdup(d->digest);
                        manifest_done(&m);
                        r = oci_import_manifest(l, chosen, &m, err);
                }
        }
        if (r >= 0 && manifest_is_index(&m))
                r = berr_msg(err, EINVAL, "`%s`: nested index %s", l->archive, chosen);
        for (size_t i = 0; r >= 0 && !manifest_is_index(&m) && i <= m.n_layers; i++) {
                const struct descriptor *d = i == m.n_layers ? &m.config : &m.layers[i];
                cleanup_free char *rel = blob_rel(d->digest);

                r = import_member(l, rel, d->digest, NULL, NULL, err);
        }
        manifest_done(&m);
        if (r < 0)
                return r;
        return finish_image(l, chosen, name, err);
}

static int load_oci(struct load *l, struct berr **err)
{
        cleanup_free char *buf = NULL;
        cleanup_json json_t *root = NULL;
        json_t *arr, *entry;
        size_t len, i;
        int r;

        r = read_member(l, "index.json", MANIFEST_MAX_SIZE, &buf, &len, err);
        if (r < 0)
                return r;
        root = json_loadb(buf, len, 0, NULL);
        arr = json_object_get(root, "manifests");
        if (!json_is_array(arr) || json_array_size(arr) == 0)
                return berr_msg(err, EINVAL, "`%s`: index.json lists no manifests", l->archive);
        json_array_foreach(arr, i, entry)
        {
                r = oci_load_entry(l, entry, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- docker save ---------------------------------------------------------------------------- */

static const char *sniff_layer_type(struct load *l, const char *rel)
{
        cleanup_close int fd = open_member(l, rel, NULL);
        unsigned char m[4] = {0};

        if (fd >= 0 && read(fd, m, 4) == 4) {
                if (m[0] == 0x1f && m[1] == 0x8b)
                        return MEDIA_OCI_LAYER_GZ;
                if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
                        return MEDIA_OCI_LAYER_ZSTD;
        }
        return MEDIA_OCI_LAYER;
}

/* A manifest.json entry -> blobs + a synthesized OCI manifest. */
static int docker_import(struct load *l, json_t *entry, char **ret_manifest, struct berr **err)
{
        const char *cfg = json_string_value(json_object_get(entry, "Config"));
        json_t *layers = json_object_get(entry, "Layers"), *v;
        cleanup_json json_t *man = NULL;
        cleanup_free char *cdig = NULL, *text = NULL;
        json_t *ldescs = json_array();
        int64_t csize;
        size_t i;
        int r;

        if (!cfg || !json_is_array(layers)) {
                json_decref(ldescs);
                return berr_msg(err, EINVAL, "`%s`: manifest.json entry lacks Config or Layers",
                                l->archive);
        }
        r = import_member(l, cfg, NULL, &cdig, &csize, err);
        json_array_foreach(layers, i, v)
        {
                cleanup_free char *ldig = NULL;
                int64_t lsize;

                if (r < 0)
                        break;
                if (!json_is_string(v)) {
                        r = berr_msg(err, EINVAL, "`%s`: Layers[%zu] is not a path", l->archive, i);
                        break;
                }
                r = import_member(l, json_string_value(v), NULL, &ldig, &lsize, err);
                if (r >= 0)
                        json_array_append_new(ldescs,
                                              json_pack("{s:s, s:s, s:I}", "mediaType",
                                                        sniff_layer_type(l, json_string_value(v)),
                                                        "digest", ldig, "size", (json_int_t)lsize));
        }
        if (r < 0) {
                json_decref(ldescs);
                return r;
        }
        man = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
                        MEDIA_OCI_MANIFEST, "config", "mediaType", MEDIA_OCI_CONFIG, "digest", cdig,
                        "size", (json_int_t)csize, "layers", ldescs);
        text = json_dumps(man, JSON_COMPACT);
        return store_put_blob(l->store, text, strlen(text), NULL, ret_manifest, err);
}

static int load_docker(struct load *l, struct berr **err)
{
        cleanup_free char *buf = NULL;
        cleanup_json json_t *root = NULL;
        json_t *entry;
        size_t len, i;
        int r;

        r = read_member(l, "manifest.json", MANIFEST_MAX_SIZE, &buf, &len, err);
        if (r < 0)
                return r;
        root = json_loadb(buf, len, 0, NULL);
        if (!json_is_array(root) || json_array_size(root) == 0)
                return berr_msg(err, EINVAL, "`%s`: manifest.json lists no images", l->archive);
        json_array_foreach(root, i, entry)
        {
                cleanup_free char *mdig = NULL;
                json_t *tags = json_object_get(entry, "RepoTags"), *t;
                size_t j;

                r = docker_import(l, entry, &mdig, err);
                if (r >= 0 && json_array_size(tags) == 0)
                        r = finish_image(l, mdig, NULL, err);
                json_array_foreach(tags, j, t)
                {
                        struct reference ref = {0};
                        cleanup_free char *name = NULL;

                        if (r < 0)
                                break;
                        r = reference_parse(json_string_value(t) ? json_string_value(t) : "", &ref,
                                            err);
                        if (r < 0)
                                break;
                        name = reference_string(&ref);
                        reference_done(&ref);
                        r = finish_image(l, mdig, name, err);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- entry point ---------------------------------------------------------------------------- */

static int extract(struct load *l, struct berr **err)
{
        cleanup_close int in = open(l->archive, O_RDONLY | O_CLOEXEC);
        struct unpack_result res = {0};
        int r;

        if (in < 0)
                return berr_set(err, errno, "open `%s`", l->archive);
        r = store_layer_tmpdir(l->store, &l->tmp, err);
        if (r < 0)
                return r;
        l->dirfd = open(l->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (l->dirfd < 0)
                return berr_set(err, errno, "open `%s`", l->tmp);
        r = unpack_layer(in, l->dirfd, l->archive, &res, err);
        unpack_result_done(&res);
        return r;
}

static bool has_member(struct load *l, const char *rel)
{
        cleanup_close int fd = open_member(l, rel, NULL);

        return fd >= 0;
}

static int load_run(struct load *l, struct berr **err)
{
        cleanup_close int gc = store_lock_gc(l->store, false, err);
        int r;

        if (gc < 0)
                return gc;
        r = extract(l, err);
        if (r < 0)
                return r;
        if (has_member(l, "oci-layout") && has_member(l, "index.json"))
                return load_oci(l, err);
        if (has_member(l, "manifest.json"))
                return load_docker(l, err);
        return berr_msg(err, EINVAL,
                        "`%s`: neither an OCI layout (oci-layout, index.json) nor a docker save "
                        "archive (manifest.json)",
                        l->archive);
}

int image_load(const char *root, const char *archive_path, char ***ret_refs, struct berr **err)
{
        struct load l = {.archive = archive_path, .dirfd = -1};
        int r;

        r = store_open(root, &l.store, err);
        if (r < 0)
                return r;
        r = load_run(&l, err);
        if (l.dirfd >= 0)
                close(l.dirfd);
        if (l.tmp) {
                struct berr *tmp = NULL;

                (void)store_remove_tree(l.store, l.tmp, &tmp);
                berr_free(tmp);
                free(l.tmp);
        }
        store_free(l.store);
        if (r < 0) {
                strv_free(l.refs);
                return berr_wrap(err, "load");
        }
        *ret_refs = l.refs ? l.refs : xcalloc(1, sizeof(char *));
        return 0;
}
