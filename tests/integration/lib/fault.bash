# SPDX-License-Identifier: MIT
# Helpers for the fault-injection tests (8x-faults-*.bats, docs/reliability.md): a 2-service
# project whose web service publishes a port and keeps a file in a named volume, the test hook
# BERTH_FAULT_KILL_AT (common/faultpoint.h), and the checks that a recovery converged: every
# service running, the published port answering, the volume's file byte for byte as written by
# the first up.
#   load lib/stack; load lib/fault

# After stack_setup: this part's own names, subnets and ports (flt*, 10.212.0.0/16, 19210-19299).
fault_setup() {
  stack_setup
  local h
  h=$(printf '%s' "$PROJECT" | cksum | cut -d' ' -f1)
  PROJECT=flt${PROJECT#bt}
  export PROJECT
  export BERTH_SUBNET_POOL="10.212.$((h % 250)).0/24:28"
  HOST_PORT=$((19210 + h % 90))
  export HOST_PORT
  VOLFILE=$BERTH_ROOT/volumes/${PROJECT}_data/blob
}

fault_teardown() {
  stack_teardown
}

# web: httpd on a published port, writes 64 KiB of random bytes to the volume once. db sleeps
# (or runs DB_CMD).
fault_project() {
  compose_file <<EOF2
name: $PROJECT
services:
  web:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; [ -f /data/blob ] || head -c 65536 /dev/urandom > /data/blob; mkdir -p /www; echo ok-\$\$HOSTNAME > /www/index.html; httpd -f -p 80 -h /www & wait"]
    ports: ["127.0.0.1:$HOST_PORT:80"]
    volumes: ["data:/data"]
    depends_on: [db]
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; ${DB_CMD:-sleep 1000 & wait}"]
volumes:
  data: {}
EOF2
}

# The project runs as asked: both services running, the port answers.
assert_converged() {
  run b ps --format json
  assert_success
  [ "$(jq length <<< "$output")" = 2 ] || { echo "ps: $output"; return 1; }
  [ "$(jq -r '[.[] | select(.State == "running")] | length' <<< "$output")" = 2 ] ||
    { echo "ps: $output"; return 1; }
  wait_until 5 curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$HOST_PORT/" ||
    { echo "port $HOST_PORT does not answer"; return 1; }
  run curl -fsS -m 2 "http://127.0.0.1:$HOST_PORT/"
  assert_output "ok-$PROJECT-web-1"
}

# First up: the volume's file, its sha256 kept in VOLSUM.
fault_first_up() {
  fault_project
  run b up -d
  assert_success
  wait_until 5 test -s "$VOLFILE"
  VOLSUM=$(sha256sum < "$VOLFILE")
  export VOLSUM
  assert_converged
}

assert_volume_intact() {
  [ -f "$VOLFILE" ] || { echo "volume file $VOLFILE gone"; return 1; }
  [ "$(sha256sum < "$VOLFILE")" = "$VOLSUM" ] || { echo "volume file changed"; return 1; }
}

# The convergence checks every fault case ends with: the next `up -d` brings the project back
# with the volume intact; the next `down` leaves nothing and keeps the volume.
assert_up_converges() {
  run b up -d
  assert_success
  assert_converged
  assert_volume_intact
}

assert_down_leaves_nothing() {
  run b down
  assert_success
  assert_no_residue "$PROJECT"
  assert_volume_intact
}

# run_killed_at POINT CMD...: run a berth command with the hook armed. Sets status/output.
run_killed_at() {
  local p=$1; shift
  run env BERTH_FAULT_KILL_AT="$p" sh -c 'cd "$1" && shift && exec "$@"' - "$WORK" "$BERTH" "$@"
}

# The outcome of a command killed at a point: the CLI itself SIGKILLed (137), or one line
# "berth: ..." and exit 1 when the supervisor died under it.
assert_killed_or_one_error() {
  local p=$1
  case $p in
    *.never) [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; } ;;
    super.*)
      [ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
      [ "$(grep -c '^berth: ' <<< "$output")" = 1 ] || { echo "not one error: $output"; return 1; }
      [ -z "${FAULT_ERRLOG:-}" ] || echo "$p: $(grep "^berth: " <<< "$output")" >> "$FAULT_ERRLOG" ;;
    *)
      [ "$status" -eq 137 ] || { echo "not killed at $p (status $status): $output"; return 1; } ;;
  esac
}

# The pids of the project's running containers (state.json).
ctr_pids() {
  jq -r '.containers[] | select(.pid > 0) | .pid' "$BERTH_ROOT/projects/$PROJECT/state.json" 2>/dev/null || true
}

kill_ctrs() {
  local p
  for p in $(ctr_pids); do kill -9 "$p" 2>/dev/null || true; done
}

# An `up -d` killed at POINT (after a first up and a down that kept the volume), optionally with
# the containers SIGKILLed right after; then `up -d` converges and `down` leaves nothing.
fault_up_case() {
  local p=$1 kill=${2:-}
  fault_first_up
  run b down
  assert_success
  run_killed_at "$p" up -d
  assert_killed_or_one_error "$p"
  [ -z "$kill" ] || kill_ctrs
  assert_up_converges
  assert_down_leaves_nothing
}

# A `down` killed at POINT (super.* points: the supervisor was started with the hook armed by
# the first up, as a `down` does not start one); then `down` converges and leaves nothing, and
# the next `up -d` finds the volume as it was.
fault_down_case() {
  local p=$1 kill=${2:-}
  if [[ $p == super.* ]]; then
    BERTH_FAULT_KILL_AT=$p fault_first_up
    [ -z "$kill" ] || kill_ctrs
    run b down
  else
    fault_first_up
    [ -z "$kill" ] || kill_ctrs
    run_killed_at "$p" down
  fi
  assert_killed_or_one_error "$p"
  assert_down_leaves_nothing
  assert_up_converges
}

# An `up -d` killed at POINT, then straight to `down`: nothing left, not even the cgroup of a
# container whose start was never recorded.
fault_up_down_case() {
  local p=$1
  fault_first_up
  run b down
  assert_success
  run_killed_at "$p" up -d
  assert_killed_or_one_error "$p"
  assert_down_leaves_nothing
}

# An `up -d` that pulls (the image was removed with `down --rmi all`), killed at POINT in the
# pull; the next `up -d` converges and the store holds nothing partial.
fault_pull_case() {
  local p=$1
  fault_first_up
  run b down --rmi all
  assert_success
  [ -z "$(ls "$BERTH_ROOT/images/layers" 2>/dev/null)" ] || { echo "layers kept by --rmi all"; return 1; }
  run_killed_at "$p" up -d
  assert_killed_or_one_error "$p"
  case $p in # the kill left a partial layer in images/tmp (a partial blob is an O_TMPFILE: gone)
    pull.unpack)
      [ "$(find "$BERTH_ROOT/images/tmp" -mindepth 1 | wc -l)" -gt 0 ] || { echo "no partial left"; return 1; } ;;
  esac
  assert_up_converges
  [ "$(find "$BERTH_ROOT/images/tmp" -mindepth 1 2>/dev/null | wc -l)" -eq 0 ] ||
    { find "$BERTH_ROOT/images/tmp"; return 1; }
  local f
  for f in "$BERTH_ROOT"/images/blobs/sha256/*; do
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "${f##*/}" ] || { echo "corrupt blob $f"; return 1; }
  done
  run b down
  assert_success
  assert_no_residue "$PROJECT"
}
