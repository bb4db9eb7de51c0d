#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ptyrun: run a command on a fresh pseudo-terminal, as a user at a terminal would, for the tty
tests (tests/integration/66-tty.bats).

  ptyrun.py [--rows R] [--cols C] [--timeout S] [STEP...] -- COMMAND [ARGS...]

The command gets a new pty (rows x cols) as stdin, stdout, stderr and controlling terminal. The
steps run in order while its output is collected:
  expect:TEXT    wait until TEXT has appeared in the output (after the previous expect; \r
                 removed from the output, so \n matches the terminal's \r\n)
  send:TEXT      type TEXT (Python escapes: \\r, \\x03 for Ctrl-C, \\x04 for Ctrl-D)
  resize:R:C     change the terminal's size (the kernel sends SIGWINCH to its foreground group)
  signal:NAME    send signal NAME (TERM, HUP, ...) to the command
  sleep:S        wait S seconds
  termios        note whether the terminal's settings are now those from before the command
                 (printed at the end as "termios-now: restored|changed", one line per step)
Then it waits for the command to exit and prints everything it wrote (\\r removed), then a last
line "termios: restored" or "termios: changed" comparing the terminal's settings after the
command with those before it, and exits with the command's exit status (128+N when killed by
signal N, 124 on timeout)."""
import codecs
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    rows, cols, timeout, steps = 24, 80, 20.0, []
    while args and args[0] != "--":
        a = args.pop(0)
        if a in ("--rows", "--cols", "--timeout"):
            v = args.pop(0)
            if a == "--rows":
                rows = int(v)
            elif a == "--cols":
                cols = int(v)
            else:
                timeout = float(v)
        else:
            steps.append(a)
    if not args:
        sys.exit("usage: ptyrun.py [--rows R] [--cols C] [STEP...] -- COMMAND...")
    cmd = args[1:]

    master, slave = os.openpty()
    set_size(slave, rows, cols)
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("ptyrun: %s: %s\n" % (cmd[0], e)).encode())
            os._exit(127)

    notes = []
    out = bytearray()
    seen = 0  # output consumed by the expects so far
    deadline = time.monotonic() + timeout
    status = None

    def pump(wait):
        nonlocal status
        r, _, _ = select.select([master], [], [], wait)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            out.extend(data)
        if status is None:
            p, st = os.waitpid(pid, os.WNOHANG)
            if p == pid:
                status = st

    def timed_out(what):
        os.kill(pid, signal.SIGKILL)
        sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
        sys.stdout.write("\nptyrun: timed out %s\n" % what)
        sys.exit(124)

    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "expect":
            want = codecs.decode(arg, "unicode_escape").encode()
            while True:
                i = out.replace(b"\r", b"").find(want, seen)
                if i >= 0:
                    seen = i + len(want)
                    break
                if time.monotonic() > deadline:
                    timed_out("waiting for %r" % arg)
                pump(0.05)
        elif kind == "send":
            os.write(master, codecs.decode(arg, "unicode_escape").encode())
        elif kind == "resize":
            r, c = arg.split(":")
            set_size(master, int(r), int(c))
        elif kind == "signal":
            os.kill(pid, getattr(signal, "SIG" + arg))
        elif kind == "termios":
            same = termios.tcgetattr(slave) == before
            notes.append("termios-now: %s\n" % ("restored" if same else "changed"))
        elif kind == "sleep":
            end = time.monotonic() + float(arg)
            while time.monotonic() < end:
                pump(0.02)
        else:
            sys.exit("ptyrun: unknown step %r" % step)

    while status is None:
        if time.monotonic() > deadline:
            timed_out("waiting for the command to exit")
        pump(0.05)
    # what is still buffered in the pty
    while True:
        r, _, _ = select.select([master], [], [], 0.05)
        if not r:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        out.extend(data)
    after = termios.tcgetattr(slave)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    if out and not out.endswith(b"\n"):
        sys.stdout.write("\n")
    sys.stdout.write("".join(notes))
    sys.stdout.write("termios: %s\n" % ("restored" if after == before else "changed"))
    sys.stdout.flush()
    if os.WIFEXITED(status):
        sys.exit(os.WEXITSTATUS(status))
    sys.exit(128 + os.WTERMSIG(status))


main()
