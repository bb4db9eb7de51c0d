/* SPDX-License-Identifier: MIT */
/* orchestrator/commands: the dispatch table, one row per cmd_<name>.c (crun's commands[]). */
#include "orchestrator/commands.h"

#include "orchestrator/cli.h"

const struct command cli_commands[] = {
        {.name = "version",
         .summary = "Show the berth version information",
         .usage = cmd_version_usage,
         .run = cmd_version},
        {.name = "load",
         .summary = "Load images from an OCI layout or docker save archive",
         .usage = cmd_load_usage,
         .run = cmd_load},
        {.name = "image",
         .summary = "Pull, list, inspect and remove images in the local store",
         .usage = cmd_image_usage,
         .run = cmd_image,
         .internal = true},
        {0},
};
