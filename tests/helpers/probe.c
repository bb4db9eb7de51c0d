/* SPDX-License-Identifier: MIT */
/* tests/helpers/probe: a static multi-tool run inside test containers (crun's tests/init.c idea).
 * Every subcommand prints one plain result so bats can assert on it:
 *   status FIELD        value of FIELD in /proc/self/status (CapEff, Seccomp, NoNewPrivs, ...)
 *   hostname | pid | id | cwd | env NAME
 *   cat FILE            contents, or "ERR <ERRNO>"
 *   write FILE          "ok" or "ERR <ERRNO>"
 *   ls-fds              the open fds (excluding the one used to list them)
 *   mount               try to mount a tmpfs on /tmp: "ok" or "ERR <ERRNO>"
 *   syscall NAME        unshare|keyctl|bpf|ptrace|clone-ns|personality|vsock|chroot|mknod|umount|
 *                       pivot_root|setns|add_key|request_key|perf_event_open|kexec_load|
 *                       kexec_file_load|reboot|init_module|finit_module|delete_module|
 *                       io_uring_setup|clone3-ns|open_by_handle_at|iopl
 *   syscall32 NAME      the same through the i386 entry (int $0x80): getpid|unshare|mount|keyctl
 *   syscallx32 NAME     the same through the x32 entry: getpid|unshare|keyctl
 *   devopen b|c MAJ MIN mknod /tmp/probe-dev, then open it: "mknod ok|ERR ..", "open ok|ERR .."
 *   exe-race DEV INO S  for S seconds, try to open /proc/N/exe of every other process, for
 *                       writing and O_PATH-then-reopen; count those that are the file DEV:INO
 *   cap-watch MASK S    for S seconds, read /proc/N/status of every process: count those with
 *                       capabilities (CapEff or CapPrm) outside the hex MASK, or no seccomp filter
 *   euid                "euid=N egid=N" (a setuid copy of the probe shows what it gained)
 *   memhog MB           allocate and touch MB mebibytes, print "done"
 *   forkbomb N          fork up to N sleeping children, print how many forks succeeded
 *   orphans             leave orphaned zombies behind, then count zombies seen in /proc
 *   connect HOST PORT   TCP connect: "ok" or "ERR <ERRNO>"
 *   ifaces              network interfaces, one per line
 *   sleep SECONDS       */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static int err_out(void)
{
        const char *n = strerrorname_np(errno);

        printf("ERR %s\n", n ? n : "?");
        return 1;
}

static int res(long r)
{
        if (r < 0)
                return err_out();
        printf("ok\n");
        return 0;
}

static int status_field(const char *field)
{
        char line[512];
        size_t n = strlen(field);
        FILE *f = fopen("/proc/self/status", "r");

        if (!f)
                return err_out();
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, n) == 0 && line[n] == ':') {
                        char *v = line + n + 1;

                        while (*v == ' ' || *v == '\t')
                                v++;
                        fputs(v, stdout);
                        fclose(f);
                        return 0;
                }
        fclose(f);
        printf("missing\n");
        return 1;
}

static int cat(const char *path)
{
        char buf[4096];
        ssize_t n;
        int fd = open(path, O_RDONLY);

        if (fd < 0)
                return err_out();
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                fwrite(buf, 1, (size_t)n, stdout);
        if (n < 0)
                return err_out();
        close(fd);
        return 0;
}

static int ls_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        if (!d)
                return err_out();
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
                        printf("%s\n", de->d_name);
        closedir(d);
        return 0;
}

static int do_syscall(const char *name)
{
        if (!strcmp(name, "unshare"))
                return res(unshare(CLONE_NEWNS));
        if (!strcmp(name, "unshare-user"))
                return res(unshare(CLONE_NEWUSER));
        if (!strcmp(name, "keyctl"))
                return res(syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL));
        if (!strcmp(name, "bpf")) {
                union bpf_attr a;

                memset(&a, 0, sizeof(a));
                return res(syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a)));
        }
        if (!strcmp(name, "ptrace"))
                return res(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
        if (!strcmp(name, "clone-ns")) {
                long r = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, NULL, NULL, NULL, 0);

                if (r == 0)
                        _exit(0);
                if (r > 0)
                        waitpid((pid_t)r, NULL, 0);
                return res(r);
        }
        if (!strcmp(name, "personality"))
                return res(
                        personality(0x0400000 /* ADDR_NO_RANDOMIZE|... odd persona */ | 0x8000000));
        if (!strcmp(name, "vsock"))
                return res(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
        if (!strcmp(name, "chroot"))
                return res(chroot("/"));
        if (!strcmp(name, "mknod"))
                return res(mknod("/tmp/probe-null", S_IFCHR | 0600, makedev(1, 3)));
        if (!strcmp(name, "sethostname"))
                return res(sethostname("x", 1));
        if (!strcmp(name, "umount"))
                return res(umount2("/sys", MNT_DETACH));
        if (!strcmp(name, "pivot_root"))
                return res(syscall(SYS_pivot_root, "/", "/"));
        if (!strcmp(name, "setns")) {
                int fd = open("/proc/self/ns/uts", O_RDONLY);

                if (fd < 0)
                        return err_out();
                return res(setns(fd, CLONE_NEWUTS));
        }
        if (!strcmp(name, "add_key"))
                return res(syscall(SYS_add_key, "user", "probe", "x", 1, -2 /* process keyring */));
        if (!strcmp(name, "request_key"))
                return res(syscall(SYS_request_key, "user", "probe", NULL, -2));
        if (!strcmp(name, "perf_event_open")) {
                struct perf_event_attr a;

                memset(&a, 0, sizeof(a));
                a.size = sizeof(a);
                a.type = PERF_TYPE_SOFTWARE;
                a.config = PERF_COUNT_SW_TASK_CLOCK;
                a.disabled = 1;
                return res(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
        }
        /* The load/reboot calls get arguments the kernel refuses (EINVAL/EBADF) once past the
         * filter and the capability check, so even a hole in the policy changes nothing here. */
        if (!strcmp(name, "kexec_load"))
                return res(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xdead0000UL));
        if (!strcmp(name, "kexec_file_load"))
                return res(syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, 0xdead0000UL));
        if (!strcmp(name, "reboot"))
                return res(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, 0xdeadbeef,
                                   NULL));
        if (!strcmp(name, "init_module"))
                return res(syscall(SYS_init_module, NULL, 0UL, ""));
        if (!strcmp(name, "finit_module"))
                return res(syscall(SYS_finit_module, -1, "", 0));
        if (!strcmp(name, "delete_module"))
                return res(syscall(SYS_delete_module, "probe_no_such_module", O_NONBLOCK));
        if (!strcmp(name, "io_uring_setup")) {
                struct io_uring_params p;

                memset(&p, 0, sizeof(p));
                return res(syscall(SYS_io_uring_setup, 1, &p));
        }
        if (!strcmp(name, "clone3-ns")) {
                struct {
                        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
                                stack_size, tls;
                } a = {.flags = CLONE_NEWUTS, .exit_signal = SIGCHLD};
                long r = syscall(SYS_clone3, &a, sizeof(a));

                if (r == 0)
                        _exit(0);
                if (r > 0)
                        waitpid((pid_t)r, NULL, 0);
                return res(r);
        }
        if (!strcmp(name, "open_by_handle_at")) {
                char h[sizeof(struct file_handle) + 8];

                memset(h, 0, sizeof(h));
                ((struct file_handle *)h)->handle_bytes = 8;
                return res(syscall(SYS_open_by_handle_at, AT_FDCWD, h, O_RDONLY));
        }
        if (!strcmp(name, "iopl"))
                return res(syscall(SYS_iopl, 3));
        printf("unknown syscall %s\n", name);
        return 2;
}

#if defined(__x86_64__)
/* The i386 entry from 64-bit code: int $0x80 takes its arguments in ebx, ecx, edx (32 bits, so
 * only addresses below 4 GiB: the static, non-PIE binary's strings are). */
static long int80(long nr, long a, long b, long c)
{
        long ret;

        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        return ret;
}

static int res_raw(long r)
{
        if (r < 0 && r > -4096) {
                errno = (int)-r;
                return err_out();
        }
        printf("ok\n");
        return 0;
}

static int do_syscall32(const char *name)
{
        static const char src[] = "tmpfs", dst[] = "/tmp", type[] = "tmpfs";

        if (!strcmp(name, "getpid"))
                return res_raw(int80(20, 0, 0, 0));
        if (!strcmp(name, "unshare"))
                return res_raw(int80(310, CLONE_NEWNS, 0, 0));
        if (!strcmp(name, "keyctl"))
                return res_raw(int80(288, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, 0, 0));
        if (!strcmp(name, "mount")) {
                long ret;

                /* mount(src, dst, type, flags=0, data=NULL): five arguments, esi and edi too */
                __asm__ volatile("int $0x80"
                                 : "=a"(ret)
                                 : "a"(21L), "b"(src), "c"(dst), "d"(type), "S"(0L), "D"(0L)
                                 : "memory");
                return res_raw(ret);
        }
        printf("unknown syscall32 %s\n", name);
        return 2;
}

static int do_syscallx32(const char *name)
{
        const long x32 = 0x40000000;

        if (!strcmp(name, "getpid"))
                return res(syscall(x32 | 39));
        if (!strcmp(name, "unshare"))
                return res(syscall(x32 | 272, CLONE_NEWNS));
        if (!strcmp(name, "keyctl"))
                return res(syscall(x32 | 250, 1, 0));
        printf("unknown syscallx32 %s\n", name);
        return 2;
}
#endif

static int devopen(const char *type, const char *maj, const char *min)
{
        mode_t m = (type[0] == 'b' ? S_IFBLK : S_IFCHR) | 0600;
        int fd;

        (void)unlink("/tmp/probe-dev");
        if (mknod("/tmp/probe-dev", m, makedev(atoi(maj), atoi(min))) < 0) {
                printf("mknod ");
                return err_out();
        }
        printf("mknod ok\n");
        fd = open("/tmp/probe-dev", O_RDONLY | O_NONBLOCK);
        printf("open ");
        if (fd < 0)
                return err_out();
        printf("ok\n");
        close(fd);
        return 0;
}

/* The CVE-2019-5736 attack, bounded: every process that appears is tried at once, both by a
 * direct open for writing and by an O_PATH open later reopened for writing through
 * /proc/self/fd. Nothing is ever written. Prints how many processes it saw, how many of them
 * were the target file still (comm "berth" or exe DEV:INO), and how many opens of the target
 * succeeded. */
static int exe_race(const char *dev, const char *ino, const char *secs)
{
        unsigned long long tdev = strtoull(dev, NULL, 0), tino = strtoull(ino, NULL, 0);
        time_t end = time(NULL) + atoi(secs);
        static char seen[1 << 22];
        long n_seen = 0, n_berth = 0, n_path = 0, n_write = 0;
        int keep[64], n_keep = 0;

        while (time(NULL) < end) {
                DIR *d = opendir("/proc");
                struct dirent *de;

                while (d && (de = readdir(d))) {
                        long pid = atol(de->d_name);
                        char p[64], comm[64] = "";
                        struct stat st;
                        int fd, cfd;
                        ssize_t n;

                        if (pid <= 0 || pid >= (long)sizeof(seen) || pid == getpid() || seen[pid])
                                continue;
                        snprintf(p, sizeof(p), "/proc/%ld/comm", pid);
                        cfd = open(p, O_RDONLY);
                        if (cfd >= 0) {
                                n = read(cfd, comm, sizeof(comm) - 1);
                                comm[n > 0 ? n : 0] = 0;
                                close(cfd);
                        }
                        snprintf(p, sizeof(p), "/proc/%ld/exe", pid);
                        fd = open(p, O_WRONLY);
                        if (fd >= 0) {
                                if (fstat(fd, &st) == 0 && st.st_dev == tdev && st.st_ino == tino)
                                        n_write++;
                                close(fd);
                        }
                        fd = open(p, O_PATH);
                        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == tdev &&
                            st.st_ino == tino) {
                                n_path++;
                                if (n_keep < 64)
                                        keep[n_keep++] = fd;
                                else
                                        close(fd);
                        } else if (fd >= 0) {
                                close(fd);
                                /* an exe we may see is not berth: a process past its execve */
                                seen[pid] = 1;
                        }
                        if (!strncmp(comm, "berth", 5))
                                n_berth++;
                        n_seen++;
                }
                if (d)
                        closedir(d);
                for (int i = 0; i < n_keep; i++) {
                        char p[64];
                        int fd;

                        snprintf(p, sizeof(p), "/proc/self/fd/%d", keep[i]);
                        fd = open(p, O_WRONLY);
                        if (fd >= 0) {
                                n_write++;
                                close(fd);
                        }
                }
        }
        printf("seen %ld berth %ld path %ld write %ld\n", n_seen, n_berth, n_path, n_write);
        return 0;
}

static unsigned long long status_hex(const char *text, const char *field)
{
        const char *p = strstr(text, field);

        return p ? strtoull(p + strlen(field), NULL, 16) : 0;
}

/* Every process that ever shows up in the container is checked: none may hold more than the
 * container's capabilities or run without its seccomp filter, however briefly. */
static int cap_watch(const char *mask_s, const char *secs)
{
        unsigned long long mask = strtoull(mask_s, NULL, 16);
        time_t end = time(NULL) + atoi(secs);
        long n_seen = 0, n_wider = 0, n_unfiltered = 0, n_berth = 0;

        while (time(NULL) < end) {
                DIR *d = opendir("/proc");
                struct dirent *de;

                while (d && (de = readdir(d))) {
                        long pid = atol(de->d_name);
                        char p[64], buf[4096];
                        ssize_t n;
                        int fd;

                        if (pid <= 1 || pid == getpid())
                                continue;
                        snprintf(p, sizeof(p), "/proc/%ld/status", pid);
                        fd = open(p, O_RDONLY);
                        if (fd < 0)
                                continue;
                        n = read(fd, buf, sizeof(buf) - 1);
                        close(fd);
                        if (n <= 0)
                                continue;
                        buf[n] = 0;
                        n_seen++;
                        if (!strncmp(buf, "Name:\tberth", 11))
                                n_berth++;
                        if ((status_hex(buf, "CapEff:") | status_hex(buf, "CapPrm:")) & ~mask)
                                n_wider++;
                        if (strstr(buf, "Seccomp:\t0"))
                                n_unfiltered++;
                }
                if (d)
                        closedir(d);
        }
        printf("seen %ld berth %ld wider %ld unfiltered %ld\n", n_seen, n_berth, n_wider,
               n_unfiltered);
        return 0;
}

static int memhog(long mb)
{
        for (long i = 0; i < mb; i++) {
                char *p = malloc(1 << 20);

                if (!p)
                        return err_out();
                memset(p, (int)i, 1 << 20);
        }
        printf("done\n");
        return 0;
}

static int forkbomb(long n)
{
        long ok = 0;

        for (long i = 0; i < n; i++) {
                pid_t p = fork();

                if (p == 0) {
                        pause();
                        _exit(0);
                }
                if (p < 0)
                        break;
                ok++;
        }
        printf("%ld\n", ok);
        fflush(stdout);
        kill(0, SIGKILL);
        return 0;
}

static int count_zombies(void)
{
        DIR *d = opendir("/proc");
        struct dirent *de;
        int z = 0;

        while (d && (de = readdir(d))) {
                char path[300], buf[512];
                int fd;
                ssize_t n;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                fd = open(path, O_RDONLY);
                if (fd < 0)
                        continue;
                n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n > 0) {
                        buf[n] = '\0';
                        if (strstr(buf, ") Z "))
                                z++;
                }
        }
        if (d)
                closedir(d);
        return z;
}

static int orphans(void)
{
        for (int i = 0; i < 3; i++) {
                pid_t p = fork();

                if (p == 0) {
                        if (fork() == 0) {
                                usleep(50000);
                                _exit(0); /* orphan: reparented to pid 1 */
                        }
                        _exit(0);
                }
                waitpid(p, NULL, 0);
        }
        usleep(300000);
        printf("%d\n", count_zombies());
        return 0;
}

static int tcp_connect(const char *host, const char *port)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
        int s = socket(AF_INET, SOCK_STREAM, 0);

        if (s < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1)
                return err_out();
        return res(connect(s, (struct sockaddr *)&a, sizeof(a)));
}

static int id(void)
{
        gid_t g[64];
        int n = getgroups(64, g);

        printf("uid=%u gid=%u groups=", (unsigned)getuid(), (unsigned)getgid());
        for (int i = 0; i < n; i++)
                printf("%s%u", i ? "," : "", (unsigned)g[i]);
        printf("\n");
        return 0;
}

static int ifaces(void)
{
        return cat("/proc/net/dev");
}

int main(int argc, char **argv)
{
        const char *c = argc > 1 ? argv[1] : "";
        char buf[4096];

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (!strcmp(c, "status") && argc > 2)
                return status_field(argv[2]);
        if (!strcmp(c, "hostname"))
                return gethostname(buf, sizeof(buf)) < 0 ? err_out() : (printf("%s\n", buf), 0);
        if (!strcmp(c, "pid"))
                return printf("%d\n", (int)getpid()) < 0;
        if (!strcmp(c, "id"))
                return id();
        if (!strcmp(c, "euid"))
                return printf("euid=%u egid=%u\n", (unsigned)geteuid(), (unsigned)getegid()) < 0;
        if (!strcmp(c, "cwd"))
                return getcwd(buf, sizeof(buf)) ? (printf("%s\n", buf), 0) : err_out();
        if (!strcmp(c, "env") && argc > 2)
                return printf("%s\n", getenv(argv[2]) ? getenv(argv[2]) : "(unset)") < 0;
        if (!strcmp(c, "cat") && argc > 2)
                return cat(argv[2]);
        if (!strcmp(c, "write") && argc > 2) {
                int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);

                return fd < 0 ? err_out() : res(write(fd, "x\n", 2));
        }
        if (!strcmp(c, "ls-fds"))
                return ls_fds();
        if (!strcmp(c, "mount"))
                return res(mount("tmpfs", "/tmp", "tmpfs", 0, NULL));
        if (!strcmp(c, "syscall") && argc > 2)
                return do_syscall(argv[2]);
#if defined(__x86_64__)
        if (!strcmp(c, "syscall32") && argc > 2)
                return do_syscall32(argv[2]);
        if (!strcmp(c, "syscallx32") && argc > 2)
                return do_syscallx32(argv[2]);
#endif
        if (!strcmp(c, "devopen") && argc > 4)
                return devopen(argv[2], argv[3], argv[4]);
        if (!strcmp(c, "cap-watch") && argc > 3)
                return cap_watch(argv[2], argv[3]);
        if (!strcmp(c, "exe-race") && argc > 4)
                return exe_race(argv[2], argv[3], argv[4]);
        if (!strcmp(c, "memhog") && argc > 2)
                return memhog(atol(argv[2]));
        if (!strcmp(c, "forkbomb") && argc > 2)
                return forkbomb(atol(argv[2]));
        if (!strcmp(c, "orphans"))
                return orphans();
        if (!strcmp(c, "connect") && argc > 3)
                return tcp_connect(argv[2], argv[3]);
        if (!strcmp(c, "ifaces"))
                return ifaces();
        if (!strcmp(c, "sleep") && argc > 2)
                return sleep((unsigned)atoi(argv[2])) != 0;
        fprintf(stderr, "probe: unknown subcommand %s\n", c);
        return 2;
}
