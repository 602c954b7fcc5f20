/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture that has it */
#endif

/* openat2(2)'s argument and the resolve flags used here (linux/openat2.h). */
struct nsb_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define NSB_RESOLVE_NO_MAGICLINKS 0x02
/* How often an openat2 that raced a rename or mount (EAGAIN) is tried in all. */
#define NSB_OPENAT2_TRIES 64
#define NSB_RESOLVE_IN_ROOT 0x10

#define MAX_SYMLINKS 40

/* 1 when DIRFD is the same directory as ROOT (by device and inode), else 0. */
static int same_dir(int dirfd, const struct stat *root)
{
	struct stat st;
	return fstat(dirfd, &st) == 0 && st.st_dev == root->st_dev && st.st_ino == root->st_ino;
}

/* Resolves PATH inside the tree at ROOTFD by hand, one component at a time: absolute
 * symlinks restart at ROOTFD and ".." never climbs above it. Returns an O_PATH fd or a
 * negative errno. Used when the kernel has no openat2(2). */
static int resolve_in_root_manual(int rootfd, const char *path)
{
	struct stat root_st;
	if (fstat(rootfd, &root_st) < 0)
		return -errno;

	/* REST holds what is left to walk; a symlink's target is spliced in front of it. */
	char rest[8192];
	if (strlen(path) >= sizeof rest)
		return -ENAMETOOLONG;
	strcpy(rest, path);

	int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return -errno;
	int links = 0;
	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return cur;
		char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char comp[256];
		if (n >= sizeof comp) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0 && same_dir(cur, &root_st))
			continue; /* the tree's root is its own parent */

		int next = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int e = -errno;
			close(cur);
			return e;
		}
		struct stat st;
		if (fstat(next, &st) < 0) {
			int e = -errno;
			close(next);
			close(cur);
			return e;
		}
		if (!S_ISLNK(st.st_mode)) {
			close(cur);
			cur = next;
			continue;
		}

		/* a symlink: read it (an O_PATH fd of a link with an empty name reads the link) */
		char target[4096];
		ssize_t len = readlinkat(next, "", target, sizeof target - 1);
		int e = len < 0 ? -errno : 0;
		close(next);
		if (e < 0 || ++links > MAX_SYMLINKS || len == 0) {
			close(cur);
			return e < 0 ? e : (len == 0 ? -ENOENT : -ELOOP);
		}
		target[len] = '\0';
		size_t restlen = strlen(p);
		if ((size_t)len + 1 + restlen >= sizeof rest) {
			close(cur);
			return -ENAMETOOLONG;
		}
		/* new rest = TARGET + old rest (which starts with '/' or is empty) */
		memmove(rest + len, p, restlen + 1);
		memcpy(rest, target, (size_t)len);
		p = rest;
		if (target[0] == '/') {
			close(cur);
			cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
			if (cur < 0)
				return -errno;
		}
	}
}

int nsb_open_in_root(int rootfd, const char *path, unsigned flags)
{
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	struct nsb_open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = NSB_RESOLVE_IN_ROOT |
			   (flags & NSB_IN_ROOT_NO_MAGICLINKS ? NSB_RESOLVE_NO_MAGICLINKS : 0),
	};
	/* EAGAIN: a rename or mount elsewhere on the system raced the scoped walk, and the
	 * kernel could not vouch for it; openat2(2) asks the caller to try again */
	long fd;
	int tries = 0;
	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < NSB_OPENAT2_TRIES);
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS && errno != EPERM) /* EPERM: a seccomp filter that blocks it */
		return -errno;
	return resolve_in_root_manual(rootfd, path);
}
