# SPDX-License-Identifier: MIT
# Compare image trees: list a directory tree (type, mode, owner, link target, size and mtime of
# regular files; directory sizes are a filesystem detail) and list the merged overlayfs view of berth's layer dirs inside a private
# mount namespace (nothing is mounted on the host).

# tree_listing DIR: one sorted line per entry.
tree_listing() {
  (cd "$1" && find . -mindepth 1 -printf '%P|%y|%m|%U|%G|%l|' -a \( -type d -o -printf '%s|' \) -a \( -type f -printf '%T@' -o -true \) -printf '\n' | LC_ALL=C sort)
}

# merged_listing DIR...: listing of the overlay of the given layer dirs (top first).
merged_listing() {
  local lower
  if [ $# -eq 1 ]; then
    tree_listing "$1"
    return
  fi
  lower=$(IFS=:; echo "$*")
  local mnt=$BATS_TEST_TMPDIR/merged
  mkdir -p "$mnt"
  unshare -m sh -c "mount --make-rprivate / && mount -t overlay overlay -o ro,lowerdir=$lower $mnt && \
    cd $mnt && find . -mindepth 1 -printf '%P|%y|%m|%U|%G|%l|' -a \( -type d -o -printf '%s|' \) -a \( -type f -printf '%T@' -o -true \) -printf '\n' | LC_ALL=C sort"
}
