# SPDX-License-Identifier: MIT
# Helpers for the supervisor tests (tests/integration/5*-*.bats): a project of host processes
# described in JSON and driven through `berth super`. Every service gets BERTH_TEST_MARK in its
# environment so teardown can find (and the tests can assert about) every process it started.

orch_setup() {
  berth_test_setup
  export ORCH_MARK="orch-$PROJECT-$$"
}

# sup ARGS...: berth -p $PROJECT super ARGS...
sup() {
  (cd "$WORK" && "$BERTH" -p "$PROJECT" super "$@")
}

# orch_desc: write $WORK/desc.json from stdin (a "services" JSON object) with the test's mark
# added to every service's environment.
orch_desc() {
  jq --arg mark "$ORCH_MARK" '{services: (.services | map_values(.environment = ((.environment // {}) + {BERTH_TEST_MARK: $mark})))}' \
    > "$WORK/desc.json"
}

orch_up() {
  orch_desc
  sup up "$WORK/desc.json"
}

# Pids of every live process carrying the test's mark.
orch_marked_pids() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    pid=${f#/proc/}; pid=${pid%/environ}
    { tr "\\0" "\\n" < "$f"; } 2>/dev/null | grep -qxF "BERTH_TEST_MARK=$ORCH_MARK" && echo "$pid"
  done
  return 0
}

# The pid of a container (service, replica 1) from ps.
orch_pid() {
  sup ps --json | jq -r --arg s "$1" '.[] | select(.service == $s) | .pid' | head -1
}

orch_field() { # orch_field SERVICE FIELD
  sup ps --json | jq -r --arg s "$1" --arg f "$2" '.[] | select(.service == $s) | .[$f]' | head -1
}

orch_supervisor_pid() {
  sup status | awk '/^running/ {print $2}'
}

# wait_until SECONDS CMD...: retry CMD every 50 ms until it succeeds or time runs out.
wait_until() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.05
  done
}

orch_teardown() {
  local sp
  sp=$(orch_supervisor_pid 2>/dev/null || true)
  if [ -n "$sp" ]; then
    sup down -t 1 >/dev/null 2>&1 || kill -KILL "$sp" 2>/dev/null || true
  fi
  local left
  left=$(orch_marked_pids)
  [ -n "$left" ] && kill -KILL $left 2>/dev/null
  [ -n "$sp" ] && kill -KILL "$sp" 2>/dev/null
  true
}

# field_is SERVICE FIELD VALUE: for wait_until.
field_is() {
  [ "$(orch_field "$1" "$2")" = "$3" ]
}

# pid_changed SERVICE OLDPID: running again under another pid.
pid_changed() {
  local p
  p=$(orch_pid "$1")
  [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$2" ] && field_is "$1" status running
}
