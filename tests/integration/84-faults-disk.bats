#!/usr/bin/env bats
# A full disk: BERTH_ROOT is a small tmpfs the test mounts, so a blob download, a layer unpack or
# a container's log output hits ENOSPC. One clear error naming the cause, no half-written blob or
# layer visible as complete, the project's state still valid; after `mount -o remount,size=...`
# the next `up -d` converges and `down -v` leaves nothing.
load helpers
load lib/stack
load lib/registry
load lib/fault

setup() {
  fault_setup
  mount -t tmpfs -o size=64M,mode=0700 "berth-fault-$PROJECT" "$BERTH_ROOT"
}

teardown() {
  local rc=0
  mount -o remount,size=64M "$BERTH_ROOT" 2>/dev/null || true
  fault_teardown || rc=1
  umount "$BERTH_ROOT" 2>/dev/null || umount -l "$BERTH_ROOT" || rc=1
  return $rc
}

disk_size() { mount -o remount,size="$1" "$BERTH_ROOT"; }

assert_clean_store() {
  [ "$(store_tmp_entries)" -eq 0 ] || { find "$BERTH_ROOT/images/tmp"; return 1; }
  [ "$(ls "$BERTH_ROOT/images/layers" 2>/dev/null | wc -l)" -eq "${1:-0}" ]
  store_blobs_verified
}

# Enlarged: up converges, the volume's file is written, down -v leaves nothing.
assert_recovers() {
  disk_size 64M
  fault_first_up
  assert_clean_store 1
  run b down -v
  assert_success
  assert_no_residue "$PROJECT"
}

@test "full disk while a blob downloads: one error, no partial blob; enlarged, up converges" {
  disk_size 512k
  fault_project
  run b up -d
  assert_failure 1
  [ "${#lines[@]}" -ge 1 ]
  [ "$(grep -c '^berth: ' <<< "$output")" = 1 ]
  assert_output --regexp "berth: service \`db\`: pull \`$BUSYBOX\`: write blob \`sha256:[0-9a-f]{64}\`: No space left on device"
  assert_clean_store 0
  assert_no_residue "$PROJECT"
  assert_recovers
}

@test "full disk while a layer unpacks: one error, no layer; enlarged, up converges" {
  # room for the blobs, not for the unpacked layer
  b image pull -q "$BUSYBOX" > /dev/null
  kb=$(du -sk "$BERTH_ROOT/images/blobs" | cut -f1)
  rm -rf "$BERTH_ROOT/images"
  disk_size "$((kb + 300))k"
  fault_project
  run b up -d
  assert_failure 1
  [ "$(grep -c '^berth: ' <<< "$output")" = 1 ]
  assert_output --regexp "berth: service \`db\`: pull \`$BUSYBOX\`: layer sha256:[0-9a-f]{64}: write \`[^\`]+\`: No space left on device"
  assert_clean_store 0
  assert_no_residue "$PROJECT"
  assert_recovers
}

@test "full disk from a container's log output: one warning, state intact; enlarged, up converges" {
  DB_CMD="sleep 2; head -c 8000000 /dev/zero | tr '\\\\\\\\0' x; echo; sleep 1000 & wait"
  fault_first_up
  used=$(df -k --output=used "$BERTH_ROOT" | tail -1)
  disk_size "$((used + 512))k"
  wait_until 15 grep -q "dropping output until writes work again" "$BERTH_RUN/$PROJECT/supervisor.log"
  [ "$(df -k --output=avail "$BERTH_ROOT" | tail -1)" -lt 64 ]
  [ "$(grep -c 'dropping output' "$BERTH_RUN/$PROJECT/supervisor.log")" = 1 ]
  jq -e .containers "$BERTH_ROOT/projects/$PROJECT/state.json" > /dev/null
  assert_volume_intact
  # full: an up that must write state fails with one error naming the cause
  run b up -d --force-recreate
  assert_failure 1
  [ "$(grep -c '^berth: ' <<< "$output")" = 1 ]
  assert_output --partial "No space left on device"
  find "$BERTH_ROOT" -name '*.tmp'; [ -z "$(find "$BERTH_ROOT" -name '*.tmp')" ]
  jq -e .containers "$BERTH_ROOT/projects/$PROJECT/state.json" > /dev/null
  disk_size 64M
  assert_up_converges
  jq -e .containers "$BERTH_ROOT/projects/$PROJECT/state.json" > /dev/null
  run b down -v
  assert_success
  assert_no_residue "$PROJECT"
}
