#!/usr/bin/env bats
# Stopping: stop_signal, the grace period then SIGKILL of the whole group, down leaving nothing.
load helpers
load lib/orch

setup() { orch_setup; }
teardown() { orch_teardown; }

@test "stop: a process ignoring SIGTERM is SIGKILLed after stop_grace_period" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "trap '' TERM; sleep 1000 & wait; sleep 1000"],
  "restart": "always", "stop_grace_period": "1s"}}}
EOF_
  sleep 0.2
  start=$(date +%s%N)
  run sup stop web
  assert_success
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "stop took $ms ms" >&3
  [ "$ms" -ge 950 ] && [ "$ms" -lt 2500 ]
  run orch_field web exit_code
  assert_output 137
  # the whole group went: the background sleep too
  [ -z "$(orch_marked_pids)" ]
  run orch_field web status
  assert_output exited
}

@test "stop: stop_signal is what the process gets first" {
  orch_up <<EOF_
{"services": {"web": {"command": ["sh", "-c", "trap 'echo got-usr1; exit 0' USR1; while :; do sleep 0.05; done"],
  "stop_signal": "SIGUSR1", "stop_grace_period": "5s"}}}
EOF_
  sleep 0.2
  start=$(date +%s%N)
  run sup stop
  assert_success
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$ms" -lt 1000 ]
  run orch_field web exit_code
  assert_output 0
  run sup logs --no-log-prefix
  assert_output got-usr1
}

@test "stop: -t overrides the grace period; kill -s sends a signal; restart" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"],
  "stop_grace_period": "30s"}}}
EOF_
  sleep 0.2
  start=$(date +%s%N)
  run sup stop -t 0 web
  assert_success
  [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ]
  run sup start web
  assert_success
  pid=$(orch_pid web)
  run sup restart -t 0 web
  assert_success
  run orch_field web status
  assert_output running
  [ "$(orch_pid web)" != "$pid" ]
  run sup kill -s SIGKILL web
  assert_success
  wait_until 3 field_is web status exited
  run orch_field web exit_code
  assert_output 137
  run sup kill -s NOPE web
  assert_failure 2
  run sup stop nosuch
  assert_failure
  assert_output --partial 'no such service: nosuch'
}

@test "stop: wait returns the exit codes once the containers exited" {
  orch_up <<'EOF_'
{"services": {"job": {"command": ["sh", "-c", "sleep 0.3; exit 7"]}}}
EOF_
  run sup wait job
  assert_success
  assert_output "$PROJECT-job-1 7"
}

@test "down: stops everything and leaves no process, socket, lock, state or log behind" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "sleep 1000 & sleep 1000 & wait"], "scale": 3},
              "db": {"command": ["sleep", "1000"], "restart": "always"}}}
EOF_
  run sup ps --json
  assert_success
  run jq length <<< "$output"
  assert_output 4
  [ "$(orch_marked_pids | wc -l)" -ge 10 ]
  sp=$(orch_supervisor_pid)
  run sup down
  assert_success
  [ -z "$(orch_marked_pids)" ]
  ! kill -0 "$sp" 2>/dev/null
  [ ! -e "$BERTH_RUN/$PROJECT" ]
  [ ! -e "$BERTH_ROOT/projects/$PROJECT" ]
  run sup status
  assert_failure
}

@test "down: SIGTERM to the supervisor stops the containers but keeps state and logs" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "echo hello; exec sleep 1000"], "restart": "always"}}}
EOF_
  sleep 0.2
  sp=$(orch_supervisor_pid)
  kill -TERM "$sp"
  wait_until 5 bash -c "! kill -0 $sp 2>/dev/null"
  [ -z "$(orch_marked_pids)" ]
  run sup ps --no-adopt --json
  assert_success
  run jq -r '.[0].status' <<< "$output"
  assert_output exited
  run sup logs
  assert_output "web-1  | hello"
}

@test "down: two projects side by side, each with its own supervisor, state and logs" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "echo first; exec sleep 1000"]}}}
EOF_
  first=$PROJECT
  PROJECT=${PROJECT}b
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "echo second; exec sleep 1000"]}}}
EOF_
  [ "$(orch_supervisor_pid)" != "$(PROJECT=$first orch_supervisor_pid)" ]
  sleep 0.2
  run sup logs --no-log-prefix
  assert_output second
  run sup ps --json
  [ "$(jq -r '.[0].name' <<< "$output")" = "$PROJECT-web-1" ]
  run sup down
  assert_success
  PROJECT=$first
  run sup ps --json
  assert_success
  [ "$(jq -r '.[0].status' <<< "$output")" = running ]
  run sup logs --no-log-prefix
  assert_output first
}

@test "events: a stream per client, filtered by service" {
  orch_up <<'EOF_'
{"services": {"a": {"command": ["sleep", "1000"]}, "b": {"command": ["sleep", "1000"]}}}
EOF_
  (cd "$WORK" && exec timeout 3 "$BERTH" -p "$PROJECT" super events --json b > "$WORK/eb") &
  (cd "$WORK" && exec timeout 3 "$BERTH" -p "$PROJECT" super events > "$WORK/eall") &
  sleep 0.3
  run sup restart -t 1
  assert_success
  wait
  run jq -r '.container + " " + .event' "$WORK/eb"
  assert_output "$(printf '%s\n' "$PROJECT-b-1 stop" "$PROJECT-b-1 die" "$PROJECT-b-1 start")"
  run grep -c " container die $PROJECT-" "$WORK/eall"
  assert_output 2
  run grep -E "container die $PROJECT-a-1 \(exit_code=143\)" "$WORK/eall"
  assert_success
}
