#!/usr/bin/env bats
# Healthchecks run by the supervisor: starting -> healthy -> unhealthy -> healthy, reported and
# never acted upon; start_period; probe timeout; CMD and CMD-SHELL.
load helpers
load lib/orch

setup() { orch_setup; }
teardown() { orch_teardown; }

@test "health: transitions follow the probe, and unhealthy is reported, not restarted" {
  touch "$WORK/ok"
  orch_up <<EOF_
{"services": {"web": {"command": ["sleep", "1000"], "restart": "always",
  "healthcheck": {"test": ["CMD", "test", "-e", "$WORK/ok"], "interval": "200ms",
                  "timeout": "1s", "retries": 2}}}}
EOF_
  wait_until 3 field_is web health healthy
  (cd "$WORK" && timeout 8 "$BERTH" -p "$PROJECT" super events > "$WORK/events" &)
  sleep 0.2
  pid=$(orch_pid web)
  rm "$WORK/ok"
  wait_until 3 field_is web health unhealthy
  sleep 0.5
  run orch_pid web
  assert_output "$pid"
  run orch_field web restart_count
  assert_output 0
  touch "$WORK/ok"
  wait_until 3 field_is web health healthy
  sleep 0.2
  run grep -o 'health=[a-z]*' "$WORK/events"
  assert_output "$(printf 'health=unhealthy\nhealth=healthy')"
}

@test "health: failures inside start_period do not count" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"],
  "healthcheck": {"test": ["CMD-SHELL", "exit 1"], "interval": "100ms", "retries": 1,
                  "start_period": "1500ms", "start_interval": "100ms"}}}}
EOF_
  sleep 1
  run orch_field web health
  assert_output starting
  wait_until 3 field_is web health unhealthy
}

@test "health: a probe that hangs past its timeout is a failure and is killed" {
  orch_up <<EOF_
{"services": {"web": {"command": ["sleep", "1000"],
  "healthcheck": {"test": ["CMD-SHELL", "echo \$\$ >> $WORK/probes; exec sleep 100"],
                  "interval": "100ms", "timeout": "300ms", "retries": 1}}}}
EOF_
  wait_until 3 field_is web health unhealthy
  sleep 0.2
  # every probe that timed out is gone
  for p in $(cat "$WORK/probes"); do
    run kill -0 "$p"
    [ "$status" -ne 0 ] || { sleep 0.5; ! kill -0 "$p" 2>/dev/null; }
  done
}

@test "health: disable and NONE mean no healthcheck" {
  orch_up <<'EOF_'
{"services": {"a": {"command": ["sleep", "1000"], "healthcheck": {"test": ["NONE"]}},
              "b": {"command": ["sleep", "1000"], "healthcheck": {"test": "exit 1", "disable": true}}}}
EOF_
  sleep 0.3
  run orch_field a health
  assert_output null
  run orch_field b health
  assert_output null
}

@test "health: ready waits for healthy, and fails on unhealthy or a container gone for good" {
  orch_up <<EOF_
{"services": {"db": {"command": ["sleep", "1000"],
  "healthcheck": {"test": ["CMD", "test", "-e", "$WORK/ok"], "interval": "100ms", "retries": 3,
                  "start_period": "10s", "start_interval": "100ms"}},
              "web": {"command": ["sleep", "1000"]},
              "job": {"command": ["sh", "-c", "sleep 0.3; exit 2"]}}}
EOF_
  (sleep 0.5; touch "$WORK/ok") &
  start=$(date +%s%N)
  run sup ready db web
  assert_success
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$ms" -ge 450 ]
  run orch_field db health
  assert_output healthy
  run sup ready job
  assert_failure
  assert_output --partial "container $PROJECT-job-1 exited (2)"
  rm "$WORK/ok"
  wait_until 5 field_is db health unhealthy
  run sup ready db
  assert_failure
  assert_output --partial "container $PROJECT-db-1 is unhealthy"
}
