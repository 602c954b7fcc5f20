/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Starting the boot command (init/child.c): fork, pipe, exec and wait failures through
 * -Wl,--wrap fakes, and the state the child has at exec time (looked at by the fake
 * execvp inside the real forked child). */
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
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "../../init/child.h"

pid_t __real_fork(void);
int __real_execvp(const char *file, char *const argv[]);
pid_t __real_waitpid(pid_t pid, int *st, int options);
int __real_pipe2(int fds[2], int flags);

/* What the fakes do: 0 = the real call. */
static int fork_errno, pipe_errno, exec_errno, waitpid_errno, waitpid_fail_times;
/* Instead of exec'ing, the fake execvp runs this check in the child and exits with it. */
static int (*exec_inspect)(void);

pid_t __wrap_fork(void)
{
	if (fork_errno) {
		errno = fork_errno;
		return -1;
	}
	return __real_fork();
}

int __wrap_pipe2(int fds[2], int flags)
{
	if (pipe_errno) {
		errno = pipe_errno;
		return -1;
	}
	return __real_pipe2(fds, flags);
}

int __wrap_execvp(const char *file, char *const argv[])
{
	if (exec_inspect)
		_exit(exec_inspect());
	if (exec_errno) {
		errno = exec_errno;
		return -1;
	}
	return __real_execvp(file, argv);
}

pid_t __wrap_waitpid(pid_t pid, int *st, int options)
{
	if (waitpid_fail_times > 0) {
		waitpid_fail_times--;
		errno = waitpid_errno;
		return -1;
	}
	return __real_waitpid(pid, st, options);
}

static int reset_fakes(void **state)
{
	fork_errno = pipe_errno = exec_errno = waitpid_errno = waitpid_fail_times = 0;
	exec_inspect = NULL;
	return 0;
}

/* The lowest free fd: equal before and after a call that leaks nothing. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);
	close(fd);
	return fd;
}

/* Waits for PID (the real waitpid) and returns its exit code, or 1000+signal. */
static int reap(pid_t pid)
{
	int st;
	assert_int_equal(__real_waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

static char *const sh_exit7[] = { "sh", "-c", "exit 7", NULL };

static void fork_failure(void **state)
{
	int before = lowest_free_fd();
	int err = -1;
	fork_errno = EAGAIN;
	assert_int_equal(nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err), -EAGAIN);
	assert_int_equal(lowest_free_fd(), before); /* the error pipe is closed */
	assert_int_equal(nsb_child_run(sh_exit7, NULL, 0), -EAGAIN);
}

static void pipe_failure(void **state)
{
	int err = -1;
	pipe_errno = EMFILE;
	assert_int_equal(nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err), -EMFILE);
}

static void exec_not_found(void **state)
{
	int before = lowest_free_fd();
	int err = -1;
	exec_errno = ENOENT;
	pid_t pid = nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_true(pid > 0);
	assert_int_equal(err, ENOENT);
	assert_int_equal(reap(pid), 127);
	assert_int_equal(lowest_free_fd(), before);
}

static void exec_not_executable(void **state)
{
	int err = -1;
	exec_errno = EACCES;
	pid_t pid = nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_true(pid > 0);
	assert_int_equal(err, EACCES);
	assert_int_equal(reap(pid), 126);
	/* through nsb_child_run: logged, and the status the init would report */
	assert_int_equal(nsb_child_run(sh_exit7, NULL, 0), 126);
	exec_errno = ENOENT;
	assert_int_equal(nsb_child_run(sh_exit7, NULL, 0), 127);
}

static void eacces_from_path_search_is_not_found(void **state)
{
	/* execvp reports EACCES when a $PATH directory was not searchable: the command is
	 * "not found" unless a file of that name exists somewhere in $PATH */
	int err = -1;
	exec_errno = EACCES;
	char *const nowhere[] = { "nsb-no-such-command-anywhere", NULL };
	pid_t pid = nsb_child_start(nowhere, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_int_equal(err, ENOENT);
	assert_int_equal(reap(pid), 127);
	/* "sh" is in $PATH: EACCES stands */
	pid = nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_int_equal(err, EACCES);
	assert_int_equal(reap(pid), 126);
	/* a path is not searched for */
	char *const path[] = { "/nonexistent/x", NULL };
	pid = nsb_child_start(path, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_int_equal(err, EACCES);
	assert_int_equal(reap(pid), 126);
}

static void exec_for_real(void **state)
{
	int before = lowest_free_fd();
	int err = -1;
	pid_t pid = nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_true(pid > 0);
	assert_int_equal(err, 0);
	assert_int_equal(reap(pid), 7);
	assert_int_equal(lowest_free_fd(), before);
	/* real exec errors, from the kernel */
	char *const missing[] = { "/nonexistent/nsb-command", NULL };
	pid = nsb_child_start(missing, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_int_equal(err, ENOENT);
	assert_int_equal(reap(pid), 127);
	char *const not_exec[] = { "/etc/passwd", NULL };
	pid = nsb_child_start(not_exec, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_int_equal(err, EACCES);
	assert_int_equal(reap(pid), 126);
	char *const killed[] = { "sh", "-c", "kill -USR1 $$", NULL };
	assert_int_equal(nsb_child_run(killed, NULL, 0), 128 + SIGUSR1);
}

static void waitpid_interrupted_is_retried(void **state)
{
	waitpid_errno = EINTR;
	waitpid_fail_times = 3;
	assert_int_equal(nsb_child_run(sh_exit7, NULL, 0), 7);
	assert_int_equal(waitpid_fail_times, 0);
}

static void waitpid_failure(void **state)
{
	waitpid_errno = ECHILD;
	waitpid_fail_times = 1;
	char *const sleeper[] = { "sh", "-c", "exec sleep 0.1", NULL };
	assert_int_equal(nsb_child_run(sleeper, NULL, 0), -ECHILD);
	/* the child is still ours: reap it here */
	int st;
	assert_true(__real_waitpid(-1, &st, 0) > 0);
}

static void kept_fds_survive_exec(void **state)
{
	int p[2];
	assert_int_equal(__real_pipe2(p, O_CLOEXEC), 0);
	int other = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char script[128];
	/* the kept fd is written to; the other close-on-exec fd is gone */
	snprintf(script, sizeof script, "echo kept >&%d && ! test -e /proc/self/fd/%d", p[1], other);
	char *const argv[] = { "sh", "-c", script, NULL };
	int keep[] = { p[1], -1 };
	assert_int_equal(nsb_child_run(argv, keep, 2), 0);
	close(p[1]);
	char buf[16] = { 0 };
	assert_int_equal(read(p[0], buf, sizeof buf - 1), 5);
	assert_string_equal(buf, "kept\n");
	close(p[0]);
	/* the parent's fd keeps its close-on-exec flag */
	assert_int_equal(fcntl(other, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(other);
}

/* In the child at exec: 0 when /proc/self/status shows no blocked and no ignored signal. */
static int signals_are_clean(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int clean = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (strcmp(line, "SigBlk:\t0000000000000000\n") == 0 ||
		    strcmp(line, "SigIgn:\t0000000000000000\n") == 0)
			clean++;
	}
	return clean == 2 ? 0 : 1;
}

static void child_signal_state_is_clean(void **state)
{
	/* what a parent may hand down: ignored signals (the C libraries' reserved ones
	 * included, through the raw system call) and a full mask */
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGRTMIN + 2, &ign, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	exec_inspect = signals_are_clean;
	int err = -1;
	pid_t pid = nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGQUIT, &dfl, NULL);
	sigaction(SIGRTMIN + 2, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	assert_true(pid > 0);
	assert_int_equal(reap(pid), 0);
	/* and the check does see a dirty state */
	sigaction(SIGQUIT, &ign, NULL);
	pid = __real_fork();
	if (pid == 0)
		_exit(signals_are_clean());
	sigaction(SIGQUIT, &dfl, NULL);
	assert_int_equal(reap(pid), 1);
}

/* In the child at exec: 0 when it leads a session of its own. */
static int own_session(void)
{
	return getsid(0) == getpid() && getpgrp() == getpid() ? 0 : 1;
}

static pid_t parent_pgrp;
/* In the child at exec: 0 when it is still in the parent's group. */
static int inherited_group(void)
{
	return getpgrp() == parent_pgrp && getsid(0) != getpid() ? 0 : 1;
}

static void session_and_group(void **state)
{
	int err;
	exec_inspect = own_session;
	pid_t pid = nsb_child_start(sh_exit7, NSB_CHILD_SESSION, NULL, 0, &err);
	assert_int_equal(reap(pid), 0);
	parent_pgrp = getpgrp();
	exec_inspect = inherited_group;
	pid = nsb_child_start(sh_exit7, NSB_CHILD_INHERIT, NULL, 0, &err);
	assert_int_equal(reap(pid), 0);
}

static void tty_mode_without_a_terminal(void **state)
{
	int p[2];
	assert_int_equal(__real_pipe2(p, 0), 0);
	assert_int_equal(nsb_child_tty_mode(p[0]), NSB_CHILD_SESSION);
	close(p[0]);
	close(p[1]);
	int fd = open("/dev/null", O_RDONLY);
	assert_int_equal(nsb_child_tty_mode(fd), NSB_CHILD_SESSION);
	close(fd);
	assert_int_equal(nsb_child_tty_mode(-1), NSB_CHILD_SESSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(fork_failure, reset_fakes),
		cmocka_unit_test_setup(pipe_failure, reset_fakes),
		cmocka_unit_test_setup(exec_not_found, reset_fakes),
		cmocka_unit_test_setup(exec_not_executable, reset_fakes),
		cmocka_unit_test_setup(eacces_from_path_search_is_not_found, reset_fakes),
		cmocka_unit_test_setup(exec_for_real, reset_fakes),
		cmocka_unit_test_setup(waitpid_interrupted_is_retried, reset_fakes),
		cmocka_unit_test_setup(waitpid_failure, reset_fakes),
		cmocka_unit_test_setup(kept_fds_survive_exec, reset_fakes),
		cmocka_unit_test_setup(child_signal_state_is_clean, reset_fakes),
		cmocka_unit_test_setup(session_and_group, reset_fakes),
		cmocka_unit_test_setup(tty_mode_without_a_terminal, reset_fakes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
