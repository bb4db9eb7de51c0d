/* SPDX-License-Identifier: MIT */
/* `berth unpause [SERVICE...]`: thaw the services' paused containers (cmd_pause.c does the work),
 * as `docker compose unpause`. */
#include <stdbool.h>

#include "orchestrator/cli.h"
#include "orchestrator/commands.h"

const char cmd_unpause_usage[] = "[SERVICE...]\n\nUnpause services\n";

int cmd_unpause(struct cli *cli, int argc, char **argv)
{
        return cmd_pause_common(cli, "unpause", false, argc, argv);
}
