#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Resident memory of berth's own processes with N idle containers, against podman's conmon.
#
#   bench/mem.sh [N]            N services (default 50), each busybox `sh` waiting on `sleep`
#   BENCH_MEM_DETAIL=1          also print the supervisor's PSS by mapping (heap, stack, each
#                               library's mappings, the binary) from /proc/<pid>/smaps
#
# Same workload as ../shared/bench/bench-mem.sh (project of N services, one default network, no
# ports): `berth up -d`, wait until the N sleeps run, settle, drop the page cache, then read VmRSS
# (/proc/<pid>/status) and Pss (/proc/<pid>/smaps_rollup) of every berth process of the project
# (the supervisor; nothing else of berth stays resident). Podman's figures come from
# ../shared/bench/results/podman.mem.tsv (conmon RSS/PSS per container at the same N; override with
# CONMON_RSS_KB / CONMON_PSS_KB). The image is the peers' busybox rootfs loaded with `berth load`
# (bench/compose.sh builds /tmp/berth-peers/berth-busybox.tar; BENCH_IMAGE_TAR overrides it).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
N=${1:-50}
BERTH=${BERTH:-$top/berth}
SHARED=${BERTH_SHARED_BENCH:-$top/../shared/bench}
TAR=${BENCH_IMAGE_TAR:-/tmp/berth-peers/berth-busybox.tar}
IMG=localhost/berth-busybox:latest
SETTLE=${SETTLE:-5}
P=${BENCH_MEM_PROJECT:-memidle}
own=
if [ -z "${BERTH_ROOT:-}" ]; then
  own=$(mktemp -d /tmp/berth-mem-bench.XXXXXX)
  export BERTH_ROOT=$own/root BERTH_RUN=$own/run
fi
export BERTH_SUBNET_POOL=${BERTH_SUBNET_POOL:-10.213.0.0/16:24}
WORK=$(mktemp -d /tmp/berth-mem-work.XXXXXX)
cleanup() {
  set +e
  (cd "$WORK" && "$BERTH" down -t 1 >/dev/null 2>&1)
  rm -rf "$WORK"
  [ -n "$own" ] && rm -rf "$own"
}
trap cleanup EXIT

if ! "$BERTH" image inspect "$IMG" >/dev/null 2>&1; then
  [ -f "$TAR" ] || { echo "bench/mem.sh: $TAR is missing (run bench/compose.sh once)" >&2; exit 1; }
  "$BERTH" load -i "$TAR" >/dev/null
fi

{
  echo "name: $P"
  echo 'services:'
  for i in $(seq "$N"); do
    echo "  idle$i:"
    echo "    image: $IMG"
    echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 1000000 & wait\"]"
  done
} >"$WORK/compose.yaml"

cd "$WORK"
t0=$(date +%s%N)
"$BERTH" up -d >/dev/null
t1=$(date +%s%N)
for _ in $(seq 300); do
  [ "$("$BERTH" ps -q --status running | wc -l)" -ge "$N" ] && break
  sleep 0.2
done
sleep "$SETTLE"
sync
echo 3 >/proc/sys/vm/drop_caches
sleep 1

# berth's processes of this project: the supervisor holds the control socket.
sock_pids() {
  local s
  for s in "$BERTH_RUN"/"$P"/*.sock; do
    [ -S "$s" ] || continue
    ss -Hxlp src "$s" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2
  done | sort -u
}
pids=$(sock_pids)
[ -n "$pids" ] || pids=$(pgrep -x berth-super || true)
[ -n "$pids" ] || { echo "bench/mem.sh: no supervisor found" >&2; exit 1; }
rss=0 pss=0 nproc=0
for pid in $pids; do
  r=$(awk '/^VmRSS:/{print $2}' /proc/"$pid"/status)
  s=$(awk '/^Pss:/{print $2}' /proc/"$pid"/smaps_rollup)
  rss=$((rss + r)) pss=$((pss + s)) nproc=$((nproc + 1))
  fds=$(ls /proc/"$pid"/fd | wc -l)
  printf 'pid %s (%s): VmRSS %s kB, Pss %s kB, %s fds\n' "$pid" "$(cat /proc/"$pid"/comm)" "$r" "$s" "$fds"
  if [ -n "${BENCH_MEM_DETAIL:-}" ]; then
    # Pss/Rss per mapping name; anonymous rw next to a library's file mappings is its .bss
    awk '
      /^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "[anon]"; sub(".*/", "", name); next }
      /^Rss:/ { rss[name] += $2 } /^Pss:/ { pss[name] += $2 }
      END { for (n in pss) printf "  %-34s Rss %6d kB  Pss %6d kB\n", n, rss[n], pss[n] }
    ' /proc/"$pid"/smaps | sort -k5 -n -r
  fi
done

crss=${CONMON_RSS_KB:-} cpss=${CONMON_PSS_KB:-}
if [ -z "$crss" ] && [ -f "$SHARED/results/podman.mem.tsv" ]; then
  crss=$(awk -F'\t' -v n="$N" '$1==n {print $4}' "$SHARED/results/podman.mem.tsv")
  cpss=$(awk -F'\t' -v n="$N" '$1==n {print $5}' "$SHARED/results/podman.mem.tsv")
fi
note=
if [ -z "$crss" ]; then # no podman figures at this N: its per-conmon cost at N=50
  crss=2042 cpss=370 note=" (podman's per-conmon figures at N=50)"
fi
awk -v n="$N" -v up=$(((t1 - t0) / 1000000)) -v np="$nproc" -v r="$rss" -v s="$pss" \
  -v cr="$crss" -v cp="$cpss" -v note="$note" 'BEGIN {
  printf "\n%d idle containers, up -d %d ms, %d berth process(es)\n", n, up, np
  printf "%-8s %12s %22s %8s%s\n", "", "berth (kB)", "podman conmon x N (kB)", "ratio", note
  printf "%-8s %12d %22d %7.1f%%\n", "RSS", r, cr * n, 100 * r / (cr * n)
  printf "%-8s %12d %22d %7.1f%%\n", "PSS", s, cp * n, 100 * s / (cp * n)
}'
