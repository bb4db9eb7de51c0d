#!/usr/bin/env bats
# Restart policies of the supervisor, driven through `berth super` with host processes:
# kill -9 of the main process and what each policy does about it.
load helpers
load lib/orch

setup() { orch_setup; }
teardown() { orch_teardown; }

@test "restart: always restarts a killed process with growing delays" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"], "restart": "always"}}}
EOF_
  (cd "$WORK" && timeout 10 "$BERTH" -p "$PROJECT" super events --json > "$WORK/events" &)
  sleep 0.3
  for i in 1 2 3 4; do
    pid=$(orch_pid web)
    [ "$pid" -gt 0 ]
    kill -9 "$pid"
    wait_until 5 pid_changed web "$pid"
  done
  run orch_field web restart_count
  assert_output 4
  sleep 0.2
  # delay between each die and the next start: 100, 200, 400, 800 ms (docker's backoff)
  run jq -rs '[.[] | select(.event == "die" or .event == "start")] | . as $e
    | [range(0; length - 1) | select($e[.].event == "die" and $e[. + 1].event == "start")
       | (($e[. + 1].time_ns - $e[.].time_ns) / 1000000 | floor)] | map(tostring) | join(" ")' "$WORK/events"
  assert_success
  read -r d1 d2 d3 d4 <<< "$output"
  echo "delays: $output" >&3
  # lower bounds are the policy; upper bounds leave room for a loaded machine
  [ "$d1" -ge 95 ] && [ "$d1" -lt 195 ]
  [ "$d2" -ge 195 ] && [ "$d2" -lt 350 ]
  [ "$d3" -ge 395 ] && [ "$d3" -lt 600 ]
  [ "$d4" -ge 795 ] && [ "$d4" -lt 1000 ]
}

@test "restart: on-failure:2 gives up after two restarts" {
  orch_up <<'EOF_'
{"services": {"job": {"command": ["sh", "-c", "echo run; exit 3"], "restart": "on-failure:2"}}}
EOF_
  wait_until 5 field_is job restart_count 2
  wait_until 5 field_is job status exited
  sleep 0.6
  run orch_field job restart_count
  assert_output 2
  run orch_field job exit_code
  assert_output 3
  run sup logs --no-log-prefix job
  assert_output "$(printf 'run\nrun\nrun')"
}

@test "restart: on-failure leaves a clean exit alone, and a killed process counts as failed" {
  orch_up <<'EOF_'
{"services": {"ok": {"command": ["sh", "-c", "exit 0"], "restart": "on-failure"},
              "crash": {"command": ["sleep", "1000"], "restart": "on-failure"}}}
EOF_
  wait_until 3 field_is ok status exited
  sleep 0.4
  run orch_field ok restart_count
  assert_output 0
  pid=$(orch_pid crash)
  kill -9 "$pid"
  wait_until 3 field_is crash restart_count 1
  run orch_field crash status
  assert_output running
}

@test "restart: no stays down after kill -9" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"], "restart": "no"}}}
EOF_
  pid=$(orch_pid web)
  kill -9 "$pid"
  wait_until 3 field_is web status exited
  sleep 0.5
  run orch_field web status
  assert_output exited
  run orch_field web exit_code
  assert_output 137
  run orch_field web restart_count
  assert_output 0
}

@test "restart: unless-stopped restarts a crash but stays stopped after stop" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"], "restart": "unless-stopped"}}}
EOF_
  pid=$(orch_pid web)
  kill -9 "$pid"
  wait_until 3 field_is web restart_count 1
  wait_until 3 field_is web status running
  run sup stop web
  assert_success
  run orch_field web status
  assert_output exited
  sleep 0.5
  run orch_field web status
  assert_output exited
  [ -z "$(orch_marked_pids)" ]
  # a user start brings it back, and the policy applies again
  run sup start web
  assert_success
  run orch_field web status
  assert_output running
}

@test "restart: deploy.restart_policy with max_attempts and delay" {
  orch_up <<'EOF_'
{"services": {"job": {"command": ["sh", "-c", "exit 1"],
  "deploy": {"restart_policy": {"condition": "any", "max_attempts": 1, "delay": "300ms"}}}}}
EOF_
  sleep 0.15
  run orch_field job status
  assert_output restarting
  wait_until 3 field_is job restart_count 1
  sleep 0.5
  run orch_field job status
  assert_output exited
  run orch_field job restart_count
  assert_output 1
}

@test "restart: a bad description is refused with the service and key named" {
  run orch_up <<'EOF_'
{"services": {"web": {"command": ["true"], "restart": "sometimes"}}}
EOF_
  assert_failure
  assert_output --partial 'services.web.restart'
  run sup status
  assert_failure
  run orch_up <<'EOF_'
{"services": {"web": {"command": ["/nonexistent/cmd"]}, "ok": {"command": ["sleep", "1000"]}}}
EOF_
  assert_failure
  assert_output --partial "container $PROJECT-web-1: start \`$PROJECT-web-1\`: exec \`/nonexistent/cmd\`: No such file or directory"
  # the rest runs, as compose leaves it
  run orch_field ok status
  assert_output running
  run orch_field web exit_code
  assert_output 127
}

@test "restart: the SIGCHLD fallback alone (no pidfd events) reaps, restarts and probes" {
  export BERTH_TEST_SIGCHLD_ONLY=1
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"], "restart": "always",
  "healthcheck": {"test": ["CMD", "true"], "interval": "100ms"}},
              "job": {"command": ["sh", "-c", "exit 4"]}}}
EOF_
  wait_until 3 field_is web health healthy
  pid=$(orch_pid web)
  kill -9 "$pid"
  wait_until 3 pid_changed web "$pid"
  run orch_field job exit_code
  assert_output 4
  run orch_field web restart_count
  assert_output 1
  # no zombie left among the supervisor's children
  sp=$(orch_supervisor_pid)
  run bash -c "ps -o stat= --ppid $sp | grep -c Z"
  assert_output 0
}
