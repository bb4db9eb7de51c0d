#!/usr/bin/env bats
# A registry that drops the connection in the middle of a blob (lib/fake_registry.py in front of
# the test registry, mode drop-blob:K: the first K blob responses are cut after half their
# bytes): a pull tries again and succeeds when K is small, fails with one clear error when every
# response is cut; either way no blob in the store fails its digest and no partial file stays.
# Then `up -d` of a project from that registry converges. runtime/image_pull.c (fetch_blobs).
load helpers
load lib/stack
load lib/registry
load lib/fault

setup() { fault_setup; reg_setup; }
teardown() { fake_registry_stop; fault_teardown; }

assert_clean_store() {
  [ "$(store_tmp_entries)" -eq 0 ]
  store_blobs_verified
}

cuts() { cat "$BATS_TEST_TMPDIR/fake.port.cuts" 2>/dev/null || echo 0; }

@test "a blob cut once is fetched again: the pull succeeds, every blob verified" {
  fake_registry_start drop-blob:1 "$BERTH_TEST_REGISTRY"
  run b image pull -q "127.0.0.1:$FAKE_PORT/berth/redis:7"
  assert_success
  [ "$(cuts)" = 1 ]
  assert_clean_store
  run b image inspect "127.0.0.1:$FAKE_PORT/berth/redis:7"
  assert_success
}

@test "blobs cut twice are fetched a third time: the pull succeeds" {
  fake_registry_start drop-blob:2 "$BERTH_TEST_REGISTRY"
  run b image pull -q "127.0.0.1:$FAKE_PORT/berth/busybox:latest"
  assert_success
  [ "$(cuts)" = 2 ]
  assert_clean_store
}

@test "a registry that always cuts: one clear error, nothing stored half, the next pull succeeds" {
  fake_registry_start drop-blob "$BERTH_TEST_REGISTRY"
  run b image pull -q "127.0.0.1:$FAKE_PORT/berth/busybox:latest"
  assert_failure 1
  assert_output --regexp "^berth: pull \`127.0.0.1:$FAKE_PORT/berth/busybox:latest\`: blob \`sha256:[0-9a-f]{64}\`: connection dropped by the registry$"
  [ "$(cuts)" = 3 ]
  assert_clean_store
  [ "$(ls "$BERTH_ROOT/images/layers" 2>/dev/null | wc -l)" -eq 0 ]
  fake_registry_stop
  fake_registry_start drop-blob:0 "$BERTH_TEST_REGISTRY"
  run b image pull -q "127.0.0.1:$FAKE_PORT/berth/busybox:latest"
  assert_success
  assert_clean_store
}

@test "up -d from a registry that always cuts fails creating nothing; with a good one it converges" {
  fake_registry_start drop-blob "$BERTH_TEST_REGISTRY"
  BUSYBOX=127.0.0.1:$FAKE_PORT/berth/busybox:latest
  fault_project
  run b up -d
  assert_failure 1
  [ "$(grep -c '^berth: ' <<< "$output")" = 1 ]
  assert_output --partial "connection dropped by the registry"
  assert_no_residue "$PROJECT"
  assert_clean_store
  fake_registry_stop
  fake_registry_start drop-blob:1 "$BERTH_TEST_REGISTRY"
  BUSYBOX=127.0.0.1:$FAKE_PORT/berth/busybox:latest
  fault_project
  run b up -d
  assert_success
  [ "$(cuts)" = 1 ]
  assert_converged
  assert_clean_store
}
