#!/usr/bin/env bats
# berth images: the images of the project's services as they are in the store.
load helpers
load lib/registry

setup() {
  berth_test_setup
  reg_setup
  R=$BERTH_TEST_REGISTRY
  compose_file <<EOF2
services:
  cache:
    image: $R/berth/redis:7
  web:
    image: $R/berth/busybox
  db:
    image: $R/berth/postgres:15
EOF2
}

@test "images lists the services whose images are present, with repository, tag, ID" {
  b image pull -q "$R/berth/redis:7" >/dev/null
  b image pull -q "$R/berth/busybox" >/dev/null
  run b -p "$PROJECT" images
  assert_success
  assert_line --index 0 --regexp '^SERVICE +REPOSITORY +TAG +IMAGE ID +SIZE$'
  assert_line --regexp "^cache +$R/berth/redis +7 +[0-9a-f]{12} +[0-9.]+MB$"
  assert_line --regexp "^web +$R/berth/busybox +latest +[0-9a-f]{12} +[0-9.]+MB$"
  refute_output --partial "postgres"
  run b -p "$PROJECT" images -q web
  assert_success
  assert_output "$(b image pull -q "$R/berth/busybox")"
  run b -p "$PROJECT" images --format json cache
  assert_success
  [ "$(jq -r '.[0].Service + " " + .[0].Tag' <<< "$output")" = "cache 7" ]
  [ "$(jq -r '.[0].Size' <<< "$output")" -gt 1000000 ]
}

@test "images names an unknown service" {
  run b -p "$PROJECT" images nope
  assert_failure
  assert_output --partial "no such service: nope"
}
