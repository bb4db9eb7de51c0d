/* SPDX-License-Identifier: MIT */
/* tests/helpers/probe: a static multi-tool run inside test containers (crun's tests/init.c idea).
 * Every subcommand prints one plain result so bats can assert on it:
 *   status FIELD        value of FIELD in /proc/self/status (CapEff, Seccomp, NoNewPrivs, ...)
 *   hostname | pid | id | cwd | env NAME
 *   cat FILE            contents, or "ERR <ERRNO>"
 *   write FILE          "ok" or "ERR <ERRNO>"
 *   ls-fds              the open fds (excluding the one used to list them)
 *   mount               try to mount a tmpfs on /tmp: "ok" or "ERR <ERRNO>"
 *   syscall NAME        unshare|keyctl|bpf|ptrace|clone-ns|personality|vsock|chroot|mknod
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
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
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
        printf("unknown syscall %s\n", name);
        return 2;
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
