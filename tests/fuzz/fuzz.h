/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the fuzz targets: stopping on a broken promise, and a file holding the input
 * for the parsers that read a path. */
#ifndef NSB_FUZZ_H
#define NSB_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Stops the run with WHAT: libFuzzer saves the input as a crash. */
static inline __attribute__((noreturn)) void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

/* Replaces the contents of one memfd (made on the first call, kept for the whole run)
 * with DATA and returns its /proc/self/fd path. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0)
			fuzz_fail("memfd_create");
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		fuzz_fail("cannot write the input file");
	return path;
}

#endif
