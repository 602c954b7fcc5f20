/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The directory of the running executable, or "" when /proc/self/exe is unreadable. */
static void exe_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	if (n <= 0) {
		dir[0] = '\0';
		return;
	}
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
}

/* $VAR when set and not empty (never for a setuid caller), else DEF. */
static const char *dir_from_env(const char *var, const char *def)
{
	const char *v = secure_getenv(var);
	return v && *v ? v : def;
}

const char *nsb_libexecdir(void)
{
	return dir_from_env("NSBOOT_LIBEXECDIR", NSB_LIBEXECDIR);
}

const char *nsb_datadir(void)
{
	return dir_from_env("NSBOOT_DATADIR", NSB_DATADIR);
}

/* Tries "OVERRIDE/NAME" (when the variable is set), "DIR/REL/NAME" for each REL in RELS
 * (DIR being the executable's), then "FALLBACK/NAME"; MODE is access(2)'s. */
static int find(const char *name, const char *const *rels, const char *var,
		const char *fallback, int mode, char *out, size_t len)
{
	const char *over = secure_getenv(var);
	if (over && *over && (size_t)snprintf(out, len, "%s/%s", over, name) < len &&
	    access(out, mode) == 0)
		return 0;
	char dir[4096];
	exe_dir(dir, sizeof dir);
	for (; dir[0] && *rels; rels++) {
		if ((size_t)snprintf(out, len, "%s%s/%s", dir, *rels, name) < len &&
		    access(out, mode) == 0)
			return 0;
	}
	if ((size_t)snprintf(out, len, "%s/%s", fallback, name) < len && access(out, mode) == 0)
		return 0;
	return -ENOENT;
}

int nsb_find_program(const char *name, char *out, size_t len)
{
	/* a build tree, then an install (DESTDIR-staged too) in the default layout */
	static const char *const rels[] = { "", "/../libexec/nsboot", NULL };
	return find(name, rels, "NSBOOT_LIBEXECDIR", NSB_LIBEXECDIR, X_OK, out, len);
}

int nsb_find_data(const char *name, char *out, size_t len)
{
	static const char *const rels[] = { "/../data", "/../../data", "/../share/nsboot", NULL };
	return find(name, rels, "NSBOOT_DATADIR", NSB_DATADIR, R_OK, out, len);
}

ssize_t nsb_read_small(int at, const char *path, char *buf, size_t len)
{
	int fd = openat(at, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return n;
}
