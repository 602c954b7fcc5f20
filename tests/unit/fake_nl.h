/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The recorder behind the unit tests' fake rtnetlink calls (spawn/netlink.h, replaced
 * through -Wl,--wrap=nsb_nl_*): each fake appends what it was asked to NL_LOG with
 * nl_say() and answers with nl_ret(OP), which fails with -NL_ERRNO when NL_FAIL names OP;
 * nsb_nl_open fails with NL_OPEN_ERRNO when that is set. nl_reset() clears all of it. The
 * test files define the requests' fakes themselves (their answers differ). */
#ifndef NSB_TEST_FAKE_NL_H
#define NSB_TEST_FAKE_NL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scratch.h"
#include "../../spawn/netlink.h"

static char nl_log[1024], nl_fail[16];
static int nl_errno, nl_open_errno;
static int nl_token;

static void nl_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record_v(nl_log, sizeof nl_log, fmt, ap);
	va_end(ap);
}

static int nl_ret(const char *op)
{
	return strcmp(nl_fail, op) == 0 ? -nl_errno : 0;
}

static void nl_reset(void)
{
	nl_log[0] = nl_fail[0] = '\0';
	nl_errno = nl_open_errno = 0;
}

struct nsb_nl *__wrap_nsb_nl_open(void)
{
	if (nl_open_errno) {
		errno = nl_open_errno;
		return NULL;
	}
	return (struct nsb_nl *)&nl_token;
}

#endif
