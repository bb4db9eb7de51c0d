#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Container start cost, side by side: create + start + reap + remove `/bin/true` with
#   berth ctr run CONFIG        (berth's runtime: 5 namespaces + cgroupns, cgroups, /proc /sys /dev,
#                                masked paths, pivot_root, caps, default seccomp, no_new_privs)
#   crun run --bundle B ID      (Debian's crun with its default `crun spec`, same rootfs)
# on the same static-busybox rootfs, N times each, interleaved in one run. Prints ms per
# container for both and the ratio berth/crun (below 1 = berth is faster), then the same work
# through the library alone (`berth ctr bench`: one process, as the supervisor runs it).
#   bench/runtime.sh [N]        (root; needs crun: apt-get install crun)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
BERTH=${BERTH:-$PWD/berth}
command -v crun >/dev/null || { echo "bench/runtime.sh: crun is not installed (apt-get install crun)" >&2; exit 1; }
[ -x "$BERTH" ] || { echo "bench/runtime.sh: build berth first (make)" >&2; exit 1; }

# crun 1.8 refuses a hybrid cgroup host whose cgroup2 mount has any controller ("cgroups in
# hybrid mode not supported"). Run the whole benchmark, berth included, in a private mount
# namespace without /sys/fs/cgroup/unified, so both see the same plain v1 host.
if [ -z "${BERTH_BENCH_IN_NS:-}" ] && mountpoint -q /sys/fs/cgroup/unified; then
  exec env BERTH_BENCH_IN_NS=1 unshare -m --propagation private \
    sh -c 'umount /sys/fs/cgroup/unified && exec "$0" "$@"' "$0" "$@"
fi

W=$(mktemp -d /tmp/berth-ctr-bench.XXXXXX)
export BERTH_ROOT=$W/root BERTH_RUN=$W/run
cleanup() {
  local d
  crun --root "$W/crun-state" delete -f bench-crun >/dev/null 2>&1 || true
  # crun removes its leaf cgroup but not the parents it made
  for d in /sys/fs/cgroup/*/berth/ctrdevbench; do rmdir "$d" 2>/dev/null || true; done
  for d in /sys/fs/cgroup/*/berth; do rmdir "$d" 2>/dev/null || true; done
  rm -rf "$W"
  return 0
}
trap cleanup EXIT

R=$W/bundle/rootfs
mkdir -p "$R"/{bin,proc,sys,dev,tmp,etc} "$BERTH_ROOT" "$BERTH_RUN"
cp /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/true"
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
echo 'root:x:0:' > "$R/etc/group"

# crun: its default spec, pointed at the rootfs, running /bin/true without a terminal, in a
# cgroup under berth/ so the residue check knows it.
(cd "$W/bundle" && crun spec)
jq '.process.args = ["/bin/true"] | .process.terminal = false | .root.path = "rootfs"
    | .root.readonly = false | .linux.cgroupsPath = "/berth/ctrdevbench/crun"' \
  "$W/bundle/config.json" > "$W/bundle/config.json.new"
mv "$W/bundle/config.json.new" "$W/bundle/config.json"

jq -n --arg r "$R" '{id: "ctrdevbench-true", project: "ctrdevbench", rootfs: $r,
  argv: ["/bin/true"]}' > "$W/berth.json"

# Warm up both (page cache, first-use costs), and check they work at all.
"$BERTH" ctr run "$W/berth.json"
crun --root "$W/crun-state" run --bundle "$W/bundle" bench-crun

now() { date +%s%N; }
tb=0 tc=0
for ((i = 0; i < N; i++)); do
  t0=$(now)
  "$BERTH" ctr run "$W/berth.json"
  t1=$(now)
  crun --root "$W/crun-state" run --bundle "$W/bundle" bench-crun
  t2=$(now)
  tb=$((tb + t1 - t0))
  tc=$((tc + t2 - t1))
done
awk -v n="$N" -v b="$tb" -v c="$tc" 'BEGIN {
  printf "runtime: create+start+reap /bin/true, %d runs each, interleaved\n", n
  printf "  berth ctr run : %.2f ms per container\n", b / n / 1e6
  printf "  crun run      : %.2f ms per container\n", c / n / 1e6
  printf "  ratio berth/crun: %.2f\n", b / c
}'
# The library path alone, as berth's supervisor uses it (one process, filter compiled once).
printf '  berth runtime in-process: '
"$BERTH" ctr bench "$N" "$W/berth.json"
