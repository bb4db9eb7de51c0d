#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Supervisor figures for docs/performance.md (## orchestrator), with host processes through
# `berth super`:
#   - restart latency: time from kill -9 of a `restart: always` process to its replacement's
#     first instruction (the replacement writes its own start time), over N replicas each
#     killed once (so every restart is a first restart, with docker's 100 ms backoff);
#   - the supervisor's RSS with 50 idle children;
#   - `ps` and `logs` latency (50 containers, a few lines each).
# Usage: tests/integration/lib/orch-measure.sh [path/to/berth]   (root not needed)
set -eu
BERTH=${1:-./berth}
BERTH=$(cd "$(dirname "$BERTH")" && pwd)/$(basename "$BERTH")
tmp=$(mktemp -d /tmp/berth-orch-measure-XXXXXX)
export BERTH_ROOT=$tmp/root BERTH_RUN=$tmp/run
P=ordevmeasure
trap '"$BERTH" -p $P super down -t 1 >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

stats() { sort -n | awk '{a[NR]=$1} END {printf "min %.1f  median %.1f  max %.1f ms (n=%d)\n", a[1], a[int((NR+1)/2)], a[NR], NR}'; }

cat > "$tmp/desc.json" <<JSON
{"services": {
  "crash": {"command": ["sh", "-c", "date +%s%N >> $tmp/starts.\$BERTH_I; exec sleep 1000"], "restart": "always", "scale": 20},
  "idle": {"command": ["sh", "-c", "echo one; echo two; echo three; exec sleep 1000"], "scale": 30}}}
JSON
python3 - "$tmp/desc.json" "$tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["services"].pop("crash")
for i in range(1, 21):
    s = dict(c); s.pop("scale")
    s["command"] = ["sh", "-c", "date +%%s%%N >> %s/starts.%d; exec sleep 1000" % (sys.argv[2], i)]
    d["services"]["crash%d" % i] = s
json.dump(d, open(sys.argv[1], "w"))
PY
"$BERTH" -p $P super up "$tmp/desc.json"
sleep 1
sp=$("$BERTH" -p $P super status | awk '{print $2}')

echo "== supervisor RSS with 50 idle children"
grep -E 'VmRSS|VmHWM' /proc/$sp/status

echo "== restart latency (kill -9 -> replacement running), restart: always"
for i in $(seq 1 20); do
  pid=$("$BERTH" -p $P super ps --json | jq -r ".[] | select(.service == \"crash$i\") | .pid")
  t0=$(date +%s%N)
  kill -9 "$pid"
  while [ "$(wc -l < "$tmp/starts.$i")" -lt 2 ]; do sleep 0.005; done
  t1=$(tail -1 "$tmp/starts.$i")
  echo $(( (t1 - t0) / 1000 )) | awk '{printf "%.1f\n", $1 / 1000}'
done | stats

echo "== ps latency (50 containers)"
for i in $(seq 1 30); do
  t0=$(date +%s%N); "$BERTH" -p $P super ps > /dev/null; t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{printf "%.2f\n", $1 / 1000}'
done | stats

echo "== logs latency (50 containers, all lines merged)"
for i in $(seq 1 30); do
  t0=$(date +%s%N); "$BERTH" -p $P super logs > /dev/null; t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{printf "%.2f\n", $1 / 1000}'
done | stats

echo "== logs --tail 1 idle (30 containers)"
for i in $(seq 1 30); do
  t0=$(date +%s%N); "$BERTH" -p $P super logs --tail 1 idle > /dev/null; t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{printf "%.2f\n", $1 / 1000}'
done | stats

echo "== supervisor RSS after that"
grep -E 'VmRSS|VmHWM' /proc/$sp/status
