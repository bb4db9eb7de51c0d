/* SPDX-License-Identifier: MIT */
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static enum log_level current_level = LOG_LEVEL_WARN;

void log_set_level(enum log_level level)
{
        current_level = level;
}

enum log_level log_get_level(void)
{
        return current_level;
}

int log_level_from_string(const char *s)
{
        static const struct {
                const char *name;
                enum log_level level;
        } names[] = {
                {"error", LOG_LEVEL_ERROR}, {"warn", LOG_LEVEL_WARN},   {"warning", LOG_LEVEL_WARN},
                {"info", LOG_LEVEL_INFO},   {"debug", LOG_LEVEL_DEBUG},
        };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcasecmp(s, names[i].name) == 0)
                        return (int)names[i].level;
        return -EINVAL;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
        static const char *const prefix[] = {"error", "warning", "info", "debug"};
        int saved = errno;
        va_list ap;

        if (level > current_level)
                return;
        if (level == LOG_LEVEL_DEBUG)
                fprintf(stderr, "berth %s: ", module);
        else if (level != LOG_LEVEL_INFO)
                fprintf(stderr, "%s: ", prefix[level]);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        errno = saved;
}
