#!/usr/bin/env bats
# berth port, ls, images, top: read-only views of a running project.
load helpers
load lib/registry
load lib/compose

setup() { cli_setup 64; }
teardown() { cli_teardown; }

web_project() {
  compose_file <<EOF2
name: $PROJECT
services:
  web:
    image: $IMG
    command: ["httpd", "-f", "-p", "80"]
    stop_signal: SIGKILL
    ports:
      - "127.0.0.1:19641:80"
      - "8080"
      - "19642:53/udp"
  idle:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
}

@test "port prints the published address, random ports resolved" {
  web_project
  run b port web 80
  assert_success
  assert_output 127.0.0.1:19641
  run b port web 53 --protocol udp
  assert_success
  assert_output 0.0.0.0:19642
  run b port web 8080
  assert_success
  assert_output --regexp '^0\.0\.0\.0:[0-9]+$'
  local p=${output##*:}
  [ "$p" -ne 0 ]
  # it is the port nft publishes
  nft list table ip "berth_$PROJECT" | grep -q "dport $p dnat to"
  # and it reaches the container
  run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:19641/"
  assert_output 404
  run b port web 81
  assert_failure 1
  assert_output --partial "no port 81/tcp for container $PROJECT-web-1"
  run b port idle 80
  assert_failure 1
  run b port web
  assert_failure 2
  run b port --protocol sctp web 80
  assert_failure 2
}

@test "ls lists the project with its status and config files" {
  web_project
  run b ls
  assert_success
  assert_line --index 0 --regexp '^NAME +STATUS +CONFIG FILES$'
  assert_line --regexp "^$PROJECT +running\(2\) +$WORK/compose.yaml\$"
  run b ls --format json
  assert_success
  run jq -c ".[] | select(.Name == \"$PROJECT\") | [.Status, .ConfigFiles]" <<< "$output"
  assert_output "[\"running(2)\",\"$WORK/compose.yaml\"]"
  run b stop idle
  assert_success
  run b ls -q
  assert_output "$PROJECT"
  run b ls --format json
  run jq -r ".[] | select(.Name == \"$PROJECT\") | .Status" <<< "$output"
  assert_output "exited(1), running(1)"
  run b stop
  assert_success
  run b ls -q
  assert_output ''
  run b ls -a -q
  assert_output "$PROJECT"
  run b down -t 1
  assert_success
  run b ls -a -q
  assert_output ''
}

@test "images lists the image of each container" {
  web_project
  local id
  id=$(jq -r .manifests[0].digest "$BERTH_TEST_IMAGES/busybox/index.json" 2>/dev/null || true)
  run b images
  assert_success
  assert_line --index 0 --regexp '^CONTAINER +REPOSITORY +TAG +IMAGE ID +SIZE$'
  assert_line --regexp "^$PROJECT-idle-1 +$BERTH_TEST_REGISTRY/berth/busybox +latest +[0-9a-f]{12} +[0-9.]+[kMG]?B\$"
  assert_line --regexp "^$PROJECT-web-1 +$BERTH_TEST_REGISTRY/berth/busybox +latest "
  run b images --format json web
  assert_success
  run jq -r '.[] | [.ContainerName, .Repository, .Tag, (.ID | startswith("sha256:")), (.Size > 100000)] | @tsv' <<< "$output"
  assert_output "$(printf '%s\t%s\tlatest\ttrue\ttrue' "$PROJECT-web-1" "$BERTH_TEST_REGISTRY/berth/busybox")"
  run b images -q
  assert_output --regexp '^sha256:[0-9a-f]{64}$'
}

@test "top lists each container's processes with host pids" {
  web_project
  run b exec -d idle sh -c 'sleep 777'
  assert_success
  cli_wait_until 5 pgrep -f 'sleep 777'
  run b top
  assert_success
  assert_line "$PROJECT-idle-1"
  assert_line "$PROJECT-web-1"
  assert_line --regexp '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$'
  assert_line --regexp '^root +[0-9]+ +[0-9]+ +[0-9]+ +[0-9:A-Za-z]+ +\? +[0-9]{2}:[0-9]{2}:[0-9]{2} +sleep 1000$'
  assert_line --regexp ' sleep 777$'
  assert_line --regexp ' httpd -f -p 80$'
  local pid
  pid=$(awk '/sleep 1000$/ {print $2}' <<< "$output")
  [ "$(tr '\0' ' ' < "/proc/$pid/cmdline")" = "sleep 1000 " ]
  run b top web
  assert_success
  refute_output --partial idle
  b stop idle
  run b top idle
  assert_success
  assert_output ''
}
