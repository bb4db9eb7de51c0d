# SPDX-License-Identifier: MIT
# Helpers for the compose CLI tests (tests/integration/6*-*.bats): real containers from the
# loopback registry, one project, subnet pool and port range per test, and a teardown that
# brings the project down and checks that nothing carrying its mark is left.
#   load helpers; load lib/registry; load lib/compose

# cli_setup N: per-test dirs and project, the registry, subnet pool 10.204.N.0/24 (N unique per
# test across the 6* files).
cli_setup() {
  berth_test_setup
  reg_setup
  export BERTH_SUBNET_POOL=10.204.$1.0/24:28
  IMG=$BERTH_TEST_REGISTRY/berth/busybox:latest
}

# Every process in a cgroup of the project, and its supervisor (a berth process with this test's
# BERTH_RUN in its environment).
cli_project_pids() {
  local f pid
  for f in /proc/[0-9]*/cgroup; do
    pid=${f#/proc/}; pid=${pid%/cgroup}
    grep -qs "/berth/$PROJECT/" "$f" && echo "$pid"
  done
  for pid in $(pgrep -x berth); do
    { tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null | grep -qxF "BERTH_RUN=$BERTH_RUN" && echo "$pid"
  done
  return 0
}

# What of the project is left: links with its alias, its nft table, cgroup dirs, processes.
cli_residue() {
  ip -d link show 2>/dev/null | grep -E "alias berth:$PROJECT\$" | sed 's/^/link /'
  nft list tables 2>/dev/null | grep -E "berth_$PROJECT\$" | sed 's/^/nft /'
  find /sys/fs/cgroup -maxdepth 7 -type d -path "*/berth/$PROJECT" 2>/dev/null | sed 's/^/cgroup /'
  cli_project_pids | sed 's/^/pid /'
  return 0
}

cli_teardown() {
  local left
  b down -v -t 1 >/dev/null 2>&1 || true
  left=$(cli_residue)
  if [ -n "$left" ]; then
    echo "left behind by project $PROJECT:" >&2
    echo "$left" >&2
    # clean up anyway so one failure does not spill into the next test
    cli_project_pids | xargs -r kill -KILL 2>/dev/null || true
    nft delete table ip "berth_$PROJECT" 2>/dev/null || true
    return 1
  fi
}

# wait_until SECONDS CMD...: retry CMD every 50 ms until it succeeds or time runs out.
cli_wait_until() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.05
  done
}

# The status of service $1's first container from `ps --format json`.
cli_status() {
  b ps -a --format json | jq -r --arg s "$1" '.[] | select(.Service == $s) | .State' | head -1
}

cli_status_is() {
  [ "$(cli_status "$1")" = "$2" ]
}
