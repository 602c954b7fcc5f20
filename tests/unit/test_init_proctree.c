/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The subreaper's /proc walk (init/proctree.c): /proc/PID/stat parsing, the descendant walk
 * (on tables and on a fake /proc directory), signalling only the process that was read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "../../init/proctree.h"
#include "scratch.h"

/* A table entry. */
#define P(a, b, s) { .pid = (a), .ppid = (b), .state = (s) }


/* Parses S as a stat line; returns the result. */
static int parse(const char *s, struct nsb_proc *p)
{
	return nsb_proc_parse_stat(s, strlen(s), p);
}

static void stat_lines(void **state)
{
	struct nsb_proc p;
	assert_int_equal(parse("1234 (sleep) S 99 1234 1234 0 -1 4194304 ...", &p), 0);
	assert_int_equal(p.pid, 1234);
	assert_int_equal(p.ppid, 99);
	assert_int_equal(p.state, 'S');
	/* COMM with spaces and parentheses: the last ')' ends it */
	assert_int_equal(parse("7 (a) b (c)) Z 1 7 7", &p), 0);
	assert_int_equal(p.pid, 7);
	assert_int_equal(p.state, 'Z');
	assert_int_equal(p.ppid, 1);
	assert_int_equal(parse("8 () R 0 0", &p), 0);
	assert_int_equal(p.ppid, 0);
	/* no more than the ppid is needed, even without a trailing space */
	assert_int_equal(parse("9 (x) S 42", &p), 0);
	assert_int_equal(p.ppid, 42);
	assert_true(p.start == 0); /* unknown */
	/* a whole line: field 22 is the start time */
	assert_int_equal(parse("1234 (a b) S 99 1234 1234 0 -1 4194560 110 0 0 0 0 0 0 0 20 0 1 0 "
			       "987654321 2842624 229 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
			       "0 17 1 0 0 0 0 0\n", &p), 0);
	assert_int_equal(p.ppid, 99);
	assert_true(p.start == 987654321ULL);
	assert_int_equal(p.threads, 1);
	assert_int_equal(parse("6 (x) Z 1 6 6 0 -1 0 0 0 0 0 0 0 0 0 20 0 3 0 79", &p), 0);
	assert_int_equal(p.threads, 3);
	assert_int_equal(parse("6 (x) Z 1 6 6 0 -1 0 0 0 0 0 0 0 0 0 20 0 x3 0 79", &p), 0);
	assert_int_equal(p.threads, 0); /* not a number: unknown */
	assert_int_equal(parse("5 (x) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77\n", &p), 0);
	assert_true(p.start == 77ULL);
	assert_int_equal(parse("5 (x) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 78", &p), 0);
	assert_true(p.start == 78ULL);
	/* stopping anywhere before field 22 leaves it unknown */
	assert_int_equal(parse("5 (x) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0", &p), 0);
	assert_true(p.start == 0);
}

static void bad_stat_lines(void **state)
{
	struct nsb_proc p;
	static const char *const bad[] = {
		"", "(x) S 1", "12", "12 (x", "12 (x)", "12 (x) S", "12 (x) S ",
		"12 (x) S x", "12 (x)S 1", "12 (x) S1", "x12 (y) S 1",
		"99999999999 (x) S 1", "12 (x) S 99999999999",
		/* a start time that is not a number, or too big */
		"5 (x) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7x",
		"5 (x) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0  ",
		"5 (x) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse(bad[i], &p) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
}

/* Sorted pids of the first N entries of T (the walk does not promise an order). */
static void pids(const struct nsb_proc *t, size_t n, char *out, size_t len)
{
	int v[64];
	for (size_t i = 0; i < n; i++)
		v[i] = t[i].pid;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%d", i ? " " : "", v[i]);
}

static void descendants_of_a_tree(void **state)
{
	/* 1 -> 10 (root) -> 20 -> 30 -> 40; 10 -> 25 (zombie) ; 1 -> 50 -> 60 (strangers);
	 * 35's parent 5 is a low pid reused after a wrap, child of 30: sorted first. */
	struct nsb_proc t[] = {
		P(40, 30, 'S'), P(1, 0, 'S'),  P(50, 1, 'S'),  P(10, 1, 'S'), P(60, 50, 'R'),
		P(30, 20, 'S'), P(25, 10, 'Z'), P(20, 10, 'S'), P(5, 30, 'S'), P(6, 5, 'T'),
		P(2, 0, 'S'),   P(3, 2, 'I'),
	};
	char got[128];
	size_t k = nsb_proc_descendants(t, sizeof t / sizeof t[0], 10);
	pids(t, k, got, sizeof got);
	assert_string_equal(got, "5 6 20 30 40");
}

/* A zombie leader whose other threads still run (its main thread called pthread_exit)
 * is alive; a plain zombie, a dead one and a zombie of unknown thread count are not. */
static void zombie_leaders_with_threads(void **state)
{
	struct nsb_proc t[] = {
		{ .pid = 20, .ppid = 10, .state = 'Z', .threads = 2 },
		{ .pid = 21, .ppid = 10, .state = 'Z', .threads = 1 },
		{ .pid = 22, .ppid = 10, .state = 'Z' },
		{ .pid = 23, .ppid = 10, .state = 'X', .threads = 2 },
		{ .pid = 24, .ppid = 20, .state = 'S', .threads = 1 },
	};
	char got[64];
	size_t k = nsb_proc_descendants(t, 5, 10);
	pids(t, k, got, sizeof got);
	assert_string_equal(got, "20 24");
}

static void descendants_none(void **state)
{
	struct nsb_proc t[] = { P(1, 0, 'S'), P(10, 1, 'S'), P(11, 1, 'S') };
	assert_int_equal(nsb_proc_descendants(t, 3, 10), 0);
	assert_int_equal(nsb_proc_descendants(t, 0, 10), 0);
}

static void descendants_deep_reverse_order(void **state)
{
	/* a chain whose every parent has a higher pid: one generation per round */
	struct nsb_proc t[40];
	for (int i = 0; i < 40; i++)
		t[i] = (struct nsb_proc){ .pid = 100 - i, .ppid = 101 - i, .state = 'S' };
	t[0].ppid = 500; /* 100's parent is the root */
	assert_int_equal(nsb_proc_descendants(t, 40, 500), 40);
	/* zombies are left out, their children are not */
	for (int i = 0; i < 40; i++)
		t[i] = (struct nsb_proc){ .pid = 100 - i, .ppid = 101 - i, .state = i == 3 ? 'Z' : 'S' };
	t[0].ppid = 500;
	assert_int_equal(nsb_proc_descendants(t, 40, 500), 39);
}

static void descendants_cycle_terminates(void **state)
{
	struct nsb_proc t[] = { P(7, 8, 'S'), P(8, 7, 'S'), P(9, 1, 'S') };
	assert_int_equal(nsb_proc_descendants(t, 3, 1), 1);
}

/* Writes DIR/NAME/stat with TEXT (NULL: the directory only). */
static void fake_proc(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
	if (!text)
		return;
	snprintf(path, sizeof path, "%s/%s/stat", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void read_a_fake_proc(void **state)
{
	char dir[] = "/tmp/nsb-test-proc.XXXXXX";
	assert_non_null(mkdtemp(dir));
	fake_proc(dir, "1", "1 (init) S 0 1 1 0");
	fake_proc(dir, "77", "77 (sh) S 1 77 77 0");
	fake_proc(dir, "78", "78 (sleep (x)) S 77 77 77 0");
	fake_proc(dir, "79", "garbage");     /* skipped */
	fake_proc(dir, "80", NULL);          /* gone meanwhile: no stat */
	fake_proc(dir, "self", "1 (x) S 0"); /* not a pid */
	fake_proc(dir, "sys", NULL);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	struct nsb_proc t[16];
	ssize_t n = nsb_proc_read(fd, t, 16);
	assert_int_equal(n, 3);
	char got[128];
	pids(t, (size_t)n, got, sizeof got);
	assert_string_equal(got, "1 77 78");
	assert_int_equal(nsb_proc_descendants(t, (size_t)n, 1), 2);
	pids(t, 2, got, sizeof got);
	assert_string_equal(got, "77 78");
	/* a second read starts over; a full table stops at its size */
	assert_int_equal(nsb_proc_read(fd, t, 16), 3);
	assert_int_equal(nsb_proc_read(fd, t, 2), 2);
	close(fd);
	assert_int_equal(rm_tree(dir), 0);
}

/* nsb_proc_signal: a process is signalled only while the one at its pid still has the
 * start time the walk saw (a fake /proc says what the "walk" saw; the child is real). */
static void signal_only_the_same_process(void **state)
{
	char dir[] = "/tmp/nsb-test-proc.XXXXXX";
	assert_non_null(mkdtemp(dir));
	pid_t kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		for (;;)
			pause();
	}
	char name[16], line[128];
	snprintf(name, sizeof name, "%d", (int)kid);
	snprintf(line, sizeof line, "%d (kid) S %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242\n",
		 (int)kid, (int)getpid(), (int)kid, (int)kid);
	fake_proc(dir, name, line);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);

	struct nsb_proc walked;
	assert_true(nsb_proc_read_one(fd, kid, &walked));
	assert_true(walked.start == 4242ULL);
	/* the walk saw another process at this pid: not signalled (SIGUSR1 would kill it,
	 * and as the lower signal it would win over the SIGTERM below had it been sent) */
	struct nsb_proc other = walked;
	other.start = 4241;
	assert_int_equal(nsb_proc_signal(fd, &other, SIGUSR1), -ESRCH);
	/* the same process: signalled */
	assert_int_equal(nsb_proc_signal(fd, &walked, SIGTERM), 0);
	int st;
	assert_int_equal(waitpid(kid, &st, 0), kid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	/* gone (reaped): not signalled, whatever /proc said */
	assert_int_equal(nsb_proc_signal(fd, &walked, SIGTERM), -ESRCH);
	close(fd);
	assert_int_equal(rm_tree(dir), 0);
}

static void read_the_real_proc(void **state)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	static struct nsb_proc t[65536];
	ssize_t n = nsb_proc_read(fd, t, 65536);
	close(fd);
	assert_true(n > 0);
	bool self = false;
	for (ssize_t i = 0; i < n; i++)
		if (t[i].pid == getpid()) {
			self = true;
			assert_int_equal(t[i].ppid, getppid());
			assert_int_equal(t[i].state, 'R');
			assert_true(t[i].start > 0);
		}
	assert_true(self);
	assert_int_equal(nsb_proc_read(-1, t, 1), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_lines),
		cmocka_unit_test(bad_stat_lines),
		cmocka_unit_test(descendants_of_a_tree),
		cmocka_unit_test(descendants_none),
		cmocka_unit_test(zombie_leaders_with_threads),
		cmocka_unit_test(descendants_deep_reverse_order),
		cmocka_unit_test(descendants_cycle_terminates),
		cmocka_unit_test(read_a_fake_proc),
		cmocka_unit_test(read_the_real_proc),
		cmocka_unit_test(signal_only_the_same_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
