/* SPDX-License-Identifier: MIT */
/* common/log: berth's own diagnostics (never container output). The level and sink are the only
 * process-wide state. Library layers (spec, runtime, netmgr, common) log at debug level only;
 * the CLI and the supervisor's top-level handlers own error/warn/info. */
#pragma once

#include <stdarg.h>

enum log_level {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARN,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error|warn|warning|info|debug"; returns -EINVAL when unknown. */
int log_level_from_string(const char *s);
void log_write(enum log_level level, const char *module, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#ifndef LOG_MODULE_NAME
#define LOG_MODULE_NAME "berth"
#endif

#define log_error(...) log_write(LOG_LEVEL_ERROR, LOG_MODULE_NAME, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_LEVEL_WARN, LOG_MODULE_NAME, __VA_ARGS__)
#define log_info(...)  log_write(LOG_LEVEL_INFO, LOG_MODULE_NAME, __VA_ARGS__)
#define log_debug(...)                                                            \
        do {                                                                      \
                if (log_get_level() >= LOG_LEVEL_DEBUG)                           \
                        log_write(LOG_LEVEL_DEBUG, LOG_MODULE_NAME, __VA_ARGS__); \
        } while (0)
