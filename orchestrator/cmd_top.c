/* SPDX-License-Identifier: MIT */
/* `berth top [SERVICE...]`: the processes of each running container (every pid of its cgroup),
 * as `docker compose top`: the container's name, then UID PID PPID C STIME TTY TIME CMD with
 * host pids and host user names, read from /proc. */
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "orchestrator/cli.h"
#include "orchestrator/commands.h"
#include "orchestrator/ctr_query.h"
#include "orchestrator/project.h"
#include "orchestrator/stack.h"

const char cmd_top_usage[] = "[SERVICES...]\n\nDisplay the running processes\n";

struct proc_row {
        char uid[32];
        pid_t pid, ppid;
        unsigned c;
        char stime[16], tty[32], time[64];
        char *cmd;
};

static double uptime_s(void)
{
        cleanup_free char *t = NULL;
        struct berr *e = NULL;

        if (read_file("/proc/uptime", 256, &t, NULL, &e) < 0) {
                berr_free(e);
                return 0;
        }
        return strtod(t, NULL);
}

/* One process from /proc/<pid>/{stat,status,cmdline}; false when it is gone. */
static bool read_proc(pid_t pid, double up, struct proc_row *r)
{
        cleanup_free char *stat = NULL, *status = NULL, *cmdline = NULL;
        char path[64], comm[64] = "";
        unsigned long long utime, stime, start;
        long hz = sysconf(_SC_CLK_TCK);
        int tty_nr, ppid;
        size_t len = 0;
        struct berr *e = NULL;
        const char *p, *u;
        time_t started;
        struct tm tm;
        uid_t uid;
        struct passwd *pw;
        double age, cpu;
        unsigned long long secs;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (read_file(path, 4096, &stat, NULL, &e) < 0)
                goto gone;
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        if (read_file(path, 16384, &status, NULL, &e) < 0)
                goto gone;
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        if (read_file(path, 65536, &cmdline, &len, &e) < 0)
                goto gone;
        /* comm may hold spaces and parentheses: fields resume after the last ')' */
        p = strrchr(stat, ')');
        if (!p)
                return false;
        snprintf(comm, sizeof(comm), "%.*s", (int)(p - strchr(stat, '(') - 1),
                 strchr(stat, '(') + 1);
        if (sscanf(p + 2,
                   "%*c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
                   "%llu",
                   &ppid, &tty_nr, &utime, &stime, &start) != 5)
                return false;
        u = strstr(status, "\nUid:");
        uid = u ? (uid_t)strtoul(u + 5, NULL, 10) : 0;
        pw = getpwuid(uid);
        if (pw)
                snprintf(r->uid, sizeof(r->uid), "%s", pw->pw_name);
        else
                snprintf(r->uid, sizeof(r->uid), "%u", (unsigned)uid);
        r->pid = pid;
        r->ppid = ppid;
        age = up - (double)start / (double)hz;
        cpu = (double)(utime + stime) / (double)hz;
        r->c = age > 0 ? (unsigned)(cpu * 100 / age) : 0;
        started = time(NULL) - (time_t)age;
        localtime_r(&started, &tm);
        strftime(r->stime, sizeof(r->stime), age < 86400 ? "%H:%M" : "%b%d", &tm);
        if (tty_nr == 0)
                snprintf(r->tty, sizeof(r->tty), "?");
        else
                snprintf(r->tty, sizeof(r->tty), "%d:%d", (tty_nr >> 8) & 0xfff,
                         (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
        secs = (utime + stime) / (unsigned long long)hz;
        snprintf(r->time, sizeof(r->time), "%02llu:%02llu:%02llu", secs / 3600, secs / 60 % 60,
                 secs % 60);
        for (size_t i = 0; i + 1 < len; i++)
                if (cmdline[i] == '\0')
                        cmdline[i] = ' ';
        r->cmd = len ? xstrdup(cmdline) : xasprintf("[%s]", comm);
        return true;
gone:
        berr_free(e);
        return false;
}

static void print_ctr(const char *root, const char *name)
{
        cleanup_free char *cg = ctr_query_cgroup(root, name);
        cleanup_free pid_t *pids = NULL;
        struct berr *e = NULL;
        size_t n = 0;
        double up = uptime_s();

        if (!cg || ctr_query_pids(cg, &pids, &n, &e) < 0) {
                berr_free(e);
                return;
        }
        printf("%s\n", name);
        printf("%-8s %-8s %-8s %-3s %-6s %-6s %-9s %s\n", "UID", "PID", "PPID", "C", "STIME", "TTY",
               "TIME", "CMD");
        for (size_t i = 0; i < n; i++) {
                struct proc_row r = {0};

                if (!read_proc(pids[i], up, &r))
                        continue;
                printf("%-8s %-8d %-8d %-3u %-6s %-6s %-9s %s\n", r.uid, (int)r.pid, (int)r.ppid,
                       r.c, r.stime, r.tty, r.time, r.cmd);
                free(r.cmd);
        }
        printf("\n");
}

int cmd_top(struct cli *cli, int argc, char **argv)
{
        const struct command *self = cli_find_command("top");
        cleanup_strv char **names = NULL;
        cleanup_berr struct berr *err = NULL;
        struct proto_container *v = NULL;
        struct stack st;
        size_t n = 0;
        bool live;
        int c, r;

        while ((c = getopt_long(argc, argv, ":", (struct option[]){{0}}, NULL)) != -1)
                return cli_usage_error(self, "unknown flag: %s", argv[optind - 1]);
        for (int i = optind; i < argc; i++)
                names = strv_push(names, argv[i]);
        if ((r = stack_load(cli, &st)) != 0)
                return r;
        if ((r = project_check_names(st.p, names)) != 0)
                goto out;
        if (ctr_query_list(&st, &v, &n, &live, &err) < 0) {
                berr_print(err, stderr);
                r = 1;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                if ((names && !strv_contains(names, v[i].service)) ||
                    (strcmp(v[i].status, "running") != 0 && strcmp(v[i].status, "paused") != 0))
                        continue;
                print_ctr(cli->root, v[i].name);
        }
out:
        ctr_query_free(v, n);
        stack_done(&st);
        return r;
}
