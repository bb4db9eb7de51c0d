#!/usr/bin/env bats
# The security suite at the compose level: the berth binary stays out of reach of a container
# while `berth exec` and the supervisor's healthchecks run inside it (CVE-2019-5736), and the
# device policy holds for a service started by `up`. See docs/security.md for the full map.
load helpers
load lib/stack

setup() {
  stack_setup
  PROJECT=sec${PROJECT#bt}
  local h
  h=$(printf '%s' "$PROJECT" | cksum | cut -d' ' -f1)
  export BERTH_SUBNET_POOL="10.211.$((h % 250)).0/24:27"
  PROBE=${PROBE:-$BERTH_TOP/build/tests/helpers/probe}
  mkdir -p "$WORK/out"
}
teardown() { stack_teardown; }

@test "exec and healthchecks never hand the berth binary to the container through /proc/<pid>/exe" {
  local dev ino sum i
  read -r dev ino < <(stat -L -c '%d %i' "$BERTH")
  sum=$(sha256sum < "$BERTH")
  compose_file <<EOF2
name: $PROJECT
services:
  box:
    image: $BUSYBOX
    command: ["sh", "-c", "/probe exe-race $dev $ino 8 > /out/race; sleep 1000"]
    volumes: ["$PROBE:/probe:ro", "$WORK/out:/out"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "true"]
      interval: 100ms
      retries: 100
  nonroot:
    image: $BUSYBOX
    user: "1000"
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
  # four seconds of execs (root and a user) while the supervisor probes every 100 ms
  i=0
  SECONDS=0
  while [ "$SECONDS" -lt 4 ]; do
    b exec box true
    b exec -u 1000 box true
    i=$((i + 1))
  done
  [ "$i" -ge 3 ]
  wait_until 10 test -s "$WORK/out/race"
  run cat "$WORK/out/race"
  assert_output --regexp '^seen [0-9]+ berth [1-9][0-9]* path 0 write 0$'
  run b ps --format json
  [ "$(jq -r '.[] | select(.Service=="box") | .Health' <<< "$output")" = healthy ]
  assert_equal "$(sha256sum < "$BERTH")" "$sum"
}

@test "with cap_add SYS_PTRACE, exec and healthchecks still never hand out berth's binary" {
  local dev ino sum
  read -r dev ino < <(stat -L -c '%d %i' "$BERTH")
  sum=$(sha256sum < "$BERTH")
  compose_file <<EOF2
name: $PROJECT
services:
  box:
    image: $BUSYBOX
    cap_add: [SYS_PTRACE]
    command: ["sh", "-c", "/probe exe-race $dev $ino 6 > /out/race; sleep 1000"]
    volumes: ["$PROBE:/probe:ro", "$WORK/out:/out"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "true"]
      interval: 100ms
      retries: 100
EOF2
  run b up -d
  assert_success
  SECONDS=0
  while [ "$SECONDS" -lt 3 ]; do
    b exec box true
  done
  wait_until 10 test -s "$WORK/out/race"
  run cat "$WORK/out/race"
  assert_output --regexp '^seen [0-9]+ berth [1-9][0-9]* path 0 write 0$'
  run b ps --format json
  [ "$(jq -r '.[] | select(.Service=="box") | .Health' <<< "$output")" = healthy ]
  assert_equal "$(sha256sum < "$BERTH")" "$sum"
}

@test "a service started by up gets the device policy: a host block device cannot be opened" {
  [ -b /dev/loop0 ]
  compose_file <<EOF2
name: $PROJECT
services:
  box:
    image: $BUSYBOX
    command: ["sh", "-c", "/probe devopen b 7 0; /probe devopen c 1 3; sleep 1000"]
    volumes: ["$PROBE:/probe:ro"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
  wait_until 10 eval "[ \$(grep -c open '$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-box-1.log') = 2 ]"
  run jq -j .log "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-box-1.log"
  assert_output $'mknod ok\nopen ERR EPERM\nmknod ok\nopen ok'
}

@test "compose devices: the listed node appears, opens with its permissions, others stay shut" {
  [ -b /dev/loop0 ] && [ -c /dev/fuse ]
  compose_file <<EOF2
name: $PROJECT
services:
  box:
    image: $BUSYBOX
    devices: ["/dev/loop0:/dev/xloop:r", "/dev/fuse"]
    command: ["sh", "-c", "ls -l /dev/xloop /dev/fuse; head -c 1 /dev/xloop >/dev/null && echo read-ok; echo x > /dev/xloop || echo write-denied; /probe devopen b 7 1; sleep 1000"]
    volumes: ["$PROBE:/probe:ro"]
    stop_signal: SIGKILL
  bad:
    image: $BUSYBOX
    devices: ["/dev/fuse:/dev/fuse:rx"]
    profiles: [bad]
EOF2
  run b up -d
  assert_success
  wait_until 10 grep -q 'open' "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-box-1.log"
  run jq -j .log "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-box-1.log"
  assert_line --regexp "^b.* /dev/xloop$"
  assert_output --partial "/dev/fuse"
  assert_output --partial "read-ok"
  assert_output --partial "write-denied"
  assert_output --partial "open ERR EPERM"
  run b --profile bad up -d bad
  assert_failure
  assert_output --partial "service \`bad\`: devices[0]: permissions \`rx\`"
}
