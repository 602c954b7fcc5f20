/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scratch directories of the unit tests, their count of open fds, and the text buffers
 * their fakes record calls in. */
#ifndef NSB_TEST_SCRATCH_H
#define NSB_TEST_SCRATCH_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Removes DIR and what it holds; 0, or -1 when that failed (or DIR is too long). */
static inline int rm_tree(const char *dir)
{
	char cmd[4200];
	if ((size_t)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) >= sizeof cmd)
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/* How many fds below 1024 are open: the same before and after a call that leaks none. */
static inline int open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Appends FMT's text to the recorder BUF of SIZE bytes (cut at its end). */
static inline void record_v(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t k = strlen(buf);
	vsnprintf(buf + k, size - k, fmt, ap);
}

#endif
