#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/net.sh: netmgr's costs, side by side in one run, inside a throw-away "host" netns
# (the real host's sysctls and tables are never touched).
#   1. throughput through a published port (kernel DNAT, no proxy) vs the same server reached
#      directly on the host: iperf3 (TCP stream) and wrk (HTTP against busybox httpd); the
#      container's own address without DNAT is printed as a reference
#   2. network setup time per container: median (and p90) of N `berth net attach` calls, timed
#      inside berth around net_attach (veth pair into the netns, addresses, route, IPAM state)
# Usage: [ROUNDS=3] bench/net.sh [N_ATTACH=50] [SECONDS=5]   (root; needs iperf3, wrk, busybox)
set -eu
cd "$(dirname "$0")/.."
BERTH=${BERTH:-$PWD/berth}
N=${1:-50}
SECS=${2:-5}
ID=$$
H=berthntb${ID}h C=berthntb${ID}c
P=ntbench$ID
W=$(mktemp -d /tmp/berth-net-bench.XXXXXX)
export BERTH_ROOT=$W/root BERTH_SUBNET_POOL=10.201.0.0/16:24
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  ip netns exec "$H" "$BERTH" net down --project "$P" >/dev/null 2>&1
  for i in $(seq "$N"); do ip netns del "berthntb${ID}n$i" 2>/dev/null; done
  ip netns del "$C" 2>/dev/null
  ip netns del "$H" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
X() { ip netns exec "$H" "$@"; }
bg() { "$@" >/dev/null 2>&1 & PIDS+=($!); }

ip netns add "$H"; ip netns add "$C"
X ip link set lo up
X "$BERTH" net up --project "$P" --network default >/dev/null
X "$BERTH" net attach --project "$P" --network default --container srv --netns "/run/netns/$C" >/dev/null
X "$BERTH" net publish --project "$P" --container srv -p 18201:5201 -p 18280:8080 >/dev/null

# ---- iperf3: the same server binary, once on the host (H), once in the container
bg ip netns exec "$H" iperf3 -s -p 18301
bg ip netns exec "$C" iperf3 -s -p 5201
sleep 0.5
iperf() { X iperf3 -c "$1" -p "$2" -t "$SECS" -J | python3 -c \
  'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'; }
# alternate the paths, ROUNDS times each, and keep the median (the machine is shared and noisy)
ROUNDS=${ROUNDS:-3}
med() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
d=() p=() c=()
for _ in $(seq "$ROUNDS"); do
  d+=("$(iperf 127.0.0.1 18301)")
  p+=("$(iperf 127.0.0.1 18201)")
  c+=("$(iperf 10.201.0.2 5201)")
done
direct_ip=$(printf '%s\n' "${d[@]}" | med)
published_ip=$(printf '%s\n' "${p[@]}" | med)
container_ip=$(printf '%s\n' "${c[@]}" | med)

# ---- wrk: busybox httpd serving a 4 KiB file, on the host and in the container
mkdir -p "$W/www"; head -c 4096 /dev/zero | tr '\0' x > "$W/www/index.html"
bg ip netns exec "$H" busybox httpd -f -p 127.0.0.1:18380 -h "$W/www"
bg ip netns exec "$C" busybox httpd -f -p 8080 -h "$W/www"
sleep 0.3
wrkrps() { X wrk -t2 -c16 -d"${SECS}s" "http://127.0.0.1:$1/" | awk '/Requests\/sec/{print $2}'; }
d=() p=()
for _ in $(seq "$ROUNDS"); do
  d+=("$(wrkrps 18380)")
  p+=("$(wrkrps 18280)")
done
direct_wrk=$(printf '%s\n' "${d[@]}" | med)
published_wrk=$(printf '%s\n' "${p[@]}" | med)

# ---- setup time per container
times=()
for i in $(seq "$N"); do
  ns=berthntb${ID}n$i
  ip netns add "$ns"
  out=$(X "$BERTH" net attach --project "$P" --network default --container "c$i" --netns "/run/netns/$ns" --timing)
  times+=("${out##*setup_ms=}")
done
stats=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{printf "%.2f %.2f %.2f", a[int((NR+1)/2)], a[int(NR*0.9)], a[NR]}')
read -r med p90 max <<< "$stats"

ratio() { python3 -c "print('%.0f%%' % (100*float('$1')/float('$2')))"; }
echo "netmgr benchmark ($(nproc) cores, kernel $(uname -r), ${SECS}s per run, median of $ROUNDS, N=$N)"
printf '%-44s %12s %12s %8s\n' "path" "direct" "published" "ratio"
printf '%-44s %10s G %10s G %8s\n' "iperf3 TCP 127.0.0.1 (Gbit/s)" "$direct_ip" "$published_ip" "$(ratio "$published_ip" "$direct_ip")"
printf '%-44s %10s G %10s G %8s\n' "iperf3 TCP: container IP, no NAT (reference)" "$direct_ip" "$container_ip" "$(ratio "$container_ip" "$direct_ip")"
printf '%-44s %12s %12s %8s\n' "wrk busybox httpd 4 KiB (req/s)" "$direct_wrk" "$published_wrk" "$(ratio "$published_wrk" "$direct_wrk")"
echo "setup per container (net_attach): median ${med} ms, p90 ${p90} ms, max ${max} ms"
