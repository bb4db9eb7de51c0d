#!/usr/bin/env bats
# cgroup limits: memory (OOM reported), pids, cpu, ulimits.
load helpers
load lib/ctr

setup() { ctr_setup; }
teardown() { ctr_teardown; }

@test "a memory hog is OOM-killed and reported (exit 137, OOMKilled)" {
  run ctr_run '.resources.memory=33554432 | .resources.memory_swap=33554432' /bin/probe memhog 256
  assert_equal "$status" 137
  assert_output --partial 'OOMKilled'
  refute_output --partial 'done'
}

@test "a fork bomb is held by pids_limit" {
  run ctr_run '.resources.pids_limit=16' /bin/probe forkbomb 200
  assert_success
  assert_output '15'
}

@test "limits land in the container's cgroup files" {
  run ctr_run '.resources={memory:67108864, memory_reservation:33554432, cpu_quota:50000, cpu_period:100000, cpu_shares:512, pids_limit:99}' /bin/sleep 0.1
  assert_success
  ctr_config "$CTR_CONF" '.resources={memory:67108864, cpu_quota:50000, cpu_period:100000, cpu_shares:512, pids_limit:99} | .argv=["/bin/sleep","30"]'
  run "$BERTH" ctr run -d "$CTR_CONF"
  assert_success
  local cg
  cg=$(jq -r .cgroup "$BERTH_RUN/ctr/$CTR_ID.json")
  run grep -h . $(echo "$cg" | grep /memory/)/memory.limit_in_bytes $(echo "$cg" | grep /pids/)/pids.max \
    $(echo "$cg" | grep /cpu/)/cpu.cfs_quota_us $(echo "$cg" | grep /cpu/)/cpu.shares
  assert_output $'67108864\n99\n50000\n512'
  run "$BERTH" ctr rm -f "$CTR_ID"
  assert_success
}

@test "a memory limit below 6MiB is refused before anything is made" {
  run ctr_run '.resources.memory=1024' /bin/true
  assert_failure
  assert_output --partial 'below the minimum of 6MiB'
}

@test "ulimits" {
  run ctr_run '.ulimits={nofile:{soft:100,hard:200}, nproc:50}' /bin/sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
  assert_success
  assert_output $'100\n200\n50'
  run ctr_run '.ulimits={bogus:1}' /bin/true
  assert_failure
  assert_output --partial 'unknown limit "bogus"'
}

@test "cpuset pins the container's CPUs" {
  run ctr_run '.resources.cpuset_cpus="0"' /bin/grep Cpus_allowed_list /proc/self/status
  assert_success
  assert_output --regexp 'Cpus_allowed_list:[[:space:]]+0$'
}

@test "/sys/fs/cgroup shows the container's own cgroup, read-only" {
  run ctr_run '.resources={memory:67108864, pids_limit:50}' /bin/sh -c \
    'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup | tr "\n" " "; echo; probe write /sys/fs/cgroup/pids/pids.max; exit 0'
  assert_success
  assert_line --index 0 '67108864'
  assert_line --index 1 '50'
  # only the hierarchies where the container has a cgroup of its own (no host tree)
  refute_line --partial 'systemd'
  assert_line --index 3 'ERR EROFS'
}
