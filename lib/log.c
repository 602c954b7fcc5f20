/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *nsb_prog = "nsboot";
int nsb_verbosity = 0;
int nsb_log_crlf = 0;

/* Formats into one buffer and writes it with one write(2), so lines never interleave. */
static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "%s: %s", nsb_prog, prefix ? prefix : "");
	if (n < 0)
		return;
	if ((size_t)n < sizeof buf) {
		int m = vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
		if (m > 0)
			n += m;
	}
	if ((size_t)n >= sizeof buf - 2)
		n = sizeof buf - 3;
	/* one line of text: a control byte (an escape sequence, a newline faking a second
	 * line) from a name or a record the container chose becomes '?' */
	for (int i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	if (nsb_log_crlf)
		buf[n++] = '\r';
	buf[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
	(void)w;
}

/* Writes one line at LEVEL if the verbosity allows it; errno is preserved. */
void nsb_log(int level, const char *prefix, const char *fmt, ...)
{
	int saved = errno;
	if (level <= nsb_verbosity) {
		va_list ap;
		va_start(ap, fmt);
		vlog(prefix, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

/* Logs an error and exits with STATUS; only before a child exists. */
void nsb_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
	exit(status);
}
