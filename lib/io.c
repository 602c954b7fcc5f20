/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Moves all LEN bytes between P and FD: written when WRITING, else read. 0, AT_ZERO when a
 * call moved nothing (end of file, or a write that took nothing), or a negative errno. */
static int whole(int fd, char *p, size_t len, bool writing, int at_zero)
{
	while (len > 0) {
		ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return at_zero;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int nsb_write_all(int fd, const void *buf, size_t len)
{
	return whole(fd, (char *)buf, len, true, -EIO);
}

int nsb_write_str(int fd, const char *s)
{
	return nsb_write_all(fd, s, strlen(s));
}

int nsb_read_all(int fd, void *buf, size_t len)
{
	return whole(fd, buf, len, false, -EPIPE);
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

bool nsb_lock_held(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}
