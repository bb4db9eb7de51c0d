/* SPDX-License-Identifier: MIT */
#include "orchestrator/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"

static const char global_usage[] =
        "Usage: berth [OPTIONS] COMMAND\n"
        "\n"
        "Define and run multi-container applications, a drop-in for docker compose.\n"
        "\n"
        "Options:\n"
        "  -f, --file FILE               Compose configuration files (repeatable, - for stdin)\n"
        "  -p, --project-name NAME       Project name\n"
        "      --project-directory DIR   Alternate working directory (default: first file's dir)\n"
        "      --env-file FILE           Alternate environment files (repeatable)\n"
        "      --profile NAME            Enable a profile (repeatable)\n"
        "      --ansi never|always|auto  Control when to print ANSI control characters\n"
        "      --progress MODE           auto, tty, plain, json or quiet\n"
        "      --dry-run                 Execute command in dry run mode\n"
        "      --log-level LEVEL         berth's own diagnostics: error, warn, info, debug\n"
        "  -v, --version                 Show the version and exit\n"
        "  -h, --help                    Show this help\n"
        "\n"
        "Commands:\n";

void cli_getopt_reset(void)
{
        optind = 0; /* glibc: 0 forces a full re-initialisation of getopt's state */
        opterr = 0;
}

const struct command *cli_find_command(const char *name)
{
        for (const struct command *c = cli_commands; c->name; c++)
                if (strcmp(c->name, name) == 0)
                        return c;
        return NULL;
}

int cli_usage_error(const struct command *cmd, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "berth%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nRun 'berth %s%s--help' for more information.\n", cmd ? cmd->name : "",
                cmd ? " " : "");
        return 2;
}

void cli_print_help(const struct command *cmd)
{
        printf("Usage: berth %s %s", cmd->name, cmd->usage);
}

static void print_global_help(void)
{
        fputs(global_usage, stdout);
        for (const struct command *c = cli_commands; c->name; c++)
                if (!c->internal)
                        printf("  %-10s %s\n", c->name, c->summary);
        printf("\nInternal commands (for tests and debugging, see docs/cli.md):\n");
        for (const struct command *c = cli_commands; c->name; c++)
                if (c->internal)
                        printf("  %-10s %s\n", c->name, c->summary);
        printf("\nRun 'berth COMMAND --help' for more information on a command.\n");
}

bool cli_use_ansi(const struct cli *cli, int fd)
{
        if (cli->ansi == CLI_ANSI_ALWAYS)
                return true;
        if (cli->ansi == CLI_ANSI_NEVER)
                return false;
        return isatty(fd) && !getenv("NO_COLOR");
}

static void cli_done(struct cli *cli)
{
        strv_free(cli->files);
        strv_free(cli->env_files);
        strv_free(cli->profiles);
        free(cli->project_name);
        free(cli->project_dir);
        free(cli->progress);
}

enum {
        OPT_PROJECT_DIR = 256,
        OPT_ENV_FILE,
        OPT_PROFILE,
        OPT_ANSI,
        OPT_PROGRESS,
        OPT_DRY_RUN,
        OPT_LOG_LEVEL,
        OPT_NO_ANSI,
        OPT_PARALLEL,
        OPT_COMPAT,
};

static int parse_globals(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"file", required_argument, NULL, 'f'},
                {"project-name", required_argument, NULL, 'p'},
                {"project-directory", required_argument, NULL, OPT_PROJECT_DIR},
                {"env-file", required_argument, NULL, OPT_ENV_FILE},
                {"profile", required_argument, NULL, OPT_PROFILE},
                {"ansi", required_argument, NULL, OPT_ANSI},
                {"no-ansi", no_argument, NULL, OPT_NO_ANSI},
                {"progress", required_argument, NULL, OPT_PROGRESS},
                {"dry-run", no_argument, NULL, OPT_DRY_RUN},
                {"parallel", required_argument, NULL, OPT_PARALLEL},
                {"compatibility", no_argument, NULL, OPT_COMPAT},
                {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
                {"version", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;

        cli_getopt_reset();
        /* "+": stop at the command name; its flags are the command's own. */
        while ((c = getopt_long(argc, argv, "+:f:p:vh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        cli->files = strv_push(cli->files, optarg);
                        break;
                case 'p':
                        free(cli->project_name);
                        cli->project_name = xstrdup(optarg);
                        break;
                case OPT_PROJECT_DIR:
                        free(cli->project_dir);
                        cli->project_dir = xstrdup(optarg);
                        break;
                case OPT_ENV_FILE:
                        cli->env_files = strv_push(cli->env_files, optarg);
                        break;
                case OPT_PROFILE:
                        cli->profiles = strv_push(cli->profiles, optarg);
                        break;
                case OPT_ANSI:
                        if (strcmp(optarg, "auto") == 0)
                                cli->ansi = CLI_ANSI_AUTO;
                        else if (strcmp(optarg, "never") == 0)
                                cli->ansi = CLI_ANSI_NEVER;
                        else if (strcmp(optarg, "always") == 0)
                                cli->ansi = CLI_ANSI_ALWAYS;
                        else
                                return -cli_usage_error(
                                        NULL, "--ansi: \"%s\" is not one of never, always, auto",
                                        optarg);
                        break;
                case OPT_NO_ANSI:
                        cli->ansi = CLI_ANSI_NEVER;
                        break;
                case OPT_PROGRESS:
                        if (!strv_contains(
                                    (char *[]){"auto", "tty", "plain", "json", "quiet", NULL},
                                    optarg))
                                return -cli_usage_error(
                                        NULL,
                                        "--progress: \"%s\" is not one of auto, tty, plain, json, quiet",
                                        optarg);
                        free(cli->progress);
                        cli->progress = xstrdup(optarg);
                        break;
                case OPT_DRY_RUN:
                        cli->dry_run = true;
                        break;
                case OPT_PARALLEL:
                case OPT_COMPAT:
                        break;
                case OPT_LOG_LEVEL: {
                        int l = log_level_from_string(optarg);

                        if (l < 0)
                                return -cli_usage_error(
                                        NULL,
                                        "--log-level: \"%s\" is not one of error, warn, info, debug",
                                        optarg);
                        log_set_level((enum log_level)l);
                        break;
                }
                case 'v':
                        return -1000;
                case 'h':
                        return -1001;
                case ':':
                        return -cli_usage_error(NULL, "flag needs an argument: %s",
                                                argv[optind - 1]);
                default:
                        return -cli_usage_error(NULL, "unknown flag: %s", argv[optind - 1]);
                }
        }
        return optind;
}

int cli_main(int argc, char **argv)
{
        struct cli cli = {0};
        const struct command *cmd;
        int first, r;

        cli.root = getenv("BERTH_ROOT");
        if (!cli.root || !*cli.root)
                cli.root = "/var/lib/berth";
        cli.run = getenv("BERTH_RUN");
        if (!cli.run || !*cli.run)
                cli.run = "/run/berth";

        first = parse_globals(&cli, argc, argv);
        if (first == -1000) {
                char *vargv[] = {"version", NULL};

                cli_getopt_reset();
                r = cli_find_command("version")->run(&cli, 1, vargv);
                cli_done(&cli);
                return r;
        }
        if (first == -1001) {
                cli_done(&cli);
                print_global_help();
                return 0;
        }
        if (first < 0) {
                cli_done(&cli);
                return -first;
        }
        if (first >= argc) {
                cli_done(&cli);
                print_global_help();
                return 2;
        }
        cmd = cli_find_command(argv[first]);
        if (!cmd) {
                r = cli_usage_error(NULL, "unknown command \"%s\"", argv[first]);
                cli_done(&cli);
                return r;
        }
        for (int i = first + 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        cli_print_help(cmd);
                        cli_done(&cli);
                        return 0;
                }
        }
        cli_getopt_reset();
        r = cmd->run(&cli, argc - first, argv + first);
        cli_done(&cli);
        return r;
}
