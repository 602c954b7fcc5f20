/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one error idiom of nsboot's library code (everything but the three main.c files):
 *  - A function that can fail returns a negative errno (-EINVAL for bad input); 0, a
 *    count or an fd on success. Never -1 with errno, never exit(); a bool answers a
 *    yes-or-no question (is this line well-formed?), it does not report a failure.
 *  - Where the caller needs the words (a log line, the protocol's ERROR record), the
 *    function also fills a struct nsb_error: the phase, one of the NSB_PHASE_* names of
 *    lib/proto.h, and one line naming the thing (option, file:line, path) with the
 *    strerror included. A pure parser with no phase of its own fills just a message
 *    buffer (ERR, ERRLEN) with nsb_fail(); its caller puts it into a struct nsb_error.
 *  - Failures that end the program are logged, sent as ERROR and turned into an exit
 *    status only by the main()s: nsboot's before its clone (the builder, which execs
 *    nothing, sends ERROR and exits), nsboot-init's before COMMAND, nsboot-mount's.
 *  - A failure the program survives is logged where it happens with log_warn_errno()
 *    (lib/log.h), which writes the "warning: " prefix; no message carries it by hand. */
#ifndef NSB_ERROR_H
#define NSB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "proto.h"

/* Longest message of a struct nsb_error, its NUL included. */
#define NSB_ERROR_MESSAGE 1024

/* What went wrong, for the log line and the protocol's ERROR record. */
struct nsb_error {
	char phase[NSB_PROTO_PHASE];       /* NSB_PHASE_*, "" while nothing failed */
	char message[NSB_ERROR_MESSAGE];   /* one line, e.g. "bind /x -> /mnt: No such file or directory" */
};

/* Fills E with PHASE and the formatted message and returns RET (a negative errno). */
int nsb_error_set(struct nsb_error *e, int ret, const char *phase, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Formats a one-line reason into ERR (LEN bytes) and returns RET: the pure parsers'
 * half of the idiom, for callers that add the phase themselves. */
int nsb_fail(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* nsb_fail() with a va_list, for formatters that add words of their own. */
int nsb_vfail(char *err, size_t len, int ret, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#endif
