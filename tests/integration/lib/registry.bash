# SPDX-License-Identifier: MIT
# Helpers for image and registry tests: the loopback registries of tests/infra (started by
# tests/run.sh integration), credentials in a per-test DOCKER_CONFIG, raw pushes of hand-made
# images (crafted layers), the registries' storage, and a fake registry for faults.
#   load lib/registry

BERTH_TEST_LIB=${BERTH_TEST_LIB:-$BATS_TEST_DIRNAME/lib}

# Call from setup(): fail (not skip) when the environment is missing.
reg_setup() {
  if [ -z "${BERTH_TEST_REGISTRY:-}" ]; then
    echo "BERTH_TEST_REGISTRY is unset: run via tests/run.sh integration (tests/infra/testenv.sh up)" >&2
    return 1
  fi
  export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
  mkdir -p "$DOCKER_CONFIG"
  echo '{"auths":{}}' > "$DOCKER_CONFIG/config.json"
}

# reg_login HOST USER PASS: add base64 `auth` credentials for HOST to the test's config.json.
reg_login() {
  local auth
  auth=$(printf '%s:%s' "$2" "$3" | base64 -w0)
  jq --arg h "$1" --arg a "$auth" '.auths[$h] = {auth: $a}' "$DOCKER_CONFIG/config.json" > "$DOCKER_CONFIG/c.tmp"
  mv "$DOCKER_CONFIG/c.tmp" "$DOCKER_CONFIG/config.json"
}

# Path of a blob in the registries' shared storage.
reg_blob_path() {
  local hex=${1#sha256:}
  echo "$BERTH_TEST_REGISTRY_DATA/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# reg_upload_blob REGISTRY REPO FILE: monolithic upload; prints the digest.
reg_upload_blob() {
  local reg=$1 repo=$2 file=$3 digest loc
  digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
  loc=$(curl -fsS -X POST -D - -o /dev/null "http://$reg/v2/$repo/blobs/uploads/" |
        tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  case $loc in http*) ;; *) loc=http://$reg$loc ;; esac
  case $loc in *\?*) loc="$loc&digest=$digest" ;; *) loc="$loc?digest=$digest" ;; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "$loc" >/dev/null
  echo "$digest"
}

# reg_push_raw REGISTRY REPO TAG LAYER_FILE [DIFF_ID] [MEDIA_TYPE]: push a one-layer image whose
# layer is LAYER_FILE as is (crafted tars). DIFF_ID defaults to the sha256 of the
# decompressed file. Prints the manifest digest.
reg_push_raw() {
  local reg=$1 repo=$2 tag=$3 layer=$4 diff=${5:-} mt=${6:-application/vnd.oci.image.layer.v1.tar+gzip}
  local w=$BATS_TEST_TMPDIR/push.$$ ldig cdig lsize csize
  mkdir -p "$w"
  [ -n "$diff" ] || diff=sha256:$( (gzip -dc "$layer" 2>/dev/null || cat "$layer") | sha256sum | cut -d' ' -f1)
  jq -cn --arg d "$diff" '{architecture:"amd64",os:"linux",config:{Cmd:["/bin/sh"]},
    rootfs:{type:"layers",diff_ids:[$d]}}' > "$w/config.json"
  ldig=$(reg_upload_blob "$reg" "$repo" "$layer")
  cdig=$(reg_upload_blob "$reg" "$repo" "$w/config.json")
  lsize=$(stat -c %s "$layer"); csize=$(stat -c %s "$w/config.json")
  jq -cn --arg c "$cdig" --argjson cs "$csize" --arg l "$ldig" --argjson ls "$lsize" --arg mt "$mt" \
    '{schemaVersion:2, mediaType:"application/vnd.oci.image.manifest.v1+json",
      config:{mediaType:"application/vnd.oci.image.config.v1+json", digest:$c, size:$cs},
      layers:[{mediaType:$mt, digest:$l, size:$ls}]}' > "$w/manifest.json"
  curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$w/manifest.json" "http://$reg/v2/$repo/manifests/$tag" >/dev/null
  echo "sha256:$(sha256sum "$w/manifest.json" | cut -d' ' -f1)"
}

# A gzip'd layer with one file of random content (so its blob is unique to the test).
reg_unique_layer() {
  local out=$1 d=$BATS_TEST_TMPDIR/uniq.$$
  mkdir -p "$d/etc"
  head -c 4096 /dev/urandom | base64 > "$d/etc/unique"
  tar -C "$d" --owner=0 --group=0 --numeric-owner -czf "$out" etc
  rm -rf "$d"
}

# Files under $BERTH_ROOT/images/tmp (anything partial left by a failed pull).
store_tmp_entries() {
  find "$BERTH_ROOT/images/tmp" -mindepth 1 2>/dev/null | wc -l
}

# Every blob in the store hashes to its name (no partial or corrupt blob is visible).
store_blobs_verified() {
  local f
  for f in "$BERTH_ROOT"/images/blobs/sha256/*; do
    [ -e "$f" ] || continue
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "${f##*/}" ] || { echo "corrupt blob $f" >&2; return 1; }
  done
}

# fake_registry_start MODE [UPSTREAM]: a loopback HTTP server that fails on purpose (modes in
# fake_registry.py). Sets FAKE_PORT and FAKE_PID.
fake_registry_start() {
  local pf=$BATS_TEST_TMPDIR/fake.port
  rm -f "$pf"
  python3 "$BERTH_TEST_LIB/fake_registry.py" "$1" "${2:-}" "$pf" 3>&- 2>"$BATS_TEST_TMPDIR/fake.log" &
  FAKE_PID=$!
  for _ in $(seq 100); do [ -s "$pf" ] && break; sleep 0.05; done
  FAKE_PORT=$(cat "$pf")
  [ -n "$FAKE_PORT" ]
}

fake_registry_stop() {
  if [ -n "${FAKE_PID:-}" ]; then
    kill "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
    FAKE_PID=
  fi
}
