#!/usr/bin/env bats
# A SIGKILLed supervisor: its containers keep running, the next berth command starts a new one
# that re-adopts them with their policies, and no line written meanwhile is lost. The project
# lock keeps a second supervisor out.
load helpers
load lib/orch

setup() { orch_setup; }
teardown() { orch_teardown; }

@test "adopt: SIGKILL of the supervisor, children live on, re-adopted with no lost line" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "i=0; while :; do i=$((i+1)); echo out $i; echo err $i >&2; sleep 0.01; done"],
  "restart": "always"}}}
EOF_
  sleep 0.3
  sp=$(orch_supervisor_pid)
  pid=$(orch_pid web)
  kill -KILL "$sp"
  wait_until 3 bash -c "! kill -0 $sp 2>/dev/null"
  # no supervisor: the state file still answers, and the child writes on
  run sup ps --no-adopt --json
  assert_success
  [ "$(jq -r '.[0].pid' <<< "$output")" = "$pid" ]
  sleep 1
  kill -0 "$pid"
  # the next command starts a supervisor that adopts the child
  run sup ps --json
  assert_success
  [ "$(jq -r '.[0].pid' <<< "$output")" = "$pid" ]
  [ "$(jq -r '.[0].status' <<< "$output")" = running ]
  sp2=$(orch_supervisor_pid)
  [ -n "$sp2" ] && [ "$sp2" != "$sp" ]
  sleep 0.3
  # its policy still holds: a crash is restarted by the new supervisor
  kill -9 "$pid"
  wait_until 5 pid_changed web "$pid"
  sleep 0.3
  run sup stop web
  run sup logs --no-log-prefix
  # the first run's counter is gapless across the supervisor's absence, on both streams
  out=$(grep '^out' <<< "$output" | awk '{print $2}' | awk 'NR > 1 && $1 == 1 {exit} {print}')
  err=$(grep '^err' <<< "$output" | awk '{print $2}' | awk 'NR > 1 && $1 == 1 {exit} {print}')
  n=$(wc -l <<< "$out")
  echo "first run wrote $n lines per stream" >&3
  [ "$n" -gt 50 ]
  diff <(echo "$out") <(seq 1 "$n")
  diff <(echo "$err") <(seq 1 "$(wc -l <<< "$err")")
}

@test "adopt: a child that died while no supervisor ran is restarted by its policy" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"], "restart": "always"},
              "once": {"command": ["sleep", "1000"], "restart": "no"}}}
EOF_
  sp=$(orch_supervisor_pid)
  pw=$(orch_pid web)
  po=$(orch_pid once)
  kill -KILL "$sp"
  kill -KILL "$pw" "$po"
  sleep 0.2
  run sup ps --json
  assert_success
  wait_until 3 pid_changed web "$pw"
  run orch_field once status
  assert_output exited
}

@test "adopt: a recorded pid now used by another process is not adopted" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"], "restart": "no"}}}
EOF_
  sp=$(orch_supervisor_pid)
  kill -KILL "$sp"
  wait_until 3 bash -c "! kill -0 $sp 2>/dev/null"
  state=$BERTH_ROOT/projects/$PROJECT/state.json
  pid=$(jq '.containers[0].pid' "$state")
  kill -KILL "$pid"
  # pretend the pid was reused: point the record at a live process of another start time
  sleep 1000 &
  other=$!
  jq --argjson p "$other" '.containers[0].pid = $p' "$state" > "$state.new" && mv "$state.new" "$state"
  run sup ps --json
  assert_success
  [ "$(jq -r '.[0].status' <<< "$output")" = exited ]
  kill -0 "$other"
  kill "$other"
}

@test "lock: a second supervisor for the same project is refused" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"]}}}
EOF_
  sp=$(orch_supervisor_pid)
  # a second supervisor cannot take the project, whoever holds the lock
  run flock -n "$BERTH_RUN/$PROJECT/lock" true
  assert_failure
  rm "$BERTH_RUN/$PROJECT/control.sock"
  run sup up "$WORK/desc.json"
  assert_failure
  assert_output --partial "is locked by another berth (pid $sp)"
  kill -0 "$sp"
}

@test "lock: concurrent commands after a supervisor died start exactly one supervisor" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"]}}}
EOF_
  sp=$(orch_supervisor_pid)
  kill -KILL "$sp"
  wait_until 3 bash -c "! kill -0 $sp 2>/dev/null"
  for i in 1 2 3 4 5; do (sup ps > "$WORK/ps.$i" 2>&1; echo $? >> "$WORK/rc") & done
  wait
  run cat "$WORK/rc"
  refute_output --partial 1
  sups=0
  for p in $(pgrep berth-super); do
    grep -q "$BERTH_RUN" "/proc/$p/environ" 2>/dev/null && sups=$((sups + 1))
  done
  [ "$sups" -eq 1 ]
}

@test "adopt: a child writing 3 MB while no supervisor runs blocks, never dies, loses nothing" {
  orch_up <<EOF_
{"services": {"gen": {"command": ["sh", "-c", "while [ ! -e $WORK/go ]; do sleep 0.02; done; i=0; while [ \$i -lt 30000 ]; do i=\$((i+1)); echo \"\$i 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\"; done; echo finished; exec sleep 1000"]}}}
EOF_
  sp=$(orch_supervisor_pid)
  pid=$(orch_pid gen)
  kill -KILL "$sp"
  wait_until 3 bash -c "! kill -0 $sp 2>/dev/null"
  touch "$WORK/go"
  sleep 1.5
  # alive (no SIGPIPE), blocked on the full FIFO rather than finished
  kill -0 "$pid"
  [ "$(awk '{print $3}' "/proc/$pid/stat")" = S ]
  run sup ps --json
  assert_success
  [ "$(jq -r '.[0].pid' <<< "$output")" = "$pid" ]
  wait_until 10 bash -c "grep -q finished '$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-gen-1.log'"
  run sup logs --no-log-prefix
  [ "${lines[-1]}" = finished ]
  diff <(printf '%s\n' "${lines[@]}" | sed '$d' | awk '{print $1}') <(seq 1 30000)
  kill -0 "$pid"
}

@test "adopt: a supervisor killed during a restart backoff restarts the container when re-adopted" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"],
  "deploy": {"restart_policy": {"condition": "any", "delay": "30s"}}}}}
EOF_
  pid=$(orch_pid web)
  kill -9 "$pid"
  wait_until 3 field_is web status restarting
  sp=$(orch_supervisor_pid)
  kill -KILL "$sp"
  wait_until 3 bash -c "! kill -0 $sp 2>/dev/null"
  run sup ps --json
  assert_success
  wait_until 3 pid_changed web "$pid"
}

@test "control socket: garbage and oversized requests get an error, the supervisor lives on" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sleep", "1000"]}}}
EOF_
  sock=$BERTH_RUN/$PROJECT/control.sock
  run bash -c "printf 'garbage\n{\"id\":5,\"op\":\"frob\"}\n{\"v\":1,\"id\":6,\"op\":\"ps\"}\n' | socat -t 1 - UNIX-CONNECT:$sock"
  assert_success
  assert_line --index 0 --partial '"ok":false'
  assert_line --index 0 --partial 'malformed message'
  assert_line --index 1 --partial 'unknown operation \"frob\"'
  assert_line --index 2 --partial '"id":6,"ok":true'
  run bash -c "head -c 2000000 /dev/zero | tr '\\0' x | socat -t 1 - UNIX-CONNECT:$sock"
  assert_output --partial 'request too large'
  run sup ps --json
  assert_success
  [ "$(jq -r '.[0].status' <<< "$output")" = running ]
}
