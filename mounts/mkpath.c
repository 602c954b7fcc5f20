/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Creating mount points inside the new root: every component resolved inside it, a
 * dangling symlink followed to what it names, inside the root too. */
#include "mkpath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"
#include "resolve.h"

#define PATH_BUF 4200
#define MAX_LINKS 16

/* Creates NAME in the directory PARENT: an empty file or a directory. */
static int create_in(int parent, const char *name, bool file)
{
	if (!file)
		return nsb_sys_mkdirat(parent, name, 0755);
	/* O_NOFOLLOW|O_EXCL: a dangling symlink is never followed by the kernel */
	int fd = openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* nsb_mkpath_in_root() with DEPTH dangling symlinks followed so far. */
static int mkpath(int rootfd, const char *path, bool file, int depth)
{
	char buf[PATH_BUF];
	if (depth > MAX_LINKS)
		return -ELOOP;
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -ENAMETOOLONG;
	size_t len = strlen(buf);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	/* Most often only the last component is missing (/dev/null in a fresh /dev): create
	 * it in its resolved parent at once. Anything else (a missing parent, a name that
	 * exists, such as a dangling symlink) takes the walk below. */
	char *last = strrchr(buf, '/');
	if (last && last[1]) {
		*last = '\0';
		int parent = nsb_open_in_root(rootfd, last == buf ? "/" : buf, NSB_IN_ROOT_NO_MAGICLINKS);
		*last = '/';
		if (parent >= 0) {
			int r = create_in(parent, last + 1, file);
			close(parent);
			if (r != -EEXIST)
				return r;
		} else if (parent != -ENOENT) {
			return parent;
		}
	}
	/* every prefix in turn: resolved from the root, created in its resolved parent */
	for (char *p = buf; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *end = p + strcspn(p, "/");
		bool last = *end == '\0';
		char saved = *end;
		*end = '\0';
		int fd = nsb_open_in_root(rootfd, buf, NSB_IN_ROOT_NO_MAGICLINKS);
		if (fd >= 0) {
			close(fd);
			*end = saved;
			p = end;
			continue;
		}
		if (fd != -ENOENT)
			return fd;
		/* the parent exists (the previous round saw to it): create P in it */
		if (p > buf)
			p[-1] = '\0';
		int parent = nsb_open_in_root(rootfd, p > buf ? buf : "/", NSB_IN_ROOT_NO_MAGICLINKS);
		if (p > buf)
			p[-1] = '/';
		if (parent < 0)
			return parent;
		int r = create_in(parent, p, last && file);
		if (r == -EEXIST) {
			/* a dangling symlink (Debian's /etc/resolv.conf -> /run/...): create what it
			 * names, resolved inside the root like everything else */
			char link[PATH_BUF], next[PATH_BUF * 2];
			ssize_t n = readlinkat(parent, p, link, sizeof link - 1);
			close(parent);
			if (n < 0)
				return r;
			link[n] = '\0';
			if (p > buf)
				p[-1] = '\0';
			int w = snprintf(next, sizeof next, "%s%s%s%s%s", link[0] == '/' ? "" : buf,
					 link[0] == '/' ? "" : "/", link, saved ? "/" : "",
					 saved ? end + 1 : "");
			if (w < 0 || (size_t)w >= sizeof next)
				return -ENAMETOOLONG;
			return mkpath(rootfd, next, file, depth + 1);
		}
		close(parent);
		if (r < 0)
			return r;
		*end = saved;
		p = end;
	}
	return 0;
}

int nsb_mkpath_in_root(int rootfd, const char *path, bool file)
{
	return mkpath(rootfd, path, file, 0);
}
