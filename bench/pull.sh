#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pull + unpack of the postgres test image from the local registry: berth vs skopeo copy +
# umoci unpack of the same image, side by side in one run. Each side starts from an empty store
# every round; the median of N rounds is reported, then the ratio berth/peer (< 1: berth faster).
#   bench/pull.sh [ROUNDS]          (needs root for umoci/berth owners; starts tests/infra)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
IMAGE=${BENCH_IMAGE:-berth/postgres:15}
BERTH=${BERTH:-./berth}
[ -x "$BERTH" ] || make -j2 >/dev/null

eval "$(tests/infra/testenv.sh up)"
REF=$BERTH_TEST_REGISTRY/$IMAGE
W=$(mktemp -d /tmp/berth-bench-pull.XXXXXX)
trap 'rm -rf "$W"' EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

berth_round() {
  rm -rf "$W/root"
  local t0; t0=$(now)
  BERTH_ROOT=$W/root "$BERTH" image pull -q "$REF" >/dev/null
  awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f\n", b-a}'
}

peer_round() {
  rm -rf "$W/oci" "$W/bundle"
  local t0; t0=$(now)
  skopeo copy -q --src-tls-verify=false "docker://$REF" "oci:$W/oci:img" >/dev/null
  umoci unpack --image "$W/oci:img" "$W/bundle" >/dev/null
  awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f\n", b-a}'
}

berth_round >/dev/null; peer_round >/dev/null   # warm the page cache and the registry
b=() p=()
for ((i = 0; i < ROUNDS; i++)); do
  b+=("$(berth_round)")
  p+=("$(peer_round)")
done
bm=$(printf '%s\n' "${b[@]}" | median)
pm=$(printf '%s\n' "${p[@]}" | median)
echo "image: $REF ($ROUNDS rounds, median)"
echo "berth image pull (pull + verify + unpack):   ${bm}s   [${b[*]}]"
echo "skopeo copy + umoci unpack:                  ${pm}s   [${p[*]}]"
awk -v a="$bm" -v b="$pm" 'BEGIN{printf "ratio berth/peer: %.2f\n", a/b}'
