#!/usr/bin/env bats
# `up`'s remaining compose flags and depends_on options, on real containers: conditions
# service_completed_successfully, required: false and restart: true; --no-start, --no-recreate,
# --abort-on-container-exit, --exit-code-from, --attach/--no-attach, --timestamps, --pull.
load helpers
load lib/stack

setup() { stack_setup; }
teardown() { stack_teardown; }

# a foreground command, bounded
fg() { (cd "$WORK" && timeout 30 "$BERTH" "$@" 3>&-); }

SLEEPER='["sh", "-c", "trap '"'"'exit 0'"'"' TERM; sleep 1000 & wait"]'

@test "depends_on service_completed_successfully: the dependant starts after a clean exit, not after a failure" {
  compose_file <<EOF2
name: $PROJECT
services:
  init:
    image: $BUSYBOX
    command: ["sh", "-c", "sleep 0.5; echo seeded > /data/seed; exit \${INIT_EXIT:-0}"]
    volumes: ["data:/data"]
  app:
    image: $BUSYBOX
    command: ["sh", "-c", "cat /data/seed; trap 'exit 0' TERM; sleep 1000 & wait"]
    volumes: ["data:/data"]
    depends_on:
      init: {condition: service_completed_successfully}
volumes:
  data: {}
EOF2
  run b up -d
  assert_success
  run b ps -a --format json
  assert_success
  [ "$(jq -r '.[] | select(.Service == "init") | .State' <<< "$output")" = exited ]
  [ "$(jq -r '.[] | select(.Service == "app") | .State' <<< "$output")" = running ]
  wait_until 5 grep -q seeded "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-app-1.log"
  b down -t 1
  INIT_EXIT=3 run b up -d
  assert_failure
  assert_output --partial "init"
  run b ps -a --format json
  [ "$(jq -r '.[] | select(.Service == "app") | .State' <<< "$output")" != running ]
}

@test "depends_on required: false tolerates a dependency that is not there" {
  compose_file <<EOF2
name: $PROJECT
services:
  app:
    image: $BUSYBOX
    command: $SLEEPER
    depends_on:
      extra: {condition: service_started, required: false}
  extra:
    image: $BUSYBOX
    command: $SLEEPER
    profiles: [debug]
EOF2
  run b up -d
  assert_success
  run b ps --services
  assert_output "app"
}

@test "depends_on restart: true restarts the dependant when its dependency is recreated" {
  compose_file <<EOF2
name: $PROJECT
services:
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; echo v1; sleep 1000 & wait"]
  web:
    image: $BUSYBOX
    command: $SLEEPER
    depends_on:
      db: {condition: service_started, restart: true}
  side:
    image: $BUSYBOX
    command: $SLEEPER
    depends_on: [db]
EOF2
  b up -d
  web=$(ctr_pid "$PROJECT-web-1"); side=$(ctr_pid "$PROJECT-side-1"); db=$(ctr_pid "$PROJECT-db-1")
  sed -i 's/echo v1/echo v2/' "$WORK/compose.yaml"
  run b up -d
  assert_success
  [ "$(ctr_pid "$PROJECT-db-1")" != "$db" ]
  [ "$(ctr_pid "$PROJECT-web-1")" != "$web" ]
  [ "$(ctr_pid "$PROJECT-side-1")" = "$side" ]
  run b ps --status running -q
  assert_line "$PROJECT-web-1"
}

@test "--no-start creates without starting; --no-recreate keeps a changed container" {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; echo one; sleep 1000 & wait"]
EOF2
  run b up --no-start
  assert_success
  run b ps -a --format json
  [ "$(jq -r '.[].State' <<< "$output")" = created ]
  run b ps -q
  assert_output ""
  b up -d
  pid=$(ctr_pid "$PROJECT-a-1")
  [ -n "$pid" ] && kill -0 "$pid"
  sed -i 's/echo one/echo two/' "$WORK/compose.yaml"
  run b up -d --no-recreate
  assert_success
  [ "$(ctr_pid "$PROJECT-a-1")" = "$pid" ]
  run b up -d
  [ "$(ctr_pid "$PROJECT-a-1")" != "$pid" ]
}

@test "--abort-on-container-exit stops everything when one exits; --exit-code-from returns its code" {
  compose_file <<EOF2
name: $PROJECT
services:
  job:
    image: $BUSYBOX
    command: ["sh", "-c", "sleep 1; echo job-done; exit \${JOB_EXIT:-0}"]
  srv:
    image: $BUSYBOX
    command: $SLEEPER
EOF2
  run fg up --abort-on-container-exit
  assert_output --partial "job-done"
  run b ps -q
  assert_output ""
  JOB_EXIT=7 run fg up --exit-code-from job
  [ "$status" -eq 7 ]
  run b ps -q
  assert_output ""
  JOB_EXIT=0 run fg up --exit-code-from job
  [ "$status" -eq 0 ]
}

@test "--attach and --no-attach choose whose logs a foreground up streams; --timestamps prefixes them" {
  compose_file <<EOF2
name: $PROJECT
services:
  one:
    image: $BUSYBOX
    command: ["sh", "-c", "echo from-one; sleep 1"]
  two:
    image: $BUSYBOX
    command: ["sh", "-c", "echo from-two; sleep 1"]
EOF2
  run fg up --no-attach two
  assert_success
  assert_output --partial "from-one"
  refute_output --partial "from-two"
  run fg up --attach two
  assert_success
  assert_output --partial "from-two"
  refute_output --partial "from-one"
  run fg up --timestamps
  assert_success
  assert_output --regexp "one-1 +\| [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z? from-one"
}

@test "--pull never refuses a missing image; --pull always pulls again" {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $BUSYBOX
    command: $SLEEPER
EOF2
  run b up -d --pull never
  assert_failure
  assert_output --partial "$BUSYBOX"
  run b ps -a -q
  assert_output ""
  run b up -d --pull always
  assert_success
  run b up -d --pull always
  assert_success
  assert_output --partial "Pulled"
}

@test "anonymous volumes and image VOLUMEs outlive a recreation; rm -v and down -v remove them" {
  # an image declaring VOLUME /vol (as postgres declares its data directory), loaded offline
  local lay=$BATS_TEST_TMPDIR/lay
  skopeo copy -q --src-tls-verify=false "docker://$BUSYBOX" "oci:$lay:latest"
  umoci config --image "$lay:latest" --config.volume=/vol
  skopeo copy -q "oci:$lay:latest" "oci-archive:$BATS_TEST_TMPDIR/v.tar:localhost/$PROJECT/vol:1"
  b load -i "$BATS_TEST_TMPDIR/v.tar"
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: localhost/$PROJECT/vol:1
    volumes: ["/anon"]
    command: ["sh", "-c", "trap 'exit 0' TERM; echo v1; sleep 1000 & wait"]
EOF2
  b up -d
  b exec a sh -c 'echo kept-anon > /anon/f; echo kept-image > /vol/f; echo lost > /layer-f'
  pid=$(ctr_pid "$PROJECT-a-1")
  sed -i 's/echo v1/echo v2/' "$WORK/compose.yaml"
  run b up -d
  assert_output --partial Recreate
  [ "$(ctr_pid "$PROJECT-a-1")" != "$pid" ]
  run b exec a cat /anon/f /vol/f
  assert_output "kept-anon
kept-image"
  run b exec a cat /layer-f
  assert_failure
  # rm without -v keeps them for the next container of that name; with -v they go
  b rm -sf a
  b up -d
  run b exec a cat /anon/f
  assert_output "kept-anon"
  b rm -sfv a
  [ ! -e "$BERTH_ROOT/volumes/_anon/$PROJECT/$PROJECT-a-1" ]
  b up -d
  run b exec a cat /anon/f
  assert_failure
  b exec a sh -c 'echo again > /anon/f'
  b down -t 1
  [ -d "$BERTH_ROOT/volumes/_anon/$PROJECT/$PROJECT-a-1" ]
  b down -v -t 1
  [ ! -e "$BERTH_ROOT/volumes/_anon/$PROJECT" ]
}

@test "a service scaled past what one DNS answer holds still resolves, in turns" {
  export BERTH_SUBNET_POOL="${BERTH_SUBNET_POOL%:*}:25" # room for 36 addresses
  compose_file <<EOF2
name: $PROJECT
services:
  w:
    image: $BUSYBOX
    command: $SLEEPER
    deploy: {replicas: 35}
  probe:
    image: $BUSYBOX
    command: $SLEEPER
EOF2
  run b up -d
  assert_success
  run b exec probe nslookup w
  assert_success
  n=$(grep -c '^Address: 10\.' <<< "$output")
  [ "$n" -ge 20 ] && [ "$n" -lt 35 ]
  first=$(grep -m1 '^Address: 10\.' <<< "$output")
  run b exec probe nslookup w
  [ "$(grep -m1 '^Address: 10\.' <<< "$output")" != "$first" ]
}
