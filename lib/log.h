/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One logger for all three programs: "PROG: [warning: ]message" on stderr. */
#ifndef NSB_LOG_H
#define NSB_LOG_H

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <stdnoreturn.h>

#include "error.h" /* nsb_fail(), struct nsb_error: what the loggers report */

enum { NSB_LOG_ERROR = -1, NSB_LOG_INFO = 0, NSB_LOG_DEBUG = 1 };
/* The prefix of a warning: a failure the program survives. */
#define NSB_LOG_WARNING "warning: "

/* Program name printed before every line ("nsboot", "nsboot-init"). */
extern const char *nsb_prog;
/* -1 quiet (errors only), 0 normal, 1 verbose. */
extern int nsb_verbosity;
/* Non-zero: lines end with "\r\n" (while the terminal on stderr is in raw mode, set by
 * spawn/console.c, so that nsboot's own lines still start at the left margin). */
extern int nsb_log_crlf;

/* Writes one line at LEVEL if the verbosity allows it; errno is preserved. */
void nsb_log(int level, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...) nsb_log(NSB_LOG_ERROR, NULL, __VA_ARGS__)
#define log_warn(...) nsb_log(NSB_LOG_ERROR, NSB_LOG_WARNING, __VA_ARGS__)
#define log_info(...) nsb_log(NSB_LOG_INFO, NULL, __VA_ARGS__)
#define log_debug(...) nsb_log(NSB_LOG_DEBUG, NULL, __VA_ARGS__)

/* Logs "MSG: strerror(-ERR)" as an error and evaluates to ERR (a negative errno). */
#define log_errno(err, fmt, ...)                                               \
	({                                                                     \
		int _e = (err);                                                \
		nsb_log(NSB_LOG_ERROR, NULL, fmt ": %s", ##__VA_ARGS__,        \
			strerror(-_e));                                        \
		_e;                                                            \
	})

/* Logs "warning: MSG: strerror(-ERR)" (a failure the program survives) and evaluates to
 * ERR. */
#define log_warn_errno(err, fmt, ...)                                          \
	({                                                                     \
		int _e = (err);                                                \
		nsb_log(NSB_LOG_ERROR, NSB_LOG_WARNING, fmt ": %s",            \
			##__VA_ARGS__, strerror(-_e));                         \
		_e;                                                            \
	})

/* Logs an error and exits with STATUS; only before a child exists. */
noreturn void nsb_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
