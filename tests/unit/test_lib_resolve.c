/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The resolver inside a tree (lib/resolve.c), with openat2 and with the walk a kernel
 * without it (or a seccomp filter refusing it) gets: syscall() is wrapped
 * (tests/unit/test_lib_resolve.ldflags). Every case runs in both modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "resolve.h"
#include "scratch.h"

#include "fake_openat2.h"

static char tree[64];
static int rootfd = -1;

/* Runs CMD (a shell line) in the test tree. */
static void sh(const char *cmd)
{
	char line[1024];
	snprintf(line, sizeof line, "cd '%s' && %s", tree, cmd);
	assert_int_equal(system(line), 0);
}

static int setup(void **state)
{
	snprintf(tree, sizeof tree, "/tmp/nsb-test-resolve.XXXXXX");
	assert_non_null(mkdtemp(tree));
	sh("mkdir -p etc sbin && : > etc/inside && ln -s /etc/inside sbin/abs && "
	   "ln -s ../../../../etc/inside sbin/up && ln -s loop etc/loop && ln -s /etc etc/self");
	rootfd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(rootfd >= 0);
	openat2_calls = 0;
	openat2_fails = 0;
	return 0;
}

static int teardown(void **state)
{
	close(rootfd);
	assert_int_equal(rm_tree(tree), 0);
	return 0;
}

/* True when FD is the file REL of the test tree (same device and inode). */
static bool is(int fd, const char *rel)
{
	char path[256];
	struct stat a, b;
	snprintf(path, sizeof path, "%s/%s", tree, rel);
	bool r = fd >= 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
		 a.st_dev == b.st_dev;
	if (fd >= 0)
		close(fd);
	return r;
}

/* The cases, with openat2 failing with ERR (0: the real openat2). */
static void cases(int err)
{
	openat2_errno = err;
	assert_true(is(nsb_open_in_root(rootfd, "/etc/inside", 0), "etc/inside"));
	assert_true(is(nsb_open_in_root(rootfd, "etc/inside", NSB_IN_ROOT_NO_MAGICLINKS),
		       "etc/inside"));
	/* an absolute link and one that climbs too far both stay inside */
	assert_true(is(nsb_open_in_root(rootfd, "/sbin/abs", 0), "etc/inside"));
	assert_true(is(nsb_open_in_root(rootfd, "/sbin/up", 0), "etc/inside"));
	assert_true(is(nsb_open_in_root(rootfd, "/../../etc/self/self/inside", 0), "etc/inside"));
	assert_true(is(nsb_open_in_root(rootfd, "/", 0), "."));
	assert_true(is(nsb_open_in_root(rootfd, "", 0), "."));
	assert_int_equal(nsb_open_in_root(rootfd, "/etc/missing", 0), -ENOENT);
	assert_int_equal(nsb_open_in_root(rootfd, "/etc/loop", 0), -ELOOP);
	assert_int_equal(nsb_open_in_root(rootfd, "/etc/inside/x", 0), -ENOTDIR);
	assert_int_equal(nsb_open_in_root(-1, "etc", 0), -EBADF);
	assert_true(openat2_calls > 0);
}

static void with_openat2(void **state)
{
	cases(0);
}

static void without_openat2(void **state)
{
	cases(ENOSYS);
}

static void openat2_refused_by_seccomp(void **state)
{
	cases(EPERM);
}

/* Any other failure of openat2 is the answer: no walk behind it. */
static void other_errors_are_final(void **state)
{
	openat2_errno = EACCES;
	assert_int_equal(nsb_open_in_root(rootfd, "/etc/inside", 0), -EACCES);
}

/* EAGAIN (a rename or mount raced the walk) is tried again: three races, then the file;
 * a race that never ends is the answer after 64 tries, no walk behind it. */
static void a_race_is_tried_again(void **state)
{
	openat2_errno = EAGAIN;
	openat2_fails = 3;
	assert_true(is(nsb_open_in_root(rootfd, "/etc/inside", 0), "etc/inside"));
	assert_int_equal(openat2_calls, 4);
	openat2_calls = 0;
	openat2_fails = 0;
	assert_int_equal(nsb_open_in_root(rootfd, "/etc/inside", 0), -EAGAIN);
	assert_int_equal(openat2_calls, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(with_openat2, setup, teardown),
		cmocka_unit_test_setup_teardown(without_openat2, setup, teardown),
		cmocka_unit_test_setup_teardown(openat2_refused_by_seccomp, setup, teardown),
		cmocka_unit_test_setup_teardown(other_errors_are_final, setup, teardown),
		cmocka_unit_test_setup_teardown(a_race_is_tried_again, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
