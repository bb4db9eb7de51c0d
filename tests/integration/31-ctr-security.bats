#!/usr/bin/env bats
# Security defaults: capabilities, seccomp, no_new_privs, masked and read-only paths.
load helpers
load lib/ctr

setup() { ctr_setup; }
teardown() { ctr_teardown; }

@test "CapEff is docker's default set as root, 0 for a non-root user" {
  run ctr_run . /bin/probe status CapEff
  assert_output '00000000a80425fb'
  run ctr_run . /bin/probe status CapBnd
  assert_output '00000000a80425fb'
  run ctr_run '.user="app"' /bin/probe status CapEff
  assert_output '0000000000000000'
}

@test "cap_add / cap_drop, with ALL" {
  run ctr_run '.cap_add=["NET_ADMIN"] | .cap_drop=["CHOWN"]' /bin/probe status CapEff
  assert_output '00000000a80435fa'
  run ctr_run '.cap_drop=["ALL"] | .cap_add=["CAP_KILL"]' /bin/probe status CapEff
  assert_output '0000000000000020'
  run ctr_run '.cap_add=["ALL"] | .cap_drop=["SYS_ADMIN"]' /bin/probe status CapEff
  assert_success
  refute_output '00000000a80425fb'
  run ctr_run '.cap_add=["BOGUS"]' /bin/true
  assert_failure
  assert_output --partial 'unknown capability "BOGUS"'
}

@test "Seccomp: 2 and NoNewPrivs: 1 by default; opt-outs" {
  run ctr_run . /bin/probe status Seccomp
  assert_output '2'
  run ctr_run . /bin/probe status NoNewPrivs
  assert_output '1'
  run ctr_run '.no_new_privileges=false' /bin/probe status NoNewPrivs
  assert_output '0'
  run ctr_run '.no_new_privileges=false' /bin/probe status Seccomp
  assert_output '2'
  run ctr_run '.seccomp="unconfined"' /bin/probe status Seccomp
  assert_output '0'
}

@test "/proc/kcore and /proc/keys are unreadable (masked)" {
  run ctr_run . /bin/probe cat /proc/keys
  assert_output ''
  run ctr_run . /bin/sh -c 'cat /proc/kcore 2>/dev/null | wc -c'
  assert_output '0'
  run ctr_run . /bin/sh -c 'ls -A /sys/firmware | wc -l; grep -c "^tmpfs /sys/firmware tmpfs ro" /proc/mounts'
  assert_output $'0\n1'
}

@test "/proc/sys and /sys are read-only" {
  run ctr_run . /bin/probe write /proc/sys/kernel/domainname
  assert_output 'ERR EROFS'
  run ctr_run . /bin/grep -E ' /proc/(sys|bus|fs|irq) ' /proc/mounts
  assert_success
  refute_output --partial ' rw,'
  assert_output --partial ' /proc/sys proc ro,'
  run ctr_run . /bin/probe write /sys/kernel/uevent_helper
  assert_output --regexp 'ERR (EROFS|EACCES|ENOENT)'
}

@test "mount fails with EPERM" {
  run ctr_run . /bin/probe mount
  assert_output 'ERR EPERM'
}

@test "the default seccomp profile denies unshare, keyctl, bpf, namespace clone, AF_VSOCK, odd personalities" {
  local s
  for s in unshare keyctl bpf clone-ns vsock personality; do
    run ctr_run . /bin/probe syscall "$s"
    assert_output 'ERR EPERM'
  done
  # CAP_SYS_ADMIN opens the namespace calls, as in moby's profile (and seccomp still is 2)
  run ctr_run '.cap_add=["SYS_ADMIN"]' /bin/probe syscall clone-ns
  assert_output 'ok'
}

@test "seccomp=FILE takes a docker JSON profile" {
  cat > "$BATS_TEST_TMPDIR/prof.json" <<'J'
{"defaultAction": "SCMP_ACT_ALLOW",
 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
 "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
J
  run ctr_run ".seccomp=\"$BATS_TEST_TMPDIR/prof.json\"" /bin/probe cwd
  assert_output 'ERR EACCES'
  run ctr_run ".seccomp=\"$BATS_TEST_TMPDIR/prof.json\"" /bin/probe syscall keyctl
  refute_output 'ERR EPERM'
  echo '{"defaultAction": "SCMP_ACT_NOPE"}' > "$BATS_TEST_TMPDIR/bad.json"
  run ctr_run ".seccomp=\"$BATS_TEST_TMPDIR/bad.json\"" /bin/true
  assert_failure
  assert_output --partial 'bad.json: defaultAction "SCMP_ACT_NOPE"'
}

@test "privileged lifts caps, seccomp, masks" {
  run ctr_run '.privileged=true' /bin/probe status Seccomp
  assert_output '0'
  run ctr_run '.privileged=true' /bin/probe status CapEff
  refute_output '00000000a80425fb'
  run ctr_run '.privileged=true' /bin/probe mount
  assert_output 'ok'
}

@test "sysctls: namespaced ones apply, host ones are refused" {
  run ctr_run '.sysctls=["net.ipv4.ip_forward=1","kernel.shmmax=65536"]' /bin/sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
  assert_success
  assert_output $'1\n65536'
  run ctr_run '.sysctls=["kernel.panic=1"]' /bin/true
  assert_failure
  assert_output --partial 'sysctl "kernel.panic" is not namespaced'
}

@test "a user namespace maps the container's root to an unprivileged host uid" {
  local d=$CTR_ROOTFS
  # the mapped root is an unprivileged host uid: it must be able to reach the rootfs
  while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=$(dirname "$d"); done
  ctr_config "$CTR_CONF" '.userns={uid_map:[[0,100000,65536]],gid_map:[[0,100000,65536]]} | .argv=["/bin/sleep","30"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  local pid=$output
  run stat -c %u "/proc/$pid"
  assert_output '100000'
  run "$BERTH" ctr exec "$CTR_ID" /bin/sh -c 'probe id; cat /proc/self/uid_map; probe mount'
  assert_line --index 0 'uid=0 gid=0 groups='
  assert_line --index 1 --regexp '^ +0 +100000 +65536$'
  assert_line --index 2 'ERR EPERM'
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}
