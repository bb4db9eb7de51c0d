#!/usr/bin/env bats
# The supervisor of a compose project is the small berth-supervisor program that `berth` execs
# with its plan (orchestrator/super_plan.h), not a fork of the CLI: only libc mapped, the plan's
# fd gone, its memory within the issue's budget; and berth still works without it (a fork, as
# before). Restart policies, health, logs, DNS and re-adoption through it are what 70/71 test.
load helpers
load lib/stack

setup() { stack_setup; }
teardown() { stack_teardown; }

sup_pid() { jq -r .supervisor_pid "$BERTH_ROOT/projects/$PROJECT/state.json"; }

@test "the supervisor is berth-supervisor: libc only, no plan fd left, it serves DNS" {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
  b:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
EOF2
  b up -d
  sup=$(sup_pid)
  [ "$(readlink "/proc/$sup/exe")" = "$(dirname "$(readlink -f "$BERTH")")/berth-supervisor" ]
  [ "$(cat "/proc/$sup/comm")" = berth-super ]
  # none of the CLI's libraries
  run grep -E 'libcurl|libcrypto|libssl|libarchive|libyaml|libnftables|libseccomp|libevent' "/proc/$sup/maps"
  assert_failure
  # the plan memfd was read and closed; no pipe of the CLI's stayed open
  run ls -l "/proc/$sup/fd"
  refute_output --partial berth-supervisor-plan
  # the project's DNS server lives in it
  run b exec a nslookup b
  assert_success
  assert_output --regexp 'Address: 10\.'
}

@test "berth-supervisor refuses to run by hand, and a plan not from its build, on the ready fd" {
  sup=$(dirname "$(readlink -f "$BERTH")")/berth-supervisor
  run "$sup"
  [ "$status" = 2 ]
  assert_output --partial "started by berth"
  run "$sup" 3 4 3<<< '{"project": 1}' 4> "$BATS_TEST_TMPDIR/ready"
  [ "$status" = 1 ]
  run cat "$BATS_TEST_TMPDIR/ready"
  assert_output --regexp '^err 71 berth-supervisor \(.*\) is not from the build of this berth \(no build stamp\)$'
}

@test "without berth-supervisor beside it, berth forks its supervisor as before" {
  mkdir -p "$BATS_TEST_TMPDIR/alone"
  cp "$(readlink -f "$BERTH")" "$BATS_TEST_TMPDIR/alone/berth"
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    restart: always
EOF2
  BERTH=$BATS_TEST_TMPDIR/alone/berth b up -d
  sup=$(sup_pid)
  [ "$(readlink "/proc/$sup/exe")" = "$BATS_TEST_TMPDIR/alone/berth" ]
  pid=$(ctr_pid "$PROJECT-a-1")
  kill -9 "$pid"
  wait_until 10 eval 'test "$(ctr_field "$PROJECT-a-1" restart_count)" = 1'
  BERTH=$BATS_TEST_TMPDIR/alone/berth b down -t 1
}

@test "50 idle containers: the supervisor's PSS is under 10% of podman's 50 conmons" {
  # two networks: the test's subnets are /27
  {
    echo "name: $PROJECT"
    echo "services:"
    for i in $(seq 50); do
      echo "  s$i:"
      echo "    image: $BUSYBOX"
      echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 1000 & wait\"]"
      echo "    networks: [n$((i % 2))]"
    done
    echo "networks: {n0: {}, n1: {}}"
  } | compose_file
  b up -d
  [ "$(b ps -q | wc -l)" = 50 ]
  sup=$(sup_pid)
  sleep 1 # the heap is trimmed once the loop has been quiet for 0.5 s
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$sup/smaps_rollup")
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$sup/status")
  echo "# 50 idle containers: supervisor PSS $pss kB, RSS $rss kB" >&3
  # podman: 370 kB PSS per conmon at N=50 (../shared/bench/results/podman.mem.tsv). A figure of
  # the plain build: an ASan/UBSan berth-supervisor maps tens of MB of shadow memory.
  [ "$pss" -lt $((50 * 370 / 10)) ]
}

@test "a berth-supervisor from another build is not used: berth forks its supervisor instead" {
  mkdir -p "$BATS_TEST_TMPDIR/skew"
  cp "$(readlink -f "$BERTH")" "$BATS_TEST_TMPDIR/skew/berth"
  # what a berth-supervisor of another build answers (super_plan_decode: EPROTO)
  printf '#!/bin/sh\necho "err 71 berth-supervisor (other) is not from the build of this berth" >&"$2"\nexit 1\n' \
    > "$BATS_TEST_TMPDIR/skew/berth-supervisor"
  chmod +x "$BATS_TEST_TMPDIR/skew/berth-supervisor"
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
EOF2
  BERTH=$BATS_TEST_TMPDIR/skew/berth b up -d
  [ "$(readlink "/proc/$(sup_pid)/exe")" = "$BATS_TEST_TMPDIR/skew/berth" ]
  BERTH=$BATS_TEST_TMPDIR/skew/berth b down -t 1
}
