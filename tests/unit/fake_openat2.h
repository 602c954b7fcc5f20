/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fake openat2(2) for unit tests linked with -Wl,--wrap=syscall: every other system call
 * passes through; openat2 fails with OPENAT2_ERRNO when it is set (ENOSYS: a kernel before
 * 5.6; EPERM: a seccomp filter; EAGAIN: a race), only for the first OPENAT2_FAILS calls
 * when that is set, and OPENAT2_CALLS counts the tries. */
#ifndef NSB_TEST_FAKE_OPENAT2_H
#define NSB_TEST_FAKE_OPENAT2_H

#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static int openat2_errno;
static int openat2_calls;
static int openat2_fails;

long __real_syscall(long n, ...);
long __wrap_syscall(long n, ...);
long __wrap_syscall(long n, ...)
{
	va_list ap;
	va_start(ap, n);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (n == SYS_openat2) {
		openat2_calls++;
		if (openat2_errno && (!openat2_fails || openat2_calls <= openat2_fails)) {
			errno = openat2_errno;
			return -1;
		}
	}
	return __real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

#endif
