# SPDX-License-Identifier: MIT
# Helpers for the compose-level tests (up, down, ps, logs, lifecycle): a per-test subnet pool and
# host port, the busybox image from the loopback registry, and a teardown that brings the
# project down and proves nothing of it is left on the host.
#   load lib/stack

stack_setup() {
  berth_test_setup
  if [ -z "${BERTH_TEST_REGISTRY:-}" ]; then
    echo "BERTH_TEST_REGISTRY is unset: run via tests/run.sh integration" >&2
    return 1
  fi
  local h
  h=$(printf '%s' "$PROJECT" | cksum | cut -d' ' -f1)
  export BERTH_SUBNET_POOL="10.205.$((h % 250)).0/24:27"
  HOST_PORT=$((17000 + h % 900))
  BUSYBOX=$BERTH_TEST_REGISTRY/berth/busybox:latest
  export HOST_PORT BUSYBOX
}

# Nothing of the project may remain: links, nft table, cgroups, processes, state.
assert_no_residue() {
  local p=$1 left
  left=$(ip -o link show | grep -c "alias berth:$p\$" || true)
  [ "$left" = 0 ] || { ip -o link show | grep "alias berth:$p\$"; return 1; }
  ! nft list table ip "berth_$p" >/dev/null 2>&1 || { echo "nft table berth_$p left"; return 1; }
  left=$(find /sys/fs/cgroup -maxdepth 8 -type d -path "*/berth/$p" 2>/dev/null | head -1)
  [ -z "$left" ] || { echo "cgroup $left left"; return 1; }
  [ ! -e "$BERTH_ROOT/projects/$p" ] || { echo "state of $p left"; return 1; }
  left=$(ls -A "$BERTH_ROOT/containers" 2>/dev/null | grep "^$p-" || true)
  [ -z "$left" ] || { echo "containers left: $left"; return 1; }
}

stack_teardown() {
  b down -v -t 1 >/dev/null 2>&1 || true
  assert_no_residue "$PROJECT"
}

# The pid of a container's main process, from the recorded state.
ctr_pid() {
  jq -r --arg n "$1" '.containers[] | select(.name == $n) | .pid' "$BERTH_ROOT/projects/$PROJECT/state.json"
}

ctr_field() {
  jq -r --arg n "$1" --arg f "$2" '.containers[] | select(.name == $n) | .[$f]' "$BERTH_ROOT/projects/$PROJECT/state.json"
}

# wait_until SECONDS CMD...: poll every 50 ms.
wait_until() {
  local n=$(( $1 * 20 )); shift
  while ((n-- > 0)); do "$@" && return 0; sleep 0.05; done
  "$@"
}
