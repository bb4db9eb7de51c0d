/* SPDX-License-Identifier: MIT */
/* orchestrator/commands: the dispatch table, one row per cmd_<name>.c (crun's commands[]). */
#include "orchestrator/commands.h"

#include "orchestrator/cli.h"

/* One line per command keeps merges trivial. */
/* clang-format off */
const struct command cli_commands[] = {
        {.name = "config", .summary = "Parse, resolve and render compose file in canonical format", .usage = cmd_config_usage, .run = cmd_config},
        {.name = "version", .summary = "Show the berth version information", .usage = cmd_version_usage, .run = cmd_version},
        {.name = "net", .summary = "Network manager: bridges, IPAM, NAT, DNS (internal)", .usage = cmd_net_usage, .run = cmd_net, .internal = true},
        {.name = "ctr", .summary = "Run one container from a JSON description (internal)", .usage = cmd_ctr_usage, .run = cmd_ctr, .internal = true},
        {.name = "image", .summary = "Pull, list, inspect and remove images in the local store", .usage = cmd_image_usage, .run = cmd_image, .internal = true},
        {.name = "super", .summary = "Run and drive a project supervisor over host processes", .usage = cmd_super_usage, .run = cmd_super, .internal = true},
        {.name = "images", .summary = "List images used by the project's services", .usage = cmd_images_usage, .run = cmd_images},
        {.name = "load", .summary = "Load images from an OCI layout or docker save archive", .usage = cmd_load_usage, .run = cmd_load},
        {.name = "pull", .summary = "Pull service images", .usage = cmd_pull_usage, .run = cmd_pull},
        {.name = "up", .summary = "Create and start containers", .usage = cmd_up_usage, .run = cmd_up},
        {.name = "down", .summary = "Stop and remove containers, networks", .usage = cmd_down_usage, .run = cmd_down},
        {.name = "ps", .summary = "List containers", .usage = cmd_ps_usage, .run = cmd_ps},
        {.name = "logs", .summary = "View output from containers", .usage = cmd_logs_usage, .run = cmd_logs},
        {.name = "start", .summary = "Start services", .usage = cmd_start_usage, .run = cmd_start},
        {.name = "stop", .summary = "Stop services", .usage = cmd_stop_usage, .run = cmd_stop},
        {.name = "restart", .summary = "Restart service containers", .usage = cmd_restart_usage, .run = cmd_restart},
        {.name = "kill", .summary = "Force stop service containers", .usage = cmd_kill_usage, .run = cmd_kill},
        {.name = "exec", .summary = "Execute a command in a running container", .usage = cmd_exec_usage, .run = cmd_exec},
        {.name = "create", .summary = "Creates containers for a service", .usage = cmd_create_usage, .run = cmd_create},
        {.name = "rm", .summary = "Removes stopped service containers", .usage = cmd_rm_usage, .run = cmd_rm},
        {.name = "events", .summary = "Receive real time events from containers", .usage = cmd_events_usage, .run = cmd_events},
        {.name = "wait", .summary = "Block until containers of all (or specified) services stop.", .usage = cmd_wait_usage, .run = cmd_wait},
        {.name = "pause", .summary = "Pause services", .usage = cmd_pause_usage, .run = cmd_pause},
        {.name = "unpause", .summary = "Unpause services", .usage = cmd_unpause_usage, .run = cmd_unpause},
        {.name = "port", .summary = "Print the public port for a port binding", .usage = cmd_port_usage, .run = cmd_port},
        {.name = "ls", .summary = "List running compose projects", .usage = cmd_ls_usage, .run = cmd_ls},
        {.name = "top", .summary = "Display the running processes", .usage = cmd_top_usage, .run = cmd_top},
        {.name = "run", .summary = "Run a one-off command on a service", .usage = cmd_run_usage, .run = cmd_run},
        {0},
};
/* clang-format on */
