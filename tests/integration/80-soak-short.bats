#!/usr/bin/env bats
# The short soak (bench/soak.sh 5 30): five up/down cycles of a 3-service project and thirty
# SIGKILL crash-restarts of a restart-always service under one supervisor, whose RSS and fd count
# must stay within bounds; every down leaves no link or nft table. `make soak` is the long form.
load helpers
load lib/stack

setup() { stack_setup; }
teardown() { stack_teardown; }

@test "soak (short): 5 up/down cycles and 30 crash-restarts, supervisor RSS and fds flat" {
  export SOAK_PROJECT=$PROJECT
  run timeout 90 "$BERTH_TOP/bench/soak.sh" 5 30
  echo "$output"
  assert_success
  assert_output --partial "restarts: 30 SIGKILLs"
  assert_output --partial "restart_count 30"
  assert_output --partial "soak: ok"
}
