#!/usr/bin/env bats
# A second `down` while one is under way waits for it and succeeds (as `docker compose down`
# run twice), whether the first CLI still runs or was killed while the supervisor stops the
# containers. orchestrator/cmd_down.c (down_lock), orchestrator/supervisor_ctl.c.
load helpers
load lib/stack
load lib/fault

setup() { fault_setup; }
teardown() {
  [ ! -f "$BATS_TEST_TMPDIR/stray" ] || kill -9 "$(cat "$BATS_TEST_TMPDIR/stray")" 2>/dev/null || true
  fault_teardown
}

# web ignores SIGTERM: a `down -t 3` takes 3 s, long enough to start a second one meanwhile.
slow_project() {
  compose_file <<EOF2
name: $PROJECT
services:
  web:
    image: $BUSYBOX
    command: ["sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"]
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
EOF2
}

@test "a second down while one runs waits for it and succeeds" {
  slow_project
  b up -d
  (cd "$WORK" && exec "$BERTH" down -t 3) > "$BATS_TEST_TMPDIR/first.out" 2>&1 &
  first=$!
  sleep 0.8
  SECONDS=0
  run b down -t 3
  assert_success
  refute_output --partial "going down"
  wait "$first"
  cat "$BATS_TEST_TMPDIR/first.out"
  ! grep -q '^berth: ' "$BATS_TEST_TMPDIR/first.out"
  assert_no_residue "$PROJECT"
}

@test "a down after the first was killed while the supervisor stops the containers succeeds" {
  slow_project
  b up -d
  (cd "$WORK" && exec "$BERTH" down -t 3) > /dev/null 2>&1 &
  first=$!
  sleep 0.8
  kill -9 "$first"
  wait "$first" || true
  # the supervisor still executes the first down
  [ -S "$BERTH_RUN/$PROJECT/control.sock" ]
  run b down -t 3
  assert_success
  refute_output --partial "going down"
  assert_no_residue "$PROJECT"
}

@test "three downs at once all succeed" {
  slow_project
  b up -d
  for i in 1 2 3; do
    (cd "$WORK" && exec "$BERTH" down -t 2) > "$BATS_TEST_TMPDIR/d$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  for i in 1 2 3; do ! grep -q '^berth: ' "$BATS_TEST_TMPDIR/d$i.out"; done
  assert_no_residue "$PROJECT"
}

@test "a container SIGKILLed while down waits out its stop grace: down finishes, nothing left" {
  slow_project
  b up -d
  pid=$(ctr_pid "$PROJECT-web-1")
  (cd "$WORK" && exec "$BERTH" down -t 20) > "$BATS_TEST_TMPDIR/down.out" 2>&1 &
  down=$!
  sleep 0.8
  SECONDS=0
  kill -9 "$pid"
  wait "$down"
  [ "$SECONDS" -lt 10 ]
  ! grep -q '^berth: ' "$BATS_TEST_TMPDIR/down.out"
  assert_no_residue "$PROJECT"
}

# A start killed between its mkdirs, or racing a down, can leave a leaf cgroup that no record
# names (in one hierarchy only, or with a process in it). down sweeps berth/<project> in every
# hierarchy: the caller's and those the recorded containers were made in.
@test "down removes cgroups of the project that no container record names, processes included" {
  slow_project
  b up -d
  leaves=$(tail -n +2 "$BERTH_ROOT/containers/$PROJECT-db-1/cgroup")
  [ -n "$leaves" ]
  ghosts=()
  while read -r leaf; do
    g=$(dirname "$leaf")/$PROJECT-ghost-1
    mkdir "$g" "$g/nested"
    ghosts+=("$g")
  done <<< "$leaves"
  # a stray process in the first hierarchy's ghost (pids, or the unified one on v2)
  sleep 1000 3>&- &
  stray=$!
  echo "$stray" > "$BATS_TEST_TMPDIR/stray"
  echo "$stray" > "${ghosts[0]}/cgroup.procs"
  run b down -t 1
  assert_success
  for g in "${ghosts[@]}"; do [ ! -e "$g" ]; done
  st=$(awk '{print $3}' "/proc/$stray/stat" 2>/dev/null || echo gone)
  kill -9 "$stray" 2>/dev/null || true
  wait "$stray" || true
  [[ $st == Z || $st == gone ]]
  assert_no_residue "$PROJECT"
  [ -z "$(find /sys/fs/cgroup -maxdepth 8 -type d -path "*/berth/$PROJECT" 2>/dev/null)" ]
}
