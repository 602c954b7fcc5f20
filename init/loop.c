/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "paths.h"
#include "proctree.h"
#include "status.h"

#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif

/* Processes a /proc walk can hold (12 bytes each; pages are touched only as filled). */
#define NSB_PROC_TABLE 65536
/* How long the last reap may take after SIGKILL before the init gives up on a process
 * stuck in the kernel (uninterruptible sleep) and exits anyway. */
#define NSB_KILL_WAIT_MS 2000
/* How often, as PID 1, to look for processes that are not our children (entered with
 * nsenter) once ours are gone: they end without SIGCHLD telling us. */
#define NSB_FOREIGN_POLL_MS 50
/* With the spawner gone the container must not outlive it by more than this (ms): the
 * boot command gets SIGTERM at once and everything SIGKILL at the end of it, whatever
 * --grace says (a killed nsboot means the whole container dies within a second). */
#define NSB_ORPHAN_DEADLINE_MS 500
/* How often to look whether the command catches a stop request held for it. */
#define NSB_HOLD_POLL_MS 5

/* SIGKILL rounds over /proc in subreaper mode (a process may fork during one). */
#define NSB_KILL_ROUNDS 20

/* The /proc walk's table: static so the idle init never touches it. */
static struct nsb_proc proc_table[NSB_PROC_TABLE];

/* A short name for the log ("SIGTERM"), or NULL for the ones we do not forward. */
static const char *signame(int sig)
{
	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGTERM: return "SIGTERM";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	case SIGWINCH: return "SIGWINCH";
	case SIGCONT: return "SIGCONT";
	case SIGKILL: return "SIGKILL";
	case SIGCHLD: return "SIGCHLD";
	default: return "signal";
	}
}

/* Blocks every signal but the synchronous faults; opens the signalfd; subreaper if not PID 1. */
int nsb_loop_init(struct nsb_loop *l, const struct nsb_config *c, struct nsb_error *err)
{
	memset(l, 0, sizeof *l);
	l->kill_group = c->kill_group;
	l->grace_ms = c->grace_ms;
	l->pid1 = getpid() == 1;
	l->sigfd = -1;
	l->sync_fd = -1;
	l->status = NSB_EXIT_FAILURE;
	l->phase = NSB_LOOP_RUNNING;

	/* Faults stay deliverable so that a bug still ends in a core, not a hang. */
	sigset_t block;
	sigfillset(&block);
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT };
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
		sigdelset(&block, faults[i]);
	if (sigprocmask(SIG_SETMASK, &block, &l->saved_mask) < 0)
		return nsb_error_set(err, -errno, NSB_PHASE_INIT, "sigprocmask: %s", strerror(errno));

	/* A SIGCHLD inherited as ignored would make the kernel reap for us and hide the
	 * command's status; the others are read from the signalfd whatever their action. */
	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	for (size_t i = 0; i < nsb_n_forwarded_signals; i++)
		sigaddset(&handled, nsb_forwarded_signals[i]);
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < NSB_NSIG; sig++)
		if (sigismember(&handled, sig) == 1)
			(void)sigaction(sig, &dfl, NULL);

	l->sigfd = signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &l->saved_mask, NULL);
		return nsb_error_set(err, -e, NSB_PHASE_INIT, "signalfd: %s", strerror(e));
	}
	/* Orphans of our descendants come to us rather than to the real PID 1. */
	if (!l->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		log_warn_errno(-errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	return 0;
}

/* Adds FD to the watched set. */
int nsb_loop_watch(struct nsb_loop *l, int fd, short events, nsb_watch_fn fn, void *data)
{
	if (l->n_watches == NSB_LOOP_MAX_WATCH)
		return -ENOSPC;
	l->watches[l->n_watches++] = (struct nsb_watch){ fd, events, fn, data };
	return 0;
}

/* Removes FD from the watched set, keeping the order of the others. */
void nsb_loop_unwatch(struct nsb_loop *l, int fd)
{
	for (size_t i = 0; i < l->n_watches; i++) {
		if (l->watches[i].fd == fd) {
			memmove(&l->watches[i], &l->watches[i + 1],
				(l->n_watches - i - 1) * sizeof l->watches[0]);
			l->n_watches--;
			return;
		}
	}
}

/* Watches the spawner channel for its hang-up. */
int nsb_loop_watch_sync(struct nsb_loop *l, int fd)
{
	l->sync_fd = fd;
	return 0;
}

/* The spawner channel while watched. */
int nsb_loop_sync_fd(const struct nsb_loop *l)
{
	return l->sync_fd;
}

/* The command's pid while it runs. */
pid_t nsb_loop_child(const struct nsb_loop *l)
{
	return l->phase == NSB_LOOP_RUNNING ? l->child : 0;
}

/* Starts the command. */
pid_t nsb_loop_spawn(struct nsb_loop *l, char *const argv[], enum nsb_child_mode mode)
{
	int exec_err;
	pid_t pid = nsb_child_start(argv, mode, NULL, 0, &exec_err);
	if (pid < 0)
		return log_errno((int)pid, "fork for %s", argv[0]);
	if (exec_err)
		log_error("exec %s: %s", argv[0], strerror(exec_err));
	else
		log_debug("started %s as %d", argv[0], (int)pid);
	l->child = pid;
	l->children = true;
	l->phase = NSB_LOOP_RUNNING;
	return pid;
}

/* Sends SIG to the command, or to its process group with --kill-group. */
static void forward(struct nsb_loop *l, int sig)
{
	pid_t target = l->kill_group ? -l->child : l->child;
	log_debug("forwarding %s to %s%d", signame(sig), l->kill_group ? "group " : "",
		  (int)l->child);
	if (kill(target, sig) < 0 && errno != ESRCH)
		log_warn_errno(-errno, "kill %d with %s", (int)target, signame(sig));
}

/* True when /proc is the proc of our own pid namespace (its "self" is our pid). */
static bool proc_is_ours(int procfd)
{
	char link[32], want[32];
	ssize_t n = readlinkat(procfd, "self", link, sizeof link - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	snprintf(want, sizeof want, "%d", (int)getpid());
	return strcmp(link, want) == 0;
}

/* Sends SIG to every live descendant once; returns how many were signalled, -1 when
 * /proc cannot tell. */
static int signal_descendants_once(int procfd, int sig)
{
	ssize_t n = nsb_proc_read(procfd, proc_table, NSB_PROC_TABLE);
	if (n < 0) {
		log_warn_errno((int)n, "read /proc");
		return -1;
	}
	if ((size_t)n == NSB_PROC_TABLE)
		log_warn("more than %d processes: some descendants may be missed", NSB_PROC_TABLE);
	size_t k = nsb_proc_descendants(proc_table, (size_t)n, getpid());
	int count = 0;
	for (size_t i = 0; i < k; i++) {
		int r = nsb_proc_signal(procfd, &proc_table[i], sig);
		if (r == 0)
			count++;
		else if (r != -ESRCH)
			log_warn_errno(r, "kill %d with %s", (int)proc_table[i].pid,
				  signame(sig));
	}
	return count;
}

/* Subreaper mode: SIG to our descendants only, found by their ppid chains in /proc. */
static void signal_descendants(int sig)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		log_warn_errno(-errno, "open /proc: cannot find the processes left to %s",
			  signame(sig));
		return;
	}
	if (!proc_is_ours(procfd)) {
		/* Its pids are another namespace's: signalling them could hit strangers. */
		log_warn("/proc is not of this pid namespace: cannot find the processes left");
		close(procfd);
		return;
	}
	/* One SIGTERM round; SIGKILL until nobody is left to kill, since a process may fork
	 * between our reading /proc and the signal. */
	int rounds = sig == SIGKILL ? NSB_KILL_ROUNDS : 1;
	for (int r = 0; r < rounds; r++) {
		int n = signal_descendants_once(procfd, sig);
		if (n > 0)
			log_debug("sent %s to %d descendants", signame(sig), n);
		if (n <= 0)
			break;
	}
	close(procfd);
}

/* SIG to every process left: kill(-1) as PID 1, the descendants otherwise. */
static void signal_all(struct nsb_loop *l, int sig)
{
	if (!l->pid1) {
		signal_descendants(sig);
		return;
	}
	log_debug("sending %s to every process", signame(sig));
	if (kill(-1, sig) < 0 && errno != ESRCH)
		log_warn_errno(-errno, "kill -1 with %s", signame(sig));
}

/* Enters a shutdown phase and notes when it began. */
static void set_phase(struct nsb_loop *l, enum nsb_loop_phase phase)
{
	l->phase = phase;
	l->phase_start_ms = nsb_now_ms();
}

/* SIGKILL to everything left, now. */
static void kill_now(struct nsb_loop *l)
{
	signal_all(l, SIGKILL);
	set_phase(l, NSB_LOOP_KILLED);
}

/* The command was reaped with wait status ST: keep its status, SIGTERM the rest. */
static void child_exited(struct nsb_loop *l, int st)
{
	l->status = nsb_exit_status(st);
	log_debug("%d exited, status %d", (int)l->child, l->status);
	l->child = 0;
	if (l->phase == NSB_LOOP_KILLED)
		return; /* the spawner's deadline already killed everything */
	set_phase(l, NSB_LOOP_GRACE); /* the grace counts from the reap */
	if (l->grace_ms == 0) {
		kill_now(l);
		return;
	}
	signal_all(l, SIGTERM);
	/* A stopped process handles SIGTERM only once continued. */
	signal_all(l, SIGCONT);
}

/* Reaps every child that has exited; notes whether any child is left. */
static void reap(struct nsb_loop *l)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid > 0) {
			if (pid == l->child && l->child > 0)
				child_exited(l, st); /* also after a deadline's SIGKILL */
			continue;
		}
		if (pid == 0) {
			l->children = true;
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != ECHILD)
			log_warn_errno(-errno, "waitpid");
		l->children = false;
		return;
	}
}

/* True when some process is still there to wait for during the grace. */
static bool anyone_left(const struct nsb_loop *l)
{
	if (l->children)
		return true;
	/* As PID 1 a process that joined with nsenter is not our child but still ours to
	 * end; kill(-1, 0) finds every process of the namespace but us (and needs no /proc).
	 * As a subreaper every descendant has a child of ours as an ancestor. */
	return l->pid1 && (kill(-1, 0) == 0 || errno != ESRCH);
}

/* Begins an orderly shutdown: SIGTERM to the command. */
void nsb_loop_shutdown(struct nsb_loop *l)
{
	if (l->phase == NSB_LOOP_RUNNING && l->child > 0)
		forward(l, SIGTERM);
}

/* True when process PID catches SIG (its SigCgt in /proc), or when /proc cannot tell. */
static bool catches(pid_t pid, int sig)
{
	char path[40], buf[2048];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (nsb_read_small(AT_FDCWD, path, buf, sizeof buf) <= 0)
		return true;
	const char *c = strstr(buf, "\nSigCgt:");
	if (!c)
		return true;
	/* SigCgt is 16 hex digits, the highest signal first: SIG's bit is in digit
	 * 15 - (SIG - 1) / 4 */
	c += 8;
	while (*c == ' ' || *c == '\t')
		c++;
	int k = 15 - (sig - 1) / 4;
	if (strnlen(c, 16) < 16)
		return true;
	char d = c[k];
	int v = d >= '0' && d <= '9' ? d - '0' : d >= 'a' && d <= 'f' ? d - 'a' + 10 : 0;
	return (v >> ((sig - 1) % 4)) & 1;
}

/* Forwards the held stop requests once the command catches them, or once it has had
 * the grace to set its handler; the poll timeout until the next look (-1: none held). */
static int release_held(struct nsb_loop *l)
{
	if (!l->held)
		return -1;
	bool late = nsb_now_ms() - l->held_since_ms >= l->grace_ms;
	for (int sig = 1; sig < 32; sig++) {
		if (!(l->held & (1u << sig)) || (!late && !catches(l->child, sig)))
			continue;
		l->held &= ~(1u << sig);
		forward(l, sig);
	}
	return l->held ? NSB_HOLD_POLL_MS : -1;
}

/* One signal read from the signalfd. */
static void on_signal(struct nsb_loop *l, int sig)
{
	if (sig == SIGCHLD)
		return; /* reaped at the top of the loop */
	switch (l->phase) {
	case NSB_LOOP_RUNNING:
		/* a preset's stop request waits until its script has its handler: the tree's
		 * shutdown runs instead of the script dying of the signal */
		if (l->hold_stop && (sig == SIGTERM || sig == SIGINT) && !catches(l->child, sig)) {
			if (!l->held)
				l->held_since_ms = nsb_now_ms();
			l->held |= 1u << sig;
			log_debug("holding %s until %d catches it", signame(sig), (int)l->child);
			break;
		}
		forward(l, sig);
		break;
	case NSB_LOOP_GRACE:
		if (sig == SIGTERM || sig == SIGINT) {
			log_debug("%s during the grace: killing now", signame(sig));
			kill_now(l);
		}
		break;
	default:
		break;
	}
}

/* Reads every pending signal from the signalfd. */
static void drain_signals(struct nsb_loop *l)
{
	struct signalfd_siginfo si[8];
	for (;;) {
		ssize_t n = read(l->sigfd, si, sizeof si);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn_errno(-errno, "read signalfd");
			if (errno != EINTR)
				return;
			continue;
		}
		for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++)
			on_signal(l, (int)si[i].ssi_signo);
		if ((size_t)n < sizeof si)
			return;
	}
}

/* The spawner's channel woke us: a hang-up means the spawner is gone. */
static void on_sync(struct nsb_loop *l, short revents)
{
	bool gone = revents & (POLLHUP | POLLERR | POLLNVAL);
	if (!gone && (revents & POLLIN)) {
		char buf[64];
		ssize_t n = recv(l->sync_fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			gone = true;
		else if (n > 0)
			log_debug("ignoring a message from the spawner after READY");
	}
	if (gone) {
		log_info("the spawner is gone: shutting down");
		l->sync_fd = -1;
		l->deadline_ms = nsb_now_ms() + NSB_ORPHAN_DEADLINE_MS;
		nsb_loop_shutdown(l);
	}
}

/* The poll timeout for the current phase (ms, -1 for none); may move to the next phase. */
static int phase_timeout(struct nsb_loop *l)
{
	long long now = nsb_now_ms(), elapsed = now - l->phase_start_ms;
	long long left, deadline = LLONG_MAX;
	if (l->deadline_ms && (l->phase == NSB_LOOP_RUNNING || l->phase == NSB_LOOP_GRACE)) {
		deadline = l->deadline_ms - now;
		if (deadline <= 0) {
			log_debug("the spawner is gone and the deadline is over: killing what is left");
			kill_now(l);
			return 0;
		}
	}
	switch (l->phase) {
	case NSB_LOOP_RUNNING:
		left = release_held(l);
		if (left >= 0 && left < deadline)
			deadline = left;
		return deadline == LLONG_MAX ? -1 : (int)deadline;
	case NSB_LOOP_GRACE:
		if (!anyone_left(l)) {
			l->phase = NSB_LOOP_DONE;
			return 0;
		}
		left = l->grace_ms - elapsed;
		if (left <= 0) {
			log_debug("grace over: killing what is left");
			kill_now(l);
			return 0;
		}
		if (!l->children && left > NSB_FOREIGN_POLL_MS)
			left = NSB_FOREIGN_POLL_MS;
		if (left > deadline)
			left = deadline;
		return left > INT_MAX ? INT_MAX : (int)left;
	case NSB_LOOP_KILLED:
		if (!l->children) {
			l->phase = NSB_LOOP_DONE;
			return 0;
		}
		left = NSB_KILL_WAIT_MS - elapsed;
		if (left <= 0) {
			log_warn("processes left after SIGKILL did not die: exiting anyway");
			l->phase = NSB_LOOP_DONE;
			return 0;
		}
		return (int)left;
	case NSB_LOOP_DONE:
		break;
	}
	return 0;
}

/* The loop: reap, judge the phase, poll, dispatch. */
int nsb_loop_run(struct nsb_loop *l)
{
	if (l->child <= 0 && l->phase == NSB_LOOP_RUNNING)
		return NSB_EXIT_FAILURE; /* nothing was started */
	struct pollfd pfd[2 + NSB_LOOP_MAX_WATCH];
	struct nsb_watch snap[NSB_LOOP_MAX_WATCH];
	for (;;) {
		reap(l);
		int timeout = phase_timeout(l);
		if (l->phase == NSB_LOOP_DONE)
			return l->status;
		if (timeout == 0)
			continue;

		size_t n = 0;
		pfd[n++] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
		int sync_fd = l->sync_fd;
		if (sync_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = sync_fd, .events = POLLIN };
		size_t first_watch = n, n_snap = l->n_watches;
		memcpy(snap, l->watches, n_snap * sizeof snap[0]);
		for (size_t i = 0; i < n_snap; i++)
			pfd[n++] = (struct pollfd){ .fd = snap[i].fd, .events = snap[i].events };

		int r = poll(pfd, n, timeout);
		if (r < 0) {
			if (errno != EINTR) {
				log_warn_errno(-errno, "poll");
				/* Do not spin on a persistent error; the next round retries. */
				nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
			}
			continue;
		}
		if (r == 0)
			continue;
		if (pfd[0].revents)
			drain_signals(l);
		if (sync_fd >= 0 && pfd[1].revents && l->sync_fd == sync_fd)
			on_sync(l, pfd[1].revents);
		for (size_t i = 0; i < n_snap; i++) {
			short rev = pfd[first_watch + i].revents;
			if (!rev)
				continue;
			/* A callback may have removed this watch (or another one) meanwhile. */
			bool still = false;
			for (size_t j = 0; j < l->n_watches; j++)
				still = still || (l->watches[j].fd == snap[i].fd &&
						  l->watches[j].fn == snap[i].fn);
			if (!still)
				continue;
			if (rev & POLLNVAL) {
				log_warn("fd %d was closed while watched: no longer watching it",
					 snap[i].fd);
				nsb_loop_unwatch(l, snap[i].fd);
				continue;
			}
			snap[i].fn(l, snap[i].fd, rev, snap[i].data);
		}
	}
}

/* Closes the signalfd and restores the old mask. */
void nsb_loop_close(struct nsb_loop *l)
{
	if (l->sigfd >= 0)
		close(l->sigfd);
	l->sigfd = -1;
	sigprocmask(SIG_SETMASK, &l->saved_mask, NULL);
}
