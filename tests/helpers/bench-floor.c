/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-floor: the floor under nsboot's start time. The bare syscalls of the same setup as
 * `nsboot -D TREE -- CMD` (default volatile overlay root, private network), with no option
 * parsing, no libmount, no protocol beyond one GO message, no checks beyond errno:
 *
 *   clone3 into new user, mount, pid, ipc, uts, cgroup, time and net namespaces; the parent
 *   writes the id maps (as root: 65536 ids at a high base, and TREE idmapped with
 *   open_tree + mount_setattr; otherwise the caller alone, setgroups denied) and sends GO
 *   (with the idmapped tree's fd) over a SEQPACKET socketpair; the child takes uid/gid 0,
 *   sets the hostname, brings lo up, makes / a recursive slave, mounts a tmpfs staging area,
 *   the overlay root (TREE lower, tmpfs upper), /proc (nosuid,noexec,nodev) with /proc/sys,
 *   /proc/irq, /proc/bus read-only and /proc/keys, /proc/timer_list masked (each when
 *   present), /sys read-only, /dev tmpfs with null zero full random urandom tty (fuse)
 *   bound from the host, devpts (newinstance), /dev/ptmx, /dev/fd and stdio links,
 *   /dev/shm, /dev/mqueue, /run, /tmp, a generated /etc/hostname bound read-only, then
 *   pivot_root(".", ".") and a lazy unmount of the old root. As PID 1 it forks CMD
 *   (default /bin/true) with a clean environment, waits for it, and exits with its status.
 *
 *   bench-floor [-t] [-n] [-l] TREE [CMD [ARG]...]
 *
 * -l (as root): then the locking step on top: PID 1 starts the command's parent in a user namespace
 * nested in its own (mapped one to one), which copies the mount namespace into it (every
 * mount is then locked) before it forks CMD. An upper bound on what nsboot's locking adds:
 * nsboot folds the nested namespace into a fork it makes anyway, this pays one fork more.
 *
 * -n: the setup of --network=host instead: no network namespace, the host's /sys bound
 * read-only throughout (mount_setattr AT_RECURSIVE), its /etc/resolv.conf and /etc/hosts
 * bound read-only.
 *
 * Timed from outside (hyperfine), a run is the floor plus the two execs no design avoids
 * (this program's and CMD's). With -t, the setup alone (from before clone3 to after the
 * pivot, CLOCK_MONOTONIC) is printed on stderr in microseconds ("setup N us"), with the
 * phases on two more lines. Exit: CMD's status, or 125
 * with one line naming the failed step and errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

#define MAP_BASE 2000000000u /* root: container ids 0..65535 at this host base */
#define MAP_COUNT 65536u
#define STAGE "/tmp" /* the tmpfs staging area, mounted over /tmp in the child's namespace */

/* clone3's argument, version 0 (64 bytes); glibc 2.36 does not export it. */
struct floor_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static double t_start, t_mapped, t_go, t_mounted; /* -t: phase marks (CLOCK_MONOTONIC, us) */
static int timing;
static int host_net; /* -n: --network=host's setup (no network namespace) */
static int lock;     /* -l: the locking step (a nested user namespace, a copy of the mounts) */

/* Prints "bench-floor: WHAT: strerror(errno)" and exits 125. */
__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	fputs("bench-floor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	_exit(125);
}

/* CLOCK_MONOTONIC in microseconds. */
static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* mount(2), dying with the target's name on failure. */
static void xmount(const char *src, const char *dst, const char *type, unsigned long flags,
		   const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die("mount %s on %s", type ? type : src ? src : "(remount)", dst);
}

/* Writes TEXT to the /proc file /proc/PID/NAME. */
static void write_proc(pid_t pid, const char *name, const char *text)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("write %s", path);
	close(fd);
}

/* The parent's half: id maps, the idmapped tree (as root), GO. */
static void parent_setup(pid_t pid, int sock, const char *tree)
{
	char map[64];
	int tree_fd = -1;
	if (geteuid() == 0) {
		snprintf(map, sizeof map, "0 %u %u\n", MAP_BASE, MAP_COUNT);
		write_proc(pid, "uid_map", map);
		write_proc(pid, "gid_map", map);
		tree_fd = open_tree(AT_FDCWD, tree, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree_fd < 0)
			die("open_tree %s", tree);
		char ns[64];
		snprintf(ns, sizeof ns, "/proc/%d/ns/user", (int)pid);
		int userns = open(ns, O_RDONLY | O_CLOEXEC);
		if (userns < 0)
			die("open %s", ns);
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = userns };
		if (mount_setattr(tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
			die("mount_setattr(MOUNT_ATTR_IDMAP) %s", tree);
		close(userns);
	} else {
		snprintf(map, sizeof map, "0 %u 1\n", (unsigned)geteuid());
		write_proc(pid, "uid_map", map);
		write_proc(pid, "setgroups", "deny");
		snprintf(map, sizeof map, "0 %u 1\n", (unsigned)getegid());
		write_proc(pid, "gid_map", map);
	}
	char go[] = "GO";
	struct iovec iov = { .iov_base = go, .iov_len = 2 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (tree_fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof u.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &tree_fd, sizeof(int));
	}
	t_mapped = now_us(); /* before GO: once woken, the child may preempt us */
	if (sendmsg(sock, &msg, 0) < 0)
		die("send GO");
	if (tree_fd >= 0)
		close(tree_fd);
}

/* Waits for GO; returns the tree fd that came with it, or -1. */
static int wait_go(int sock)
{
	char buf[8];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof u.buf };
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n != 2 || memcmp(buf, "GO", 2) != 0) {
		errno = n < 0 ? errno : EPROTO;
		die("wait for GO");
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fd = -1;
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* Brings the loopback interface of the new network namespace up. */
static void lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS lo");
	close(s);
}

/* Binds PATH (relative to the new root) over itself read-only, keeping proc's locked flags. */
static void ro_rebind(const char *path)
{
	if (access(path, F_OK) < 0)
		return;
	xmount(path, path, NULL, MS_BIND | MS_REC, NULL);
	xmount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV,
	       NULL);
}

/* Makes an empty file at PATH (relative) and binds the host's SRC over it. */
static void bind_file(const char *src, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("create %s", path);
	close(fd);
	xmount(src, path, NULL, MS_BIND, NULL);
}

/* The child's half: everything inside the namespaces up to and including the pivot. */
static void child_setup(int sock, const char *tree, const char *hostname)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int tree_fd = wait_go(sock);
	close(sock);
	t_go = now_us();
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die("setresuid 0");
	if (sethostname(hostname, strlen(hostname)) < 0)
		die("sethostname");
	if (!host_net)
		lo_up();

	xmount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	/* the staging tmpfs may hide TREE's path: keep TREE open, name it through /proc */
	char lower_path[64];
	const char *lower = lower_path;
	int shifted = tree_fd >= 0; /* root: 65536 ids mapped, gid 5 among them */
	if (!shifted) {
		int fd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			die("open %s", tree);
		snprintf(lower_path, sizeof lower_path, "/proc/self/fd/%d", fd);
	}
	xmount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	static const char *const dirs[] = { STAGE "/upper", STAGE "/work", STAGE "/lower",
					    STAGE "/root" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (mkdir(dirs[i], 0755) < 0)
			die("mkdir %s", dirs[i]);
	if (shifted) {
		if (move_mount(tree_fd, "", AT_FDCWD, STAGE "/lower", MOVE_MOUNT_F_EMPTY_PATH) < 0)
			die("move_mount the idmapped tree");
		close(tree_fd);
		lower = STAGE "/lower";
	}
	char opts[4096];
	snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=" STAGE "/upper,workdir=" STAGE "/work",
		 lower);
	xmount("overlay", STAGE "/root", "overlay", 0, opts);
	if (chdir(STAGE "/root") < 0)
		die("chdir the new root");

	xmount("proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	static const char *const ro[] = { "proc/sys", "proc/irq", "proc/bus", "proc/sysrq-trigger" };
	for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
		ro_rebind(ro[i]);
	static const char *const masked[] = { "proc/kcore", "proc/keys", "proc/timer_list" };
	for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
		if (access(masked[i], F_OK) == 0)
			xmount("/dev/null", masked[i], NULL, MS_BIND, NULL);
	if (!host_net) {
		xmount("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	} else {
		/* the host's /sys, read-only throughout; its resolv.conf and hosts */
		xmount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL);
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(AT_FDCWD, "sys", AT_RECURSIVE, &ro, sizeof ro) < 0)
			die("mount_setattr(MOUNT_ATTR_RDONLY) sys");
		static const char *const etc[] = { "resolv.conf", "hosts" };
		for (size_t i = 0; i < 2; i++) {
			char src[32], dst[32];
			snprintf(src, sizeof src, "/etc/%s", etc[i]);
			snprintf(dst, sizeof dst, "etc/%s", etc[i]);
			if (access(src, F_OK) < 0)
				continue;
			bind_file(src, dst);
			xmount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
		}
	}

	xmount("tmpfs", "dev", "tmpfs", MS_NOSUID, "mode=755");
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty",
					     "fuse" };
	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		char src[32], dst[32];
		snprintf(src, sizeof src, "/dev/%s", nodes[i]);
		snprintf(dst, sizeof dst, "dev/%s", nodes[i]);
		if (i < 6 || access(src, F_OK) == 0)
			bind_file(src, dst);
	}
	if (mkdir("dev/pts", 0755) < 0)
		die("mkdir dev/pts");
	xmount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	       shifted ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
					      : "newinstance,ptmxmode=0666,mode=0620");
	static const char *const links[][2] = { { "pts/ptmx", "dev/ptmx" },
						{ "/proc/self/fd", "dev/fd" },
						{ "/proc/self/fd/0", "dev/stdin" },
						{ "/proc/self/fd/1", "dev/stdout" },
						{ "/proc/self/fd/2", "dev/stderr" } };
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die("symlink %s", links[i][1]);
	if (mkdir("dev/shm", 01777) < 0 || mkdir("dev/mqueue", 0755) < 0)
		die("mkdir dev/shm, dev/mqueue");
	xmount("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	xmount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	xmount("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	xmount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");

	if (access("etc/hostname", F_OK) == 0) {
		int fd = open(STAGE "/hostname", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, hostname, strlen(hostname)) < 0 || write(fd, "\n", 1) < 0)
			die("write " STAGE "/hostname");
		close(fd);
		xmount(STAGE "/hostname", "etc/hostname", NULL, MS_BIND, NULL);
		xmount(NULL, "etc/hostname", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	}

	t_mounted = now_us();
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("umount the old root");
	if (chdir("/") < 0)
		die("chdir /");
	if (timing) {
		double t_done = now_us();
		fprintf(stderr, "bench-floor: phases: GO received %.1f, mounts %.1f, pivot %.1f us\n",
			t_go - t_start, t_mounted - t_go, t_done - t_mounted);
		fprintf(stderr, "bench-floor: setup %.1f us\n", t_done - t_start);
	}
}

/* -l: PID 1 clones a child into a nested user namespace, writes its one-to-one maps and
 * lets it go; the child copies the mount namespace (locking every mount) and returns to
 * run CMD, while PID 1 waits for it and exits with its status. */
static void lock_mounts(void)
{
	int sv[2];
	char go = 'G', map[64];
	/* taking uid 0 of the namespace cleared it: the child's /proc files must be ours */
	prctl(PR_SET_DUMPABLE, 1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
	struct floor_clone_args ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0)
		die("clone3 (nested user namespace)");
	if (pid == 0) {
		close(sv[0]);
		if (read(sv[1], &go, 1) != 1)
			_exit(125);
		if (unshare(CLONE_NEWNS) < 0)
			die("unshare the mount namespace (lock)");
		return;
	}
	close(sv[1]);
	snprintf(map, sizeof map, "0 0 %u\n", geteuid() == 0 ? MAP_COUNT : 1u);
	write_proc(pid, "uid_map", map);
	write_proc(pid, "gid_map", map);
	if (write(sv[0], &go, 1) != 1)
		die("go");
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* PID 1's part: fork CMD with a clean environment, wait, exit with its status. */
__attribute__((noreturn)) static void run_command(char **cmd)
{
	static char *const envp[] = { "container=nsboot", "HOME=/root", "TMPDIR=/tmp",
				      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				      NULL };
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execve(cmd[0], cmd, envp);
		fprintf(stderr, "bench-floor: exec %s: %s\n", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] && !argv[i][2]; i++) {
		if (argv[i][1] == 't')
			timing = 1;
		else if (argv[i][1] == 'n')
			host_net = 1;
		else if (argv[i][1] == 'l')
			lock = 1;
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: bench-floor [-t] [-n] [-l] TREE [CMD [ARG]...]\n");
		return 125;
	}
	const char *tree = argv[i++];
	static char *deflt[] = { "/bin/true", NULL };
	char **cmd = i < argc ? argv + i : deflt;
	const char *hostname = strrchr(tree, '/') ? strrchr(tree, '/') + 1 : tree;
	if (!*hostname)
		hostname = "floor";

	t_start = now_us();
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		die("socketpair");
	struct floor_clone_args ca = {
		.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
			 CLONE_NEWCGROUP | CLONE_NEWTIME,
		.exit_signal = SIGCHLD,
	};
	if (!host_net)
		ca.flags |= CLONE_NEWNET;
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0)
		die("clone3");
	double t_cloned = now_us();
	if (pid == 0) {
		close(sp[0]);
		child_setup(sp[1], tree, hostname);
		if (lock)
			lock_mounts();
		run_command(cmd);
	}
	close(sp[1]);
	parent_setup(pid, sp[0], tree);
	close(sp[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (timing)
		fprintf(stderr, "bench-floor: parent: clone3 %.1f, maps %.1f, until PID 1 gone %.1f us\n",
			t_cloned - t_start, t_mapped - t_cloned, now_us() - t_start);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
