/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner's --pid-file: the pure judgement of what is found at exit, and the write and
 * removal in a scratch folder (what is put in the file's place is left alone). */
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
#include <sys/wait.h>
#include <unistd.h>

#include "../../spawn/pidfile.h"
#include "scratch.h"

/* A stat of a file of MODE (type bits) at DEV/INO. */
static struct stat file_at(mode_t mode, dev_t dev, ino_t ino)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	st.st_mode = mode | 0644;
	st.st_dev = dev;
	st.st_ino = ino;
	return st;
}

static void judge(void **state)
{
	struct stat ours = file_at(S_IFREG, 8, 42);
	const char *line = "4242\n";
	/* the file written, still with its line: the only case that is removed */
	assert_int_equal(nsb_pidfile_judge(0, &ours, 8, 42, 4242, line, 5), NSB_PIDFILE_OURS);
	/* gone, a link (O_NOFOLLOW says ELOOP), or unreadable */
	assert_int_equal(nsb_pidfile_judge(ENOENT, NULL, 8, 42, 4242, NULL, -1), NSB_PIDFILE_GONE);
	assert_int_equal(nsb_pidfile_judge(ELOOP, NULL, 8, 42, 4242, NULL, -1), NSB_PIDFILE_SYMLINK);
	assert_int_equal(nsb_pidfile_judge(EACCES, NULL, 8, 42, 4242, NULL, -1),
			 NSB_PIDFILE_UNREADABLE);
	/* what is not a regular file, whatever its inode (a socket does not even open) */
	static const mode_t others[] = { S_IFIFO, S_IFSOCK, S_IFDIR, S_IFCHR, S_IFBLK };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		struct stat st = file_at(others[i], 8, 42);
		assert_int_equal(nsb_pidfile_judge(0, &st, 8, 42, 4242, NULL, -1),
				 NSB_PIDFILE_NOT_REGULAR);
		assert_int_equal(nsb_pidfile_judge(ENXIO, &st, 8, 42, 4242, NULL, -1),
				 NSB_PIDFILE_NOT_REGULAR);
	}
	/* another regular file, even with the same line: another inode or device */
	struct stat other = file_at(S_IFREG, 8, 43);
	assert_int_equal(nsb_pidfile_judge(0, &other, 8, 42, 4242, line, 5), NSB_PIDFILE_OTHER_FILE);
	other = file_at(S_IFREG, 9, 42);
	assert_int_equal(nsb_pidfile_judge(0, &other, 8, 42, 4242, line, 5), NSB_PIDFILE_OTHER_FILE);
	/* the same file with other content: another PID, more, less, nothing, a read error */
	assert_int_equal(nsb_pidfile_judge(0, &ours, 8, 42, 4242, "4243\n", 5), NSB_PIDFILE_REWRITTEN);
	assert_int_equal(nsb_pidfile_judge(0, &ours, 8, 42, 4242, "4242\n1\n", 7),
			 NSB_PIDFILE_REWRITTEN);
	assert_int_equal(nsb_pidfile_judge(0, &ours, 8, 42, 4242, "4242", 4), NSB_PIDFILE_REWRITTEN);
	assert_int_equal(nsb_pidfile_judge(0, &ours, 8, 42, 4242, "", 0), NSB_PIDFILE_REWRITTEN);
	assert_int_equal(nsb_pidfile_judge(0, &ours, 8, 42, 4242, NULL, -1), NSB_PIDFILE_UNREADABLE);
}

static char dir[] = "/tmp/nsb-unit-pidfile.XXXXXX";
static char path[sizeof dir + 16];

static int setup(void **state)
{
	strcpy(dir, "/tmp/nsb-unit-pidfile.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/pid", dir);
	return 0;
}

static int teardown(void **state)
{
	return rm_tree(dir);
}

/* The number of entries in the scratch folder (its temporary files included). */
static int entries(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "exit $(ls -A '%s' | wc -l)", dir);
	return WEXITSTATUS(system(cmd));
}

static void written_then_removed(void **state)
{
	char buf[32] = "";
	assert_int_equal(nsb_pidfile_write(path, 4242), 0);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof buf), 5);
	close(fd);
	assert_string_equal(buf, "4242\n");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(entries(), 1); /* no temporary file left */
	nsb_pidfile_remove(path, 4242);
	assert_int_equal(access(path, F_OK), -1);
}

static void fifo_left_in_place(void **state)
{
	assert_int_equal(nsb_pidfile_write(path, 4242), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	nsb_pidfile_remove(path, 4242); /* returns: a FIFO is never waited on */
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

static void other_file_left_in_place(void **state)
{
	char other[sizeof path + 8];
	snprintf(other, sizeof other, "%s.new", path);
	assert_int_equal(nsb_pidfile_write(path, 4242), 0);
	FILE *f = fopen(other, "w");
	assert_non_null(f);
	fputs("4242\n", f);
	fclose(f);
	assert_int_equal(rename(other, path), 0);
	nsb_pidfile_remove(path, 4242);
	assert_int_equal(access(path, F_OK), 0);
}

static void symlink_left_in_place(void **state)
{
	char target[sizeof path + 8];
	snprintf(target, sizeof target, "%s.target", path);
	assert_int_equal(nsb_pidfile_write(path, 4242), 0);
	assert_int_equal(rename(path, target), 0); /* the same file, behind a link */
	assert_int_equal(symlink(target, path), 0);
	nsb_pidfile_remove(path, 4242);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(access(target, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judge),
		cmocka_unit_test_setup_teardown(written_then_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(fifo_left_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(other_file_left_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_left_in_place, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
