#!/usr/bin/env bats
# Terminals: exec and run with a pty of the container as the command's controlling terminal, as
# docker compose gives them, driven from a real pty (lib/ptyrun.py plays the user at a terminal).
bats_require_minimum_version 1.5.0
load helpers
load lib/registry
load lib/compose

setup() {
  cli_setup 66
  PTYRUN="python3 $BATS_TEST_DIRNAME/lib/ptyrun.py"
}
teardown() { cli_teardown; }

# ptyrun [OPTIONS STEPS] -- BERTH-ARGS...: berth from the project directory on a new terminal.
ptyrun() {
  local pre=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do pre+=("$1"); shift; done
  shift
  (cd "$WORK" && $PTYRUN "${pre[@]}" -- "$BERTH" "$@")
}

one_service() {
  compose_file <<EOF2
name: $PROJECT
services:
  app:
    image: $IMG
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
EOF2
  run b up -d
  assert_success
}

@test "exec on a terminal: the command's own pty, the outer size, its exit code, terminal restored" {
  one_service
  run -3 ptyrun --rows 33 --cols 101 -- exec app sh -c 'tty; stty size; [ -t 0 ] && [ -t 2 ] && echo all-tty; exit 3'
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line '33 101'
  assert_line all-tty
  assert_line 'termios: restored'
  # the pty is the container's: its own devpts instance, the process's controlling terminal
  run ptyrun -- exec app sh -c 'ls -1 /dev/pts; echo tty_nr=$(cut -d" " -f7 /proc/self/stat)'
  assert_success
  assert_line ptmx
  assert_line --regexp '^tty_nr=[1-9][0-9]*$'
  # the master stays outside: no process in the container holds /dev/pts/ptmx
  run ptyrun -- exec app sh -c 'for f in /proc/[0-9]*/fd/*; do readlink $f; done | grep -c ptmx'
  assert_line 0
}

@test "exec -T and exec without a terminal get no tty" {
  one_service
  run -1 ptyrun -- exec -T app tty
  assert_line 'not a tty'
  assert_line 'termios: restored'
  run -1 ptyrun -- exec --no-TTY app tty
  assert_line 'not a tty'
  # stdin and stdout must both be terminals (stdout to a file here)
  run ptyrun -- exec app sh -c 'tty > /dev/null || echo no-tty-in'
  assert_success
  run bash -c "cd '$WORK' && $PTYRUN -- sh -c '\"$BERTH\" exec app tty > out.txt; echo rc=\$?'; cat out.txt"
  assert_line 'rc=1'
  assert_line 'not a tty'
  # plain pipes as before
  run -1 b exec app tty
  assert_output 'not a tty'
  run bash -c "echo piped | (cd $WORK && $BERTH exec app cat)"
  assert_success
  assert_output piped
}

@test "exec keys reach the process: typed lines, Ctrl-D ends cat, Ctrl-C interrupts" {
  one_service
  run ptyrun expect:ready send:'hello tty\r' expect:'hello tty\n' send:'\x04' -- \
    exec app sh -c 'echo ready; cat'
  assert_success
  # echoed by the pty's line discipline, then written back by cat
  assert_equal "$(grep -c '^hello tty$' <<< "$output")" 2
  assert_line 'termios: restored'
  run -5 ptyrun expect:ready send:'\x03' -- \
    exec app sh -c 'trap "echo got-sigint; exit 5" INT; echo ready; while :; do sleep 0.1; done'
  assert_line --regexp 'got-sigint$'
  assert_line 'termios: restored'
  run -130 ptyrun expect:ready send:'\x03' -- exec app sh -c 'echo ready; exec sleep 100'
  assert_line 'termios: restored'
}

@test "exec forwards window size changes" {
  one_service
  run ptyrun --rows 24 --cols 80 expect:ready resize:40:132 expect:'40 132' -- \
    exec app sh -c 'trap "stty size; exit 0" WINCH; echo ready; while :; do sleep 0.1; done'
  assert_success
  assert_line '40 132'
  assert_line 'termios: restored'
}

@test "exec: signals to berth reach the command and the terminal comes back" {
  one_service
  run -143 ptyrun expect:ready signal:TERM -- exec app sh -c 'echo ready; exec sleep 100'
  assert_line 'termios: restored'
  run -129 ptyrun expect:ready signal:HUP -- exec app sh -c 'echo ready; exec sleep 100'
  assert_line 'termios: restored'
  # a command that ignores the signal: the third one kills it
  run -137 ptyrun expect:ready signal:TERM sleep:0.2 signal:TERM sleep:0.2 signal:TERM -- \
    exec app sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
  assert_line 'termios: restored'
  # SIGTSTP stops berth with the terminal given back, SIGCONT makes it raw again
  run ptyrun expect:ready termios signal:TSTP sleep:0.3 termios signal:CONT sleep:0.3 termios \
    send:'after\r' expect:'after\n' send:'\x04' -- exec app sh -c 'echo ready; cat'
  assert_success
  assert_equal "$(grep '^termios-now' <<< "$output" | tr '\n' ' ')" \
    'termios-now: changed termios-now: restored termios-now: changed '
  assert_line 'termios: restored'
  # a failed exec never touches the terminal
  run -127 ptyrun -- exec app no-such-command
  assert_line --partial no-such-command
  assert_line 'termios: restored'
}

@test "exec with a tty as another user: the terminal is the user's; -d and -i=false" {
  one_service
  run ptyrun -- exec -u 1234 app sh -c 'id -u; stat -c %u $(tty)'
  assert_success
  assert_equal "$(grep -c '^1234$' <<< "$output")" 2
  run ptyrun -- exec -d app sh -c 'tty > /tmp/d-tty 2>&1'
  assert_success
  sleep 0.3
  run b exec -T app cat /tmp/d-tty
  assert_output 'not a tty'
  # without input: still a terminal, but what is typed does not reach it
  run ptyrun expect:ready send:'abc\r' -- exec --interactive=false app sh -c 'tty; echo ready; read -t 1 x || echo no-input'
  assert_success
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line no-input
  run -2 b exec --interactive=maybe app true
  assert_output --partial 'not a boolean'
}

@test "run on a terminal: a tty by default, -T none, keys, exit code, --rm leaves nothing" {
  one_service
  run -4 ptyrun --rows 30 --cols 90 -- run --rm app sh -c 'tty; stty size; exit 4'
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line '30 90'
  assert_line 'termios: restored'
  run -1 ptyrun -- run --rm -T app tty
  assert_line 'not a tty'
  run ptyrun expect:ready send:'typed\r' expect:'typed\n' send:'\x04' -- run --rm app sh -c 'echo ready; cat'
  assert_success
  assert_equal "$(grep -c '^typed$' <<< "$output")" 2
  # Ctrl-C reaches the container's foreground group; pid 1 only dies of it with a handler (as in
  # docker; `init: true` is the other way, below)
  run -7 ptyrun expect:ready send:'\x03' -- \
    run --rm app sh -c 'trap "exit 7" INT; echo ready; while :; do sleep 0.1; done'
  assert_line 'termios: restored'
  # no one-off container is left
  [ -z "$(ls "$BERTH_ROOT/containers" | grep -- '-run-')" ]
}

@test "run with init: true on a terminal: the command is the terminal's foreground group" {
  compose_file <<EOF2
name: $PROJECT
services:
  app:
    image: $IMG
    init: true
    command: ["sleep", "1000"]
EOF2
  run -130 ptyrun expect:ready send:'\x03' -- run --rm --no-deps app sh -c 'tty; echo ready; exec sleep 100'
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line 'termios: restored'
  run ptyrun expect:ready send:'x\r' expect:'x\n' send:'\x04' -- run --rm --no-deps app sh -c 'echo ready; cat'
  assert_success
}

@test "up with tty: true: the service's stdio is a pty, logged with the terminal's \\r\\n; stdin_open keeps stdin open" {
  compose_file <<EOF2
name: $PROJECT
services:
  term:
    image: $IMG
    tty: true
    command: ["sh", "-c", "tty; [ -t 0 ] && [ -t 2 ] && echo all-tty; echo to-stderr >&2; exec cat"]
    stop_signal: SIGKILL
  open:
    image: $IMG
    stdin_open: true
    command: ["sh", "-c", "echo started; cat; echo cat-ended"]
    stop_signal: SIGKILL
  closed:
    image: $IMG
    command: ["sh", "-c", "cat; echo cat-ended"]
EOF2
  run b up -d
  assert_success
  log=$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-term-1.log
  cli_wait_until 10 grep -q to-stderr "$log"
  # docker's json-file records of a tty: everything on stdout, lines ending in \r\n
  run jq -c '[.stream, .log]' "$log"
  assert_line --regexp '^\["stdout","/dev/pts/[0-9]+\\r\\n"\]$'
  assert_line '["stdout","all-tty\r\n"]'
  assert_line '["stdout","to-stderr\r\n"]'
  run b logs --no-log-prefix term
  assert_success
  assert_line $'all-tty\r'
  # the master is the supervisor's alone
  run b exec -T term sh -c 'for f in /proc/[0-9]*/fd/*; do readlink $f; done | grep -c ptmx'
  assert_output 0
  # a pty on stdin never gives EOF: cat keeps running, as does the stdin_open one; without
  # stdin_open, stdin is /dev/null and cat ends at once
  cli_wait_until 10 cli_status_is closed exited
  run b logs --no-log-prefix closed
  assert_output cat-ended
  cli_wait_until 10 grep -q started "$BERTH_ROOT/projects/$PROJECT/logs/$PROJECT-open-1.log"
  sleep 0.5
  run b ps --format json
  assert_success
  run jq -r '.[] | select(.Service != "closed") | .State' <<< "$output"
  assert_output $'running\nrunning'
  run b logs --no-log-prefix open
  assert_output started
  # a restart gets a new pty, still logged
  run b restart term
  assert_success
  cli_wait_until 10 bash -c "[ \$(grep -c all-tty '$log') -ge 2 ]"
}
