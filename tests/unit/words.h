/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Command-line words for the unit tests: copies (the option parser splits specs in
 * place) and a joined form for comparisons. */
#ifndef NSB_TEST_WORDS_H
#define NSB_TEST_WORDS_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define WORDS_MAX 32

/* Appends copies of the NULL-terminated words FIRST, AP... to ARGV from index N (ARGV
 * holds WORDS_MAX + 2 slots); returns the new count, ARGV NULL-terminated. */
static inline int words_append(char **argv, int n, const char *first, va_list ap)
{
	static char store[WORDS_MAX][256];
	for (const char *w = first; w && n < WORDS_MAX; w = va_arg(ap, const char *)) {
		snprintf(store[n], sizeof store[n], "%s", w);
		argv[n] = store[n];
		n++;
	}
	argv[n] = NULL;
	return n;
}

/* V's words joined by spaces, in a static buffer. */
static inline const char *words_join(char **v)
{
	static char buf[2048];
	buf[0] = '\0';
	for (size_t i = 0; v[i]; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", v[i]);
	return buf;
}

#endif
