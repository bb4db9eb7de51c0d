#!/usr/bin/env bats
# berth create and rm: containers made without starting, stopped containers removed.
load helpers
load lib/registry
load lib/compose

setup() { cli_setup 61; }
teardown() { cli_teardown; }

project() {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
  b:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
}

@test "create makes the containers without starting them; start starts them" {
  project
  run b create
  assert_success
  assert_output --partial "Created"
  assert_equal "$(cli_status a)" created
  assert_equal "$(cli_status b)" created
  run b ps -q
  assert_output ''
  run b start
  assert_success
  cli_wait_until 10 cli_status_is a running
  cli_wait_until 10 cli_status_is b running
}

@test "rm removes only stopped containers, asks without -f, and -s stops first" {
  project
  run b up -d
  assert_success
  run b rm -f
  assert_success
  assert_output --partial 'No stopped containers'
  run b stop -t 1 a
  assert_success
  [ -d "$BERTH_ROOT/containers/$PROJECT-a-1" ]
  # answering no keeps it
  run bash -c "echo n | (cd $WORK && $BERTH rm a)"
  assert_success
  assert_output --partial "Going to remove $PROJECT-a-1"
  [ -d "$BERTH_ROOT/containers/$PROJECT-a-1" ]
  run bash -c "echo y | (cd $WORK && $BERTH rm a)"
  assert_success
  assert_output --partial "Container $PROJECT-a-1  Removed"
  [ ! -d "$BERTH_ROOT/containers/$PROJECT-a-1" ]
  run b ps -a --format json
  assert_success
  run jq -r '.[].Name' <<< "$output"
  assert_output "$PROJECT-b-1"
  # b still runs, supervised: stop works on it
  assert_equal "$(cli_status b)" running
  run b rm -s -f -v b
  assert_success
  assert_output --partial "Container $PROJECT-b-1  Removed"
  [ ! -d "$BERTH_ROOT/containers/$PROJECT-b-1" ]
  [ -z "$(find /sys/fs/cgroup -maxdepth 7 -type d -path "*/berth/$PROJECT/*" 2>/dev/null)" ]
  run b ps -a -q
  assert_output ''
  # up makes them again
  run b up -d
  assert_success
  assert_equal "$(cli_status a)" running
}
