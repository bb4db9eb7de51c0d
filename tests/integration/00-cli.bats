#!/usr/bin/env bats
# The CLI skeleton: global flags, help, version, usage errors.
load helpers

setup() { berth_test_setup; }

@test "version prints the version, --short and --format json" {
  run b version
  assert_success
  assert_output --regexp '^berth version [0-9]+\.[0-9]+\.[0-9]+'
  run b version --short
  assert_success
  assert_output --regexp '^[0-9]+\.[0-9]+\.[0-9]+$'
  run b version --format json
  assert_success
  run jq -r .version <<< "$output"
  assert_success
  assert_output --regexp '^[0-9]+\.'
}

@test "global -v prints the version" {
  run b -v
  assert_success
  assert_output --partial 'berth version'
}

@test "--help lists the commands and exits 0" {
  run b --help
  assert_success
  assert_output --partial 'Usage: berth [OPTIONS] COMMAND'
  assert_output --partial 'version'
}

@test "every command has --help" {
  run b --help
  cmds=$(awk '/^(Internal commands|Commands):/{on=1;next} /^$/{on=0} on{print $1}' <<< "$output")
  [ -n "$cmds" ]
  for c in $cmds; do
    run b "$c" --help
    assert_success
    assert_output --partial "Usage: berth $c"
  done
}

@test "an unknown command is a usage error with exit 2" {
  run b frobnicate
  assert_failure 2
  assert_output --partial 'unknown command "frobnicate"'
}

@test "an unknown global flag is a usage error with exit 2" {
  run b --bogus version
  assert_failure 2
  assert_output --partial 'unknown flag: --bogus'
}

@test "an unknown command flag is a usage error with exit 2" {
  run b version --bogus
  assert_failure 2
  assert_output --partial 'unknown flag: --bogus'
}

@test "bad --ansi value is a usage error" {
  run b --ansi sometimes version
  assert_failure 2
  assert_output --partial 'never, always, auto'
}
