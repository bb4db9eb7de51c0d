#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compose lifecycle benchmark: berth next to docker compose and podman-compose on the same
# 3-service stack, through the peers' harness in ../shared/bench (same scripts, same stack, same
# busybox rootfs). A benchmark, never a test: it prints medians and ratios.
#
#   bench/compose.sh [--peers] [REPS]
#
# Without --peers the peers' medians come from ../shared/bench/results/summary.tsv (measured on
# this machine kind); with --peers, docker (dockerd by hand) and podman are installed from Debian
# and measured in the same run (several minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
peers=false
[ "${1:-}" = --peers ] && { peers=true; shift; }
REPS=${1:-10}
SHARED=${BERTH_SHARED_BENCH:-$top/../shared/bench}
[ -d "$SHARED" ] || { echo "bench/compose.sh: the peers' harness $SHARED is missing" >&2; exit 1; }

export BERTH=$top/berth
export BERTH_ROOT=${BERTH_ROOT:-/tmp/berth-bench-root}
export BERTH_RUN=${BERTH_RUN:-/tmp/berth-bench-run}
export BERTH_SUBNET_POOL=${BERTH_SUBNET_POOL:-10.206.0.0/16:24}
export RESULTS=${RESULTS:-$top/bench/results}
export WORK=${WORK:-/tmp/berth-peers}
export HOST_PORT=${HOST_PORT:-8080}
export QUIET_MAX=${QUIET_MAX:-60}
mkdir -p "$RESULTS" "$WORK"

# The peers' busybox rootfs (build-images.sh), as an OCI image loaded into berth's store.
if ! "$BERTH" image inspect localhost/berth-busybox:latest >/dev/null 2>&1; then
  (cd "$SHARED" && ./build-images.sh) >&2
  L=$WORK/berth-oci
  rm -rf "$L" "$WORK/berth-bundle" "$WORK/berth-busybox.tar"
  umoci init --layout "$L"
  umoci new --image "$L:latest"
  umoci unpack --image "$L:latest" "$WORK/berth-bundle" >/dev/null
  cp -a "$WORK/rootfs/." "$WORK/berth-bundle/rootfs/"
  umoci repack --image "$L:latest" "$WORK/berth-bundle"
  umoci config --image "$L:latest" --config.cmd /bin/sh --config.env PATH=/bin:/sbin:/usr/bin:/usr/sbin
  skopeo copy --quiet "oci:$L:latest" "oci-archive:$WORK/berth-busybox.tar:localhost/berth-busybox:latest"
  "$BERTH" load -i "$WORK/berth-busybox.tar"
fi

run_peer() { # peer
  (cd "$SHARED" && PEER=$1 REPS=$REPS ./bench-compose.sh) >&2
  (cd "$SHARED" && PEER=$1 REPS=$REPS GAP=${GAP:-12} ./bench-restart.sh) >&2
}

if $peers; then
  (cd "$SHARED" && ./install-peers.sh && ./docker-daemons.sh start && ./build-images.sh docker && ./build-images.sh podman) >&2
  run_peer docker
  run_peer podman
  (cd "$SHARED" && ./docker-daemons.sh stop) >&2
fi
run_peer berth

# Ratios: berth's median over the faster peer's (this run's figures when measured, else the
# recorded ones).
median() { # peer metric
  local f
  for f in "$RESULTS/summary.tsv" "$SHARED/results/summary.tsv"; do
    [ -f "$f" ] || continue
    awk -F'\t' -v p="$1" -v m="$2" '$2==p && $3==m {v=$5} END{if (v!="") print v}' "$f" | grep . && return 0
  done
  echo NA
}
printf '\n%-22s %10s %10s %10s %12s\n' metric berth docker podman "peer/berth"
for m in compose_up_port_ms compose_up_exit_ms compose_down_ms compose_ps_ms compose_logs_ms restart_proc_ms restart_port_ms; do
  b=$(median berth "$m"); d=$(median docker "$m"); p=$(median podman "$m")
  best=$(printf '%s\n%s\n' "$d" "$p" | grep -v NA | sort -g | head -1)
  ratio=$(awk -v b="$b" -v x="$best" 'BEGIN{ if (b>0 && x>0) printf "%.1fx", x/b; else print "NA"}')
  printf '%-22s %10s %10s %10s %12s\n' "$m" "$b" "$d" "$p" "$ratio"
done
