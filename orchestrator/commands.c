/* SPDX-License-Identifier: MIT */
/* orchestrator/commands: the dispatch table, one row per cmd_<name>.c (crun's commands[]). */
#include "orchestrator/commands.h"

#include "orchestrator/cli.h"

const struct command cli_commands[] = {
        {.name = "version",
         .summary = "Show the berth version information",
         .usage = cmd_version_usage,
         .run = cmd_version},
        {.name = "super",
         .summary = "Run and drive a project supervisor over host processes",
         .usage = cmd_super_usage,
         .run = cmd_super,
         .internal = true},
        {0},
};
