#!/usr/bin/env bats
# berth run: one-off containers, not supervised, always cleaned up.
bats_require_minimum_version 1.5.0
load helpers
load lib/registry
load lib/compose

setup() { cli_setup 65; }
teardown() {
  [ -n "${RUN_PID:-}" ] && kill -KILL "$RUN_PID" 2>/dev/null
  cli_teardown
}

project() {
  compose_file <<EOF2
name: $PROJECT
services:
  app:
    image: $IMG
    command: ["echo", "default-command"]
    environment:
      FROM_SERVICE: svc
    working_dir: /srv
    depends_on: [db]
    ports: ["19651:80"]
  db:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
}

# Nothing of one-off containers is left: directories, cgroups, records.
no_oneoff_left() {
  [ -z "$(ls "$BERTH_ROOT/containers" 2>/dev/null | grep -- '-run-')" ] &&
  [ -z "$(find /sys/fs/cgroup -maxdepth 7 -type d -path "*/berth/$PROJECT/*-run-*" 2>/dev/null)" ] &&
  [ -z "$(ls "$BERTH_ROOT/oneoff/$PROJECT" 2>/dev/null)" ]
}

@test "run starts the dependencies, runs the command with the service's config, exits with its code" {
  project
  run b run app sh -c 'echo $FROM_SERVICE; pwd; hostname; nslookup db >/dev/null && echo dns-ok; exit 4'
  assert_equal "$status" 4
  assert_line svc
  assert_line /srv
  assert_line dns-ok
  assert_line --partial "Container $PROJECT-db-1  Started"
  assert_equal "$(cli_status db)" running
  no_oneoff_left
  # the default command, stdin passed through, -e -u -w
  run b run --no-deps app
  assert_success
  assert_output default-command
  run bash -c "echo piped | (cd $WORK && $BERTH run -T --no-deps -e X=1 -u 4321 -w /tmp app sh -c 'cat; echo \$X; id -u; pwd')"
  assert_success
  assert_output "$(printf 'piped\n1\n4321\n/tmp')"
  # --entrypoint
  run b run --no-deps --entrypoint echo app via-entrypoint
  assert_success
  assert_output via-entrypoint
  # its name: <project>-<service>-run-<12 hex>, its address on the project network
  run b run --no-deps app sh -c 'cat /etc/hostname; ip -4 addr show eth0 | grep -o "inet 10\.204\.65\.[0-9]*"'
  assert_success
  assert_line --regexp "^$PROJECT-app-run-[0-9a-f]{12}\$|^$PROJECT-app-"
  assert_line --regexp '^inet 10\.204\.65\.[0-9]+$'
  # a one-off is not one of the project's service containers
  run b ps -a --format json
  run jq -r '.[].Name' <<< "$output"
  refute_output --partial -run-
  no_oneoff_left
}

@test "run of a missing command exits 127; no ports unless asked; --service-ports and -p publish" {
  project
  run -127 b run --no-deps app no-such-command
  assert_output --partial no-such-command
  no_oneoff_left
  run b run --no-deps app sh -c 'echo ok'
  assert_success
  ! nft list table ip "berth_$PROJECT" 2>/dev/null | grep -q 'dport 19651'
  # published while it runs, gone after
  b run -d --no-deps --service-ports --name "$PROJECT-svcports" app httpd -f -p 80
  b run -d --no-deps -p 127.0.0.1:19652:80 app httpd -f -p 80
  cli_wait_until 10 bash -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19651/ | grep -qx 404"
  cli_wait_until 10 bash -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19652/ | grep -qx 404"
  run b port app 80
  assert_failure # the service's own container publishes nothing: it never ran
  [ -d "$BERTH_ROOT/containers/$PROJECT-svcports" ]
  run b run -d --no-deps --name "$PROJECT-svcports" app true
  assert_failure 1
  assert_output --partial 'is already in use'
  # the one running is untouched
  curl -sf -o /dev/null http://127.0.0.1:19651/ || [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19651/)" = 404 ]
}

@test "run -d prints the name and cleans up when it exits; down removes one still running" {
  project
  local name
  name=$(b run -d --no-deps app sh -c 'sleep 1; exit 3' 2>/dev/null)
  [[ $name =~ ^$PROJECT-app-run-[0-9a-f]{12}$ ]]
  [ -d "$BERTH_ROOT/containers/$name" ]
  cli_wait_until 10 no_oneoff_left
  name=$(b run -d --no-deps app sleep 1000)
  [ -d "$BERTH_ROOT/containers/$name" ]
  run b down -t 1
  assert_success
  no_oneoff_left
  [ -z "$(cli_residue)" ]
}

@test "run in the foreground: Ctrl-C goes to the command, a second one kills; cleaned up either way" {
  project
  (cd "$WORK" && exec "$BERTH" run --no-deps app sh -c 'trap "echo got-int; exit 9" INT; echo started; sleep 100 & wait' > "$BATS_TEST_TMPDIR/out") &
  RUN_PID=$!
  cli_wait_until 20 grep -q started "$BATS_TEST_TMPDIR/out"
  kill -INT "$RUN_PID"
  local st=0
  wait "$RUN_PID" || st=$?
  assert_equal "$st" 9
  grep -q got-int "$BATS_TEST_TMPDIR/out"
  no_oneoff_left
  # pid 1 ignores SIGINT: the second one kills it
  (cd "$WORK" && exec "$BERTH" run --no-deps app sh -c 'echo started; exec sleep 100' > "$BATS_TEST_TMPDIR/out2") &
  RUN_PID=$!
  cli_wait_until 20 grep -q started "$BATS_TEST_TMPDIR/out2"
  kill -INT "$RUN_PID"
  sleep 0.3
  kill -INT "$RUN_PID"
  st=0
  wait "$RUN_PID" || st=$?
  assert_equal "$st" 137
  RUN_PID=
  no_oneoff_left
}

@test "run -v binds a host path, mounts a project volume (read-only with :ro), or an anonymous one" {
  compose_file <<EOF2
name: $PROJECT
services:
  app:
    image: $IMG
    command: ["true"]
    volumes: ["data:/unused"]
volumes:
  data: {}
EOF2
  mkdir -p "$WORK/host"
  echo fromhost > "$WORK/host/f"
  run b run --no-deps -v ./host:/h -v data:/d -v /anon app sh -c 'cat /h/f; echo kept > /d/x; touch /h/new; ls -d /anon'
  assert_success
  assert_line fromhost
  assert_line /anon
  [ -e "$WORK/host/new" ]
  run b run --no-deps -v data:/d:ro app sh -c 'cat /d/x; touch /d/y'
  assert_failure
  assert_line kept
  assert_output --partial 'Read-only file system'
  run b run --no-deps -v nosuch:/x app true
  assert_failure 1
  assert_output --partial 'no volume `nosuch` in the project'
  run b run --no-deps -v relative app true
  assert_failure 1
  no_oneoff_left
}
