#!/usr/bin/env bats
# berth load -i: images brought in offline from skopeo's docker-archive (the `docker save`
# format) and oci-archive (an OCI layout tar), ending up identical to a pull.
load helpers
load lib/registry

setup() {
  berth_test_setup
  reg_setup
  R=$BERTH_TEST_REGISTRY
  A=$BATS_TEST_TMPDIR/archives
  mkdir -p "$A"
}

pulled_id() { b image pull -q "$1"; }

@test "load a docker-archive (docker save format) gives the pulled image" {
  skopeo copy -q --src-tls-verify=false "docker://$R/berth/redis:7" "docker-archive:$A/redis.tar:team/redis:saved"
  run b load -i "$A/redis.tar"
  assert_success
  assert_output "Loaded image: docker.io/team/redis:saved"
  run b image inspect team/redis:saved
  assert_success
  [ "$(jq -r '.[0].config.entrypoint[0]' <<< "$output")" = redis-server ]
  [ "$(jq -r '.[0].layer_dirs | length' <<< "$output")" = 2 ]
  id=$(jq -r '.[0].id' <<< "$output")
  [ "$id" = "$(pulled_id "$R/berth/redis:7")" ]
  # same layers: the pull found them unpacked already
  [ "$(ls "$BERTH_ROOT/images/layers" | wc -l)" -eq 2 ]
  [ "$(store_tmp_entries)" -eq 0 ]
}

@test "load an oci-archive of a multi-arch index picks the host platform" {
  skopeo copy -q --all --src-tls-verify=false "docker://$R/berth/busybox:multi" "oci-archive:$A/bb.tar:localhost/team/bb:multi"
  run b load -i "$A/bb.tar"
  assert_success
  assert_output "Loaded image: localhost/team/bb:multi"
  run b image inspect localhost/team/bb:multi
  [ "$(jq -r '.[0].config.architecture' <<< "$output")" = amd64 ]
  [ -x "$(jq -r '.[0].layer_dirs[0]' <<< "$output")/bin/busybox" ]
}

@test "an OCI archive tagged only with a bare tag is loaded untagged, by ID" {
  skopeo copy -q --src-tls-verify=false "docker://$R/berth/busybox" "oci-archive:$A/bb.tar:v1"
  run b load -i "$A/bb.tar"
  assert_success
  assert_output --regexp '^Loaded image ID: sha256:[0-9a-f]{64}$'
  id=${output#Loaded image ID: }
  run b image inspect "${id:7:12}"
  assert_success
  run b image ls
  assert_output --partial "<none>"
}

@test "a file that is neither format, or a broken archive: one clear error, nothing left" {
  echo hello > "$A/x"
  tar -C "$A" -cf "$A/plain.tar" x
  run b load -i "$A/plain.tar"
  assert_failure 1
  assert_output "berth: load: \`$A/plain.tar\`: neither an OCI layout (oci-layout, index.json) nor a docker save archive (manifest.json)"
  run b load -i "$A/missing.tar"
  assert_failure 1
  assert_output --partial "No such file or directory"
  head -c 3000 /dev/urandom > "$A/junk.tar"
  run b load -i "$A/junk.tar"
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ]
  [ "$(store_tmp_entries)" -eq 0 ]
  run b image ls -q
  assert_output ""
}

@test "an archive whose manifest points outside itself is rejected" {
  mkdir -p "$A/evil"
  echo '[{"Config":"../../../../../../etc/passwd","RepoTags":["evil:1"],"Layers":[]}]' > "$A/evil/manifest.json"
  ln -s /etc/shadow "$A/evil/cfg.json"
  tar -C "$A/evil" -cf "$A/evil.tar" manifest.json cfg.json
  run b load -i "$A/evil.tar"
  assert_failure 1
  assert_output --partial "open \`../../../../../../etc/passwd\` in the archive"
  echo '[{"Config":"cfg.json","RepoTags":["evil:1"],"Layers":[]}]' > "$A/evil/manifest.json"
  tar -C "$A/evil" -cf "$A/evil2.tar" manifest.json cfg.json
  run b load -i "$A/evil2.tar"
  assert_failure 1
  assert_output --partial "open \`cfg.json\` in the archive"
  [ "$(store_tmp_entries)" -eq 0 ]
  ! grep -rq root: "$BERTH_ROOT/images/blobs" 2>/dev/null
}
