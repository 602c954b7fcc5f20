/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The io helpers (lib/io.c): whole buffers through pipes, short and interrupted reads and
 * writes through -Wl,--wrap fakes, and the $PATH lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __real_read(int fd, void *buf, size_t len);

/* What the fakes do, call by call: 0 the real call (at most MAX bytes when max is set),
 * an errno to fail with, or FAKE_ZERO for a call that moves nothing. */
#define FAKE_ZERO -1
static int write_script[8], read_script[8];
static size_t write_calls, read_calls, max_chunk;

static int next(int *script, size_t *calls)
{
	return *calls < 8 ? script[(*calls)++] : 0;
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	int e = next(write_script, &write_calls);
	if (e == FAKE_ZERO)
		return 0;
	if (e) {
		errno = e;
		return -1;
	}
	return __real_write(fd, buf, max_chunk && len > max_chunk ? max_chunk : len);
}

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	int e = next(read_script, &read_calls);
	if (e) {
		errno = e;
		return -1;
	}
	return __real_read(fd, buf, max_chunk && len > max_chunk ? max_chunk : len);
}

static int reset(void **state)
{
	memset(write_script, 0, sizeof write_script);
	memset(read_script, 0, sizeof read_script);
	write_calls = read_calls = max_chunk = 0;
	return 0;
}

static void whole_buffer_in_short_pieces(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	max_chunk = 3;
	write_script[0] = EINTR;
	assert_int_equal(nsb_write_all(p[1], "hello, world", 12), 0);
	assert_true(write_calls >= 5); /* the EINTR and four pieces of three */
	char buf[13] = "";
	read_script[1] = EINTR;
	assert_int_equal(nsb_read_all(p[0], buf, 12), 0);
	assert_string_equal(buf, "hello, world");
	close(p[0]);
	close(p[1]);
}

static void end_of_file_is_epipe(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(nsb_write_str(p[1], "ab"), 0);
	close(p[1]);
	char buf[4];
	assert_int_equal(nsb_read_all(p[0], buf, sizeof buf), -EPIPE);
	close(p[0]);
}

static void errors_are_negative_errnos(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	write_script[0] = ENOSPC;
	assert_int_equal(nsb_write_all(p[1], "x", 1), -ENOSPC);
	write_script[1] = FAKE_ZERO;
	assert_int_equal(nsb_write_all(p[1], "x", 1), -EIO);
	read_script[0] = EIO;
	char c;
	assert_int_equal(nsb_read_all(p[0], &c, 1), -EIO);
	close(p[0]);
	close(p[1]);
	assert_int_equal(nsb_write_all(p[1], "x", 1), -EBADF);
}

static void path_lookup(void **state)
{
	char dir[] = "/tmp/nsb-io-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char file[64];
	snprintf(file, sizeof file, "%s/prog", dir);
	int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	char path[128];
	snprintf(path, sizeof path, "/nonexistent:%s", dir);
	assert_true(nsb_in_path("prog", path, F_OK));
	assert_false(nsb_in_path("prog", path, X_OK)); /* there, but not executable */
	assert_false(nsb_in_path("other", path, F_OK));
	assert_int_equal(chmod(file, 0755), 0);
	assert_true(nsb_in_path("prog", path, X_OK));
	/* an empty entry is the current directory */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	assert_true(nsb_in_path("prog", "/nonexistent:", F_OK));
	assert_false(nsb_in_path("prog", "/nonexistent", F_OK));
	assert_int_equal(chdir(cwd), 0);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(whole_buffer_in_short_pieces, reset),
		cmocka_unit_test_setup(end_of_file_is_epipe, reset),
		cmocka_unit_test_setup(errors_are_negative_errnos, reset),
		cmocka_unit_test_setup(path_lookup, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
