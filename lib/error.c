/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int nsb_error_set(struct nsb_error *e, int ret, const char *phase, const char *fmt, ...)
{
	va_list ap;
	snprintf(e->phase, sizeof e->phase, "%s", phase);
	va_start(ap, fmt);
	nsb_vfail(e->message, sizeof e->message, ret, fmt, ap);
	va_end(ap);
	return ret;
}

int nsb_vfail(char *err, size_t len, int ret, const char *fmt, va_list ap)
{
	vsnprintf(err, len, fmt, ap);
	return ret;
}

int nsb_fail(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	nsb_vfail(err, len, ret, fmt, ap);
	va_end(ap);
	return ret;
}
