#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Time `berth config -q` on a generated 2,000-service compose file (targets: < 200 ms,
# < 64 MiB peak RSS). Uses hyperfine when installed, else a loop of 20 runs; peak RSS from
# /usr/bin/time -v. Usage: bench/spec-load.sh [N_SERVICES]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
berth=${BERTH:-$PWD/berth}
dir=$(mktemp -d /tmp/berth-bench-spec-XXXXXX)
trap 'rm -rf "$dir"' EXIT

gen() {
  echo 'name: bench'
  echo 'x-common: &common'
  echo '  restart: unless-stopped'
  echo '  logging: {driver: json-file, options: {max-size: "10m"}}'
  echo 'services:'
  for ((i = 0; i < n; i++)); do
    cat <<YAML
  svc$i:
    <<: *common
    image: "registry.example/app/svc$i:\${TAG:-1.0}"
    command: ["/bin/app", "--port", "$((8000 + i % 1000))", "--name", "svc$i"]
    environment:
      - SERVICE=svc$i
      - DB_URL=postgres://db:5432/svc$i
    ports:
      - "127.0.0.1:$((20000 + i)):8000"
    volumes:
      - ./data/svc$i:/data
      - cache:/cache:ro
$( ((i > 0)) && printf '    depends_on:\n      - svc%d\n' $((i - 1)) )
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
    mem_limit: 256m
    labels:
      com.example.tier: "t$((i % 3))"
YAML
  done
  echo 'volumes:'
  echo '  cache: {}'
}
gen > "$dir/compose.yaml"
echo "compose file: $n services, $(wc -c < "$dir/compose.yaml") bytes"

cmd="$berth --project-directory $dir -f $dir/compose.yaml config -q"
"$berth" --project-directory "$dir" -f "$dir/compose.yaml" config -q
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs 20 -N "$cmd" 2>&1 | sed -n '1,4p'
else
  start=$(date +%s%N)
  for _ in $(seq 20); do $cmd; done
  end=$(date +%s%N)
  echo "mean: $(( (end - start) / 20000000 )) ms over 20 runs"
fi
/usr/bin/time -v $cmd 2>&1 | grep -E 'Maximum resident set size|Elapsed' | sed 's/^\s*//'
