/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PID-1 loop in-process, in subreaper mode (the test is not PID 1, so the loop never
 * uses kill(-1)): exit statuses, forwarding, the grace, and the extension points (watched
 * fds, the spawner channel's hang-up). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "../../init/loop.h"
#include "scratch.h"

/* A loop with C's defaults changed by GRACE_MS and KILL_GROUP. */
static void setup_loop(struct nsb_loop *l, long grace_ms, bool kill_group)
{
	struct nsb_config c;
	nsb_config_init(&c);
	c.grace_ms = grace_ms;
	c.kill_group = kill_group;
	assert_int_equal(nsb_loop_init(l, &c, &(struct nsb_error){ 0 }), 0);
	assert_false(l->pid1);
}

/* Runs "sh -c SCRIPT" in L and returns the loop's status. */
static int run_sh(struct nsb_loop *l, const char *script)
{
	char *const argv[] = { "sh", "-c", (char *)script, NULL };
	assert_true(nsb_loop_spawn(l, argv, NSB_CHILD_SESSION) > 0);
	int st = nsb_loop_run(l);
	nsb_loop_close(l);
	return st;
}

static void exit_codes(void **state)
{
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	assert_int_equal(run_sh(&l, "exit 0"), 0);
	setup_loop(&l, 10000, false);
	assert_int_equal(run_sh(&l, "exit 255"), 255);
	setup_loop(&l, 10000, false);
	assert_int_equal(run_sh(&l, "kill -KILL $$"), 128 + SIGKILL);
	setup_loop(&l, 10000, false);
	char *const missing[] = { "/nonexistent/nsb", NULL };
	assert_true(nsb_loop_spawn(&l, missing, NSB_CHILD_SESSION) > 0);
	assert_int_equal(nsb_loop_run(&l), 127);
	nsb_loop_close(&l);
}

static void nothing_started(void **state)
{
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	assert_int_equal(nsb_loop_run(&l), NSB_EXIT_FAILURE);
	nsb_loop_close(&l);
}

static void mask_is_restored(void **state)
{
	sigset_t before, after;
	sigprocmask(SIG_SETMASK, NULL, &before);
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	sigprocmask(SIG_SETMASK, NULL, &after);
	assert_int_equal(sigismember(&after, SIGTERM), 1);
	assert_int_equal(sigismember(&after, SIGSEGV), 0);
	nsb_loop_close(&l);
	sigprocmask(SIG_SETMASK, NULL, &after);
	for (int sig = 1; sig < 65; sig++)
		assert_int_equal(sigismember(&before, sig), sigismember(&after, sig));
}

static void signal_before_spawn_is_forwarded(void **state)
{
	/* queued while blocked, forwarded once the child runs: sleep dies of it */
	for (size_t i = 0; i < nsb_n_forwarded_signals; i++) {
		int sig = nsb_forwarded_signals[i];
		if (sig == SIGCONT || sig == SIGWINCH)
			continue; /* their default action is not death */
		struct nsb_loop l;
		setup_loop(&l, 10000, false);
		kill(getpid(), sig);
		assert_int_equal(run_sh(&l, "exec sleep 100"), 128 + sig);
	}
}

static void ignored_at_start_still_forwarded(void **state)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };
	sigaction(SIGINT, &ign, NULL);
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	kill(getpid(), SIGINT);
	assert_int_equal(run_sh(&l, "exec sleep 100"), 128 + SIGINT);
	sigaction(SIGINT, &dfl, NULL);
}

/* The child's script is ready: now send ourselves the signal to forward. */
static void send_usr1(struct nsb_loop *l, int fd, short revents, void *data)
{
	char buf[16];
	assert_true(read(fd, buf, sizeof buf) > 0);
	nsb_loop_unwatch(l, fd); /* the writers close it next */
	kill(getpid(), SIGUSR1);
}

/* The contents of DIR/NAME, "" when absent. */
static const char *slurp(const char *dir, const char *name)
{
	static char buf[256];
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static void group_forwarding(void **state)
{
	/* with --kill-group the grandchild in the child's group gets the signal too */
	char dir[] = "/tmp/nsb-loop.XXXXXX";
	assert_non_null(mkdtemp(dir));
	int p[2];
	assert_int_equal(pipe(p), 0); /* inherited by the child: not close-on-exec */
	char script[512];
	snprintf(script, sizeof script,
		 "exec %d<&-; trap 'echo child >> %s/log' USR1; "
		 "sh -c 'trap \"echo grandchild >> %s/log; exit 0\" USR1; echo r >&%d; "
		 "exec %d>&-; while :; do sleep 0.01; done' & exec %d>&-; wait; wait",
		 p[0], dir, dir, p[1], p[1], p[1]);
	struct nsb_loop l;
	setup_loop(&l, 10000, true);
	assert_int_equal(nsb_loop_watch(&l, p[0], POLLIN, send_usr1, NULL), 0);
	char *const argv[] = { "sh", "-c", script, NULL };
	assert_true(nsb_loop_spawn(&l, argv, NSB_CHILD_SESSION) > 0);
	close(p[1]);
	assert_int_equal(nsb_loop_run(&l), 0);
	nsb_loop_close(&l);
	close(p[0]);
	const char *log = slurp(dir, "log");
	assert_non_null(strstr(log, "child\n"));
	assert_non_null(strstr(log, "grandchild\n"));
	assert_int_equal(rm_tree(dir), 0);
}

static void leftovers_get_sigterm(void **state)
{
	/* the child leaves a TERM-handling grandchild behind; the grace is long, yet the
	 * loop ends as soon as it is gone */
	char dir[] = "/tmp/nsb-loop.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char script[512];
	snprintf(script, sizeof script,
		 "sh -c 'trap \"echo term > %s/t; exit 0\" TERM; echo > %s/r; "
		 "while :; do sleep 0.01; done' & "
		 "while ! test -e %s/r; do sleep 0.01; done; exit 3", dir, dir, dir);
	struct nsb_loop l;
	setup_loop(&l, 600000, false);
	assert_int_equal(run_sh(&l, script), 3);
	assert_string_equal(slurp(dir, "t"), "term\n");
	assert_int_equal(rm_tree(dir), 0);
}

static void leftovers_get_sigkill_after_grace(void **state)
{
	/* the leftover ignores SIGTERM (set before the child exits): only SIGKILL after the
	 * grace ends the loop; with a grace of 0 at once */
	static const long graces[] = { 100, 0 };
	for (size_t i = 0; i < 2; i++) {
		char dir[] = "/tmp/nsb-loop.XXXXXX";
		assert_non_null(mkdtemp(dir));
		char script[512];
		snprintf(script, sizeof script,
			 "sh -c 'trap \"\" TERM; echo > %s/r; exec sleep 1000' & "
			 "while ! test -e %s/r; do sleep 0.01; done; exit 4", dir, dir);
		struct nsb_loop l;
		setup_loop(&l, graces[i], false);
		assert_int_equal(run_sh(&l, script), 4);
		/* the leftover died of the SIGKILL and was reaped: no child is left (giving up
		 * after the kill wait would leave the sleep running) */
		errno = 0;
		assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
		assert_int_equal(errno, ECHILD);
		assert_int_equal(rm_tree(dir), 0);
	}
}

/* A leftover saw the shutdown's SIGTERM: send the second one, during the grace. */
static void second_term(struct nsb_loop *l, int fd, short revents, void *data)
{
	char buf[16];
	assert_true(read(fd, buf, sizeof buf) > 0);
	nsb_loop_unwatch(l, fd);
	assert_int_equal(l->phase, NSB_LOOP_GRACE);
	kill(getpid(), SIGTERM);
}

static void second_sigterm_kills_now(void **state)
{
	/* the grace is 100 s; the leftover ignores SIGTERM (saying so on the pipe) */
	char dir[] = "/tmp/nsb-loop.XXXXXX";
	assert_non_null(mkdtemp(dir));
	int p[2];
	assert_int_equal(pipe(p), 0);
	char script[512];
	snprintf(script, sizeof script,
		 "exec %d<&-; sh -c 'trap \"echo t >&%d\" TERM; echo > %s/r; "
		 "while :; do sleep 0.01; done' & exec %d>&-; "
		 "while ! test -e %s/r; do sleep 0.01; done; exit 6",
		 p[0], p[1], dir, p[1], dir);
	struct nsb_loop l;
	setup_loop(&l, 100 * 1000L, false);
	assert_int_equal(nsb_loop_watch(&l, p[0], POLLIN, second_term, NULL), 0);
	char *const argv[] = { "sh", "-c", script, NULL };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(nsb_loop_spawn(&l, argv, NSB_CHILD_SESSION) > 0);
	close(p[1]);
	assert_int_equal(nsb_loop_run(&l), 6);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nsb_loop_close(&l);
	close(p[0]);
	assert_int_equal(rm_tree(dir), 0);
	/* a guard, not a measure: without the second SIGTERM the loop waits the 100 s */
	assert_true(t1.tv_sec - t0.tv_sec < 90);
}

static int calls;
/* Counts calls, drains the pipe and asks for a shutdown. */
static void on_readable(struct nsb_loop *l, int fd, short revents, void *data)
{
	char buf[16];
	calls++;
	assert_int_equal(*(int *)data, 42);
	assert_true(revents & POLLIN);
	assert_true(read(fd, buf, sizeof buf) > 0);
	assert_true(nsb_loop_child(l) > 0);
	nsb_loop_shutdown(l);
}

static void watched_fd_callback(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	int data = 42;
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	calls = 0;
	assert_int_equal(nsb_loop_watch(&l, p[0], POLLIN, on_readable, &data), 0);
	assert_int_equal(run_sh(&l, "exec sleep 100"), 128 + SIGTERM);
	assert_int_equal(calls, 1);
	close(p[0]);
	close(p[1]);
}

/* Must never run. */
static void never(struct nsb_loop *l, int fd, short revents, void *data)
{
	fail_msg("callback of an unwatched fd");
}

static void watch_limits(void **state)
{
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	for (int i = 0; i < NSB_LOOP_MAX_WATCH; i++)
		assert_int_equal(nsb_loop_watch(&l, 100 + i, POLLIN, never, NULL), 0);
	assert_int_equal(nsb_loop_watch(&l, 200, POLLIN, never, NULL), -ENOSPC);
	for (int i = 0; i < NSB_LOOP_MAX_WATCH; i++)
		nsb_loop_unwatch(&l, 100 + i);
	assert_int_equal(l.n_watches, 0);
	/* an unwatched fd is not polled; a closed one is dropped, not spun on */
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(nsb_loop_watch(&l, p[0], POLLIN, never, NULL), 0);
	nsb_loop_unwatch(&l, p[0]);
	assert_int_equal(nsb_loop_watch(&l, 1000, POLLIN, never, NULL), 0); /* not open */
	assert_int_equal(run_sh(&l, "exit 9"), 9);
	close(p[0]);
	close(p[1]);
}

static void spawner_hangup_shuts_down(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	assert_int_equal(nsb_loop_sync_fd(&l), -1);
	nsb_loop_watch_sync(&l, sv[0]);
	assert_int_equal(nsb_loop_sync_fd(&l), sv[0]);
	close(sv[1]); /* the spawner is gone */
	assert_int_equal(run_sh(&l, "exec sleep 100"), 128 + SIGTERM);
	assert_int_equal(nsb_loop_sync_fd(&l), -1);
	close(sv[0]);
}

/* The spawner is gone and the command ignores SIGTERM: the deadline, not the 10 s grace,
 * ends it, and its status (SIGKILL) is still what the init reports. */
static void spawner_hangup_deadline_kills(void **state)
{
	int sv[2];
	char dir[] = "/tmp/nsb-loop.XXXXXX", armed[64], script[256];
	assert_non_null(mkdtemp(dir));
	snprintf(armed, sizeof armed, "%s/armed", dir);
	snprintf(script, sizeof script, "trap '' TERM; : >%s; exec sleep 100", armed);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	/* the "spawner" (holder of the other end) goes once the command ignores SIGTERM */
	pid_t holder = fork();
	assert_true(holder >= 0);
	if (holder == 0) {
		while (access(armed, F_OK) != 0)
			usleep(1000);
		_exit(0);
	}
	close(sv[1]);
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	nsb_loop_watch_sync(&l, sv[0]);
	assert_int_equal(run_sh(&l, script), 128 + SIGKILL);
	close(sv[0]);
	assert_int_equal(rm_tree(dir), 0);
}

static void spawner_message_is_not_a_hangup(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(write(sv[1], "X", 1), 1);
	struct nsb_loop l;
	setup_loop(&l, 10000, false);
	nsb_loop_watch_sync(&l, sv[0]);
	assert_int_equal(run_sh(&l, "sleep 0.2; exit 8"), 8);
	assert_int_equal(nsb_loop_sync_fd(&l), sv[0]);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	if (getpid() == 1) {
		fprintf(stderr, "test_init_loop: refusing to run as PID 1 (kill(-1))\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_codes),
		cmocka_unit_test(nothing_started),
		cmocka_unit_test(mask_is_restored),
		cmocka_unit_test(signal_before_spawn_is_forwarded),
		cmocka_unit_test(ignored_at_start_still_forwarded),
		cmocka_unit_test(group_forwarding),
		cmocka_unit_test(leftovers_get_sigterm),
		cmocka_unit_test(leftovers_get_sigkill_after_grace),
		cmocka_unit_test(second_sigterm_kills_now),
		cmocka_unit_test(watched_fd_callback),
		cmocka_unit_test(watch_limits),
		cmocka_unit_test(spawner_hangup_shuts_down),
		cmocka_unit_test(spawner_hangup_deadline_kills),
		cmocka_unit_test(spawner_message_is_not_a_hangup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
