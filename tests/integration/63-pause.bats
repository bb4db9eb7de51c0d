#!/usr/bin/env bats
# berth pause / unpause: the cgroup freezer, and the supervisor reports `paused`.
load helpers
load lib/registry
load lib/compose

setup() { cli_setup 63; }
teardown() {
  b unpause >/dev/null 2>&1 || true
  cli_teardown
}

# Every process of the container is in the freezer's stopped state (D or T in /proc).
all_frozen() {
  local cg pid st
  cg=$(sed -n 2p "$BERTH_ROOT/containers/$1/cgroup")
  for pid in $(cat "$cg/cgroup.procs"); do
    st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
    case $st in D|T) ;; *) return 1 ;; esac
  done
}

@test "pause freezes a service's containers, ps says paused, unpause resumes them" {
  compose_file <<EOF2
name: $PROJECT
services:
  counter:
    image: $IMG
    command: ["sh", "-c", "i=0; while :; do i=\$\$((i+1)); echo \$\$i > /tmp/n; sleep 0.1; done"]
    stop_signal: SIGKILL
  other:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
  run b pause counter
  assert_success
  assert_output --partial "Container $PROJECT-counter-1  Paused"
  assert_equal "$(cli_status counter)" paused
  assert_equal "$(cli_status other)" running
  all_frozen "$PROJECT-counter-1"
  # frozen: the counter does not move (read through the other container would need a volume;
  # read its upper layer from the host)
  local f=$BERTH_ROOT/containers/$PROJECT-counter-1/upper/tmp/n a
  a=$(cat "$f")
  sleep 0.5
  assert_equal "$(cat "$f")" "$a"
  run b exec counter true
  assert_failure
  assert_output --partial paused
  run b unpause
  assert_success
  assert_output --partial "Container $PROJECT-counter-1  Unpaused"
  assert_equal "$(cli_status counter)" running
  cli_wait_until 5 bash -c "[ \"\$(cat $f)\" != $a ]"
  # nothing of the freezer is left
  [ -z "$(find /sys/fs/cgroup -maxdepth 7 -type d -path "*freezer*/berth/$PROJECT*" 2>/dev/null)" ]
  run b exec counter true
  assert_success
}

@test "pause events and a paused container survives a supervisor restart as paused" {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
  (cd "$WORK" && exec "$BERTH" events --json > "$BATS_TEST_TMPDIR/ev.json") &
  local ev=$!
  cli_wait_until 10 bash -c "ls -l /proc/$ev/fd | grep -q socket:"
  run b pause
  assert_success
  run b unpause
  assert_success
  cli_wait_until 5 grep -q '"unpause"' "$BATS_TEST_TMPDIR/ev.json"
  kill $ev; wait $ev || true
  run jq -r .action "$BATS_TEST_TMPDIR/ev.json"
  assert_output "$(printf 'pause\nunpause')"
  run b pause a
  assert_success
  # the supervisor dies (as on a crash); the next one re-adopts the container as paused
  local sp
  sp=$(jq -r .supervisor_pid "$BERTH_ROOT/projects/$PROJECT/state.json")
  [ "$sp" -gt 1 ]
  kill -KILL "$sp"
  cli_wait_until 10 bash -c "! kill -0 $sp 2>/dev/null"
  run b start a
  assert_success
  assert_equal "$(cli_status a)" paused
  run b unpause a
  assert_success
  assert_equal "$(cli_status a)" running
}

@test "ps lists paused containers as Up (Paused); down of a paused project cleans up" {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $IMG
    command: ["sleep", "1000"]
  b:
    image: $IMG
    command: ["sleep", "1000"]
EOF2
  run b up -d
  assert_success
  run b pause
  assert_success
  run b ps
  assert_success
  assert_line --regexp "^$PROJECT-a-1 .* Up [A-Za-z0-9 ]+ \(Paused\)"
  run timeout 60 "$BERTH" -f "$WORK/compose.yaml" down -t 1
  assert_success
  [ -z "$(cli_residue)" ]
}

@test "stop and kill of a paused container work: it is thawed first" {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $IMG
    command: ["sleep", "1000"]
  b:
    image: $IMG
    command: ["sleep", "1000"]
EOF2
  run b up -d
  assert_success
  run b pause
  assert_success
  run timeout 30 "$BERTH" -f "$WORK/compose.yaml" stop -t 1 a
  assert_success
  assert_equal "$(cli_status a)" exited
  run timeout 30 "$BERTH" -f "$WORK/compose.yaml" kill b
  assert_success
  cli_wait_until 10 cli_status_is b exited
  [ -z "$(find /sys/fs/cgroup -maxdepth 7 -type d -path "*freezer*/berth/$PROJECT*" 2>/dev/null)" ]
}
