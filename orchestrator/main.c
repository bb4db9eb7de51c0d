/* SPDX-License-Identifier: MIT */
/* The berth binary: everything lives in the module archives; this only enters the CLI. */
#include "orchestrator/cli.h"

int main(int argc, char **argv)
{
        return cli_main(argc, argv);
}
