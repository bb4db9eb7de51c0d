#!/usr/bin/env bats
# The container core through `berth ctr run`: the process, its namespaces, exit codes, cleanup.
load helpers
load lib/ctr
bats_require_minimum_version 1.5.0

setup() { ctr_setup; }
teardown() { ctr_teardown; }

@test "pid 1 is the service command" {
  run ctr_run . /bin/probe pid
  assert_success
  assert_output '1'
}

@test "the hostname is set (default: the id, or the configured one)" {
  run ctr_run . /bin/probe hostname
  assert_output "${CTR_ID:0:12}"
  run ctr_run '.hostname="web1" | .domainname="example.org"' /bin/sh -c 'hostname; cat /proc/sys/kernel/domainname'
  assert_success
  assert_line --index 0 'web1'
  assert_line --index 1 'example.org'
}

@test "host processes are invisible" {
  run ctr_run . /bin/ps -o pid,comm
  assert_success
  assert_equal "$(echo "$output" | grep -vc PID)" 1
  assert_line --regexp '^ +1 ps'
}

@test "host interfaces are invisible: a new netns with lo only, up" {
  run ctr_run . /bin/probe ifaces
  assert_success
  run grep -c ':' <<< "$output"
  assert_output '1'
  run ctr_run . /bin/cat /sys/class/net/lo/operstate
  assert_output --regexp 'unknown|up'
}

@test "environment and working directory (created when missing), PATH/HOME/HOSTNAME defaults" {
  run ctr_run '.env=["FOO=bar"] | .cwd="/srv/app"' /bin/sh -c 'echo "$FOO|$PWD|$PATH|$HOME|$HOSTNAME"'
  assert_success
  assert_output "bar|/srv/app|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|/root|${CTR_ID:0:12}"
}

@test "the exit status is the command's; a signal is 128+N" {
  run ctr_run . /bin/sh -c 'exit 42'
  assert_equal "$status" 42
  # pid 1 cannot be killed from inside its namespace, so let init run the shell
  run ctr_run '.init=true' /bin/sh -c 'kill -9 $$'
  assert_equal "$status" 137
}

@test "a missing command exits 127 with a message naming it" {
  run -127 ctr_run . /bin/no-such-cmd
  assert_output --partial '"/bin/no-such-cmd": executable file not found'
  run -127 ctr_run . no-such-cmd
  assert_output --partial 'no-such-cmd'
}

@test "a non-executable command exits 126" {
  run ctr_run . /etc/passwd
  assert_equal "$status" 126
  assert_output --partial 'exec "/etc/passwd"'
}

@test "no host fd leaks into the container" {
  exec 7</etc/hostname 8>"$BATS_TEST_TMPDIR/leak"
  run ctr_run . /bin/probe ls-fds
  exec 7<&- 8>&-
  assert_success
  assert_output $'0\n1\n2'
}

@test "init: true reaps orphaned zombies and runs the command as pid 2" {
  run ctr_run '.init=true' /bin/probe orphans
  assert_success
  assert_output '0'
  run ctr_run '.init=true' /bin/probe pid
  assert_output '2'
  # without init, pid 1 (the probe) does not reap: the zombies stay
  run ctr_run . /bin/probe orphans
  assert_output '3'
}

@test "init: true forwards signals and exits 128+signal" {
  ctr_config "$CTR_CONF" '.init=true | .argv=["/bin/sleep","30"]'
  "$BERTH" ctr run "$CTR_CONF" &
  local pid=$! st=0
  sleep 0.3
  kill -TERM $pid
  wait $pid || st=$?
  assert_equal "$st" 143
}

@test "bad config: unknown key, bad JSON, no command, unknown user: one line, no residue" {
  echo '{"id":"x","project":"p","rootfs":"/","bogus":1}' > "$CTR_CONF"
  run "$BERTH" ctr run "$CTR_CONF"
  assert_failure
  assert_output --partial 'unknown key "bogus"'
  echo '{"id":' > "$CTR_CONF"
  run "$BERTH" ctr run "$CTR_CONF"
  assert_failure
  assert_output --regexp 'ctr.json:[0-9]+:[0-9]+'
  run ctr_run '.argv=[]'
  assert_failure
  assert_output --partial 'no command'
  run ctr_run '.user="ghost"' /bin/true
  assert_equal "$status" 125
  assert_output --partial 'unable to find user ghost'
}

@test "the container's cgroup is removed when it exits" {
  run ctr_run . /bin/sh -c 'cat /proc/self/cgroup'
  assert_success
  assert_line --regexp '^[0-9]+:memory:/$'
  run ctr_cgroups_left
  assert_output ''
}

@test "network: host shares the host's netns; a netns path is joined" {
  run ctr_run '.network="host"' /bin/probe ifaces
  assert_success
  [ "$(grep -c ':' <<< "$output")" -gt 1 ]
  ctr_config "$CTR_CONF" '.argv=["/bin/sleep","30"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  local pid=$output want
  want=$(readlink "/proc/$pid/ns/net")
  CTR_ID=${PROJECT}-c2 run ctr_run ".id=\"${PROJECT}-c2\" | .network=\"/proc/$pid/ns/net\"" /bin/sh -c 'readlink /proc/self/ns/net'
  assert_success
  assert_output "$want"
  run "$BERTH" ctr rm -f "${PROJECT}-c1"
  assert_success
}

@test "the pre-start hook runs at the barrier, in the child's netns, and can abort the start" {
  ctr_config "$CTR_CONF" '.argv=["/bin/probe","ifaces"]'
  # a veth pair made entirely inside the container's netns: nothing on the host
  run "$BERTH" ctr run --pre-start 'nsenter -t "$BERTH_PID" -n ip link add ctrv0 type veth peer name ctrv1' "$CTR_CONF"
  assert_success
  assert_output --partial 'ctrv0'
  assert_output --partial 'ctrv1'
  run ip link show ctrv0
  assert_failure
  run "$BERTH" ctr run --pre-start 'exit 3' "$CTR_CONF"
  assert_equal "$status" 125
  assert_output --partial 'pre-start hook: "exit 3" exited with status 3'
}

@test "init: true keeps no host fd in pid 1" {
  exec 7</etc/hostname
  run ctr_run '.init=true' /bin/sh -c 'ls /proc/1/fd | sort -n | tr "\n" " "'
  exec 7<&-
  assert_success
  refute_output --regexp '(^| )7( |$)'
}

@test "the caller's ignored and blocked signals do not reach the container" {
  ctr_config "$CTR_CONF" .
  run bash -c "trap '' TERM INT; exec '$BERTH' ctr run '$CTR_CONF' -- /bin/grep -E '^Sig(Blk|Ign)' /proc/self/status"
  assert_success
  assert_line 'SigBlk:	0000000000000000'
  assert_line 'SigIgn:	0000000000000000'
}

@test "the pre-start hook may still replace hosts and resolv.conf (bound after it returns)" {
  local h=$BATS_TEST_TMPDIR/hosts
  : > "$h"
  ctr_config "$CTR_CONF" ".hosts_file=\"$h\" | .argv=[\"/bin/cat\",\"/etc/hosts\"]"
  run "$BERTH" ctr run --pre-start "sleep 0.3; echo '10.1.2.3 late' > '$h.tmp' && mv '$h.tmp' '$h'" "$CTR_CONF"
  assert_success
  assert_output '10.1.2.3 late'
}
