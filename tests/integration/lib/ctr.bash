# SPDX-License-Identifier: MIT
# Helpers for the container-core tests (3*-*.bats): a hand-made rootfs (static busybox + the
# probe helper + passwd/group), JSON configs for `berth ctr`, and a check that nothing of the
# test's cgroups or mounts is left.

PROBE=${PROBE:-$BERTH_TOP/build/tests/helpers/probe}

# ctr_rootfs DIR: a minimal image root.
ctr_rootfs() {
  local r=$1
  mkdir -p "$r"/{bin,etc,tmp,root,home/app,proc,sys,dev,data}
  chmod 1777 "$r/tmp"
  cp /bin/busybox "$r/bin/busybox"
  for a in sh ls cat echo sleep id mount ps true false grep wc env test hostname; do
    ln -sf busybox "$r/bin/$a"
  done
  cp "$PROBE" "$r/bin/probe"
  cat > "$r/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
  cat > "$r/etc/group" <<'G'
root:x:0:
app:x:1000:
audio:x:29:app
video:x:44:app,other
nogroup:x:65534:
G
  echo "image-data" > "$r/data/seed.txt"
}

# ctr_config FILE JQ-EXPR [jq args...]: write a config for the test's rootfs, amended by a jq
# filter applied to the base object.
ctr_config() {
  local file=$1 filter=${2:-.}
  shift 2 || true
  jq -n --arg id "$CTR_ID" --arg project "$PROJECT" --arg rootfs "$CTR_ROOTFS" \
    '{id: $id, project: $project, rootfs: $rootfs, argv: ["/bin/probe", "pid"],
      env: ["PATH=/bin"]}' | jq "$@" "$filter" > "$file"
}

ctr_setup() {
  berth_test_setup
  PROJECT=ctrdev${PROJECT#bt}
  CTR_ID=${PROJECT}-c1
  CTR_ROOTFS=$BATS_TEST_TMPDIR/rootfs
  CTR_CONF=$BATS_TEST_TMPDIR/ctr.json
  ctr_rootfs "$CTR_ROOTFS"
}

# Run a container in the foreground with the given jq amendment and the given command.
ctr_run() {
  local filter=$1
  shift
  ctr_config "$CTR_CONF" "$filter"
  "$BERTH" ctr run "$CTR_CONF" ${1:+--} "$@"
}

# The cgroup dirs berth would make for the test's project, in every v1 hierarchy or v2.
ctr_cgroups_left() {
  find /sys/fs/cgroup -maxdepth 6 -type d -path "*/berth/$PROJECT*" 2>/dev/null
}

ctr_teardown() {
  local id
  for id in $(ls "$BERTH_RUN/ctr" 2>/dev/null | sed 's/\.json$//'); do
    "$BERTH" ctr rm -f "$id" >/dev/null 2>&1 || true
  done
  run ctr_cgroups_left
  assert_output ''
  run grep -c "$BATS_TEST_TMPDIR" /proc/self/mountinfo
  assert_output '0'
}
