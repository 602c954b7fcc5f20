/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <signal.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "signals.h"
#include "status.h"


/* The search path execvp(3) uses when $PATH is unset. */
#define NSB_EXEC_DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

/* Foreground when FD is our controlling terminal and a 0-byte read is not refused. */
enum nsb_child_mode nsb_child_tty_mode(int fd)
{
	if (!isatty(fd))
		return NSB_CHILD_SESSION;
	/* tcgetpgrp fails with ENOTTY unless FD is our controlling terminal. */
	if (tcgetpgrp(fd) < 0)
		return NSB_CHILD_SESSION;
	/* Comparing tcgetpgrp() with getpgrp() fails as PID 1 of a new pid namespace: both
	 * groups live outside it and read as 0. The terminal driver knows: a read from a
	 * background group with SIGTTIN blocked fails with EIO before looking at the size,
	 * while the foreground's empty read returns 0. */
	char c;
	ssize_t n = read(fd, &c, 0);
	if (n == 0)
		return NSB_CHILD_FOREGROUND;
	if (errno == EIO)
		return NSB_CHILD_SESSION;
	/* Not readable (a write-only terminal): fall back to the visible ids. */
	pid_t fg = tcgetpgrp(fd);
	return fg > 0 && fg == getpgrp() ? NSB_CHILD_FOREGROUND : NSB_CHILD_SESSION;
}

/* Every signal back to SIG_DFL and nothing blocked, as exec expects to find it. */
void nsb_child_reset_signals(void)
{
	/* The raw system call: the C libraries refuse the signals they reserve (32-34), which
	 * an ignoring parent could still have passed down. SIG_DFL is 0 and a zeroed kernel
	 * sigaction is valid on every architecture; the buffer is larger than any of them. */
	unsigned long ksa[16] = { 0 };
	for (int sig = 1; sig < NSB_NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, ksa, NULL, (size_t)(NSB_NSIG - 1) / 8);
	sigset_t none;
	sigemptyset(&none);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, (size_t)(NSB_NSIG - 1) / 8);
}

/* In the forked child: group or session, kept fds, clean signals, exec; never returns. */
static noreturn void exec_child(char *const argv[], enum nsb_child_mode mode, const int *keep,
				size_t n_keep, int errfd)
{
	switch (mode) {
	case NSB_CHILD_FOREGROUND:
		/* Still with every signal blocked, so tcsetpgrp raises no SIGTTOU. Failure leaves
		 * the command in the background of the terminal, which it notices itself. */
		if (setpgid(0, 0) == 0)
			(void)tcsetpgrp(STDIN_FILENO, getpid());
		break;
	case NSB_CHILD_SESSION:
		(void)setsid();
		break;
	case NSB_CHILD_INHERIT:
		break;
	}
	for (size_t i = 0; i < n_keep; i++)
		if (keep[i] >= 0)
			(void)fcntl(keep[i], F_SETFD, 0);
	nsb_child_reset_signals();
	execvp(argv[0], argv);
	int e = errno;
	const char *path = getenv("PATH");
	/* execvp says EACCES when a directory of $PATH was not searchable, even though the
	 * command is nowhere: that is "not found" (127), as shells say. */
	if (e == EACCES && !strchr(argv[0], '/') && !nsb_in_path(argv[0], path ? path : NSB_EXEC_DEFAULT_PATH, F_OK))
		e = ENOENT;
	ssize_t w = write(errfd, &e, sizeof e);
	(void)w;
	_exit(nsb_exec_failure_status(e));
}

/* Forks and execs ARGV; the parent learns exec's errno through a close-on-exec pipe. */
pid_t nsb_child_start(char *const argv[], enum nsb_child_mode mode, const int *keep,
		      size_t n_keep, int *exec_err)
{
	int p[2];
	*exec_err = 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid == 0) {
		close(p[0]);
		exec_child(argv, mode, keep, n_keep, p[1]);
	}
	close(p[1]);
	/* EOF: exec succeeded (the pipe closed with it) or the child died before. */
	int e = 0;
	ssize_t n;
	do
		n = read(p[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == (ssize_t)sizeof e)
		*exec_err = e;
	return pid;
}

/* Starts ARGV in our group and waits for exactly that child. */
int nsb_child_run(char *const argv[], const int *keep, size_t n_keep)
{
	int exec_err;
	pid_t pid = nsb_child_start(argv, NSB_CHILD_INHERIT, keep, n_keep, &exec_err);
	if (pid < 0)
		return log_errno((int)pid, "fork for %s", argv[0]);
	if (exec_err)
		log_error("exec %s: %s", argv[0], strerror(exec_err));
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return log_errno(-errno, "waitpid %s", argv[0]);
	return nsb_exit_status(st);
}
