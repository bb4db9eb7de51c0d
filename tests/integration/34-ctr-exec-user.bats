#!/usr/bin/env bats
# User switching, and exec / kill / rm on a detached container.
load helpers
load lib/ctr
bats_require_minimum_version 1.5.0

setup() { ctr_setup; }
teardown() { ctr_teardown; }

@test "user by name: uid, gid and supplementary groups from the image, HOME" {
  run ctr_run '.user="app"' /bin/sh -c 'probe id; echo $HOME'
  assert_success
  assert_output $'uid=1000 gid=1000 groups=29,44\n/home/app'
}

@test "user as uid:gid and name:group" {
  run ctr_run '.user="1000:44"' /bin/probe id
  assert_output 'uid=1000 gid=44 groups=29,44'
  run ctr_run '.user="app:audio"' /bin/probe id
  assert_output 'uid=1000 gid=29 groups=29,44'
  run ctr_run '.user="4242"' /bin/probe id
  assert_output 'uid=4242 gid=0 groups='
  run ctr_run '.user="app:nogrp"' /bin/true
  assert_failure
  assert_output --partial 'unable to find group nogrp'
}

@test "exec into a running container: namespaces, cgroup, user, env, -u -w -e" {
  ctr_config "$CTR_CONF" '.argv=["/bin/sleep","30"] | .user="app" | .env=["A=1"] | .hostname="box"'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  run "$BERTH" ctr exec "$CTR_ID" /bin/sh -c 'probe id; hostname; echo $A; ps -o pid,comm | grep -c sleep; probe status Seccomp; probe status NoNewPrivs'
  assert_success
  assert_output $'uid=1000 gid=1000 groups=29,44\nbox\n1\n1\n2\n1'
  run "$BERTH" ctr exec -u root -w /tmp -e A=2 -e B=3 "$CTR_ID" /bin/sh -c 'probe id; pwd; echo $A$B; probe status CapEff'
  assert_output $'uid=0 gid=0 groups=\n/tmp\n23\n00000000a80425fb'
  run "$BERTH" ctr exec "$CTR_ID" /bin/sh -c 'cat /proc/self/cgroup | grep pids'
  assert_output --regexp 'pids:/$'
  run -127 "$BERTH" ctr exec "$CTR_ID" /nope
}

# The exec process's report of a failed execve shares the sync socket with the pid its parent
# sends; it must never overtake the pid (the exit status would then be the parent's 0).
@test "exec of a missing command exits 127 every time, also with several at once" {
  ctr_config "$CTR_CONF" '.argv=["/bin/sleep","60"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  for j in 1 2 3 4; do
    (for i in $(seq 15); do
      rc=0; "$BERTH" ctr exec "$CTR_ID" /nope 2>/dev/null || rc=$?
      echo "$rc"
    done > "$BATS_TEST_TMPDIR/rc.$j") 3>&- &
  done
  wait
  cat "$BATS_TEST_TMPDIR"/rc.* | sort | uniq -c
  [ "$(cat "$BATS_TEST_TMPDIR"/rc.* | grep -cx 127)" = 60 ]
}

@test "kill --all kills the whole cgroup; rm refuses a running container without -f and cleans up" {
  ctr_config "$CTR_CONF" '.argv=["/bin/sh","-c","sleep 30 & sleep 30"] | .init=true'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  local pid=$output
  run "$BERTH" ctr rm "$CTR_ID"
  assert_failure
  assert_output --partial 'is running'
  run "$BERTH" ctr kill --all "$CTR_ID"
  assert_success
  sleep 0.2
  # gone, or a zombie waiting for the host's init to reap it
  run awk '{print $3}' "/proc/$pid/stat"
  [ "$status" -ne 0 ] || [ "$output" = Z ]
  run "$BERTH" ctr rm "$CTR_ID"
  assert_success
  run ctr_cgroups_left
  assert_output ''
}
