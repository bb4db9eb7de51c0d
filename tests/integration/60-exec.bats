#!/usr/bin/env bats
# berth exec: a command in a running service container, through rt_exec.
bats_require_minimum_version 1.5.0
load helpers
load lib/registry
load lib/compose

setup() { cli_setup 60; }
teardown() { cli_teardown; }

two_services() {
  compose_file <<EOF2
name: $PROJECT
services:
  app:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    environment:
      FROM_SERVICE: svc
    working_dir: /srv
  other:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
}

@test "exec passes stdio through and returns the command's exit code" {
  two_services
  run b exec app sh -c 'echo out; echo err >&2; exit 7'
  assert_equal "$status" 7
  assert_line out
  assert_line err
  run bash -c "echo piped | (cd $WORK && $BERTH exec -T app cat)"
  assert_success
  assert_output piped
  # it runs in the container: its hostname, its pid namespace (sleep is pid 1), its environment
  run b exec app sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $FROM_SERVICE; pwd'
  assert_success
  assert_line 'sleep 1000 '
  assert_line svc
  assert_line /srv
}

@test "exec -e -u -w override environment, user and directory" {
  two_services
  run b exec -e A=1 -e B=two -u 1234 -w /tmp app sh -c 'echo $A$B; id -u; pwd'
  assert_success
  assert_line 1two
  assert_line 1234
  assert_line /tmp
}

@test "exec of a missing command exits 127 with a message; a non-executable 126" {
  two_services
  run -127 b exec app no-such-command
  assert_output --partial 'no-such-command'
  run -126 b exec app /etc/passwd
}

@test "exec into a stopped container or a missing replica is a clear error" {
  two_services
  run b stop -t 1 other
  assert_success
  run b exec other true
  assert_failure 1
  assert_output --partial 'is not running'
  run b exec --index 2 app true
  assert_failure 1
  assert_output --partial 'not running container #2'
  run b exec nosuch true
  assert_failure
  assert_output --partial 'no such service'
  run b exec app
  assert_failure 2
}

@test "exec -d returns at once and the command runs in the container" {
  two_services
  run b exec -d app sh -c 'sleep 1; touch /tmp/done'
  assert_success
  cli_wait_until 10 b exec app test -e /tmp/done
}

@test "exec works after the supervisor died: the running containers are re-adopted" {
  two_services
  local sp
  sp=$(jq -r .supervisor_pid "$BERTH_ROOT/projects/$PROJECT/state.json")
  [ "$sp" -gt 1 ]
  kill -KILL "$sp"
  cli_wait_until 10 bash -c "! kill -0 $sp 2>/dev/null"
  run b exec app cat /proc/1/cmdline
  assert_success
  assert_output --partial sleep
  [ "$(jq -r .supervisor_pid "$BERTH_ROOT/projects/$PROJECT/state.json")" != "$sp" ]
}
