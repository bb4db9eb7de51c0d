/* SPDX-License-Identifier: MIT */
/* orchestrator/commands: the entry point and help text of every command. */
#pragma once

struct cli;

extern const char cmd_version_usage[];
int cmd_version(struct cli *cli, int argc, char **argv);

extern const char cmd_image_usage[];
int cmd_image(struct cli *cli, int argc, char **argv);
extern const char cmd_load_usage[];
int cmd_load(struct cli *cli, int argc, char **argv);
