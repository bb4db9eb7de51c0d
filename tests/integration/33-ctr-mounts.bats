#!/usr/bin/env bats
# Rootfs and mounts: overlay with an upper dir, read_only, binds, named volumes (first-use copy),
# tmpfs, /dev, and symlinks in the image that try to point mounts out of the rootfs.
load helpers
load lib/ctr

setup() {
  ctr_setup
  HOSTDIR=$BATS_TEST_TMPDIR/host
  mkdir -p "$HOSTDIR"
  echo hostfile > "$HOSTDIR/f"
}
teardown() { ctr_teardown; }

@test "overlay rootfs: lowerdirs top first, writes go to the upper dir, removed with --rm" {
  local c=$BERTH_ROOT/containers/$CTR_ID top=$BATS_TEST_TMPDIR/top
  mkdir -p "$top/etc"
  echo from-top > "$top/etc/motd"
  run ctr_run "del(.rootfs) | .lowerdirs=[\"$top\",\"$CTR_ROOTFS\"] | .upperdir=\"$c/upper\" | .workdir=\"$c/work\" | .mountpoint=\"$c/merged\"" \
    /bin/sh -c 'cat /etc/motd; echo w > /written'
  assert_success
  assert_output 'from-top'
  [ -f "$c/upper/written" ]
  [ ! -e "$CTR_ROOTFS/written" ]
  run "$BERTH" ctr run --rm "$CTR_CONF" -- /bin/true
  assert_success
  [ ! -e "$c/upper" ]
}

@test "read_only rootfs" {
  run ctr_run '.read_only=true' /bin/probe write /x
  assert_output 'ERR EROFS'
  run ctr_run '.read_only=true | .mounts=[{type:"tmpfs",target:"/tmp"}]' /bin/probe write /tmp/x
  assert_output 'ok'
}

@test "bind mounts, rw and :ro, source created when missing" {
  run ctr_run ".mounts=[{type:\"bind\",source:\"$HOSTDIR\",target:\"/mnt/h\"}]" /bin/sh -c 'cat /mnt/h/f; echo new > /mnt/h/g'
  assert_success
  assert_output 'hostfile'
  assert_equal "$(cat "$HOSTDIR/g")" new
  run ctr_run ".mounts=[{type:\"bind\",source:\"$HOSTDIR\",target:\"/mnt/h\",options:\"ro\"}]" /bin/probe write /mnt/h/x
  assert_output 'ERR EROFS'
  run ctr_run ".mounts=[{type:\"bind\",source:\"$BATS_TEST_TMPDIR/made\",target:\"/m\"}]" /bin/true
  assert_success
  [ -d "$BATS_TEST_TMPDIR/made" ]
}

@test "a named volume is filled from the image the first time, then keeps its data" {
  local v=$BERTH_ROOT/volumes/${PROJECT}_data
  run ctr_run ".mounts=[{type:\"volume\",source:\"$v\",target:\"/data\",copy_up:true}]" /bin/sh -c 'cat /data/seed.txt; echo mine > /data/seed.txt'
  assert_success
  assert_output 'image-data'
  run ctr_run ".mounts=[{type:\"volume\",source:\"$v\",target:\"/data\",copy_up:true}]" /bin/cat /data/seed.txt
  assert_output 'mine'
}

@test "tmpfs with size and mode" {
  run ctr_run '.mounts=[{type:"tmpfs",target:"/scratch",options:"size=1m,mode=0700"}]' /bin/grep ' /scratch ' /proc/mounts
  assert_success
  assert_output --partial 'size=1024k,mode=700'
  run ctr_run '.mounts=[{type:"tmpfs",target:"/s",options:"size=lots"}]' /bin/true
  assert_failure
  assert_output --partial 'bad size'
}

@test "/dev: standard nodes, pts, shm (shm_size), mqueue" {
  run ctr_run '.shm_size=16777216' /bin/sh -c 'ls /dev | tr "\n" " "; echo; grep " /dev/shm " /proc/mounts; echo x > /dev/null && head -c 4 /dev/zero | wc -c'
  assert_success
  assert_line --index 0 'fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero '
  assert_line --partial 'size=16384k'
  assert_line '4'
}

@test "symlinks in the image cannot point a mount outside the rootfs" {
  ln -s /etc "$CTR_ROOTFS/evil"
  ln -s ../../../../../../../../tmp "$CTR_ROOTFS/up"
  local marker=berth-escape-$PROJECT
  run ctr_run ".mounts=[{type:\"bind\",source:\"$HOSTDIR\",target:\"/evil/$marker\"},{type:\"bind\",source:\"$HOSTDIR\",target:\"/up/$marker\"}]" \
    /bin/sh -c "cat /etc/$marker/f /tmp/$marker/f"
  assert_success
  assert_output $'hostfile\nhostfile'
  [ ! -e "/etc/$marker" ]
  [ ! -e "/tmp/$marker" ]
  [ -d "$CTR_ROOTFS/etc/$marker" ]
  [ -d "$CTR_ROOTFS/tmp/$marker" ]
  run ctr_run ".mounts=[{type:\"bind\",source:\"$HOSTDIR\",target:\"/a/../../etc\"}]" /bin/true
  assert_failure
  assert_output --partial 'contains ".."'
}

@test "hosts, hostname and resolv.conf come from the given files" {
  echo '10.9.8.7 db' > "$BATS_TEST_TMPDIR/hosts"
  echo 'nameserver 10.9.8.1' > "$BATS_TEST_TMPDIR/resolv"
  run ctr_run ".hosts_file=\"$BATS_TEST_TMPDIR/hosts\" | .resolv_conf_file=\"$BATS_TEST_TMPDIR/resolv\"" /bin/cat /etc/hosts /etc/resolv.conf
  assert_success
  assert_output $'10.9.8.7 db\nnameserver 10.9.8.1'
}

@test "devices: a host device node appears in the container" {
  run ctr_run '.devices=["/dev/fuse"]' /bin/sh -c 'ls -l /dev/fuse'
  assert_success
  assert_output --regexp '^c.* 10, +229 '
  run ctr_run '.devices=["/etc/passwd"]' /bin/true
  assert_failure
  assert_output --partial 'not a device node'
}

@test "an overlay with more layers than fit in one page of mount data (fsconfig lowerdir+)" {
  local c=$BERTH_ROOT/containers/$CTR_ID i d layers=()
  for i in $(seq 1 60); do
    d=$BATS_TEST_TMPDIR/layers/layer-with-a-long-name-like-a-sha256-digest-$(printf '%064d' "$i")
    mkdir -p "$d/etc"
    echo "$i" > "$d/etc/layer-$i"
    layers+=("$d")
  done
  layers+=("$CTR_ROOTFS")
  local json
  json=$(printf '%s\n' "${layers[@]}" | jq -R . | jq -s -c .)
  [ "$(printf '%s:' "${layers[@]}" | wc -c)" -gt 4096 ]
  run ctr_run "del(.rootfs) | .lowerdirs=$json | .upperdir=\"$c/upper\" | .workdir=\"$c/work\" | .mountpoint=\"$c/merged\"" \
    /bin/sh -c 'ls /etc | grep -c ^layer-; cat /etc/layer-1 /etc/layer-60'
  assert_success
  assert_output $'60\n1\n60'
}
