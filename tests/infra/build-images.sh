#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build (or reuse from cache) the berth test images as OCI image layouts, offline from the
# Debian archive with mmdebstrap + umoci. Reproducible: fixed SOURCE_DATE_EPOCH, clamped mtimes.
#
#   build-images.sh [NAME...]      default: all (busybox layers base redis nginx postgres)
#
# Output: $BERTH_IMG_CACHE/oci/<name>            -> symlink to <name>-<key>/ (OCI layout, tag "latest")
#         $BERTH_IMG_CACHE/oci/busybox-arm64     real arm64 busybox (not runnable here)
#         $BERTH_IMG_CACHE/oci/busybox-multi     OCI index: amd64 + arm64 busybox
# <key> = hash of recipe + tooling + suite + parent key, so a warm run is only
# a few stat() calls. Debian packages are cached in $BERTH_IMG_CACHE/debs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL_IMAGES=(busybox layers base redis nginx postgres)
NATIVE_ARCH=$(dpkg --print-architecture)
OCI_DIR=$BERTH_IMG_CACHE/oci
DEBS=$BERTH_IMG_CACHE/debs
TMPROOT=$BERTH_IMG_CACHE/tmp
EXCLUDES=$IMG_TOOLS_DIR/recipes/dpkg-excludes.cfg
mkdir -p "$OCI_DIR" "$DEBS" "$TMPROOT"

layout_name() { # name arch
  if [ "$2" = "$NATIVE_ARCH" ]; then echo "$1"; else echo "$1-$2"; fi
}

# key of an image = hash(tooling, recipe, suite, epoch, arch, parent key)
image_key() { # name arch
  local name=$1 arch=$2 parent=""
  local FROM="" KIND=""
  # shellcheck disable=SC1090
  FROM=$(source "$IMG_TOOLS_DIR/recipes/$name.sh"; echo "${FROM:-}")
  [ -z "$FROM" ] || parent=$(image_key "$FROM" "$arch")
  # lib.sh is deliberately not hashed (host package list etc. must not force rebuilds)
  hash_key "$IMG_TOOLS_DIR/build-images.sh" \
    "$IMG_TOOLS_DIR/recipes/$name.sh" "$EXCLUDES" \
    "suite=$BERTH_SUITE" "epoch=$BERTH_IMG_EPOCH" "sde=$SOURCE_DATE_EPOCH" "arch=$arch" "parent=$parent"
}

mmdebstrap_common() { # prints nothing; fills MM array
  MM=(mmdebstrap --quiet
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
      --aptopt='Acquire::Languages "none"'
      --skip=essential/unlink,output/dev
      --setup-hook='mkdir -p "$1"/var/cache/apt/archives/'
      --setup-hook="sync-in $DEBS /var/cache/apt/archives/"
      --customize-hook="sync-out /var/cache/apt/archives $DEBS")
}

# fetch the busybox-static binary for ARCH from the Debian archive (works cross-arch:
# the extract variant runs nothing from the packages)
fetch_busybox() { # arch out
  local arch=$1 out=$2 tmp
  tmp=$(mktemp -d "$TMPROOT/bb.XXXXXX")
  mmdebstrap_common
  "${MM[@]}" --architectures="$arch" --variant=extract --include=busybox-static \
    --skip=check/qemu "$BERTH_SUITE" "$tmp/bb.tar" "$BERTH_APT_SOURCES" >&2
  # merged-/usr: the binary lands in ./usr/bin (./bin is a symlink)
  tar -xOf "$tmp/bb.tar" "$(tar -tf "$tmp/bb.tar" | grep -m1 -E '^\./(usr/)?bin/busybox$')" > "$out"
  chmod 0755 "$out"
  rm -rf "$tmp"
}

# umoci flow: start layout (empty or copy of parent), unpack, replace rootfs, repack
repack_from_rootfs() { # work rootfs parent_layout_or_empty created_by
  local work=$1 rootfs=$2 parent=$3 created_by=$4
  if [ -n "$parent" ]; then
    cp -a "$parent/." "$work/oci/"
    rm -f "$work/oci/.berth-key"
  else
    umoci init --layout "$work/oci"
    umoci new --image "$work/oci:latest"
  fi
  umoci unpack --image "$work/oci:latest" "$work/bundle" >/dev/null
  rsync -aHAX --numeric-ids --delete "$rootfs/" "$work/bundle/rootfs/"
  umoci repack --image "$work/oci:latest" --history.created "$(ts_rfc3339)" \
    --history.created_by "$created_by" "$work/bundle"
  rm -rf "$work/bundle"
}

apply_config() { # work arch CONFIG_ARGS...
  local work=$1 arch=$2; shift 2
  umoci config --image "$work/oci:latest" --no-history \
    --clear=config.env --clear=config.cmd --clear=config.entrypoint --clear=config.labels \
    --clear=config.exposedports --clear=config.volume \
    --created "$(ts_rfc3339)" --author "berth test images" --os linux --architecture "$arch" \
    "$@"
  umoci gc --layout "$work/oci"
  chmod -R a+rX "$work/oci"
}

build_one() { # name arch key out
  local name=$1 arch=$2 key=$3 out=$4 work t0
  t0=$(now)
  work=$(mktemp -d "$TMPROOT/$name.XXXXXX")
  mkdir -p "$work/rootfs"
  (
    KIND="" FROM="" PACKAGES="" DESCRIPTION="" EXTRA_DPKGOPT=() CONFIG_ARGS=()
    # shellcheck disable=SC1090
    source "$IMG_TOOLS_DIR/recipes/$name.sh"
    parent=""
    [ -z "$FROM" ] || parent=$(readlink -f "$OCI_DIR/$(layout_name "$FROM" "$arch")")
    case $KIND in
      debian)
        mmdebstrap_common
        dpkgopts=(--dpkgopt="$EXCLUDES")
        for o in "${EXTRA_DPKGOPT[@]}"; do dpkgopts+=(--dpkgopt="$o"); done
        "${MM[@]}" --variant=essential --architectures="$arch" \
          ${PACKAGES:+--include="${PACKAGES// /,}"} "${dpkgopts[@]}" \
          "$BERTH_SUITE" "$work/rootfs" "$BERTH_APT_SOURCES" >&2
        rm -rf "${work:?}"/rootfs/dev/* 2>/dev/null || true
        : > "$work/rootfs/etc/resolv.conf"; : > "$work/rootfs/etc/hostname"
        rm -f "$work/rootfs/etc/machine-id" "$work/rootfs/var/lib/dbus/machine-id"
        recipe_customize "$work/rootfs"
        clamp_mtimes "$work/rootfs"
        repack_from_rootfs "$work" "$work/rootfs" "$parent" "berth-test $name: ${PACKAGES:-essential}"
        ;;
      custom)
        fetch_busybox "$arch" "$work/busybox"
        recipe_rootfs "$work/rootfs" "$arch" "$work/busybox"
        clamp_mtimes "$work/rootfs"
        repack_from_rootfs "$work" "$work/rootfs" "" "berth-test $name"
        ;;
      layers)
        build_layers "$work" "$parent"
        ;;
      *) die "unknown KIND=$KIND in recipe $name" ;;
    esac
    apply_config "$work" "$arch" "${CONFIG_ARGS[@]}"
  )
  rm -rf "$work/rootfs"
  echo "$key" > "$work/oci/.berth-key"
  rm -rf "$out"; mv "$work/oci" "$out"; rm -rf "$work"
  log "built $(basename "$out") in $(elapsed "$t0")s ($(du -sh "$out" | cut -f1))"
}

# layers image: parent(busybox) + L2 (adds) + L3 (deletes/changes via umoci diff)
#               + L4 (raw tar with an opaque whiteout)
build_layers() { # work parent_layout
  local work=$1 parent=$2 b r ts
  ts=$(ts_rfc3339)
  cp -a "$parent/." "$work/oci/"; rm -f "$work/oci/.berth-key"
  b=$work/bundle; r=$b/rootfs
  # L2: additions
  umoci unpack --image "$work/oci:latest" "$b" >/dev/null
  mkdir -p "$r/etc/app/keep" "$r/data" "$r/hl" "$r/mode" "$r/replace"
  echo old > "$r/etc/app/old.conf"; echo x > "$r/etc/app/keep/x"
  echo a > "$r/data/a.txt"; echo gone > "$r/etc/gone"; echo layer2 > "$r/etc/motd"
  echo hl > "$r/hl/a"; ln "$r/hl/a" "$r/hl/b"; ln -s /etc/motd "$r/link"
  echo m > "$r/mode/file"; chmod 0644 "$r/mode/file"; echo in-dir > "$r/replace/f"
  clamp_mtimes "$r"
  umoci repack --image "$work/oci:latest" --history.created "$ts" --history.created_by "berth-test layers: L2 adds" "$b"
  rm -rf "$b"
  # L3: deletions and changes -> umoci emits .wh. whiteouts
  umoci unpack --image "$work/oci:latest" "$b" >/dev/null
  rm -f "$r/etc/gone"; rm -rf "$r/data" "$r/replace"; echo now-a-file > "$r/replace"
  chmod 0600 "$r/mode/file"; touch -d "@$((SOURCE_DATE_EPOCH + 60))" "$r/mode/file"
  clamp_mtimes "$r"
  umoci repack --image "$work/oci:latest" --history.created "$ts" --history.created_by "berth-test layers: L3 whiteouts" "$b"
  rm -rf "$b"
  # L4: opaque directory, written as a raw tar (umoci never emits opaque markers)
  mkdir -p "$work/l4/etc/app"; : > "$work/l4/etc/app/.wh..wh..opq"; echo new > "$work/l4/etc/app/new.conf"
  tar -C "$work/l4" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    -cf "$work/l4.tar" etc
  umoci raw add-layer --image "$work/oci:latest" --history.created "$ts" \
    --history.created_by "berth-test layers: L4 opaque dir" "$work/l4.tar"
  rm -rf "$work/l4" "$work/l4.tar"
  # self-check of the expected final tree via umoci's own (flattening) unpack
  umoci unpack --image "$work/oci:latest" "$b" >/dev/null
  [ "$(ls -A "$r/etc/app")" = new.conf ] || die "layers: opaque dir check failed: $(ls -A "$r/etc/app")"
  [ ! -e "$r/data" ] && [ ! -e "$r/etc/gone" ] || die "layers: whiteout check failed"
  [ -f "$r/replace" ] && [ "$(stat -c %a "$r/mode/file")" = 600 ] || die "layers: change check failed"
  [ "$(stat -c %i "$r/hl/a")" = "$(stat -c %i "$r/hl/b")" ] || die "layers: hardlink check failed"
  rm -rf "$b"
}

# OCI index with the amd64 + arm64 busybox manifests (for platform resolution tests)
build_multi() {
  local key out amd arm work d idx
  amd=$(readlink -f "$OCI_DIR/busybox"); arm=$(readlink -f "$OCI_DIR/busybox-arm64")
  key=$(hash_key "$IMG_TOOLS_DIR/build-images.sh" "$(cat "$amd/.berth-key" "$arm/.berth-key")")
  out=$OCI_DIR/busybox-multi-$key
  if [ -f "$out/.berth-key" ]; then ln -sfn "$(basename "$out")" "$OCI_DIR/busybox-multi"; return; fi
  find "$OCI_DIR" -maxdepth 1 -type d -regextype posix-extended -regex ".*/busybox-multi-[0-9a-f]{16}" \
    -exec rm -rf {} + 2>/dev/null || true
  work=$(mktemp -d "$TMPROOT/multi.XXXXXX"); mkdir -p "$work/oci/blobs/sha256"
  cp -a "$amd/blobs/sha256/." "$arm/blobs/sha256/." "$work/oci/blobs/sha256/"
  cp "$amd/oci-layout" "$work/oci/"
  idx=$(jq -n --argjson a "$(jq '.manifests[0] | del(.annotations)' "$amd/index.json")" \
              --argjson b "$(jq '.manifests[0] | del(.annotations)' "$arm/index.json")" \
    '{schemaVersion:2, mediaType:"application/vnd.oci.image.index.v1+json",
      manifests:[ ($a + {platform:{architecture:"amd64",os:"linux"}}),
                  ($b + {platform:{architecture:"arm64",os:"linux",variant:"v8"}}) ]}')
  printf '%s' "$idx" > "$work/idx.json"
  d=$(sha256sum "$work/idx.json" | cut -d' ' -f1)
  mv "$work/idx.json" "$work/oci/blobs/sha256/$d"
  jq -n --arg d "sha256:$d" --argjson s "$(stat -c %s "$work/oci/blobs/sha256/$d")" \
    '{schemaVersion:2, manifests:[{mediaType:"application/vnd.oci.image.index.v1+json",
      digest:$d, size:$s, annotations:{"org.opencontainers.image.ref.name":"latest"}}]}' > "$work/oci/index.json"
  chmod -R a+rX "$work/oci"; echo "$key" > "$work/oci/.berth-key"
  rm -rf "$out"; mv "$work/oci" "$out"; rm -rf "$work"
  ln -sfn "$(basename "$out")" "$OCI_DIR/busybox-multi"
  log "built busybox-multi (index sha256:${d:0:12})"
}

# busybox with its layer recompressed as zstd (skopeo 1.9 reuses the gzip blob as is)
build_zstd() {
  local key out src work cfg mf layer d dz sz idx
  src=$(readlink -f "$OCI_DIR/busybox")
  key=$(hash_key "$IMG_TOOLS_DIR/build-images.sh" "$(cat "$src/.berth-key")" zstd)
  out=$OCI_DIR/busybox-zstd-$key
  if [ -f "$out/.berth-key" ]; then ln -sfn "$(basename "$out")" "$OCI_DIR/busybox-zstd"; return; fi
  find "$OCI_DIR" -maxdepth 1 -type d -regextype posix-extended -regex ".*/busybox-zstd-[0-9a-f]{16}" \
    -exec rm -rf {} + 2>/dev/null || true
  work=$(mktemp -d "$TMPROOT/zstd.XXXXXX"); mkdir -p "$work/oci/blobs/sha256"
  cp "$src/oci-layout" "$work/oci/"
  mf=$(jq -r '.manifests[0].digest' "$src/index.json"); mf=${mf#sha256:}
  cfg=$(jq -r '.config.digest' "$src/blobs/sha256/$mf"); cfg=${cfg#sha256:}
  layer=$(jq -r '.layers[0].digest' "$src/blobs/sha256/$mf"); layer=${layer#sha256:}
  cp "$src/blobs/sha256/$cfg" "$work/oci/blobs/sha256/"
  gzip -dc "$src/blobs/sha256/$layer" | zstd -q -19 -o "$work/layer.zst"
  dz=$(sha256sum "$work/layer.zst" | cut -d' ' -f1); sz=$(stat -c %s "$work/layer.zst")
  mv "$work/layer.zst" "$work/oci/blobs/sha256/$dz"
  jq -c --arg d "sha256:$dz" --argjson s "$sz" \
    '.layers[0].digest=$d | .layers[0].size=$s | .layers[0].mediaType="application/vnd.oci.image.layer.v1.tar+zstd"' \
    "$src/blobs/sha256/$mf" > "$work/m.json"
  d=$(sha256sum "$work/m.json" | cut -d' ' -f1)
  mv "$work/m.json" "$work/oci/blobs/sha256/$d"
  jq -n --arg d "sha256:$d" --argjson s "$(stat -c %s "$work/oci/blobs/sha256/$d")" \
    '{schemaVersion:2, manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",
      digest:$d, size:$s, annotations:{"org.opencontainers.image.ref.name":"latest"}}]}' > "$work/oci/index.json"
  chmod -R a+rX "$work/oci"; echo "$key" > "$work/oci/.berth-key"
  rm -rf "$out"; mv "$work/oci" "$out"; rm -rf "$work"
  ln -sfn "$(basename "$out")" "$OCI_DIR/busybox-zstd"
  log "built busybox-zstd (manifest sha256:${d:0:12})"
}

ensure_image() { # name
  local name=$1 FROM="" ARCHES="" arch key lname out
  # shellcheck disable=SC1090
  FROM=$(source "$IMG_TOOLS_DIR/recipes/$name.sh"; echo "${FROM:-}")
  ARCHES=$(source "$IMG_TOOLS_DIR/recipes/$name.sh"; echo "${ARCHES:-$NATIVE_ARCH}")
  [ -z "$FROM" ] || ensure_image "$FROM"
  for arch in $ARCHES; do
    lname=$(layout_name "$name" "$arch")
    key=$(image_key "$name" "$arch")
    out=$OCI_DIR/$lname-$key
    if [ -f "$out/.berth-key" ]; then
      [ "$(readlink "$OCI_DIR/$lname" 2>/dev/null)" = "$lname-$key" ] || ln -sfn "$lname-$key" "$OCI_DIR/$lname"
      continue
    fi
    log "building $lname (key $key)"
    build_one "$name" "$arch" "$key" "$out"
    ln -sfn "$lname-$key" "$OCI_DIR/$lname"
    # prune stale builds of this layout
    find "$OCI_DIR" -maxdepth 1 -type d -name "$lname-*" ! -name "$lname-$key" \
      -regextype posix-extended -regex ".*/$lname-[0-9a-f]{16}" -exec rm -rf {} + 2>/dev/null || true
  done
}

main() {
  local t0 names=("$@")
  t0=$(now)
  ((${#names[@]})) || names=("${ALL_IMAGES[@]}")
  ensure_host_pkgs
  exec 9>"$BERTH_IMG_CACHE/.build.lock"; flock 9   # one builder at a time
  rm -rf "${TMPROOT:?}"/* 2>/dev/null || true         # leftovers of an interrupted build
  for n in "${names[@]}"; do
    [ -f "$IMG_TOOLS_DIR/recipes/$n.sh" ] || die "no recipe $n"
    ensure_image "$n"
  done
  if [ -e "$OCI_DIR/busybox" ] && [ -e "$OCI_DIR/busybox-arm64" ]; then build_multi; fi
  if [ -e "$OCI_DIR/busybox" ]; then build_zstd; fi
  log "images ready in $(elapsed "$t0")s under $OCI_DIR"
}

main "$@"
