#!/usr/bin/env bats
# `up`, `down`, `ps`, `logs` of real projects: containers from the loopback registry, the bridge,
# DNAT and DNS, dependency order, reconcile, and nothing left behind.
load helpers
load lib/stack

setup() { stack_setup; }
teardown() { stack_teardown; }

web_and_db() {
  compose_file <<EOF2
name: $PROJECT
services:
  web:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo hello-\$\$HOSTNAME > /www/index.html; httpd -f -p 80 -h /www & wait"]
    ports: ["127.0.0.1:$HOST_PORT:80"]
    depends_on: [db]
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; echo db-ready; sleep 1000 & wait"]
volumes: {}
EOF2
}

@test "up -d starts the project, the published port answers, down removes everything" {
  web_and_db
  run b up -d
  assert_success
  assert_output --partial "Container $PROJECT-db-1  Started"
  assert_output --partial "Container $PROJECT-web-1  Started"
  run b ps --format json
  assert_success
  [ "$(jq length <<< "$output")" = 2 ]
  [ "$(jq -r '.[] | select(.Service=="web") | .State' <<< "$output")" = running ]
  run curl -fsS -m 5 "http://127.0.0.1:$HOST_PORT/"
  assert_success
  assert_output "hello-$PROJECT-web-1"
  run b down
  assert_success
  assert_output --partial "Container $PROJECT-web-1  Removed"
  assert_output --partial "Network ${PROJECT}_default  Removed"
  assert_no_residue "$PROJECT"
  run curl -fsS -m 2 "http://127.0.0.1:$HOST_PORT/"
  assert_failure
}

@test "dependencies start first and services reach each other by name" {
  compose_file <<EOF2
name: $PROJECT
services:
  server:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo from-server > /www/x; httpd -f -p 8000 -h /www & wait"]
  client:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://server:8000/x && break; sleep 0.2; done; sleep 1000 & wait"]
    depends_on: [server]
EOF2
  run b up -d
  assert_success
  [[ "$output" == *"server-1  Started"*"client-1  Started"* ]]
  wait_until 10 grep -q from-server "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-client-1.log"
  run b logs client
  assert_output --partial "client-1  | from-server"
}

@test "a second up leaves running containers alone; a changed service is recreated" {
  web_and_db
  b up -d
  web=$(ctr_pid "$PROJECT-web-1"); db=$(ctr_pid "$PROJECT-db-1")
  run b up -d
  assert_success
  refute_output --partial Recreate
  [ "$(ctr_pid "$PROJECT-web-1")" = "$web" ]
  [ "$(ctr_pid "$PROJECT-db-1")" = "$db" ]
  sed -i 's/echo db-ready/echo db-ready-2/' "$WORK/compose.yaml"
  run b up -d
  assert_success
  assert_output --partial "Container $PROJECT-db-1  Recreate"
  refute_output --partial "$PROJECT-web-1  Recreate"
  [ "$(ctr_pid "$PROJECT-web-1")" = "$web" ]
  [ "$(ctr_pid "$PROJECT-db-1")" != "$db" ]
  run b up -d --force-recreate
  assert_output --partial "Container $PROJECT-web-1  Recreate"
}

@test "named volumes survive down and go with down -v" {
  compose_file <<EOF2
name: $PROJECT
services:
  app:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; cat /data/keep 2>/dev/null || echo empty; echo kept > /data/keep; sleep 1000 & wait"]
    volumes: ["data:/data"]
volumes:
  data: {}
EOF2
  b up -d
  wait_until 5 grep -q empty "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-app-1.log"
  run b down
  assert_success
  [ -f "$BERTH_ROOT/volumes/${PROJECT}_data/keep" ]
  b up -d
  wait_until 5 grep -q '"kept' "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-app-1.log"
  run b down -v
  assert_success
  assert_output --partial "Volume ${PROJECT}_data  Removed"
  [ ! -e "$BERTH_ROOT/volumes/${PROJECT}_data" ]
}

@test "ps -a, --services, -q and --status" {
  web_and_db
  b up -d
  b stop db
  run b ps
  assert_output --partial "$PROJECT-web-1"
  refute_output --partial "$PROJECT-db-1"
  run b ps -a
  assert_output --partial "$PROJECT-db-1"
  assert_output --partial "Exited (0)"
  run b ps --services
  assert_output "web"
  run b ps -q --status exited
  assert_output "$PROJECT-db-1"
}

@test "orphans are reported, and removed with --remove-orphans" {
  web_and_db
  b up -d
  compose_file <<EOF2
name: $PROJECT
services:
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; echo db-ready; sleep 1000 & wait"]
EOF2
  run b up -d
  assert_success
  assert_output --partial "Found orphan containers ([$PROJECT-web-1])"
  run b up -d --remove-orphans
  assert_success
  assert_output --partial "Container $PROJECT-web-1  Removed"
  run b ps -a -q
  assert_output "$PROJECT-db-1"
}

@test "a compose error creates nothing" {
  compose_file <<EOF2
name: $PROJECT
services:
  web:
    image: $BUSYBOX
    ports: ["80800:80"]
EOF2
  run b up -d
  assert_failure 1
  assert_output --partial 'compose.yaml:5:13: services.web.ports[0]: "80800" is not a port (1-65535)'
  assert_no_residue "$PROJECT"
  [ ! -e "$BERTH_RUN/$PROJECT/control.sock" ]
}

@test "an image that cannot be pulled stops up before anything is created" {
  compose_file <<EOF2
name: $PROJECT
services:
  web:
    image: $BERTH_TEST_REGISTRY/berth/no-such-image:1
EOF2
  run b up -d
  assert_failure
  assert_output --partial "service \`web\`"
  assert_output --partial "no-such-image"
  assert_no_residue "$PROJECT"
}

@test "a published port held by a host socket is refused with nothing created" {
  web_and_db
  python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$HOST_PORT" &
  holder=$!
  sleep 0.3
  run b up -d
  kill $holder
  assert_failure
  assert_output --partial "$HOST_PORT"
  run b ps -a -q
  assert_output ""
}

@test "two projects side by side cannot reach each other" {
  compose_file <<EOF2
name: $PROJECT
services:
  srv:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo a > /www/x; httpd -f -p 8000 -h /www & wait"]
EOF2
  b up -d
  ip_a=$(jq -r --arg n "$PROJECT-srv-1" '.networks[].leases[] | select(.container == $n) | .address' "$BERTH_ROOT/net/state.json")
  [ -n "$ip_a" ]
  other=$PROJECT-b
  mkdir -p "$WORK/b"
  cat > "$WORK/b/compose.yaml" <<EOF2
name: $other
services:
  probe:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; wget -T 2 -qO- http://srv:8000/x && echo REACHED-NAME; wget -T 2 -qO- http://$ip_a:8000/x && echo REACHED-IP; echo probed; sleep 1000 & wait"]
EOF2
  (cd "$WORK/b" && "$BERTH" up -d)
  wait_until 10 grep -q probed "$BERTH_ROOT/projects/$other/logs/$other-probe-1.log"
  run cat "$BERTH_ROOT/projects/$other/logs/$other-probe-1.log"
  refute_output --partial REACHED
  (cd "$WORK/b" && "$BERTH" down -v)
  assert_no_residue "$other"
}

@test "a non-root service can use the standard /dev nodes; a foreground up returns when all exited" {
  compose_file <<EOF2
name: $PROJECT
services:
  t:
    image: $BUSYBOX
    user: "1000:1000"
    command: ["sh", "-c", "echo x > /dev/null && head -c 3 /dev/zero | wc -c && head -c 3 /dev/urandom | wc -c && echo DEV-OK"]
EOF2
  run timeout 30 "$BERTH" --project-directory "$WORK" up
  assert_success
  assert_output --partial "t-1  | DEV-OK"
}

@test "network_mode service:NAME shares the other container's network namespace" {
  compose_file <<EOF2
name: $PROJECT
services:
  a:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo on-localhost > /www/x; httpd -f -p 127.0.0.1:8000 -h /www & wait"]
  b:
    image: $BUSYBOX
    network_mode: service:a
    command: ["sh", "-c", "trap 'exit 0' TERM; for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8000/x && break; sleep 0.2; done; sleep 1000 & wait"]
EOF2
  run b up -d
  assert_success
  wait_until 10 grep -q on-localhost "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-b-1.log"
  [ "$(readlink /proc/$(ctr_pid "$PROJECT-a-1")/ns/net)" = "$(readlink /proc/$(ctr_pid "$PROJECT-b-1")/ns/net)" ]
}

@test "--scale adds and removes replicas without touching the ones that stay; all resolve by name" {
  compose_file <<EOF2
name: $PROJECT
services:
  w:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
  probe:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
EOF2
  b up -d
  first=$(ctr_pid "$PROJECT-w-1")
  run b up -d --scale w=3
  assert_success
  run b ps -q
  assert_line "$PROJECT-w-3"
  [ "$(ctr_pid "$PROJECT-w-1")" = "$first" ]
  run b exec probe nslookup w
  assert_success
  [ "$(grep -c '^Address: 10\.' <<< "$output")" = 3 ]
  run b up -d --scale w=1
  assert_success
  run b ps -q
  refute_line "$PROJECT-w-2"
  assert_line "$PROJECT-w-1"
  [ "$(ctr_pid "$PROJECT-w-1")" = "$first" ]
}

@test "links: SERVICE:ALIAS resolves for the linking service only" {
  compose_file <<EOF2
name: $PROJECT
services:
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
  web:
    image: $BUSYBOX
    links: ["db:database", "db"]
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
  other:
    image: $BUSYBOX
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
EOF2
  run b up -d
  assert_success
  db_ip=$(b exec db hostname -i | tr -d '\r\n ')
  run b exec web nslookup database
  assert_success
  assert_output --partial "Address: $db_ip"
  run b exec web nslookup db
  assert_output --partial "Address: $db_ip"
  run b exec other nslookup database
  assert_failure
  run b exec other nslookup db
  assert_output --partial "Address: $db_ip"
}
