/* SPDX-License-Identifier: MIT */
/* orchestrator/commands: the entry point and help text of every command. */
#pragma once

struct cli;

extern const char cmd_version_usage[];
int cmd_version(struct cli *cli, int argc, char **argv);

extern const char cmd_super_usage[];
int cmd_super(struct cli *cli, int argc, char **argv);
/* `berth super logs` (orchestrator/cmd_super_logs.c), dispatched by cmd_super. */
int cmd_super_logs(const struct cli *cli, const char *project, int argc, char **argv);
