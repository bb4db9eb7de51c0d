#!/usr/bin/env bats
# Pulling images from the loopback registries of tests/infra: every auth mode, every manifest
# kind, platform selection, and the store commands around it (berth image ls/inspect/rm).
load helpers
load lib/registry

setup() {
  berth_test_setup
  reg_setup
  R=$BERTH_TEST_REGISTRY
}

inspect() { b image inspect "$1" | jq -r ".[0]$2"; }

@test "pull from the plain registry records the image and unpacks its layer" {
  run b image pull "$R/berth/busybox"
  assert_success
  assert_output --partial "Pull complete"
  assert_output --partial "ID: sha256:"
  run b image ls
  assert_success
  assert_output --partial "$R/berth/busybox:latest"
  dir=$(inspect "$R/berth/busybox" '.layer_dirs[0]')
  [ -x "$dir/bin/busybox" ]
  [ "$(readlink "$dir/bin/sh")" = busybox ]
  [ "$(inspect "$R/berth/busybox" '.config.cmd[0]')" = /bin/sh ]
}

@test "OCI manifest, schema2, OCI index, manifest list and zstd give the same image" {
  for tag in latest v2s2 multi multi-v2s2 zstd; do
    run b image pull -q "$R/berth/busybox:$tag"
    assert_success
    ids+=("$output")
  done
  for id in "${ids[@]}"; do [ "$id" = "${ids[0]}" ]; done
  # zstd and gzip layers of the same tar share one unpacked layer
  [ "$(ls "$BERTH_ROOT/images/layers" | wc -l)" -eq 1 ]
  # the index resolved to the host platform
  [ "$(inspect "$R/berth/busybox:multi" .config.architecture)" = amd64 ]
}

@test "--platform picks the arm64 entry of an index and a manifest list" {
  for tag in multi multi-v2s2; do
    run b image pull -q --platform linux/arm64 "$R/berth/busybox:$tag"
    assert_success
    [ "$(inspect "$R/berth/busybox:$tag" .config.architecture)" = arm64 ]
    # really the arm64 binary
    dir=$(inspect "$R/berth/busybox:$tag" '.layer_dirs[0]')
    run file -L "$dir/bin/busybox"
    assert_output --partial aarch64
  done
  run b image pull -q --platform linux/s390x "$R/berth/busybox:multi"
  assert_failure
  assert_output --partial "no manifest for platform linux/s390x (offered: linux/amd64, linux/arm64/v8)"
}

@test "pull by digest verifies the manifest digest" {
  d=$(curl -fsS -o /dev/null -w '%header{docker-content-digest}' \
      -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/berth/busybox/manifests/latest")
  run b image pull -q "$R/berth/busybox@$d"
  assert_success
  run b image inspect "$R/berth/busybox@$d"
  assert_success
  [ "$(jq -r '.[0].manifest' <<< "$output")" = "$d" ]
}

@test "basic auth: credentials from DOCKER_CONFIG work, none or wrong ones fail clearly" {
  run b image pull -q "$BERTH_TEST_REGISTRY_BASIC/berth/busybox"
  assert_failure 1
  assert_output --partial "authentication required"
  reg_login "$BERTH_TEST_REGISTRY_BASIC" "$BERTH_TEST_REGISTRY_USER" wrong-password
  run b image pull -q "$BERTH_TEST_REGISTRY_BASIC/berth/busybox"
  assert_failure 1
  assert_output --regexp "^berth: pull \`$BERTH_TEST_REGISTRY_BASIC/berth/busybox\`: .*wrong credentials"
  [ "${#lines[@]}" -eq 1 ]
  reg_login "$BERTH_TEST_REGISTRY_BASIC" "$BERTH_TEST_REGISTRY_USER" "$BERTH_TEST_REGISTRY_PASS"
  run b image pull -q "$BERTH_TEST_REGISTRY_BASIC/berth/redis:7"
  assert_success
}

@test "token auth: bearer token with credentials; wrong credentials fail clearly" {
  run b image pull -q "$BERTH_TEST_REGISTRY_TOKEN/berth/busybox"
  assert_failure 1
  assert_output --partial "authentication required (no credentials)"
  reg_login "http://$BERTH_TEST_REGISTRY_TOKEN" "$BERTH_TEST_REGISTRY_USER" nope
  run b image pull -q "$BERTH_TEST_REGISTRY_TOKEN/berth/busybox"
  assert_failure 1
  assert_output --partial "wrong credentials (token server refused them)"
  [ "${#lines[@]}" -eq 1 ]
  reg_login "http://$BERTH_TEST_REGISTRY_TOKEN" "$BERTH_TEST_REGISTRY_USER" "$BERTH_TEST_REGISTRY_PASS"
  run b image pull -q "$BERTH_TEST_REGISTRY_TOKEN/berth/nginx"
  assert_success
  [ "$(inspect "$BERTH_TEST_REGISTRY_TOKEN/berth/nginx" .config.stop_signal)" = SIGQUIT ]
}

@test "anonymous bearer token from the WWW-Authenticate challenge" {
  run b image pull -q "$BERTH_TEST_REGISTRY_ANON/berth/redis:7"
  assert_success
  [ "$(inspect "$BERTH_TEST_REGISTRY_ANON/berth/redis:7" .config.user)" = redis ]
  [ "$(inspect "$BERTH_TEST_REGISTRY_ANON/berth/redis:7" '.layer_dirs | length')" = 2 ]
}

@test "image config fields reach inspect (postgres)" {
  run b image pull -q "$R/berth/postgres:15"
  assert_success
  run b image inspect "$R/berth/postgres:15"
  assert_success
  c=$(jq '.[0].config' <<< "$output")
  [ "$(jq -r .entrypoint[0] <<< "$c")" = /usr/local/bin/berth-pg-entrypoint ]
  [ "$(jq -r .cmd[0] <<< "$c")" = postgres ]
  [ "$(jq -r .user <<< "$c")" = postgres ]
  [ "$(jq -r .working_dir <<< "$c")" = /var/lib/postgresql ]
  [ "$(jq -r .exposed_ports[0] <<< "$c")" = 5432/tcp ]
  [ "$(jq -r .stop_signal <<< "$c")" = SIGINT ]
  jq -e '.env | index("PGDATA=/var/lib/postgresql/data")' <<< "$c"
  jq -e '.labels | index("org.opencontainers.image.title=berth-test-postgres")' <<< "$c"
  # top layer first
  top=$(jq -r '.[0].layer_dirs[0]' <<< "$output")
  [ -f "$top/usr/local/bin/berth-pg-entrypoint" ]
}

@test "layers are shared: redis after postgres downloads only its own layer" {
  run b image pull -q "$R/berth/postgres:15"
  assert_success
  run b --progress plain image pull "$R/berth/redis:7"
  assert_success
  assert_output --partial "Already exists"
  [ "$(ls "$BERTH_ROOT/images/layers" | wc -l)" -eq 3 ]
}

@test "image rm removes the reference and garbage-collects unshared layers" {
  b image pull -q "$R/berth/redis:7"
  b image pull -q "$R/berth/nginx"
  [ "$(ls "$BERTH_ROOT/images/layers" | wc -l)" -eq 3 ]
  run b image rm "$R/berth/nginx"
  assert_success
  [ "$(ls "$BERTH_ROOT/images/layers" | wc -l)" -eq 2 ]
  run b image inspect "$R/berth/nginx"
  assert_failure
  assert_output --partial "not found"
  run b image inspect "$R/berth/redis:7"
  assert_success
  store_blobs_verified
}

@test "unknown image, unknown registry and a bad reference: one line, exit 1, nothing left" {
  run b image pull "$R/berth/does-not-exist:1"
  assert_failure 1
  assert_output --partial "berth: pull \`$R/berth/does-not-exist:1\`: manifest \`1\` not found"
  run b image pull 127.0.0.1:1/berth/busybox
  assert_failure 1
  assert_output --partial "connection refused"
  [ "${#lines[@]}" -eq 1 ]
  run b image pull "$R/Berth/BusyBox"
  assert_failure 1
  assert_output "berth: \`$R/Berth/BusyBox\`: invalid reference format: repository name must be lowercase"
  run b image ls -q
  assert_output ""
  [ "$(store_tmp_entries)" -eq 0 ]
}

@test "progress on a terminal draws per-layer bars" {
  run script -qefc "$BERTH --progress tty image pull $R/berth/postgres:15" /dev/null
  assert_success
  assert_output --partial "Downloading ["
  assert_output --partial "Pull complete"
}

# Run berth with reg.test resolving to 127.0.0.1, in a private mount namespace (the host's
# /etc/hosts is untouched).
b_with_hosts() {
  printf '127.0.0.1 localhost\n127.0.0.1 reg.test\n' > "$BATS_TEST_TMPDIR/hosts"
  (cd "$WORK" && unshare -m sh -c 'mount --make-rprivate / && mount --bind "$0" /etc/hosts && shift && exec "$@"' \
    "$BATS_TEST_TMPDIR/hosts" x "$BERTH" "$@")
}

@test "a non-loopback registry is spoken to over HTTPS unless listed as insecure" {
  port=${R##*:}
  run b_with_hosts image pull -q "reg.test:$port/berth/busybox"
  assert_failure 1
  assert_output --regexp "^berth: pull \`reg.test:$port/berth/busybox\`: GET https://reg.test:$port/v2/berth/busybox/manifests/latest: "
  [ "${#lines[@]}" -eq 1 ]
  BERTH_INSECURE_REGISTRIES="other:1, reg.test:$port" run b_with_hosts image pull -q "reg.test:$port/berth/busybox"
  assert_success
  echo "reg.test:$port" > "$BATS_TEST_TMPDIR/insecure"
  BERTH_INSECURE_REGISTRIES_FILE=$BATS_TEST_TMPDIR/insecure run b_with_hosts image pull -q "reg.test:$port/berth/busybox"
  assert_success
}
