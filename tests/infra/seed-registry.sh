#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Put the built test images into registry storage, cached.
#
#   seed-registry.sh            -> ensures $BERTH_REG_RUN/data holds all images
#
# 1. seed = $BERTH_IMG_CACHE/registry-seed/<key>, key = hash of every pushed layout's key.
#    Built once by pushing with skopeo into a throw-away registry on 127.0.0.1:<random>.
# 2. The runtime storage ($BERTH_REG_RUN/data) is a copy of the seed, so tests may
#    push/delete freely without dirtying the cache. Registries must be stopped while
#    the copy is replaced (testenv.sh handles the order).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OCI_DIR=$BERTH_IMG_CACHE/oci
SEEDS=$BERTH_IMG_CACHE/registry-seed
DATA=${BERTH_REG_DATA:-$BERTH_REG_RUN/data}

# repo:tag  <-  layout  [extra skopeo args]
PUSH_LIST=(
  "busybox:latest        busybox"
  "busybox:1.35          busybox"
  "busybox:arm64         busybox-arm64"
  "busybox:multi         busybox-multi   --all"
  "busybox:v2s2          busybox         --format v2s2"
  "busybox:multi-v2s2    busybox-multi   --all --format v2s2"
  "busybox:zstd          busybox-zstd"
  "layers:latest         layers"
  "debian-base:bookworm  base"
  "debian-base:latest    base"
  "redis:7               redis"
  "redis:latest          redis"
  "redis:v2s2            redis           --format v2s2"
  "nginx:1.22            nginx"
  "nginx:latest          nginx"
  "postgres:15           postgres"
  "postgres:latest       postgres"
)

seed_key() {
  local l keys=""
  for l in busybox busybox-arm64 busybox-multi busybox-zstd layers base redis nginx postgres; do
    [ -f "$OCI_DIR/$l/.berth-key" ] || die "missing layout $l: run build-images.sh first"
    keys+="$l=$(cat "$OCI_DIR/$l/.berth-key") "
  done
  hash_key "$IMG_TOOLS_DIR/seed-registry.sh" "$keys"
}

build_seed() { # out
  local out=$1 tmp pid port line repo layout args t0
  t0=$(now)
  tmp=$(mktemp -d "$SEEDS/.tmp.XXXXXX")
  cat > "$tmp/config.yml" <<EOF
version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $tmp/data}
  maintenance: {uploadpurging: {enabled: false}}
http: {addr: "127.0.0.1:0", secret: seed}
EOF
  docker-registry serve "$tmp/config.yml" > "$tmp/log" 2>&1 < /dev/null &
  pid=$!
  for _ in $(seq 100); do
    port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$tmp/log" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && wait_port "$port" 20 && break
    sleep 0.05
  done
  [ -n "$port" ] || { kill "$pid"; die "seed registry did not start: $(tail -3 "$tmp/log")"; }
  for line in "${PUSH_LIST[@]}"; do
    read -r repo layout args <<< "$line"
    # shellcheck disable=SC2086
    skopeo copy --quiet --dest-tls-verify=false $args \
      "oci:$OCI_DIR/$layout:latest" "docker://127.0.0.1:$port/$REPO_PREFIX/$repo" \
      || { kill "$pid"; die "push $repo failed"; }
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$out"; mv "$tmp/data" "$out"; rm -rf "$tmp"
  log "seeded registry storage ($(du -sh "$out" | cut -f1), ${#PUSH_LIST[@]} tags) in $(elapsed "$t0")s"
}

main() {
  local key seed t0
  if [ "${1:-}" = --is-current ]; then   # exit 0 if the runtime storage is up to date
    [ "$(cat "$DATA/.berth-seed" 2>/dev/null)" = "$(seed_key)" ]; return
  fi
  mkdir -p "$SEEDS"
  exec 9>"$SEEDS/.lock"; flock 9
  key=$(seed_key); seed=$SEEDS/$key
  [ -d "$seed" ] || build_seed "$seed"
  find "$SEEDS" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +   # prune old seeds
  if [ "$(cat "$DATA/.berth-seed" 2>/dev/null)" != "$key" ]; then
    t0=$(now)
    rm -rf "$DATA"; mkdir -p "$(dirname "$DATA")"
    cp -a "$seed" "$DATA"
    echo "$key" > "$DATA/.berth-seed"
    log "installed registry storage copy in $(elapsed "$t0")s"
  fi
}

main "$@"
