/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The root switch (mounts/setup.c) through faked system calls: the order of the calls,
 * every error path, and that host inputs are read (and fail) before anything is mounted. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../mounts/apply.h"
#include "../../mounts/ops.h"

/* Faked system calls (-Wl,--wrap=nsb_sys_NAME, test_mounts_setup.ldflags). */
static char calls[64][256];
static size_t n_calls;
/* The call (by its name) that fails, and how. */
static const char *fail_call;
static int fail_errno;

static int logcall(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs one call; returns the injected error when NAME is the failing one. */
static int logcall(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (n_calls < 64) {
		int n = snprintf(calls[n_calls], sizeof calls[0], "%s ", name);
		vsnprintf(calls[n_calls] + n, sizeof calls[0] - (size_t)n, fmt, ap);
		n_calls++;
	}
	va_end(ap);
	return fail_call && strcmp(fail_call, name) == 0 ? -fail_errno : 0;
}

int __wrap_nsb_sys_mount(const char *s, const char *t, const char *ty, unsigned long f,
			  const void *d)
{
	return logcall("mount", "%s %s %s %#lx", s ? s : "-", t, ty ? ty : "-", f);
}
int __wrap_nsb_sys_umount2(const char *t, int flags)
{
	return logcall("umount2", "%s %d", t, flags);
}
int __wrap_nsb_sys_pivot_root(const char *n, const char *o)
{
	return logcall("pivot_root", "%s %s", n, o);
}
int __wrap_nsb_sys_mount_setattr(int dfd, const char *p, unsigned flags,
				  const struct nsb_mount_attr *a)
{
	return logcall("mount_setattr", "%s", p);
}
int __wrap_nsb_sys_move_mount(int fd, const char *f, int tfd, const char *t, unsigned flags)
{
	return logcall("move_mount", "%s", t);
}
int __wrap_nsb_sys_mkdirat(int dfd, const char *p, mode_t m)
{
	return logcall("mkdirat", "%s", p);
}
int __wrap_nsb_sys_chdir(const char *p)
{
	return logcall("chdir", "%s", p);
}
int __wrap_nsb_sys_fchdir(int fd)
{
	return logcall("fchdir", "%d", fd);
}

static int setup(void **state)
{
	(void)state;
	n_calls = 0;
	fail_call = NULL;
	return 0;
}

static void test_pivot_order(void **state)
{
	(void)state;
	struct nsb_error err = { "", "" };
	assert_int_equal(nsb_pivot(7, &err), 0);
	assert_int_equal(n_calls, 4);
	assert_string_equal(calls[0], "fchdir 7");
	assert_string_equal(calls[1], "pivot_root . .");
	char want[64];
	snprintf(want, sizeof want, "umount2 . %d", MNT_DETACH);
	assert_string_equal(calls[2], want);
	assert_string_equal(calls[3], "chdir /");
}

static void test_pivot_errors(void **state)
{
	(void)state;
	static const struct {
		const char *call;
		int err;
		size_t n_calls;
		const char *message;
	} cases[] = {
		{ "fchdir", EACCES, 1, "chdir into the new root: Permission denied" },
		{ "pivot_root", EINVAL, 2, "pivot_root: Invalid argument" },
		{ "umount2", EBUSY, 3, "detach the old root: Device or resource busy" },
		{ "chdir", ENOENT, 4, "chdir /: No such file or directory" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct nsb_error err = { "", "" };
		n_calls = 0;
		fail_call = cases[i].call;
		fail_errno = cases[i].err;
		assert_int_equal(nsb_pivot(3, &err), -cases[i].err);
		assert_int_equal(n_calls, cases[i].n_calls);
		assert_string_equal(err.phase, "pivot");
		assert_string_equal(err.message, cases[i].message);
	}
}

/* Runs nsb_setup_root on the option words (NULL-terminated). */
static int run_setup(const char *const *words, struct nsb_error *err)
{
	static char buf[16][256];
	char *argv[18] = { "nsboot-mount" };
	int argc = 1;
	for (; *words; words++, argc++) {
		snprintf(buf[argc], sizeof buf[argc], "%s", *words);
		argv[argc] = buf[argc];
	}
	argv[argc] = NULL;
	struct nsb_config c;
	char perr[256];
	assert_int_equal(nsb_parse_args(&c, argc, argv, NSB_PROG_MOUNT, perr, sizeof perr), NSB_PARSE_OK);
	struct nsb_setup_env env = { .tree_fd = -1, .own_netns = 1, .own_ipcns = 1, .pidns_fd = -1 };
	return nsb_setup_root(&c, &env, err);
}

static void test_inputs_fail_before_any_mount(void **state)
{
	(void)state;
	struct nsb_error err = { "", "" };
	assert_int_equal(run_setup((const char *[]){ "-D", "/nonexistent-tree", "--", "true", NULL }, &err),
			 -ENOENT);
	assert_string_equal(err.phase, "tree");
	assert_string_equal(err.message, "/nonexistent-tree: No such file or directory");
	assert_int_equal(n_calls, 0);

	assert_int_equal(run_setup((const char *[]){ "-D", "/etc/passwd", "--", "true", NULL }, &err),
			 -ENOTDIR);
	assert_string_equal(err.message, "/etc/passwd: Not a directory");
	assert_int_equal(n_calls, 0);

	char fstab[] = "/tmp/nsb-pivot-fstab-XXXXXX";
	int fd = mkstemp(fstab);
	assert_true(fd >= 0);
	const char *bad = "tmpfs /a tmpfs defaults 0 0\nbogus\n";
	assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
	close(fd);
	char opt[128];
	snprintf(opt, sizeof opt, "--fstab=%s", fstab);
	assert_int_equal(run_setup((const char *[]){ "-D", "/", opt, "--", "true", NULL }, &err), -EINVAL);
	assert_string_equal(err.phase, "fstab");
	char want[128];
	snprintf(want, sizeof want, "%s:2: malformed line", fstab);
	assert_string_equal(err.message, want);
	assert_int_equal(n_calls, 0);
	unlink(fstab);

	assert_int_equal(run_setup((const char *[]){ "-D", "/", "--drop-services=/nonexistent.list",
						   "--", "true", NULL }, &err), -ENOENT);
	assert_string_equal(err.phase, "drop-services");
	assert_non_null(strstr(err.message, "/nonexistent.list"));
	assert_int_equal(n_calls, 0);
}

static void test_slave_first_then_staging(void **state)
{
	(void)state;
	struct nsb_error err = { "", "" };
	fail_call = "pivot_root";
	fail_errno = EINVAL;
	assert_int_equal(run_setup((const char *[]){ "-D", "/", "--", "true", NULL }, &err), -EINVAL);
	assert_true(n_calls >= 5);
	char want[128];
	snprintf(want, sizeof want, "mount - / - %#lx", (unsigned long)(MS_REC | MS_SLAVE));
	assert_string_equal(calls[0], want);
	snprintf(want, sizeof want, "mount nsboot /tmp tmpfs %#lx", (unsigned long)(MS_NOSUID | MS_NODEV));
	assert_string_equal(calls[1], want);
	assert_string_equal(calls[2], "mkdirat /tmp/oldroot");
	assert_string_equal(calls[3], "chdir /tmp");
	assert_string_equal(calls[4], "pivot_root . ./oldroot");
	assert_string_equal(err.phase, "pivot");
	assert_string_equal(err.message, "pivot_root into the staging tmpfs /tmp: Invalid argument");

	n_calls = 0;
	fail_call = "mount";
	fail_errno = EPERM;
	assert_int_equal(run_setup((const char *[]){ "-D", "/", "--", "true", NULL }, &err), -EPERM);
	assert_int_equal(n_calls, 1);
	assert_string_equal(err.phase, "mount");
	assert_string_equal(err.message, "make / a recursive slave: Operation not permitted");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_pivot_order),
		T(test_pivot_errors),
		T(test_inputs_fail_before_any_mount),
		T(test_slave_first_then_staging),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
