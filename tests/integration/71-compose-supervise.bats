#!/usr/bin/env bats
# The supervisor behind `up`: restart policies on real containers, healthchecks gating
# depends_on and `up --wait`, logs across restarts, foreground `up` and Ctrl-C, and re-adoption
# after the supervisor is SIGKILLed.
load helpers
load lib/stack

setup() { stack_setup; }
teardown() { stack_teardown; }

one_service() { # policy command
  compose_file <<EOF2
name: $PROJECT
services:
  svc:
    image: $BUSYBOX
    command: ["sh", "-c", "$2"]
    restart: "$1"
EOF2
}

restarts() { ctr_field "$PROJECT-svc-1" restart_count; }
status() { ctr_field "$PROJECT-svc-1" status; }

@test "restart: always brings a SIGKILLed container back, with growing delays" {
  one_service always "trap 'exit 0' TERM; echo started; sleep 1000 & wait"
  b up -d
  for i in 1 2 3; do
    pid=$(ctr_pid "$PROJECT-svc-1")
    kill -9 "$pid"
    wait_until 10 eval 'test "$(restarts)" = "$i"'
    wait_until 10 eval 'test "$(status)" = running'
    [ "$(ctr_pid "$PROJECT-svc-1")" != "$pid" ]
  done
  [ "$(grep -c started "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-svc-1.log")" -ge 4 ]
  # docker's backoff: 100 ms, 200 ms, 400 ms...
  [ "$(ctr_field "$PROJECT-svc-1" backoff_ms)" -ge 400 ]
}

@test "restart: on-failure:2 gives up after two restarts" {
  one_service on-failure:2 "echo run; exit 3"
  b up -d
  wait_until 15 eval 'test "$(restarts)" = 2'
  sleep 1.5
  [ "$(restarts)" = 2 ]
  [ "$(status)" = exited ]
  [ "$(ctr_field "$PROJECT-svc-1" exit_code)" = 3 ]
  [ "$(grep -c '"run' "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-svc-1.log")" = 3 ]
}

@test "restart: no leaves a killed container down" {
  one_service no "trap 'exit 0' TERM; sleep 1000 & wait"
  b up -d
  kill -9 "$(ctr_pid "$PROJECT-svc-1")"
  wait_until 5 eval 'test "$(status)" = exited'
  sleep 1
  [ "$(status)" = exited ]
  [ "$(restarts)" = 0 ]
  run b ps -a --format json
  [ "$(jq -r '.[0].Status' <<< "$output")" != "" ]
  [[ "$(jq -r '.[0].Status' <<< "$output")" == "Exited (137)"* ]]
}

@test "restart: unless-stopped stays stopped after stop, and comes back with start" {
  one_service unless-stopped "trap 'exit 0' TERM; sleep 1000 & wait"
  b up -d
  run b stop
  assert_success
  assert_output --partial "Container $PROJECT-svc-1  Stopped"
  sleep 1
  [ "$(status)" = exited ]
  run b start
  assert_success
  wait_until 5 eval 'test "$(status)" = running'
}

@test "stop sends stop_signal, then SIGKILL after stop_grace_period" {
  compose_file <<EOF2
name: $PROJECT
services:
  svc:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'echo got-usr1' USR1; trap '' TERM; while true; do sleep 0.1; done"]
    stop_signal: SIGUSR1
    stop_grace_period: 1s
EOF2
  b up -d
  start=$(date +%s%N)
  run b stop
  assert_success
  end=$(date +%s%N)
  [ $(( (end - start) / 1000000 )) -ge 900 ]
  [ $(( (end - start) / 1000000 )) -lt 5000 ]
  wait_until 5 grep -q got-usr1 "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-svc-1.log"
  [ "$(ctr_field "$PROJECT-svc-1" exit_code)" = 137 ]
}

@test "depends_on service_healthy waits for the healthcheck, up --wait waits for health" {
  compose_file <<EOF2
name: $PROJECT
services:
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1; touch /tmp/ready; sleep 1000 & wait"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 200ms
      retries: 50
  app:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    depends_on:
      db:
        condition: service_healthy
EOF2
  run b up -d --wait
  assert_success
  [[ "$output" == *"db-1  Healthy"*"app-1  Started"* ]]
  run b ps --format json
  [ "$(jq -r '.[] | select(.Service=="db") | .Health' <<< "$output")" = healthy ]
}

@test "up --wait fails on an unhealthy service" {
  compose_file <<EOF2
name: $PROJECT
services:
  bad:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    healthcheck:
      test: ["CMD-SHELL", "exit 1"]
      interval: 100ms
      retries: 2
EOF2
  run b up -d --wait --wait-timeout 20
  assert_failure
  assert_output --partial "$PROJECT-bad-1 is unhealthy"
}

@test "logs -f follows a container across restarts" {
  one_service always "echo line-\$\$(date +%s%N); sleep 0.3; exit 1"
  b up -d
  b logs -f > "$BATS_TEST_TMPDIR/follow" 2>&1 &
  follower=$!
  wait_until 15 eval 'test "$(grep -c line- "$BATS_TEST_TMPDIR/follow")" -ge 3'
  kill $follower
  grep -q "svc-1  | line-" "$BATS_TEST_TMPDIR/follow"
}

@test "a foreground up streams logs and Ctrl-C stops the project with exit 130" {
  one_service no "trap 'echo bye; exit 0' TERM; echo hello-fg; sleep 1000 & wait"
  (cd "$WORK" && exec "$BERTH" up) > "$BATS_TEST_TMPDIR/fg" 2>&1 &
  up=$!
  wait_until 10 grep -q "svc-1  | hello-fg" "$BATS_TEST_TMPDIR/fg"
  kill -INT $up
  run wait $up
  [ "$status" = 130 ]
  grep -q "Gracefully stopping" "$BATS_TEST_TMPDIR/fg"
  [ "$(status)" = exited ]
}

@test "a SIGKILLed supervisor leaves containers running; the next command re-adopts them" {
  one_service always "trap 'exit 0' TERM; i=0; while true; do echo tick-\$\$i; i=\$\$((i+1)); sleep 0.1; done"
  b up -d
  pid=$(ctr_pid "$PROJECT-svc-1")
  sup=$(jq -r .supervisor_pid "$BERTH_ROOT/projects/$PROJECT/state.json")
  kill -9 "$sup"
  sleep 1
  kill -0 "$pid"
  run b ps --format json
  assert_success
  [ "$(jq -r '.[0].State' <<< "$output")" = running ]
  [ "$(ctr_pid "$PROJECT-svc-1")" = "$pid" ]
  sup2=$(jq -r .supervisor_pid "$BERTH_ROOT/projects/$PROJECT/state.json")
  [ "$sup2" != "$sup" ]
  # no tick lost while no supervisor read the output
  sleep 0.5
  ticks=$(jq -r .log "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-svc-1.log" | sed -n 's/^tick-//p')
  first=$(head -1 <<< "$ticks"); last=$(tail -1 <<< "$ticks")
  [ "$(wc -l <<< "$ticks")" = $((last - first + 1)) ]
  # and its restart policy still holds
  kill -9 "$pid"
  wait_until 10 eval 'test "$(restarts)" = 1'
}
