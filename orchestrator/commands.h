/* SPDX-License-Identifier: MIT */
/* orchestrator/commands: the entry point and help text of every command. */
#pragma once

#include <stdbool.h>

struct cli;

extern const char cmd_version_usage[];
int cmd_version(struct cli *cli, int argc, char **argv);

extern const char cmd_net_usage[];
int cmd_net(struct cli *cli, int argc, char **argv);
extern const char cmd_config_usage[];
int cmd_config(struct cli *cli, int argc, char **argv);
extern const char cmd_ctr_usage[];
int cmd_ctr(struct cli *cli, int argc, char **argv);
extern const char cmd_image_usage[];
int cmd_image(struct cli *cli, int argc, char **argv);
extern const char cmd_images_usage[];
int cmd_images(struct cli *cli, int argc, char **argv);
extern const char cmd_load_usage[];
int cmd_load(struct cli *cli, int argc, char **argv);
extern const char cmd_super_usage[];
int cmd_super(struct cli *cli, int argc, char **argv);
extern const char cmd_pull_usage[];
int cmd_pull(struct cli *cli, int argc, char **argv);
extern const char cmd_up_usage[];
int cmd_up(struct cli *cli, int argc, char **argv);
extern const char cmd_down_usage[];
int cmd_down(struct cli *cli, int argc, char **argv);
extern const char cmd_ps_usage[];
int cmd_ps(struct cli *cli, int argc, char **argv);
extern const char cmd_logs_usage[];
int cmd_logs(struct cli *cli, int argc, char **argv);
extern const char cmd_start_usage[];
int cmd_start(struct cli *cli, int argc, char **argv);
extern const char cmd_stop_usage[];
int cmd_stop(struct cli *cli, int argc, char **argv);
extern const char cmd_restart_usage[];
int cmd_restart(struct cli *cli, int argc, char **argv);
extern const char cmd_kill_usage[];
int cmd_kill(struct cli *cli, int argc, char **argv);
extern const char cmd_exec_usage[];
int cmd_exec(struct cli *cli, int argc, char **argv);
extern const char cmd_create_usage[];
int cmd_create(struct cli *cli, int argc, char **argv);
extern const char cmd_rm_usage[];
int cmd_rm(struct cli *cli, int argc, char **argv);
extern const char cmd_events_usage[];
int cmd_events(struct cli *cli, int argc, char **argv);
extern const char cmd_wait_usage[];
int cmd_wait(struct cli *cli, int argc, char **argv);
extern const char cmd_pause_usage[];
int cmd_pause(struct cli *cli, int argc, char **argv);
extern const char cmd_unpause_usage[];
int cmd_unpause(struct cli *cli, int argc, char **argv);
extern const char cmd_port_usage[];
int cmd_port(struct cli *cli, int argc, char **argv);
extern const char cmd_ls_usage[];
int cmd_ls(struct cli *cli, int argc, char **argv);
extern const char cmd_top_usage[];
int cmd_top(struct cli *cli, int argc, char **argv);
extern const char cmd_run_usage[];
int cmd_run(struct cli *cli, int argc, char **argv);
/* pause and unpause share one body (cmd_pause.c) */
int cmd_pause_common(struct cli *cli, const char *name, bool freeze, int argc, char **argv);
/* `berth super logs` (orchestrator/cmd_super_logs.c), dispatched by cmd_super. */
int cmd_super_logs(const struct cli *cli, const char *project, int argc, char **argv);
