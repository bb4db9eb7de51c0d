#!/usr/bin/env bats
# The security suite (issue 6, section 3): what the kernel answers inside a berth container for
# each thing a container must not do. Every test asserts the kernel's own answer (an errno, a
# /proc/self/status field, a mount flag, a device open), most with a control that shows the
# answer comes from berth's policy (privileged, cap_add or no_new_privileges:false lift it).
# The rest of the list lives in 31-34 (caps, seccomp basics, masks, limits, mounts, symlinks),
# 30 (host fds), 41/42/70 (network isolation); docs/security.md maps every item to its test.
load helpers
load lib/ctr
bats_require_minimum_version 1.5.0

setup() {
  ctr_setup
  PROJECT=sec${PROJECT#ctrdev}
  CTR_ID=${PROJECT}-c1
}
teardown() { ctr_teardown; }

# deny NAME ERRNO: the default profile answers ERRNO to `probe syscall NAME`
deny() {
  run ctr_run . /bin/probe syscall "$1"
  assert_output "ERR $2"
}

# --- syscalls the default seccomp profile denies (moby's answers: EPERM; clone3 ENOSYS) -------

@test "umount: EPERM (and with CAP_SYS_ADMIN the filter lets it through)" {
  deny umount EPERM
  run ctr_run '.cap_add=["SYS_ADMIN"]' /bin/probe syscall umount
  assert_output 'ok'
}

@test "pivot_root: EPERM, even with CAP_SYS_ADMIN (moby's profile never allows it)" {
  deny pivot_root EPERM
  run ctr_run '.cap_add=["SYS_ADMIN"]' /bin/probe syscall pivot_root
  assert_output 'ERR EPERM'
  # control: without the filter the kernel itself answers (pivot_root("/", "/") is EBUSY/EINVAL)
  run ctr_run '.cap_add=["SYS_ADMIN"] | .seccomp="unconfined"' /bin/probe syscall pivot_root
  refute_output 'ERR EPERM'
}

@test "setns: EPERM" {
  deny setns EPERM
  run ctr_run '.cap_add=["SYS_ADMIN"]' /bin/probe syscall setns
  assert_output 'ok'
}

@test "unshare of a user namespace: EPERM" {
  deny unshare-user EPERM
}

@test "add_key and request_key: EPERM (keyctl is in 31)" {
  deny add_key EPERM
  deny request_key EPERM
  run ctr_run '.seccomp="unconfined"' /bin/probe syscall add_key
  assert_output 'ok'
}

@test "perf_event_open: EPERM" {
  deny perf_event_open EPERM
}

@test "kexec_load and kexec_file_load: EPERM" {
  deny kexec_load EPERM
  deny kexec_file_load EPERM
}

@test "reboot: EPERM" {
  deny reboot EPERM
}

@test "init_module, finit_module, delete_module: EPERM" {
  deny init_module EPERM
  deny finit_module EPERM
  deny delete_module EPERM
}

@test "io_uring_setup: EPERM (moby#46762), allowed when unconfined" {
  deny io_uring_setup EPERM
  run ctr_run '.seccomp="unconfined"' /bin/probe syscall io_uring_setup
  assert_output 'ok'
}

@test "clone3 with a namespace flag: ENOSYS (libc falls back to clone, whose flags are checked)" {
  deny clone3-ns ENOSYS
  deny clone-ns EPERM
}

@test "open_by_handle_at (shocker) and iopl: EPERM" {
  deny open_by_handle_at EPERM
  deny iopl EPERM
}

@test "socket(AF_VSOCK): EPERM, while AF_INET works" {
  deny vsock EPERM
  run ctr_run . /bin/probe connect 127.0.0.1 9
  assert_output 'ERR ECONNREFUSED'
}

# --- the 32-bit entry points (x86_64 only) ----------------------------------------------------

@test "the i386 entry (int \$0x80) is filtered: getpid works, unshare/keyctl/mount get EPERM" {
  [ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
  run ctr_run . /bin/probe syscall32 getpid
  assert_output 'ok'
  local s
  for s in unshare keyctl mount; do
    run ctr_run . /bin/probe syscall32 "$s"
    assert_output 'ERR EPERM'
  done
  # control: without the filter the i386 unshare reaches the kernel (which refuses for lack of
  # CAP_SYS_ADMIN: also EPERM), so check the filter itself with CAP_SYS_ADMIN granted
  run ctr_run '.cap_add=["SYS_ADMIN"]' /bin/probe syscall32 unshare
  assert_output 'ok'
}

@test "the x32 entry is filtered: unshare and keyctl get EPERM" {
  [ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
  run ctr_run . /bin/probe syscallx32 unshare
  assert_output 'ERR EPERM'
  run ctr_run . /bin/probe syscallx32 keyctl
  assert_output 'ERR EPERM'
}

@test "a profile without SCMP_ARCH_X86 kills an i386 syscall (no unfiltered path)" {
  [ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
  cat > "$BATS_TEST_TMPDIR/p.json" <<'J'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["unshare"], "action": "SCMP_ACT_ERRNO"}]}
J
  run ctr_run ".seccomp=\"$BATS_TEST_TMPDIR/p.json\"" /bin/probe syscall32 getpid
  assert_equal "$status" 159
  run ctr_run ".seccomp=\"$BATS_TEST_TMPDIR/p.json\"" /bin/probe syscall unshare
  assert_output 'ERR EPERM'
}

# --- /proc and /sys -----------------------------------------------------------------------------

@test "/proc/sysrq-trigger is read-only: a write gets EROFS (ENOENT on a kernel without it)" {
  run ctr_run . /bin/probe write /proc/sysrq-trigger
  if [ -e /proc/sysrq-trigger ]; then
    assert_output 'ERR EROFS'
    run ctr_run . /bin/grep ' /proc/sysrq-trigger ' /proc/mounts
    assert_output --partial ' ro,'
  else
    assert_output 'ERR ENOENT'
  fi
}

@test "/proc/timer_list, sched_debug, latency_stats are masked (empty), /sys/firmware is empty" {
  run ctr_run . /bin/sh -c 'for f in timer_list sched_debug latency_stats timer_stats; do [ -e /proc/$f ] && wc -c < /proc/$f; done; ls -A /sys/firmware | wc -l'
  assert_success
  refute_output --regexp '^[1-9]'
  run ctr_run '.privileged=true' /bin/sh -c 'wc -c < /proc/timer_list'
  refute_output '0'
}

@test "/proc/acpi and /proc/scsi are masked by an empty read-only tmpfs, when the host has them" {
  run ctr_run . /bin/sh -c 'for d in acpi scsi; do [ -d /proc/$d ] && ls -A /proc/$d | wc -l; done; exit 0'
  refute_output --regexp '^[1-9]'
}

# --- devices --------------------------------------------------------------------------------------

@test "mknod of the host's root disk succeeds but opening it fails with EPERM" {
  local majmin
  majmin=$(awk '$5 == "/" {print $3; exit}' /proc/self/mountinfo)
  [ -n "$majmin" ]
  if [ "${majmin%%:*}" = 0 ]; then # not a block device (overlay, tmpfs): take the first disk
    majmin=$(awk 'NR > 2 && $4 !~ /^(loop|ram|zram)/ {print $1 ":" $2; exit}' /proc/partitions)
  fi
  run ctr_run . /bin/probe devopen b "${majmin%%:*}" "${majmin##*:}"
  assert_line --index 0 'mknod ok'
  assert_line --index 1 'open ERR EPERM'
}

# /dev/fuse (c 10:229) and /dev/loop0 (b 7:0) open for root without any capability check, so
# only the device policy can refuse them.
@test "devices cgroup: a block and a char node the host can open are refused; null is not" {
  [ -c /dev/fuse ] && [ -b /dev/loop0 ]
  head -c0 < /dev/loop0
  run ctr_run . /bin/probe devopen b 7 0
  assert_output $'mknod ok\nopen ERR EPERM'
  run ctr_run . /bin/probe devopen c 10 229
  assert_output $'mknod ok\nopen ERR EPERM'
  run ctr_run . /bin/probe devopen c 1 3
  assert_output $'mknod ok\nopen ok'
  # control: privileged lifts the policy, so it is the policy that refuses
  run ctr_run '.privileged=true' /bin/sh -c 'probe devopen c 10 229; probe devopen b 7 0'
  assert_output $'mknod ok\nopen ok\nmknod ok\nopen ok'
}

@test "devices cgroup: a service's devices entry is allowed, nothing else is" {
  run ctr_run '.devices=["/dev/fuse"]' /bin/sh -c 'probe devopen c 10 229; probe devopen b 7 0'
  assert_output $'mknod ok\nopen ok\nmknod ok\nopen ERR EPERM'
}

@test "devices cgroup: the container's devices.list is docker's default list" {
  run ctr_run . /bin/cat /sys/fs/cgroup/devices/devices.list
  if [ -d /sys/fs/cgroup/devices ]; then
    assert_output "$(printf '%s\n' 'c *:* m' 'b *:* m' 'c 1:3 rwm' 'c 1:5 rwm' 'c 1:7 rwm' 'c 1:8 rwm' \
      'c 1:9 rwm' 'c 5:0 rwm' 'c 5:1 rwm' 'c 5:2 rwm' 'c 136:* rwm' 'c 10:200 rwm')"
  else # cgroup v2: the policy is a BPF program (checked by tests/unit/test_runtime_devices)
    assert_failure
  fi
}

@test "devices cgroup: an exec'd process is held by the same policy" {
  ctr_config "$CTR_CONF" '.argv=["/bin/sleep","30"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  run "$BERTH" ctr exec "$CTR_ID" /bin/sh -c 'probe devopen b 7 0; probe devopen c 1 5'
  assert_output $'mknod ok\nopen ERR EPERM\nmknod ok\nopen ok'
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}

# --- capabilities (exact sets) ---------------------------------------------------------------------

@test "capability sets as root: Eff=Prm=Bnd=docker's default, Inh and Amb empty" {
  run ctr_run . /bin/sh -c 'for f in CapInh CapPrm CapEff CapBnd CapAmb; do probe status $f; done'
  assert_output $'0000000000000000\n00000000a80425fb\n00000000a80425fb\n00000000a80425fb\n0000000000000000'
}

@test "capability sets as a non-root user: nothing effective or permitted, the bounding set kept" {
  run ctr_run '.user="app"' /bin/sh -c 'for f in CapInh CapPrm CapEff CapBnd CapAmb; do probe status $f; done'
  assert_output $'0000000000000000\n0000000000000000\n0000000000000000\n00000000a80425fb\n0000000000000000'
}

@test "capability sets with cap_add and cap_drop, as root and as non-root" {
  run ctr_run '.cap_add=["SYS_PTRACE"] | .cap_drop=["NET_RAW","MKNOD"]' /bin/sh -c 'probe status CapPrm; probe status CapBnd'
  assert_output $'00000000a00c05fb\n00000000a00c05fb'
  run ctr_run '.user="app" | .cap_add=["NET_ADMIN"]' /bin/sh -c 'probe status CapEff; probe status CapBnd'
  assert_output $'0000000000000000\n00000000a80435fb'
  run ctr_run '.cap_drop=["ALL"]' /bin/sh -c 'probe status CapEff; probe status CapBnd; probe syscall mknod'
  assert_output $'0000000000000000\n0000000000000000\nERR EPERM'
}

# --- host fds, cwd, root -----------------------------------------------------------------------------

@test "pid 1 holds only stdio; its cwd and root are the rootfs, seen from inside and from the host" {
  exec 7</etc/hostname 8>"$BATS_TEST_TMPDIR/leak"
  run ctr_run . /bin/sh -c 'readlink /proc/1/cwd; readlink /proc/1/root; exec probe ls-fds'
  exec 7<&- 8>&-
  assert_success
  assert_output $'/\n/\n0\n1\n2'
  ctr_config "$CTR_CONF" '.argv=["/bin/sleep","30"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  local pid=$output
  # the host sees the container's / and cwd as the rootfs directory itself
  assert_equal "$(stat -L -c %i "/proc/$pid/root/bin/probe")" "$(stat -c %i "$CTR_ROOTFS/bin/probe")"
  assert_equal "$(stat -L -c %i "/proc/$pid/cwd/bin/probe")" "$(stat -c %i "$CTR_ROOTFS/bin/probe")"
  run ls "/proc/$pid/fd"
  assert_output $'0\n1\n2'
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}

@test "an exec'd process gets no host fd either, and starts inside the rootfs" {
  ctr_config "$CTR_CONF" '.argv=["/bin/sleep","30"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  exec 7</etc/hostname 8>"$BATS_TEST_TMPDIR/leak"
  run "$BERTH" ctr exec "$CTR_ID" /bin/sh -c 'readlink /proc/self/cwd; readlink /proc/self/root; exec probe ls-fds'
  exec 7<&- 8>&-
  assert_output $'/\n/\n0\n1\n2'
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}

# --- users and privileges ------------------------------------------------------------------------------

@test "no_new_privs stops a setuid-root binary: a non-root user keeps its uid" {
  cp "$PROBE" "$CTR_ROOTFS/bin/suid-probe"
  chown 0:0 "$CTR_ROOTFS/bin/suid-probe"
  chmod 4755 "$CTR_ROOTFS/bin/suid-probe"
  run ctr_run '.user="app"' /bin/suid-probe euid
  assert_output 'euid=1000 egid=1000'
  # control: without no_new_privs the same binary does make the user root
  run ctr_run '.user="app" | .no_new_privileges=false' /bin/suid-probe euid
  assert_output 'euid=0 egid=1000'
}

@test "a non-root service cannot write root-owned files or directories" {
  chmod 0644 "$CTR_ROOTFS/etc/passwd"
  chmod 0700 "$CTR_ROOTFS/root"
  chown 1000:1000 "$CTR_ROOTFS/home/app"
  run ctr_run '.user="app"' /bin/sh -c 'probe write /etc/passwd; probe write /root/x; probe write /bin/new; probe write /home/app/ok'
  assert_output $'ERR EACCES\nERR EACCES\nERR EACCES\nok'
  # root in the container may (DAC_OVERRIDE is in docker's set)
  run ctr_run . /bin/probe write /bin/new
  assert_output 'ok'
}

# --- the berth binary through /proc/<pid>/exe (CVE-2019-5736) -----------------------------------------

# race_exe SECONDS: the container's command watches every new process and tries to open its
# /proc/<pid>/exe for writing, directly and by O_PATH then reopen; the caller runs execs meanwhile.
race_config() {
  local dev ino
  read -r dev ino < <(stat -L -c '%d %i' "$BERTH")
  mkdir -p "$BATS_TEST_TMPDIR/out"
  ctr_config "$CTR_CONF" ".argv=[\"/bin/sh\",\"-c\",\"probe exe-race $dev $ino $1 > /out/race\"] | .mounts=[{type:\"bind\",source:\"$BATS_TEST_TMPDIR/out\",target:\"/out\"}] $2"
}

# Four seconds of execs into $CTR_ID (the watcher runs longer), as root and as a non-root user;
# at least five rounds.
exec_for_4s() {
  local i=0
  SECONDS=0
  while [ "$SECONDS" -lt 4 ]; do
    "$BERTH" ctr exec "$CTR_ID" /bin/true
    "$BERTH" ctr exec -u app "$CTR_ID" /bin/true
    i=$((i + 1))
  done
  [ "$i" -ge 5 ]
}

@test "the berth binary cannot be opened through /proc/<pid>/exe while exec runs (root and non-root)" {
  local sum
  sum=$(sha256sum < "$BERTH")
  race_config 8 ''
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  sleep 0.2
  exec_for_4s
  wait_file "$BATS_TEST_TMPDIR/out/race" 10
  run cat "$BATS_TEST_TMPDIR/out/race"
  # the watcher did see berth's processes in the container (the race was run) ...
  assert_output --regexp '^seen [0-9]+ berth [1-9][0-9]* path 0 write 0$'
  # ... and could open none of them
  assert_equal "$(sha256sum < "$BERTH")" "$sum"
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}

@test "with cap_add SYS_PTRACE the exec process runs a sealed trampoline, never berth's binary" {
  local sum
  sum=$(sha256sum < "$BERTH")
  race_config 8 '| .cap_add=["SYS_PTRACE"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  sleep 0.2
  exec_for_4s
  # what the exec path still answers like any exec: status, 127 and 126 with their messages
  run "$BERTH" ctr exec "$CTR_ID" /bin/sh -c 'probe status CapEff; exit 7'
  assert_equal "$status" 7
  assert_output '00000000a80c25fb'
  run -127 "$BERTH" ctr exec "$CTR_ID" nope
  assert_output --partial 'exec: "nope": executable file not found in $PATH'
  run -126 "$BERTH" ctr exec "$CTR_ID" /etc/passwd
  wait_file "$BATS_TEST_TMPDIR/out/race" 10
  run cat "$BATS_TEST_TMPDIR/out/race"
  # the watcher saw the trampoline's processes ("berth-exec"), could open none as berth's binary
  assert_output --regexp '^seen [0-9]+ berth [1-9][0-9]* path 0 write 0$'
  assert_equal "$(sha256sum < "$BERTH")" "$sum"
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}

@test "with init: true, pid 1 runs berth's binary but /proc/1/exe and /proc/1/mem stay closed" {
  local sum
  sum=$(sha256sum < "$BERTH")
  race_config 2 '| .init=true'
  run "$BERTH" ctr run "$CTR_CONF"
  assert_success
  run cat "$BATS_TEST_TMPDIR/out/race"
  assert_output --regexp '^seen [0-9]+ berth [1-9][0-9]* path 0 write 0$'
  run ctr_run '.init=true' /bin/sh -c 'cat /proc/1/comm; probe cat /proc/1/mem; readlink /proc/1/exe || echo unreadable'
  assert_line --index 0 'berth'
  assert_line --index 1 'ERR EACCES'
  assert_line --index 2 'unreadable'
  assert_equal "$(sha256sum < "$BERTH")" "$sum"
}

@test "an exec'd process never shows up in the container with more capabilities or no seccomp" {
  mkdir -p "$BATS_TEST_TMPDIR/out"
  ctr_config "$CTR_CONF" ".argv=[\"/bin/sh\",\"-c\",\"probe cap-watch a80425fb 7 > /out/watch\"] | .mounts=[{type:\"bind\",source:\"$BATS_TEST_TMPDIR/out\",target:\"/out\"}]"
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  sleep 0.2
  exec_for_4s
  wait_file "$BATS_TEST_TMPDIR/out/watch" 10
  run cat "$BATS_TEST_TMPDIR/out/watch"
  # berth's exec processes were seen, none with capabilities beyond docker's set or unfiltered
  assert_output --regexp '^seen [0-9]+ berth [1-9][0-9]* wider 0 unfiltered 0$'
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}

wait_file() { # wait_file PATH SECONDS
  local n=$(( $2 * 10 ))
  while ((n-- > 0)); do [ -s "$1" ] && return 0; sleep 0.1; done
  [ -s "$1" ]
}

# --- limits: a neighbour survives an OOM kill -------------------------------------------------------

@test "a memory hog is OOM-killed and its neighbour in the same project is untouched" {
  local conf2=$BATS_TEST_TMPDIR/n.json id2=${PROJECT}-c2 pid
  ctr_config "$conf2" ".id=\"$id2\" | .argv=[\"/bin/sleep\",\"30\"] | .resources.memory=33554432"
  run "$BERTH" ctr run -d "$conf2"
  assert_success
  pid=$output
  run ctr_run '.resources.memory=33554432 | .resources.memory_swap=33554432' /bin/probe memhog 256
  assert_equal "$status" 137
  assert_output --partial 'OOMKilled'
  # the neighbour still runs, and its own cgroup saw no OOM kill
  kill -0 "$pid"
  run grep -h '^oom_kill ' $(jq -r .cgroup "$BERTH_RUN/ctr/$id2.json" | grep /memory/)/memory.oom_control
  assert_output 'oom_kill 0'
  run "$BERTH" ctr rm -f "$id2"
  assert_success
}
