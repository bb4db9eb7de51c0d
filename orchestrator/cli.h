/* SPDX-License-Identifier: MIT */
/* orchestrator/cli: the command line as docker compose has it. Global flags are parsed once into
 * struct cli; each command (one cmd_<name>.c file) parses its own flags with getopt_long and is
 * the only place that prints errors and picks the exit status (0 ok, 1 failed, 2 usage). */
#pragma once

#include <stdbool.h>

enum cli_ansi {
        CLI_ANSI_AUTO,
        CLI_ANSI_NEVER,
        CLI_ANSI_ALWAYS,
};

struct cli {
        char **files;       /* -f, in order; NULL when none given */
        char *project_name; /* -p */
        char *project_dir;  /* --project-directory */
        char **env_files;   /* --env-file, in order */
        char **profiles;    /* --profile, in order */
        enum cli_ansi ansi;
        char *progress; /* auto|tty|plain|json|quiet */
        bool dry_run;
        const char *root; /* $BERTH_ROOT or /var/lib/berth */
        const char *run;  /* $BERTH_RUN or /run/berth */
};

struct command {
        const char *name;
        const char *summary;
        /* Full help text after "Usage: berth NAME"; printed by --help. */
        const char *usage;
        int (*run)(struct cli *cli, int argc, char **argv);
        /* Low-level commands for tests and debugging, listed apart in --help (docs/cli.md). */
        bool internal;
};

/* The table of commands, NULL-name terminated (orchestrator/commands.c). */
extern const struct command cli_commands[];

int cli_main(int argc, char **argv);
/* Print "berth NAME: msg" and a hint to stderr; returns 2 (the usage exit status). */
int cli_usage_error(const struct command *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void cli_print_help(const struct command *cmd);
/* Reset getopt before a command parses its own flags. */
void cli_getopt_reset(void);
/* Whether coloured/ANSI output should be used on the given fd. */
bool cli_use_ansi(const struct cli *cli, int fd);
const struct command *cli_find_command(const char *name);
