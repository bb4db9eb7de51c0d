/* SPDX-License-Identifier: MIT */
/* runtime/seccomp_default: berth's default seccomp profile. It has the semantics of moby's
 * default profile: deny with EPERM by default; an allow-list of ordinary syscalls; socket() with
 * any family but AF_VSOCK; personality() only with the harmless personas; clone() without any
 * namespace flag and clone3() answered with ENOSYS (so libc falls back to clone, whose flags can
 * be checked) unless CAP_SYS_ADMIN; the privileged syscalls allowed only with the capability
 * that governs them. io_uring_* are not allowed (moby#46762, docker 25: a ring runs operations
 * the filter never sees). */
#include <errno.h>
#include <string.h>

#include <linux/capability.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/seccomp.h"

/* The allow-list, grouped by what the calls do. */
static const char base_allow[] =
        /* files and descriptors */
        "access faccessat faccessat2 chdir fchdir chmod fchmod fchmodat chown chown32 fchown "
        "fchown32 fchownat lchown lchown32 close close_range creat dup dup2 dup3 fcntl fcntl64 "
        "fadvise64 fadvise64_64 fallocate fdatasync fsync sync sync_file_range syncfs flock "
        "fstat fstat64 fstatat64 newfstatat lstat lstat64 stat stat64 statx statfs statfs64 "
        "fstatfs fstatfs64 ftruncate ftruncate64 truncate truncate64 getcwd getdents getdents64 "
        "link linkat symlink symlinkat unlink unlinkat rename renameat renameat2 mkdir mkdirat "
        "rmdir mknod mknodat open openat openat2 name_to_handle_at readlink readlinkat lseek "
        "_llseek read readv pread64 preadv preadv2 write writev pwrite64 pwritev pwritev2 "
        "readahead copy_file_range sendfile sendfile64 splice tee vmsplice umask utime utimes "
        "utimensat utimensat_time64 futimesat "
        /* extended attributes */
        "getxattr lgetxattr fgetxattr setxattr lsetxattr fsetxattr listxattr llistxattr "
        "flistxattr removexattr lremovexattr fremovexattr "
        /* polling, events, async I/O */
        "epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait "
        "epoll_wait_old eventfd eventfd2 inotify_add_watch inotify_init inotify_init1 "
        "inotify_rm_watch fanotify_mark poll ppoll ppoll_time64 select _newselect pselect6 "
        "pselect6_time64 io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents "
        "io_pgetevents_time64 signalfd signalfd4 "
        "timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 "
        "pipe pipe2 "
        /* memory */
        "brk mmap mmap2 munmap mremap mprotect madvise mincore mlock mlock2 mlockall munlock "
        "munlockall msync membarrier memfd_create memfd_secret remap_file_pages pkey_alloc "
        "pkey_free pkey_mprotect "
        /* processes, threads, signals */
        "execve execveat exit exit_group fork vfork wait4 waitid waitpid kill tkill tgkill "
        "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
        "rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaltstack sigprocmask "
        "sigreturn pause restart_syscall futex futex_time64 futex_waitv get_robust_list "
        "set_robust_list set_tid_address get_thread_area set_thread_area rseq prctl "
        "pidfd_open pidfd_send_signal process_mrelease seccomp landlock_add_rule "
        "landlock_create_ruleset landlock_restrict_self capget capset "
        /* identity */
        "getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32 getresuid "
        "getresuid32 getresgid getresgid32 getgroups getgroups32 setuid setuid32 setgid "
        "setgid32 setreuid setreuid32 setregid setregid32 setresuid setresuid32 setresgid "
        "setresgid32 setgroups setgroups32 setfsuid setfsuid32 setfsgid setfsgid32 getpid "
        "getppid gettid getpgid setpgid getpgrp getsid setsid "
        /* scheduling and limits */
        "sched_getaffinity sched_setaffinity sched_getattr sched_setattr sched_getparam "
        "sched_setparam sched_getscheduler sched_setscheduler sched_get_priority_max "
        "sched_get_priority_min sched_rr_get_interval sched_rr_get_interval_time64 sched_yield "
        "getpriority setpriority ioprio_get ioprio_set getrlimit ugetrlimit setrlimit prlimit64 "
        "getrusage getcpu "
        /* time */
        "alarm getitimer setitimer clock_getres clock_getres_time64 clock_gettime "
        "clock_gettime64 clock_nanosleep clock_nanosleep_time64 nanosleep gettimeofday time "
        "times timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 "
        "timer_settime timer_settime64 adjtimex clock_adjtime clock_adjtime64 "
        /* sockets (socket itself is filtered below) */
        "accept accept4 bind connect listen getpeername getsockname getsockopt setsockopt "
        "recv recvfrom recvmsg recvmmsg recvmmsg_time64 send sendto sendmsg sendmmsg shutdown "
        "socketpair socketcall "
        /* System V and POSIX IPC (namespaced) */
        "ipc msgctl msgget msgrcv msgsnd semctl semget semop semtimedop semtimedop_time64 "
        "shmat shmctl shmdt shmget mq_getsetattr mq_notify mq_open mq_timedreceive "
        "mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink "
        /* misc */
        "ioctl getrandom sysinfo uname";

struct cap_rule {
        const char *names;
        int cap;
};

static const struct cap_rule cap_rules[] = {
        {"open_by_handle_at", CAP_DAC_READ_SEARCH},
        {"bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount "
         "mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname "
         "sethostname setns syslog umount umount2 unshare",
         CAP_SYS_ADMIN},
        {"reboot", CAP_SYS_BOOT},
        {"chroot", CAP_SYS_CHROOT},
        {"delete_module init_module finit_module", CAP_SYS_MODULE},
        {"acct", CAP_SYS_PACCT},
        {"kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace",
         CAP_SYS_PTRACE},
        {"iopl ioperm", CAP_SYS_RAWIO},
        {"settimeofday stime clock_settime clock_settime64", CAP_SYS_TIME},
        {"vhangup", CAP_SYS_TTY_CONFIG},
        {"get_mempolicy mbind set_mempolicy set_mempolicy_home_node", CAP_SYS_NICE},
        {"syslog", CAP_SYSLOG},
        {"bpf", CAP_BPF},
        {"perf_event_open", CAP_PERFMON},
};

/* The namespace flags clone() must not carry without CAP_SYS_ADMIN: NEWNS, NEWCGROUP, NEWUTS,
 * NEWIPC, NEWUSER, NEWPID, NEWNET (0x7e020000). */
#define CLONE_NS_MASK UINT64_C(0x7e020000)
#define AF_VSOCK_NR   40

static struct sc_rule *add_rule(struct sc_profile *p, const char *names, enum sc_action act)
{
        struct sc_rule *r;

        p->rules = xrealloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
        r = &p->rules[p->n_rules++];
        memset(r, 0, sizeof(*r));
        r->names = strv_split(names, " ");
        r->action = act;
        return r;
}

static void add_arg(struct sc_rule *r, unsigned idx, enum sc_op op, uint64_t v, uint64_t v2)
{
        r->args[r->n_args++] = (struct sc_arg){.index = idx, .op = op, .value = v, .value_two = v2};
}

void sc_profile_default(struct sc_profile *p)
{
        static const uint64_t personas[] = {0, 8, 0x20000, 0x20008, 0xffffffff};
        struct sc_rule *r;

        memset(p, 0, sizeof(*p));
        p->default_action = SC_ACT_ERRNO;
        p->default_errno = EPERM;
        add_rule(p, base_allow, SC_ACT_ALLOW);
        add_rule(p, "process_vm_readv process_vm_writev ptrace", SC_ACT_ALLOW);
        r = add_rule(p, "socket", SC_ACT_ALLOW);
        add_arg(r, 0, SC_OP_NE, AF_VSOCK_NR, 0);
        for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++) {
                r = add_rule(p, "personality", SC_ACT_ALLOW);
                add_arg(r, 0, SC_OP_EQ, personas[i], 0);
        }
        r = add_rule(p, "arch_prctl", SC_ACT_ALLOW);
        r->arches_include = strv_split("amd64 x32", " ");
        r = add_rule(p, "modify_ldt", SC_ACT_ALLOW);
        r->arches_include = strv_split("amd64 x32 x86", " ");
        for (size_t i = 0; i < sizeof(cap_rules) / sizeof(cap_rules[0]); i++) {
                r = add_rule(p, cap_rules[i].names, SC_ACT_ALLOW);
                r->caps_include = UINT64_C(1) << cap_rules[i].cap;
        }
        r = add_rule(p, "clone", SC_ACT_ALLOW);
        add_arg(r, 0, SC_OP_MASKED_EQ, CLONE_NS_MASK, 0);
        r->caps_exclude = UINT64_C(1) << CAP_SYS_ADMIN;
        r = add_rule(p, "clone3", SC_ACT_ERRNO);
        r->errno_ret = ENOSYS;
        r->caps_exclude = UINT64_C(1) << CAP_SYS_ADMIN;
}
