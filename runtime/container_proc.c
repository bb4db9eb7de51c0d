/* SPDX-License-Identifier: MIT */
/* runtime/container_proc: see container_proc.h. */
#include "runtime/container_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/caps.h"
#include "runtime/container_err.h"
#include "runtime/init.h"
#include "runtime/pty.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "runtime/sync.h"
#include "runtime/syscalls.h"
#include "runtime/user.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int proc_exit_code_for(int code, bool at_exec)
{
        if (!at_exec)
                return 125;
        return code == ENOENT ? 127 : 126;
}

static const char *env_get(char *const *env, const char *key)
{
        size_t n = strlen(key);

        for (; env && *env; env++)
                if (strncmp(*env, key, n) == 0 && (*env)[n] == '=')
                        return *env + n + 1;
        return NULL;
}

char **proc_env_merge(char *const *base, char *const *over)
{
        char **out = strv_copy(base);

        strv_foreach (kv, over) {
                size_t klen = strcspn(kv, "=");
                bool replaced = false;

                for (char **e = out; e && *e; e++)
                        if (strncmp(*e, kv, klen) == 0 && ((*e)[klen] == '=' || (*e)[klen] == 0)) {
                                free(*e);
                                *e = xstrdup(kv);
                                replaced = true;
                                break;
                        }
                if (!replaced)
                        out = strv_push(out, kv);
        }
        return out;
}

/* A blocked mask and SIG_IGN dispositions survive execve: the caller's (a supervisor that reads
 * signals from a signalfd, a CLI that ignores SIGPIPE) must not become the container's. */
static void reset_signals(void)
{
        sigset_t none;

        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)signal(sig, SIG_DFL);
        /* glibc refuses to touch its own two real-time signals (32, 33), so an ignored disposition
         * inherited from whoever started berth would reach the container: reset them raw. */
        for (int sig = 32; sig < 34; sig++) {
                struct {
                        void *handler;
                        unsigned long flags;
                        void *restorer;
                        unsigned long mask;
                } k = {0};

                (void)syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
        }
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static int setup_stdio(const int *stdio, struct berr **err)
{
        int tmp[3];

        for (int i = 0; i < 3; i++) {
                int src = stdio ? stdio[i] : -1;

                tmp[i] = src >= 0 ? fcntl(src, F_DUPFD_CLOEXEC, 10)
                                  : open("/dev/null", (i ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
                if (tmp[i] < 0)
                        return berr_set(err, errno, "set up stdio fd %d", i);
        }
        for (int i = 0; i < 3; i++) {
                if (dup2(tmp[i], i) < 0)
                        return berr_set(err, errno, "dup2 stdio %d", i);
                close(tmp[i]);
        }
        return 0;
}

static int set_rlimits(const struct proc_spec *ps, struct berr **err)
{
        for (size_t i = 0; i < ps->n_ulimits; i++) {
                struct rlimit rl = {.rlim_cur = ps->ulimits[i].soft,
                                    .rlim_max = ps->ulimits[i].hard};

                if (setrlimit(ps->ulimits[i].resource, &rl) < 0)
                        return berr_set(err, errno, "ulimit %d=%llu:%llu", ps->ulimits[i].resource,
                                        (unsigned long long)rl.rlim_cur,
                                        (unsigned long long)rl.rlim_max);
        }
        return 0;
}

static int lookup_user(const char *spec, struct user_ids *u, struct berr **err)
{
        cleanup_free char *pw = NULL, *gr = NULL;
        struct berr *ignore = NULL;

        (void)read_file("/etc/passwd", 1 << 22, &pw, NULL, &ignore);
        berr_freep(&ignore);
        (void)read_file("/etc/group", 1 << 22, &gr, NULL, &ignore);
        berr_freep(&ignore);
        if (user_resolve(spec, pw, gr, u, err) < 0)
                return berr_wrap(err, "user \"%s\"", spec);
        return 0;
}

static int switch_user(const struct user_ids *u, struct berr **err)
{
        if (setgroups(u->n_groups, u->groups) < 0)
                return berr_set(err, errno, "setgroups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return berr_set(err, errno, "setgid %u", (unsigned)u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return berr_set(err, errno, "setuid %u", (unsigned)u->uid);
        return 0;
}

static int enter_cwd(const char *cwd, struct berr **err)
{
        if (!cwd || !*cwd)
                cwd = "/";
        if (chdir(cwd) == 0)
                return 0;
        /* docker creates a missing working_dir (as root, before the user switch). */
        if (errno != ENOENT || mkdir_p(cwd, 0755, err) < 0 || chdir(cwd) < 0)
                return err && *err ? berr_wrap(err, "working_dir")
                                   : berr_set(err, errno, "working_dir %s", cwd);
        return 0;
}

struct exec_args {
        char **argv;
        char **env;
        int syncfd;
        bool tty;
};

static int do_exec(void *ud)
{
        struct exec_args *a = ud;
        struct berr *err = NULL;
        int code;

        environ = a->env;
        execvp(a->argv[0], a->argv);
        code = errno;
        if (code == ENOENT)
                berr_msg(&err, ENOENT, "exec: \"%s\": executable file not found in $PATH",
                         a->argv[0]);
        else
                berr_set(&err, code, "exec \"%s\"", a->argv[0]);
        sync_send_berr(a->syncfd, err);
        return proc_exit_code_for(code, true);
}

/* A session of its own: otherwise the container shares the caller's process group, and
 * kill(0, sig) inside it reaches the host processes of that group (pgrp signals are not filtered
 * by pid namespace). Then with a tty: the pair made, the master on its way to the spawner, the
 * slave our stdio and controlling terminal; for exec (clone_to_exec) the process that execs
 * takes it as its controlling terminal in a session of its own (ours ends when we exit, and a
 * session leader's exit would hang the terminal up). */
static int setup_terminal(const struct proc_spec *ps, int syncfd, struct berr **err)
{
        cleanup_close int master = -1, slave = -1;
        int fds[3];

        if (setsid() < 0)
                return berr_set(err, errno, "setsid");
        if (!ps->tty)
                return setup_stdio(ps->stdio, err);
        if (pty_open(&master, &slave, err) < 0)
                return berr_code(err);
        if (sync_send_fd(syncfd, SYNC_PTY, master) < 0)
                return berr_set(err, errno, "send the pty master");
        if (ps->clone_to_exec && ps->tty_rows && ps->tty_cols) {
                struct winsize ws = {.ws_row = ps->tty_rows, .ws_col = ps->tty_cols};

                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return berr_set(err, errno, "set the terminal size");
        } else if (!ps->clone_to_exec &&
                   pty_make_controlling(slave, ps->tty_rows, ps->tty_cols, err) < 0) {
                return berr_code(err);
        }
        fds[0] = fds[1] = fds[2] = slave;
        return setup_stdio(fds, err);
}

static int prepare(const struct proc_spec *ps, int syncfd, char ***ret_env, struct berr **err)
{
        struct user_ids u = {0};
        char **env = NULL;
        int r;

        reset_signals();
        if (setup_terminal(ps, syncfd, err) < 0 || set_rlimits(ps, err) < 0)
                return berr_code(err);
        r = lookup_user(ps->user, &u, err);
        if (r < 0)
                return r;
        /* the terminal is the user's, as login(1) leaves it (group: devpts' gid=5) */
        if (ps->tty)
                (void)!fchown(0, u.uid, (gid_t)-1);
        env = strv_copy(ps->env);
        if (!env_get(env, "PATH"))
                env = strv_push(env, "PATH=" DEFAULT_PATH);
        if (!env_get(env, "HOSTNAME") && ps->hostname)
                env = strv_push_take(env, xasprintf("HOSTNAME=%s", ps->hostname));
        if (!env_get(env, "HOME"))
                env = strv_push_take(env, xasprintf("HOME=%s", u.home ? u.home : "/"));
        *ret_env = env;
        if (enter_cwd(ps->cwd, err) < 0 || caps_apply_bounding(ps->caps, err) < 0)
                goto fail;
        /* Without no_new_privs the filter must go in while we still hold CAP_SYS_ADMIN. */
        if (!ps->no_new_privs && ps->seccomp && sc_install(ps->seccomp, err) < 0)
                goto fail;
        if (switch_user(&u, err) < 0 || caps_apply(ps->caps, u.uid == 0, err) < 0)
                goto fail;
        if (ps->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                berr_set(err, errno, "set no_new_privs");
                goto fail;
        }
        if (ps->no_new_privs && ps->seccomp && sc_install(ps->seccomp, err) < 0)
                goto fail;
        user_ids_done(&u);
        return 0;
fail:
        user_ids_done(&u);
        return berr_code(err);
}

/* The exec'ing process appears in the container's pid namespace only now, with the container's
 * credentials, capabilities, no_new_privs and seccomp filter already in place (inherited): a
 * process of the container that may ptrace never sees one of berth's holding more. It is the
 * caller's parent's child (CLONE_PARENT), so that parent waits for it as for any child. */
static noreturn void clone_then_exec(struct exec_args *a, int syncfd)
{
        struct berr *err = NULL;
        int gate[2];
        long c;

        /* The exec process holds off until its pid is on the sync socket: a failed execve
         * reports on that socket too, and the caller reads the pid first (it reaps the process
         * for its exit status), so the report must not overtake it. */
        if (pipe2(gate, O_CLOEXEC) < 0) {
                berr_set(&err, errno, "pipe");
                sync_send_berr(syncfd, err);
                _exit(125);
        }
        c = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, 0UL);
        if (c == 0) {
                char b;

                close(gate[1]);
                while (read(gate[0], &b, 1) < 0 && errno == EINTR)
                        ;
                close(gate[0]);
                (void)setsid();
                if (a->tty)
                        (void)ioctl(0, TIOCSCTTY, 0);
                _exit(do_exec(a));
        }
        close(gate[0]);
        if (c < 0) {
                berr_set(&err, errno, "clone the exec process");
                sync_send_berr(syncfd, err);
                _exit(125);
        }
        (void)sync_send_value(syncfd, SYNC_CHILD_PID, (int)c);
        _exit(0); /* closes gate[1]: the exec process goes on */
}

/* The command's path as execvp would find it (PATH from the command's environment); 0 or the
 * errno execvp would report. */
static int resolve_command(const char *cmd, char *const *env, char **ret)
{
        const char *path = env_get(env, "PATH");
        cleanup_strv char **dirs = NULL;
        int found = ENOENT;

        if (strchr(cmd, '/')) {
                *ret = xstrdup(cmd);
                return access(cmd, X_OK) == 0 ? 0 : errno;
        }
        dirs = strv_split(path ? path : DEFAULT_PATH, ":");
        strv_foreach (d, dirs) {
                cleanup_free char *c = xasprintf("%s/%s", *d ? d : ".", cmd);
                struct stat st;

                if (stat(c, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (access(c, X_OK) < 0) {
                        found = EACCES;
                        continue;
                }
                *ret = TAKE_PTR(c);
                return 0;
        }
        return found;
}

/* clone_then_exec, from the sealed trampoline program: it gets the sync socket as fd 3 (not
 * close-on-exec until its clone execs) and the resolved path, since it cannot search PATH. */
static noreturn void trampoline_exec(struct exec_args *a, int syncfd, int tfd)
{
        struct berr *err = NULL;
        cleanup_free char *path = NULL;
        char **argv = NULL;
        int code = resolve_command(a->argv[0], a->env, &path);

        if (code) {
                if (code == ENOENT)
                        berr_msg(&err, ENOENT, "exec: \"%s\": executable file not found in $PATH",
                                 a->argv[0]);
                else
                        berr_set(&err, code, "exec \"%s\"", a->argv[0]);
                sync_send_berr(syncfd, err);
                _exit(proc_exit_code_for(code, true));
        }
        if (tfd == 3 && (tfd = fcntl(3, F_DUPFD_CLOEXEC, 4)) < 0)
                goto fail;
        if (syncfd != 3 && dup2(syncfd, 3) < 0)
                goto fail;
        if (syncfd == 3 && fcntl(3, F_SETFD, 0) < 0)
                goto fail;
        argv = strv_push(argv, "berth-exec");
        argv = strv_push(argv, path);
        strv_foreach (w, a->argv)
                argv = strv_push(argv, w);
        syscall(SYS_execveat, tfd, "", argv, a->env, AT_EMPTY_PATH);
fail:
        berr_set(&err, errno, "run the exec trampoline");
        sync_send_berr(syncfd == 3 ? 3 : syncfd, err);
        _exit(125);
}

noreturn void proc_exec(const struct proc_spec *ps, int syncfd)
{
        struct berr *err = NULL;
        struct exec_args a = {.argv = ps->argv, .syncfd = syncfd, .tty = ps->tty};

        if (!ps->argv || !ps->argv[0]) {
                berr_msg(&err, EINVAL,
                         "no command given (neither the image nor the service "
                         "sets one)");
                sync_send_berr(syncfd, err);
                _exit(125);
        }
        if (prepare(ps, syncfd, &a.env, &err) < 0) {
                sync_send_berr(syncfd, err);
                _exit(125);
        }
        /* Nothing of the parent's but stdio (and the sync socket, close-on-exec) may reach the
         * command. */
        (void)sys_cloexec_from(3);
        if (ps->clone_to_exec && ps->trampoline_fd >= 0)
                trampoline_exec(&a, syncfd, ps->trampoline_fd);
        if (ps->clone_to_exec)
                clone_then_exec(&a, syncfd);
        if (ps->init)
                init_run(do_exec, &a, syncfd);
        _exit(do_exec(&a));
}
