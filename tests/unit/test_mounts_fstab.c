/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --fstab parsing (mounts/fstab.c, libmount's parser): good lines, bad lines with their
 * line numbers, the rewrites for read-only binds and X-mount.mkdir. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../mounts/plan.h"

static char path[64];
static struct nsb_fstab tab;

/* Writes TEXT to a fresh temporary file named in PATH. */
static void write_file(const char *text)
{
	snprintf(path, sizeof path, "/tmp/nsb-fstab-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int teardown(void **state)
{
	(void)state;
	nsb_fstab_free(&tab);
	unlink(path);
	return 0;
}

static void test_good_lines(void **state)
{
	(void)state;
	char err[512] = "";
	write_file("# a comment\n"
		   "\n"
		   "tmpfs /scratch tmpfs size=1m,mode=700 0 0\n"
		   "/srv/data /data none bind,ro 0 0\n"
		   "/srv/all  /all  none rbind,ro,X-mount.mkdir 0 0\n"
		   "/srv/rw /rw none bind\n"
		   "proc /p2 proc defaults 0 0\n"
		   "/dev/sdz1 /never ext4 noauto 0 0\n"
		   "/swapfile none swap sw 0 0\n");
	int r = nsb_fstab_read(path, &tab, err, sizeof err);
	if (r)
		fail_msg("%s", err);
	assert_int_equal(tab.n, 5);
	assert_string_equal(tab.l[0].source, "tmpfs");
	assert_string_equal(tab.l[0].target, "/scratch");
	assert_string_equal(tab.l[0].type, "tmpfs");
	assert_string_equal(tab.l[0].options, "size=1m,mode=700");
	assert_false(tab.l[0].ro_bind);
	char want[128];
	snprintf(want, sizeof want, "%s:3", path);
	assert_string_equal(tab.l[0].origin, want);

	assert_null(tab.l[1].type);
	assert_true(tab.l[1].ro_bind);
	assert_false(tab.l[1].rbind);
	assert_string_equal(tab.l[1].options, "bind"); /* ro taken out: mount_setattr does it */
	snprintf(want, sizeof want, "%s:4", path);
	assert_string_equal(tab.l[1].origin, want);

	assert_true(tab.l[2].ro_bind);
	assert_true(tab.l[2].rbind);
	assert_true(tab.l[2].mkdir);
	assert_string_equal(tab.l[2].options, "rbind"); /* X-mount.mkdir never reaches libmount */

	assert_false(tab.l[3].ro_bind);
	assert_null(tab.l[3].type);
	assert_string_equal(tab.l[4].type, "proc");
	snprintf(want, sizeof want, "%s:7", path);
	assert_string_equal(tab.l[4].origin, want);
}

static void test_bad_line_number(void **state)
{
	(void)state;
	char err[512] = "";
	write_file("tmpfs /a tmpfs defaults 0 0\n"
		   "# fine\n"
		   "this-line-has-no-target\n"
		   "tmpfs /b tmpfs defaults 0 0\n");
	assert_int_equal(nsb_fstab_read(path, &tab, err, sizeof err), -EINVAL);
	char want[128];
	snprintf(want, sizeof want, "%s:3: malformed line", path);
	assert_string_equal(err, want);
}

static void test_relative_target(void **state)
{
	(void)state;
	char err[512] = "";
	write_file("tmpfs /a tmpfs defaults 0 0\n"
		   "tmpfs relative tmpfs defaults 0 0\n");
	assert_int_equal(nsb_fstab_read(path, &tab, err, sizeof err), -EINVAL);
	char want[128];
	snprintf(want, sizeof want, "%s:2: target 'relative' is not an absolute path", path);
	assert_string_equal(err, want);
}

/* Line numbers count lines as libmount's parser reads them: a blank line written with
 * "\r\n" is blank, and a line longer than any buffer is one line. */
static void test_line_numbers_as_libmount_reads(void **state)
{
	(void)state;
	char err[512] = "", want[128];
	write_file("tmpfs /a tmpfs defaults 0 0\r\n"
		   "\r\n"
		   "  \t\r\n"
		   "tmpfs relative tmpfs defaults 0 0\r\n");
	assert_int_equal(nsb_fstab_read(path, &tab, err, sizeof err), -EINVAL);
	snprintf(want, sizeof want, "%s:4: target 'relative' is not an absolute path", path);
	assert_string_equal(err, want);
	nsb_fstab_free(&tab);
	unlink(path);

	static char text[6000];
	int n = snprintf(text, sizeof text, "tmpfs /a tmpfs mode=700");
	while (n < 5000)
		n += snprintf(text + n, sizeof text - (size_t)n, ",nr_inodes=1000");
	snprintf(text + n, sizeof text - (size_t)n, " 0 0\n# a comment\ntmpfs relative tmpfs\n");
	write_file(text);
	assert_int_equal(nsb_fstab_read(path, &tab, err, sizeof err), -EINVAL);
	snprintf(want, sizeof want, "%s:3: target 'relative' is not an absolute path", path);
	assert_string_equal(err, want);
}

/* Skipped entries (noauto, swap) do not count against the limit of lines read, and an
 * entry after more than that many lines still names its own line. */
static void test_line_numbers_past_skipped_entries(void **state)
{
	(void)state;
	char err[512] = "", want[128];
	static char text[NSB_FSTAB_MAX * 64];
	int n = 0;
	for (int i = 0; i < 3; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "/dev/sdz1 /never ext4 noauto\n");
	for (int i = 0; i < NSB_FSTAB_MAX - 1; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "tmpfs /t%d tmpfs\n", i);
	snprintf(text + n, sizeof text - (size_t)n, "tmpfs relative tmpfs\n");
	write_file(text);
	assert_int_equal(nsb_fstab_read(path, &tab, err, sizeof err), -EINVAL);
	snprintf(want, sizeof want, "%s:%d: target 'relative' is not an absolute path", path,
		 3 + NSB_FSTAB_MAX - 1 + 1);
	assert_string_equal(err, want);
	assert_int_equal(tab.n, NSB_FSTAB_MAX - 1);
	snprintf(want, sizeof want, "%s:%d", path, 3 + NSB_FSTAB_MAX - 1);
	assert_string_equal(tab.l[NSB_FSTAB_MAX - 2].origin, want);
}

static void test_missing_type(void **state)
{
	(void)state;
	char err[512] = "";
	write_file("/dev/sdz1 /x auto defaults 0 0\n");
	assert_int_equal(nsb_fstab_read(path, &tab, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, ":1: /x: a file system type is needed"));
}

static void test_missing_file(void **state)
{
	(void)state;
	char err[512] = "";
	snprintf(path, sizeof path, "/nonexistent/fstab");
	assert_int_equal(nsb_fstab_read(path, &tab, err, sizeof err), -ENOENT);
	assert_string_equal(err, "/nonexistent/fstab: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_lines, teardown),
		cmocka_unit_test_teardown(test_bad_line_number, teardown),
		cmocka_unit_test_teardown(test_relative_target, teardown),
		cmocka_unit_test_teardown(test_line_numbers_as_libmount_reads, teardown),
		cmocka_unit_test_teardown(test_line_numbers_past_skipped_entries, teardown),
		cmocka_unit_test_teardown(test_missing_type, teardown),
		cmocka_unit_test_teardown(test_missing_file, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
