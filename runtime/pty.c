/* SPDX-License-Identifier: MIT */
/* runtime/pty: see pty.h. */
#include "runtime/pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include "common/cleanup.h"
#include "common/error.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41) /* Linux 4.13 */
#endif

/* TIOCGPTPEER opens the slave through the master itself, so it cannot be confused with another
 * devpts instance's /dev/pts/N; the path is the fallback for older kernels. */
static int open_slave(int master, struct berr **err)
{
        char name[64];
        int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

        if (fd >= 0)
                return fd;
        if (errno != EINVAL && errno != ENOTTY)
                return berr_set(err, errno, "open the pty's slave");
        if (ptsname_r(master, name, sizeof(name)) != 0)
                return berr_set(err, errno, "ptsname");
        fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return berr_set(err, errno, "open %s", name);
        return fd;
}

int pty_open(int *ret_master, int *ret_slave, struct berr **err)
{
        cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        int slave;

        if (master < 0)
                return berr_set(err, errno, "open /dev/ptmx");
        if (unlockpt(master) < 0)
                return berr_set(err, errno, "unlockpt");
        slave = open_slave(master, err);
        if (slave < 0)
                return slave;
        *ret_master = TAKE_FD(master);
        *ret_slave = slave;
        return 0;
}

int pty_make_controlling(int slave, unsigned short rows, unsigned short cols, struct berr **err)
{
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return berr_set(err, errno, "make the pty the controlling terminal");
        if (rows && cols) {
                struct winsize ws = {.ws_row = rows, .ws_col = cols};

                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return berr_set(err, errno, "set the terminal size");
        }
        return 0;
}
