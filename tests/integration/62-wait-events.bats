#!/usr/bin/env bats
# berth wait and events: the supervisor's wait and events ops.
load helpers
load lib/registry
load lib/compose

setup() { cli_setup 62; }
teardown() {
  [ -n "${EV_PID:-}" ] && kill "$EV_PID" 2>/dev/null
  cli_teardown
}

@test "wait blocks until the services exit and prints their exit codes" {
  compose_file <<EOF2
name: $PROJECT
services:
  job:
    image: $IMG
    command: ["sh", "-c", "sleep 1; exit 3"]
  other:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
  local t0=$SECONDS
  run b wait job
  assert_equal "$status" 3
  assert_output 3
  assert_equal "$(cli_status other)" running
  run b wait
  assert_failure 2
}

@test "wait --down-project returns the first exit code and takes the project down" {
  compose_file <<EOF2
name: $PROJECT
services:
  quick:
    image: $IMG
    command: ["sh", "-c", "sleep 1; exit 6"]
  slow:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
  run b wait --down-project quick slow
  assert_equal "$status" 6
  assert_line 6
  assert_line --partial "Network ${PROJECT}_default  Removed"
  run b ps -a -q
  assert_output ''
  [ -z "$(cli_residue)" ]
}

has_socket() {
  ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'socket:'
}

@test "events streams text and json shapes, filtered by service" {
  compose_file <<EOF2
name: $PROJECT
services:
  web:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
  db:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  (cd "$WORK" && exec "$BERTH" events web > "$BATS_TEST_TMPDIR/ev.txt") &
  EV_PID=$!
  (cd "$WORK" && exec "$BERTH" events --json > "$BATS_TEST_TMPDIR/ev.json") &
  local JS_PID=$!
  run b up -d
  assert_success
  # both listeners are connected to the supervisor before anything happens
  cli_wait_until 10 has_socket "$EV_PID"
  cli_wait_until 10 has_socket "$JS_PID"
  run b restart -t 1 web db
  assert_success
  run b stop web db
  assert_success
  cli_wait_until 10 grep -q ' container die ' "$BATS_TEST_TMPDIR/ev.txt"
  cli_wait_until 10 bash -c "jq -r .service '$BATS_TEST_TMPDIR/ev.json' | grep -qx db"
  kill "$EV_PID" "$JS_PID"
  wait "$EV_PID" "$JS_PID" || true
  EV_PID=
  run cat "$BATS_TEST_TMPDIR/ev.txt"
  assert_line --regexp "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{6} container start $PROJECT-web-1 \(image=$IMG, name=$PROJECT-web-1\)\$"
  assert_line --regexp "container die $PROJECT-web-1 \(exitCode=137, image="
  refute_output --partial "$PROJECT-db-1"
  run jq -c 'select(.action == "start" and .service == "db") | [.type, .id, .attributes.image]' "$BATS_TEST_TMPDIR/ev.json"
  assert_output "[\"container\",\"$PROJECT-db-1\",\"$IMG\"]"
  run jq -r 'select(.action == "die") | .time' "$BATS_TEST_TMPDIR/ev.json"
  assert_line --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
}
