/* SPDX-License-Identifier: MIT */
/* orchestrator/term: the CLI's side of a container's terminal (`exec` and `run` with a tty, as
 * docker compose gives one). term_want_tty is compose's rule for allocating one; term_relay_run
 * puts the user's terminal in raw mode, copies bytes both ways between it and the pty master (the
 * container side is runtime/pty.h), forwards window size changes (SIGWINCH -> TIOCSWINSZ), hands
 * other signals to the caller, and restores the terminal on every way out. */
#pragma once

#include <stdbool.h>

struct berr;

struct term_flags {
        bool no_tty; /* -T, --no-TTY */
        bool tty;    /* -t, --tty (accepted; the default when stdin and stdout are terminals) */
        bool interactive; /* -i, default true: stdin reaches the process */
        bool detach;      /* -d: nobody to talk to */
};

/* Whether to allocate a pty: not with -T or -d; otherwise when stdin and stdout are terminals
 * (compose looks at stdout only and then fails on a piped stdin with "the input device is not a
 * TTY"; berth falls back to plain pipes instead). */
bool term_want_tty(const struct term_flags *f, bool stdin_tty, bool stdout_tty);

/* "--interactive[=BOOL]" value: NULL or true/1 -> true, false/0 -> false; -1 when neither. */
int term_parse_bool(const char *arg);
/* The terminal flags of exec and run from getopt: -T, -t, -i[=BOOL]. 1 when c was one (f set),
 * 0 when it is another flag, -1 for an --interactive value that is not a boolean. */
int term_flags_opt(struct term_flags *f, int c, const char *arg);

/* The size of the terminal on fd; 0 and rows = cols = 0 when fd is not one. */
int term_size(int fd, unsigned short *rows, unsigned short *cols);

struct term_relay {
        int in_fd;  /* the user's input, put in raw mode when a terminal; -1: no input */
        int out_fd; /* where the pty's output goes */
        int master; /* the pty master (made non-blocking; still the caller's to close) */
        int pidfd;  /* the process: the relay ends when it exited and its output is drained */
        /* SIGINT, SIGTERM, SIGHUP, SIGQUIT received by the CLI (keys typed reach the process
         * through the pty as bytes instead); may be NULL. SIGTSTP stops the CLI with the
         * terminal restored (raw again on SIGCONT); SIGPIPE is dropped. */
        void (*on_signal)(int sig, void *ud);
        void *ud;
};

/* Run the relay until the process exits. The terminal settings and the signal mask are restored
 * before it returns, also on failure. */
int term_relay_run(const struct term_relay *r, struct berr **err);
