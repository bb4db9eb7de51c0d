#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Soak: N cycles of `berth up -d --wait` / `berth down` of a 3-service busybox project, then M
# crash-restarts (SIGKILL from the host) of a restart-always service under one supervisor. The
# supervisor's RSS (VmRSS) and open fds are sampled from /proc along the way; the script prints
# first/last/max and fails if, after warm-up, RSS grows by more than SOAK_RSS_PCT % or the fd
# count by more than SOAK_FD_SLACK. Each down is checked to leave no link or nft table behind.
#
#   bench/soak.sh [CYCLES [RESTARTS]]        defaults 100 and 1000 (make soak)
#
# Images come from $BERTH_TEST_REGISTRY; when it is unset the loopback registry of
# tests/infra/testenv.sh is started (and stopped) here. BERTH_ROOT, BERTH_RUN, BERTH_SUBNET_POOL
# and SOAK_PROJECT are honoured; temporary ones are made and removed otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
CYCLES=${1:-${SOAK_CYCLES:-100}}
RESTARTS=${2:-${SOAK_RESTARTS:-1000}}
RSS_PCT=${SOAK_RSS_PCT:-20}
FD_SLACK=${SOAK_FD_SLACK:-5}
BERTH=${BERTH:-$top/berth}
P=${SOAK_PROJECT:-soak$$}

own_root= own_reg= reg_up=false
cleanup() {
  set +e
  [ -n "${WORK:-}" ] && [ -e "$WORK/compose.yaml" ] && (cd "$WORK" && "$BERTH" down -v -t 1 >/dev/null 2>&1)
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
  $reg_up && tests/infra/testenv.sh down >/dev/null
  [ -n "$own_reg" ] && rm -rf "$own_reg"
  [ -n "$own_root" ] && rm -rf "$own_root"
}
trap cleanup EXIT

if [ -z "${BERTH_TEST_REGISTRY:-}" ]; then
  own_reg=$(mktemp -d /tmp/berth-soak-registry.XXXXXX)
  export BERTH_REG_RUN=$own_reg
  for _ in $(seq 50); do
    base=$((20000 + RANDOM % 9000))
    [ "$(ss -Htln "( sport >= :$base and sport <= :$((base + 4)) )" | wc -l)" = 0 ] && break
  done
  export BERTH_REG_PORT=$base BERTH_REG_BASIC_PORT=$((base + 1)) BERTH_REG_TOKEN_PORT=$((base + 2))
  export BERTH_TOKEN_SRV_PORT=$((base + 3)) BERTH_REG_ANON_PORT=$((base + 4))
  envs=$(tests/infra/testenv.sh up)
  reg_up=true
  eval "$envs"
fi
if [ -z "${BERTH_ROOT:-}" ]; then
  own_root=$(mktemp -d /tmp/berth-soak.XXXXXX)
  export BERTH_ROOT=$own_root/root BERTH_RUN=$own_root/run
fi
export BERTH_RUN=${BERTH_RUN:-$BERTH_ROOT/run}
export BERTH_SUBNET_POOL=${BERTH_SUBNET_POOL:-10.206.0.0/16:27}
WORK=$(mktemp -d /tmp/berth-soak-work.XXXXXX)
IMG=$BERTH_TEST_REGISTRY/berth/busybox:latest

b() { (cd "$WORK" && "$BERTH" "$@"); }
# q CMD...: berth quietly; its output is shown only when it fails.
q() {
  local out
  out=$(b "$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
}
state() { echo "$BERTH_ROOT/projects/$P/state.json"; }
sup_pid() { jq -r '.supervisor_pid' "$(state)"; }
ctr() { jq -r --arg n "$P-$1-1" --arg f "$2" '.containers[] | select(.name == $n) | .[$f]' "$(state)"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }
now_ms() { date +%s%3N; }
die() { echo "soak: $*" >&2; exit 1; }

# 3 services; `crash` restarts always. restart: always alone follows docker's backoff (100 ms
# doubling to 1 min, reset only after a 10 s run), which allows ~6 restarts a minute once capped;
# deploy.restart_policy (condition any = always) with a fixed delay replaces the backoff, so the
# restarts measured here are limited by berth, not by the policy (see docs/reliability.md).
cat > "$WORK/compose.yaml" <<EOF2
name: $P
services:
  web:
    image: $IMG
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 100000 & wait"]
  worker:
    image: $IMG
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do echo tick; sleep 1; done & wait"]
    depends_on: [web]
  crash:
    image: $IMG
    command: ["sh", "-c", "trap 'exit 0' TERM; echo up; sleep 100000 & wait"]
    restart: always
    deploy:
      restart_policy:
        condition: any
        delay: 50ms
EOF2

no_residue() {
  ! ip -o link show | grep -q "alias berth:$P\$" || die "links of $P left after down"
  ! nft list table ip "berth_$P" >/dev/null 2>&1 || die "nft table berth_$P left after down"
}

# summary NAME WARM "rss fds"...: first = the sample after warm-up.
summary() {
  local name=$1 warm=$2; shift 2
  local -a s=("$@")
  local first=${s[$warm]} last=${s[-1]} r f mr=0 mf=0
  for x in "${s[@]}"; do
    r=${x% *} f=${x#* }
    ((r > mr)) && mr=$r
    ((f > mf)) && mf=$f
  done
  printf '%-9s samples %4d  rss kB first %6s last %6s max %6s  fds first %3s last %3s max %3s\n' \
    "$name" "${#s[@]}" "${first% *}" "${last% *}" "$mr" "${first#* }" "${last#* }" "$mf"
  local limit=$(( ${first% *} * (100 + RSS_PCT) / 100 ))
  ((mr <= limit)) || die "$name: supervisor RSS grew from ${first% *} to $mr kB (bound $limit)"
  ((mf <= ${first#* } + FD_SLACK)) || die "$name: supervisor fds grew from ${first#* } to $mf"
}

q pull
# ---- up/down cycles: a new supervisor each time, sampled once all services run
samples=()
t0=$(now_ms)
for ((i = 1; i <= CYCLES; i++)); do
  q up -d --wait || die "cycle $i: up failed"
  sp=$(sup_pid)
  samples+=("$(rss_kb "$sp") $(fds "$sp")")
  q down -t 1 || die "cycle $i: down failed"
  no_residue
done
t1=$(now_ms)
echo "cycles: $CYCLES x up -d --wait/down in $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) s"
((CYCLES > 0)) && summary cycles $(( CYCLES >= 5 ? 1 : 0 )) "${samples[@]}"

# ---- crash-restarts under one supervisor
((RESTARTS > 0)) || exit 0
q up -d --wait || die "up for the restarts failed"
sp=$(sup_pid)
samples=()
every=$(( RESTARTS >= 50 ? RESTARTS / 50 : 1 ))
t0=$(now_ms)
for ((i = 1; i <= RESTARTS; i++)); do
  pid=$(ctr crash pid)
  kill -9 "$pid"
  n=300
  while ((n-- > 0)); do
    np=$(ctr crash pid) st=$(ctr crash status)
    [ "$st" = running ] && [ "$np" != "$pid" ] && [ -e "/proc/$np" ] && break
    sleep 0.02
  done
  ((n >= 0)) || die "restart $i: crash did not come back within 6 s (status $st)"
  ((i % every == 0)) && samples+=("$(rss_kb "$sp") $(fds "$sp")")
done
t1=$(now_ms)
[ "$(sup_pid)" = "$sp" ] || die "the supervisor changed during the restarts"
echo "restarts: $RESTARTS SIGKILLs in $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) s, restart_count $(ctr crash restart_count)"
summary restarts $(( ${#samples[@]} >= 10 ? ${#samples[@]} / 10 : 0 )) "${samples[@]}"
q down -v -t 1
no_residue
echo "soak: ok"
