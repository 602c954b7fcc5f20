/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "proctree.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* getdents64's record (not in musl's headers under this name). */
struct dirent64_raw {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Parses a decimal pid at *P (advancing it); false when there is none. */
static bool parse_pid(const char **p, const char *end, pid_t *out)
{
	long v = 0;
	const char *s = *p;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > INT32_MAX)
			return false;
	}
	*out = (pid_t)v;
	*p = s;
	return true;
}

/* Parses "PID (COMM) STATE PPID" from a /proc/PID/stat line (pure). */
int nsb_proc_parse_stat(const char *buf, size_t len, struct nsb_proc *p)
{
	const char *end = buf + len;
	const char *s = buf;
	if (!parse_pid(&s, end, &p->pid))
		return -EINVAL;
	/* COMM is whatever lies between the first '(' and the last ')'. */
	const char *close = NULL;
	for (const char *q = s; q < end; q++)
		if (*q == ')')
			close = q;
	if (!close || end - close < 5 || close[1] != ' ' || close[3] != ' ')
		return -EINVAL;
	p->state = close[2];
	s = close + 4;
	if (!parse_pid(&s, end, &p->ppid))
		return -EINVAL;
	p->mark = false;
	/* fields 5 to 21 (20: the number of threads), then the start time */
	p->start = 0;
	p->threads = 0;
	for (int field = 5; field <= 21; field++) {
		if (s >= end || *s != ' ')
			return 0;
		const char *f = ++s;
		long v = 0;
		for (; s < end && *s != ' '; s++)
			if (v >= 0)
				v = *s >= '0' && *s <= '9' && v < 100000000 ? v * 10 + (*s - '0') : -1;
		if (field == 20)
			p->threads = s > f && v > 0 ? v : 0;
	}
	if (s >= end || *s != ' ')
		return 0;
	unsigned long long v = 0;
	const char *digits = ++s;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (~0ULL - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (s == digits || (s < end && *s != ' ' && *s != '\n'))
		return -EINVAL;
	p->start = v;
	return 0;
}

bool nsb_proc_alive(const struct nsb_proc *p)
{
	if (p->state == 'X')
		return false;
	return p->state != 'Z' || p->threads > 1;
}

/* True when NAME is all digits (a process directory of /proc). */
static bool numeric(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

/* Reads DIRFD/NAME/stat into *P; false when the process is gone or the line is odd. */
static bool read_stat(int dirfd, const char *name, struct nsb_proc *p)
{
	char path[32];
	char buf[512];
	if ((size_t)snprintf(path, sizeof path, "%s/stat", name) >= sizeof path)
		return false;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	ssize_t n;
	do
		n = read(fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	close(fd);
	/* The fields we need come first; a longer COMM than fits is not a real stat line. */
	return n > 0 && nsb_proc_parse_stat(buf, (size_t)n, p) == 0;
}

bool nsb_proc_read_one(int dirfd, pid_t pid, struct nsb_proc *p)
{
	char name[16];
	snprintf(name, sizeof name, "%d", (int)pid);
	return read_stat(dirfd, name, p);
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int nsb_proc_signal(int dirfd, const struct nsb_proc *p, int sig)
{
	int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	int open_errno = fd < 0 ? errno : 0;
	if (fd < 0 && open_errno == ESRCH)
		return -ESRCH;
	/* Without a pidfd (a kernel before 5.3, a seccomp filter that refuses it, no fd
	 * left) the check just below and kill() are as good as it gets: never skip the
	 * signal for that, or the shutdown would leave the descendants running. */
	struct nsb_proc now;
	int r = -ESRCH;
	if (!nsb_proc_read_one(dirfd, p->pid, &now)) {
		/* gone, unless the stat file could not be opened for want of fds, like the
		 * pidfd: that the caller must hear of */
		if (open_errno == EMFILE || open_errno == ENFILE || open_errno == ENOMEM)
			r = -open_errno;
	} else if (now.start == p->start && nsb_proc_alive(&now)) {
		if (fd >= 0 && syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
			r = 0;
		else if (fd >= 0 && errno == ESRCH)
			r = -ESRCH; /* the process the pidfd pins is gone */
		else
			r = kill(p->pid, sig) == 0 ? 0 : -errno;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* Reads every numeric entry's stat file of DIRFD into T (at most MAX). */
ssize_t nsb_proc_read(int dirfd, struct nsb_proc *t, size_t max)
{
	char buf[4096] __attribute__((aligned(8)));
	size_t n = 0;
	if (lseek(dirfd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		long got = syscall(SYS_getdents64, dirfd, buf, sizeof buf);
		if (got < 0)
			return -errno;
		if (got == 0)
			return (ssize_t)n;
		for (long off = 0; off < got;) {
			struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
			off += d->reclen;
			if (!numeric(d->name))
				continue;
			if (n == max)
				return (ssize_t)n;
			if (read_stat(dirfd, d->name, &t[n]))
				n++;
		}
	}
}

/* Orders entries by pid for bsearch. */
static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct nsb_proc *)a)->pid, y = ((const struct nsb_proc *)b)->pid;
	return (x > y) - (x < y);
}

/* Keeps the live descendants of ROOT at the front of T; returns how many. */
size_t nsb_proc_descendants(struct nsb_proc *t, size_t n, pid_t root)
{
	qsort(t, n, sizeof *t, by_pid);
	for (size_t i = 0; i < n; i++)
		t[i].mark = false;
	/* A parent may sort after its child (pids wrap): repeat until nothing changes; each
	 * round reaches one more generation at least. */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (t[i].mark || t[i].pid == root)
				continue;
			bool is = t[i].ppid == root;
			if (!is) {
				struct nsb_proc key = { .pid = t[i].ppid };
				const struct nsb_proc *parent = bsearch(&key, t, n, sizeof *t, by_pid);
				is = parent && parent->mark;
			}
			if (is) {
				t[i].mark = true;
				changed = true;
			}
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].mark && nsb_proc_alive(&t[i])) {
			struct nsb_proc tmp = t[k];
			t[k++] = t[i];
			t[i] = tmp;
		}
	}
	return k;
}
