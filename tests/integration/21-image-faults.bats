#!/usr/bin/env bats
# Pulls that must fail cleanly: a registry that answers 500 or drops the connection, a blob
# whose bytes do not match its digest, truncated and malicious layers. Each gives one line
# naming the image and the cause, exit 1, and leaves no partial blob or layer. Also concurrent
# and interrupted pulls of the same image.
load helpers
load lib/registry

setup() {
  berth_test_setup
  reg_setup
  R=$BERTH_TEST_REGISTRY
  REPO=berth/test-$PROJECT
}

teardown() {
  fake_registry_stop
}

# Nothing half-made: no temp entries, no layer dirs, every visible blob verified.
assert_clean_store() {
  [ "$(store_tmp_entries)" -eq 0 ]
  [ "$(ls "$BERTH_ROOT/images/layers" 2>/dev/null | wc -l)" -eq "${1:-0}" ]
  store_blobs_verified
}

@test "a registry answering 500 is one clear error" {
  fake_registry_start 500
  run b image pull "127.0.0.1:$FAKE_PORT/berth/busybox"
  assert_failure 1
  assert_output "berth: pull \`127.0.0.1:$FAKE_PORT/berth/busybox\`: manifest \`latest\`: registry 127.0.0.1:$FAKE_PORT answered HTTP 500: internal error (fake) (UNKNOWN)"
  assert_clean_store
}

@test "a registry that drops the connection is one clear error" {
  fake_registry_start drop
  run b image pull "127.0.0.1:$FAKE_PORT/berth/busybox"
  assert_failure 1
  assert_output --partial "connection dropped by the registry"
  [ "${#lines[@]}" -eq 1 ]
  assert_clean_store
}

@test "a connection dropped in the middle of a layer leaves no partial blob" {
  fake_registry_start drop-blob "$R"
  run b image pull -q "127.0.0.1:$FAKE_PORT/berth/redis:7"
  assert_failure 1
  assert_output --regexp "^berth: pull \`127.0.0.1:$FAKE_PORT/berth/redis:7\`: blob \`sha256:[0-9a-f]{64}\`: connection dropped by the registry$"
  assert_clean_store
  # only the manifest and config made it, both whole
  [ "$(ls "$BERTH_ROOT/images/blobs/sha256" | wc -l)" -le 2 ]
  run b image ls -q
  assert_output ""
}

@test "a corrupted blob in the registry is a digest mismatch and is not stored" {
  reg_unique_layer "$BATS_TEST_TMPDIR/l.tgz"
  reg_push_raw "$R" "$REPO" v1 "$BATS_TEST_TMPDIR/l.tgz"
  ldig=sha256:$(sha256sum "$BATS_TEST_TMPDIR/l.tgz" | cut -d' ' -f1)
  blob=$(reg_blob_path "$ldig")
  [ -f "$blob" ]
  # flip bytes in the middle, same size
  printf 'XXXXXXXX' | dd of="$blob" bs=1 seek=100 conv=notrunc status=none
  run b image pull -q "$R/$REPO:v1"
  assert_failure 1
  assert_output "berth: pull \`$R/$REPO:v1\`: digest mismatch: blob \`$ldig\` hashes to sha256:$(sha256sum "$blob" | cut -d' ' -f1)"
  [ ! -e "$BERTH_ROOT/images/blobs/sha256/${ldig#sha256:}" ]
  assert_clean_store
}

@test "a layer whose content does not match the config's diff_id is rejected" {
  reg_unique_layer "$BATS_TEST_TMPDIR/l.tgz"
  reg_push_raw "$R" "$REPO" v1 "$BATS_TEST_TMPDIR/l.tgz" "sha256:$(printf '%064d' 0)"
  run b image pull -q "$R/$REPO:v1"
  assert_failure 1
  assert_output --partial "uncompressed content hashes to sha256:"
  assert_output --partial "the image config says sha256:0000"
  assert_clean_store
}

@test "a truncated layer is rejected and nothing is unpacked" {
  reg_unique_layer "$BATS_TEST_TMPDIR/l.tgz"
  diff=sha256:$(gzip -dc "$BATS_TEST_TMPDIR/l.tgz" | sha256sum | cut -d' ' -f1)
  head -c 1500 "$BATS_TEST_TMPDIR/l.tgz" > "$BATS_TEST_TMPDIR/t.tgz"
  reg_push_raw "$R" "$REPO" trunc "$BATS_TEST_TMPDIR/t.tgz" "$diff"
  run b image pull -q "$R/$REPO:trunc"
  assert_failure 1
  assert_output --regexp "^berth: pull \`$R/$REPO:trunc\`: layer sha256:[0-9a-f]{64}: (truncated or corrupt tar|.*(unexpected|truncated|premature))"
  [ "${#lines[@]}" -eq 1 ]
  assert_clean_store
}

# crafted tar: python's tarfile writes whatever names we give it
craft() { # out kind
  python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
t = tarfile.open(out, "w:gz")
def add(name, data=b"x", **kw):
    ti = tarfile.TarInfo(name); ti.size = len(data)
    for k, v in kw.items(): setattr(ti, k, v)
    t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
add("ok.txt")
if kind == "dotdot": add("../../../escaped-dotdot")
if kind == "abs": add("/tmp/escaped-abs")
if kind == "symlink":
    add("lnk", b"", type=tarfile.SYMTYPE, linkname="/tmp")
    add("lnk/escaped-symlink")
if kind == "relsymlink":
    add("up", b"", type=tarfile.SYMTYPE, linkname="../../../../../../tmp")
    add("up/escaped-relsymlink")
if kind == "hardlink": add("hl", b"", type=tarfile.LNKTYPE, linkname="../../../../etc/passwd")
t.close()
PY
}

@test "malicious layers: .., absolute, through symlinks, hardlink out: rejected naming the layer" {
  for kind in dotdot abs symlink relsymlink hardlink; do
    craft "$BATS_TEST_TMPDIR/$kind.tgz" "$kind"
    reg_push_raw "$R" "$REPO" "$kind" "$BATS_TEST_TMPDIR/$kind.tgz"
    ldig=sha256:$(sha256sum "$BATS_TEST_TMPDIR/$kind.tgz" | cut -d' ' -f1)
    run b image pull -q "$R/$REPO:$kind"
    assert_failure 1
    assert_output --partial "berth: pull \`$R/$REPO:$kind\`: layer $ldig: "
    case $kind in
      dotdot) assert_output --partial "escapes the layer root (..)" ;;
      abs) assert_output --partial "is an absolute path" ;;
      symlink|relsymlink) assert_output --partial "escapes the layer root through a symlink" ;;
      hardlink) assert_output --partial "escapes the layer root (..)" ;;
    esac
    assert_clean_store
  done
  [ ! -e /tmp/escaped-abs ] && [ ! -e /tmp/escaped-symlink ] && [ ! -e /tmp/escaped-relsymlink ]
  ! find "$BERTH_ROOT" / -maxdepth 4 -xdev -name 'escaped-*' 2>/dev/null | grep -q .
}

@test "concurrent pulls of the same image all succeed and unpack each layer once" {
  for i in 1 2 3 4; do
    b image pull -q "$R/berth/postgres:15" > "$BATS_TEST_TMPDIR/p$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  for i in 1 2 3 4; do grep -q '^sha256:' "$BATS_TEST_TMPDIR/p$i.out"; done
  assert_clean_store 2
  run b image ls -q
  [ "${#lines[@]}" -eq 1 ]
}

@test "an interrupted pull restarts cleanly" {
  b image pull -q "$R/berth/postgres:15" > /dev/null 2>&1 &
  pid=$!
  sleep 0.4
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  run b image pull -q "$R/berth/postgres:15"
  assert_success
  assert_clean_store 2
  run b image inspect "$R/berth/postgres:15"
  assert_success
}
