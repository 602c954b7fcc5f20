/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "io.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

int nsb_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int nsb_write_str(int fd, const char *s)
{
	return nsb_write_all(fd, s, strlen(s));
}

int nsb_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

bool nsb_in_path(const char *name, const char *path, int mode)
{
	char buf[PATH_MAX];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		const char *dir = p;
		size_t len = (size_t)(end - p);
		if (len == 0) { /* an empty entry is the current directory */
			dir = ".";
			len = 1;
		}
		if (len + 1 + strlen(name) < sizeof buf) {
			memcpy(buf, dir, len);
			buf[len] = '/';
			strcpy(buf + len + 1, name);
			if (access(buf, mode) == 0)
				return true;
		}
		if (!*end)
			return false;
		p = end;
	}
}
