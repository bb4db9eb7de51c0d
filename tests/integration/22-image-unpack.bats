#!/usr/bin/env bats
# berth's unpacked layers, stacked by overlayfs as the container part mounts them, must give
# exactly the tree `umoci unpack` gives for the same image: whiteouts, opaque directories,
# hardlinks, symlinks, a directory replaced by a file, modes, owners, mtimes.
load helpers
load lib/registry
load lib/rootfs

setup() {
  berth_test_setup
  reg_setup
  R=$BERTH_TEST_REGISTRY
}

layer_dirs() { b image inspect "$1" | jq -r '.[0].layer_dirs[]'; }

umoci_rootfs() { # ref -> prints rootfs path
  local w=$BATS_TEST_TMPDIR/umoci
  mkdir -p "$w"
  skopeo copy -q --src-tls-verify=false "docker://$1" "oci:$w/oci:img" >&2
  umoci unpack --image "$w/oci:img" "$w/bundle" >/dev/null
  echo "$w/bundle/rootfs"
}

@test "layers image: whiteouts become 0/0 devices and the opaque dir an xattr" {
  b image pull -q "$R/berth/layers"
  mapfile -t L < <(layer_dirs "$R/berth/layers")
  [ "${#L[@]}" -eq 4 ]
  # top layer: the raw tar with .wh..wh..opq
  run getfattr --absolute-names -n trusted.overlay.opaque --only-values "${L[0]}/etc/app"
  assert_output y
  [ ! -e "${L[0]}/etc/app/.wh..wh..opq" ]
  # second layer: whiteouts of a dir and a file, the dir->file replacement, the chmod
  [ "$(stat -c '%F %t:%T' "${L[1]}/data")" = "character special file 0:0" ]
  [ "$(stat -c '%F %t:%T' "${L[1]}/etc/gone")" = "character special file 0:0" ]
  [ -f "${L[1]}/replace" ]
  [ "$(stat -c %a "${L[1]}/mode/file")" = 600 ]
  # third layer: hardlink and symlink
  [ "$(stat -c %i "${L[2]}/hl/a")" = "$(stat -c %i "${L[2]}/hl/b")" ]
  [ "$(readlink "${L[2]}/link")" = /etc/motd ]
}

@test "layers image through overlayfs: the expected final tree" {
  b image pull -q "$R/berth/layers"
  mapfile -t L < <(layer_dirs "$R/berth/layers")
  run merged_listing "${L[@]}"
  assert_success
  m=$output
  grep -q '^etc/app/new.conf|f|644|' <<< "$m"
  ! grep -q '^etc/app/old.conf|' <<< "$m"
  ! grep -q '^etc/app/keep' <<< "$m"
  ! grep -q '^data' <<< "$m"
  ! grep -q '^etc/gone|' <<< "$m"
  grep -q '^replace|f|' <<< "$m"
  grep -q '^mode/file|f|600|' <<< "$m"
  grep -q '^link|l|777|0|0|/etc/motd|9|' <<< "$m"
  grep -q '^etc/motd|f|644|' <<< "$m"
}

@test "layers image: berth's merged tree equals umoci unpack" {
  b image pull -q "$R/berth/layers"
  mapfile -t L < <(layer_dirs "$R/berth/layers")
  ours=$(merged_listing "${L[@]}")
  theirs=$(tree_listing "$(umoci_rootfs "$R/berth/layers")")
  diff <(echo "$ours") <(echo "$theirs")
  [ "$(echo "$ours" | wc -l)" -gt 100 ]
}

@test "redis (2 layers, real Debian tree): berth's merged tree equals umoci unpack" {
  b image pull -q "$R/berth/redis:7"
  mapfile -t L < <(layer_dirs "$R/berth/redis:7")
  ours=$(merged_listing "${L[@]}")
  theirs=$(tree_listing "$(umoci_rootfs "$R/berth/redis:7")")
  diff <(echo "$ours") <(echo "$theirs")
  # owners other than root survive (redis owns /data)
  grep -Eq '^data\|d\|750\|[1-9][0-9]*\|' <<< "$ours"
}
