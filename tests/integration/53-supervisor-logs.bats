#!/usr/bin/env bats
# Log capture: every line in order per stream, readable with no supervisor, the logs flags,
# rotation, follow across restarts, and a service flooding output.
load helpers
load lib/orch

setup() { orch_setup; }
teardown() { orch_teardown; }

@test "logs: every line in order per stream, readable with no supervisor running" {
  orch_up <<'EOF_'
{"services": {"gen": {"command": ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo out $i; echo err $i >&2; done"]}}}
EOF_
  wait_until 10 field_is gen status exited
  sp=$(orch_supervisor_pid)
  kill -TERM "$sp"
  wait_until 5 bash -c "! kill -0 $sp"
  run sup status
  assert_failure
  run sup logs --no-log-prefix
  assert_success
  [ "$(grep -c '^out' <<< "$output")" -eq 3000 ]
  [ "$(grep -c '^err' <<< "$output")" -eq 3000 ]
  diff <(grep '^out' <<< "$output") <(seq 1 3000 | sed 's/^/out /')
  diff <(grep '^err' <<< "$output") <(seq 1 3000 | sed 's/^/err /')
  # the files are docker's json-file lines
  run head -1 "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-gen-1.log"
  run jq -r '.stream + " " + .log' <<< "$output"
  assert_output --regexp '^(stdout out|stderr err) 1$'
}

@test "logs: prefixes, --tail, -t, --no-log-prefix, --since/--until and services" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "echo w1; echo w2; echo w3; exec sleep 1000"], "scale": 2},
              "db": {"command": ["sh", "-c", "echo d1; exec sleep 1000"]}}}
EOF_
  sleep 0.3
  run sup logs db
  assert_output "db-1  | d1"
  run sup logs
  assert_line "web-1  | w3"
  assert_line "web-2  | w1"
  assert_line "db-1   | d1"
  [ "${#lines[@]}" -eq 7 ]
  run sup logs --tail 1 web
  [ "${#lines[@]}" -eq 2 ]
  assert_line "web-1  | w3"
  run sup logs -t --no-log-prefix db
  assert_output --regexp '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z d1$'
  run sup logs --since 1h db
  assert_output "db-1  | d1"
  run sup logs --until 1h db
  assert_output ""
  run sup logs --since "$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)"
  assert_output ""
  run sup logs --since yesterday
  assert_failure 2
  run sup logs nosuch
  assert_failure
  assert_output --partial 'no such service: nosuch'
}

@test "logs: rotation by max-size keeps max-file files and the newest lines in order" {
  orch_up <<'EOF_'
{"services": {"gen": {"command": ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); echo line $i; done"],
  "logging": {"options": {"max-size": "64k", "max-file": "3"}}}}}
EOF_
  wait_until 10 field_is gen status exited
  dir=$BERTH_ROOT/projects/$PROJECT/logs
  [ -e "$dir/$PROJECT-gen-1.log.2" ]
  [ ! -e "$dir/$PROJECT-gen-1.log.3" ]
  for f in "$dir"/*; do [ "$(stat -c %s "$f")" -le 65536 ]; done
  run sup logs --no-log-prefix
  [ "${lines[-1]}" = "line 20000" ]
  first=${lines[0]#line }
  diff <(printf '%s\n' "${lines[@]}") <(seq "$first" 20000 | sed 's/^/line /')
}

@test "logs: -f follows across restarts" {
  orch_up <<'EOF_'
{"services": {"web": {"command": ["sh", "-c", "echo start $$; exec sleep 1000"], "restart": "always"}}}
EOF_
  sleep 0.2
  (cd "$WORK" && exec timeout 5 "$BERTH" -p "$PROJECT" super logs -f --no-log-prefix > "$WORK/follow" 2>&1) &
  follower=$!
  sleep 0.3
  for i in 1 2; do
    pid=$(orch_pid web)
    kill -9 "$pid"
    wait_until 5 pid_changed web "$pid"
  done
  sleep 0.5
  kill -TERM "$follower"
  wait "$follower" || true
  run grep -c '^start ' "$WORK/follow"
  assert_output 3
}

@test "logs: a service flooding output is never blocked for long and memory stays bounded" {
  orch_up <<'EOF_'
{"services": {"flood": {"command": ["sh", "-c", "head -c 200000000 /dev/zero | tr '\\0' x | fold -w 999; echo; echo done"],
  "logging": {"options": {"max-size": "20m", "max-file": "2"}}},
  "idle": {"command": ["sleep", "1000"]}}}
EOF_
  sp=$(orch_supervisor_pid)
  sleep 0.5
  # the supervisor answers ps while the flood goes on
  start=$(date +%s%N)
  run sup ps
  assert_success
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "ps during flood: $ms ms" >&3
  [ "$ms" -lt 500 ]
  start=$(date +%s%N)
  wait_until 60 field_is flood status exited
  echo "flood of 200 MB done after $(( ($(date +%s%N) - start) / 1000000 )) ms more" >&3
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$sp/status")
  echo "supervisor peak RSS: $rss kB" >&3
  [ "$rss" -lt 20000 ]
  run sup logs --tail 1 --no-log-prefix flood
  assert_output done
}
