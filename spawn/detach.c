/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner's side of machines (spawn/verbs.h): its registry entry, --detach, and a
 * detached machine's console log. */
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "machine.h"

/* How long the parent of a detached spawner reads its last lines once the outcome is
 * known. */
#define NSB_DETACH_DRAIN_MS 1000

/* The spawner's own entry (one per process). */
static struct nsb_machine machine = { .base = -1 };
/* A detached spawner: the pipe on which it tells its parent it is ready, else -1. */
static int ready_fd = -1;
static bool detached;

const char *nsb_machine_name(const struct spawner *s)
{
	return machine.base >= 0 ? machine.info.name : "";
}

void nsb_machine_child_close(void)
{
	int *fds[] = { &machine.lock, &machine.status_fd, &machine.dir, &ready_fd };
	/* the entry's fds are set once it is registered (0 before) */
	for (size_t i = machine.base >= 0 ? 0 : 3; i < sizeof fds / sizeof fds[0]; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

/* The parent of a detached spawner: copies its stderr to ours until it is ready or has
 * failed; a stop request meanwhile is passed on to it. */
static noreturn void wait_detached(pid_t child, int status_rd, int err_rd)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	int child_fd = (int)syscall(SYS_pidfd_open, child, 0);
	bool ready = false, status_open = true, err_open = true;
	long long drain_until = 0;
	while (status_open || err_open) {
		struct pollfd p[4] = { { .fd = status_open ? status_rd : -1, .events = POLLIN },
				       { .fd = err_open ? err_rd : -1, .events = POLLIN },
				       { .fd = sfd, .events = POLLIN },
				       { .fd = status_open ? child_fd : -1, .events = POLLIN } };
		/* once the outcome is known, the reason's last lines are awaited a little:
		 * a process stuck in the kernel may hold the pipe open for ever */
		int timeout = drain_until ? (int)(drain_until - nsb_now_ms()) : -1;
		if (drain_until && timeout <= 0)
			break;
		if (poll(p, 4, timeout) < 0)
			continue;
		if (p[3].revents && !p[0].revents)
			status_open = false; /* the child is gone without a word */
		char buf[4096];
		ssize_t n;
		if (p[0].revents) {
			n = read(status_rd, buf, 1);
			if (n == 1 && buf[0] == 'R')
				ready = true;
			status_open = false;
		}
		if (p[1].revents) {
			n = read(err_rd, buf, sizeof buf);
			if (n > 0)
				(void)!write(STDERR_FILENO, buf, (size_t)n);
			else
				err_open = false;
		}
		struct signalfd_siginfo si;
		if (p[2].revents && read(sfd, &si, sizeof si) == sizeof si)
			kill(child, SIGTERM);
		if (!status_open && !drain_until)
			drain_until = nsb_now_ms() + NSB_DETACH_DRAIN_MS;
	}
	/* a child that failed before it was ready is reaped; a ready one is on its own */
	if (!ready)
		waitpid(child, NULL, 0);
	_exit(ready ? 0 : 125);
}

void nsb_detach_fork(void)
{
	int st[2], er[2];
	if (pipe2(st, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0)
		nsb_die(125, "--detach: pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		nsb_die(125, "--detach: fork: %s", strerror(errno));
	if (pid > 0) {
		close(st[1]);
		close(er[1]);
		wait_detached(pid, st[0], er[0]);
	}
	close(st[0]);
	close(er[0]);
	/* no terminal: a session of its own; stdout goes to the log once there is one */
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(er[1], STDERR_FILENO) < 0)
		nsb_die(125, "--detach: /dev/null: %s", strerror(errno));
	close(null);
	close(er[1]);
	ready_fd = st[1];
	detached = true;
}

/* Opens (a new) console.log of the entry as fd TO. */
static int open_log(int to)
{
	int fd = openat(machine.dir, "console.log",
			O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fd != to) {
		if (dup2(fd, to) < 0)
			return close(fd), -errno;
		close(fd);
	}
	return 0;
}

void nsb_machine_start(struct spawner *s)
{
	struct nsb_machine_info info = { .grace_ms = s->c.grace_ms };
	char err[1024];
	if (s->c.tree) {
		char *real = realpath(s->c.tree, NULL);
		snprintf(info.tree, sizeof info.tree, "%s", real ? real : s->c.tree);
		free(real);
		for (char *p = info.tree; *p; p++)
			if (*p == '\n')
				*p = '?';
	}
	snprintf(info.mapping, sizeof info.mapping, "%s", nsb_users_mode_name(s->users.mode));
	if (s->cg.dirfd >= 0 && !strchr(s->cg.path, '\n') && strlen(s->cg.path) < sizeof info.cgroup)
		memcpy(info.cgroup, s->cg.path, strlen(s->cg.path) + 1);
	int r = nsb_machine_register(&machine, s->c.machine, &info, s->envp, err, sizeof err);
	/* a registry someone else spoilt (another user's /tmp/nsboot-UID) must not keep a
	 * plain run from starting: only a name or --detach needs one */
	if (r < 0 && r != -EBUSY && !s->c.machine && !detached) {
		log_warn("%s: the container runs without a machine name", err);
		return;
	}
	if (r < 0)
		nsb_die(125, "%s", err);
	log_debug("machine: %s", machine.info.name);
	if (!detached)
		return;
	int e = open_log(STDOUT_FILENO);
	if (e < 0)
		nsb_die(125, "machine %s: console.log: %s", machine.info.name, strerror(-e));
	/* the log gets "\n" line ends, not the terminal's "\r\n" */
	struct termios t;
	if (s->con.slave >= 0 && tcgetattr(s->con.slave, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)ONLCR;
		(void)tcsetattr(s->con.slave, TCSANOW, &t);
	}
}

void nsb_machine_state(struct spawner *s, int state)
{
	if (machine.base < 0 || (int)machine.info.state == state)
		return;
	machine.info.state = (enum nsb_machine_state)state;
	nsb_machine_update(&machine);
	bool ready = state == NSB_MACHINE_BOOTED ||
		     (state == NSB_MACHINE_RUNNING && !s->c.wait_booted);
	if (ready && ready_fd >= 0) {
		/* from now on nsboot's own lines go to the log as well */
		if (open_log(STDERR_FILENO) < 0)
			(void)dup2(STDOUT_FILENO, STDERR_FILENO);
		(void)!write(ready_fd, "R", 1);
		close(ready_fd);
		ready_fd = -1;
	}
}

void nsb_machine_pid(struct spawner *s)
{
	if (machine.base < 0)
		return;
	machine.info.pid = s->pid;
	machine.info.pid_start = nsb_proc_start_time(s->pid);
	nsb_machine_update(&machine);
}

void nsb_machine_log_check(struct spawner *s)
{
	struct stat st;
	if (!detached || machine.base < 0 || fstat(STDOUT_FILENO, &st) < 0 ||
	    st.st_size < NSB_MACHINE_LOG_MAX)
		return;
	if (renameat(machine.dir, "console.log", machine.dir, "console.log.old") < 0)
		return;
	if (open_log(STDOUT_FILENO) == 0 && ready_fd < 0)
		(void)dup2(STDOUT_FILENO, STDERR_FILENO);
}
