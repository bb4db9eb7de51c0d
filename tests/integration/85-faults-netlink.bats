#!/usr/bin/env bats
# A failing netlink or nftables call: `up -d` run under tests/helpers/deny-netlink, a seccomp
# filter that makes socket(AF_NETLINK, *, NETLINK_NETFILTER) (nft) or NETLINK_ROUTE (links,
# addresses) fail with EPERM. One clear error, nothing of the project left (or what was made
# removed again), and the next `up -d` without the filter converges.
load helpers
load lib/stack
load lib/fault

DENY=$BERTH_TOP/build/tests/helpers/deny-netlink

setup() {
  fault_setup
  [ -x "$DENY" ] || { echo "$DENY missing: make helper-bins" >&2; return 1; }
}
teardown() { fault_teardown; }

# run_denied FAMILY BERTH-ARGS...
run_denied() {
  local fam=$1; shift
  run sh -c 'cd "$1" && shift && exec "$@"' - "$WORK" "$DENY" "$fam" "$BERTH" "$@"
}

# The project left nothing behind but its images (and, after a first up, its volume).
assert_nothing_made() {
  assert_no_residue "$PROJECT"
  ! pgrep -f "berth-super" -a | grep -q "$PROJECT" || return 1
}

denied_up_case() {
  local fam=$1 cause=$2
  fault_first_up
  run b down
  assert_success
  run_denied "$fam" up -d
  [ -z "${FAULT_ERRLOG:-}" ] || echo "deny $fam: $output" >> "$FAULT_ERRLOG"
  assert_failure 1
  [ "$(grep -c '^berth: ' <<< "$output")" = 1 ]
  assert_output --partial "berth: project $PROJECT: networks: "
  assert_output --partial "$cause"
  assert_nothing_made
  assert_up_converges
}

@test "nftables denied: up fails with one error and leaves nothing; then up converges" {
  denied_up_case nft "Operation not permitted"
}

@test "rtnetlink denied: up fails with one error and leaves nothing; then up converges" {
  denied_up_case route "Operation not permitted"
}

denied_down_case() {
  local fam=$1
  fault_first_up
  run_denied "$fam" down
  [ -z "${FAULT_ERRLOG:-}" ] || echo "deny $fam down: $output" >> "$FAULT_ERRLOG"
  assert_failure 1
  [ "$(grep -c '^berth: ' <<< "$output")" = 1 ]
  assert_output --partial "berth: project $PROJECT: networks: "
  assert_output --partial "Operation not permitted"
  assert_down_leaves_nothing
  assert_up_converges
}

@test "nftables denied: down fails with one error; the next down leaves nothing" {
  denied_down_case nft
}

@test "rtnetlink denied: down fails with one error; the next down leaves nothing" {
  denied_down_case route
}
