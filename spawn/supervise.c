/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner's supervision of a running container (spawn/spawner.h): readiness, the
 * init's channel, relayed signals, stop requests and every deadline, until PID 1 exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "booted.h"
#include "console.h"
#include "machine.h"
#include "pidfile.h"
#include "spawner.h"
#include "users.h"
#include "verbs.h"

/* Reports readiness once: the nsenter hint, --pid-file, --ready-fd. */
static void announce(struct spawner *s)
{
	char cmd[128];
	int e;
	if (s->announced)
		return;
	s->announced = true;
	nsb_users_enter_cmd(&s->users, s->pid, cmd, sizeof cmd);
	log_info("container running as PID %d; enter it with: %s", (int)s->pid, cmd);
	if (*nsb_machine_name(s))
		log_info("or: nsboot shell %s", nsb_machine_name(s));
	if (s->c.pid_file) {
		if ((e = nsb_pidfile_write(s->c.pid_file, s->pid)) < 0)
			log_warn_errno(e, "--pid-file=%s", s->c.pid_file);
		else
			s->pid_file_written = true;
	}
	if ((e = nsb_sd_notify("READY=1")) < 0)
		log_warn_errno(e, "sd_notify to $NOTIFY_SOCKET");
	if (s->c.ready_fd >= 0) {
		char line[32];
		int n = snprintf(line, sizeof line, "%d\n", (int)s->pid);
		if (write(s->c.ready_fd, line, (size_t)n) != n)
			log_warn_errno(-errno, "--ready-fd=%d", s->c.ready_fd);
		close(s->c.ready_fd);
		s->c.ready_fd = -1;
	}
}

/* BOOTED: "booted in N ms", with the services that failed; with --fail-on-failed-services
 * and failures, the container is stopped instead of announced. */
static void booted(struct spawner *s, const char *failed)
{
	if (nsb_booted_report(nsb_now_ms() - s->t0_ms, failed) > 0 && s->c.fail_on_failed &&
	    !s->boot_failed) {
		log_error("--fail-on-failed-services: stopping the container");
		s->boot_failed = 1;
		return;
	}
	announce(s);
	nsb_machine_state(s, NSB_MACHINE_BOOTED);
}

/* How many records one read_channel() handles in the loop (the container can write to
 * the channel as fast as it likes: the loop's signals and deadlines come first), and how
 * many of the container's messages and complaints nsboot prints in all. */
#define NSB_CHAN_BATCH 32
#define NSB_CHAN_SAID 32
/* What is left on the channel once PID 1 is gone (its queue is bounded) is read this far. */
#define NSB_CHAN_DRAIN 4096

/* Whether the message number S->chan_said may still be printed (the last says so). */
static bool may_say(struct spawner *s)
{
	if (s->chan_said >= NSB_CHAN_SAID)
		return false;
	if (++s->chan_said == NSB_CHAN_SAID)
		log_warn("the init channel: further messages and malformed records not shown");
	return s->chan_said < NSB_CHAN_SAID;
}

/* Handles up to MAX records waiting on the channel; returns false once it hung up. */
static bool read_channel(struct spawner *s, int max)
{
	for (int i = 0; i < max; i++) {
		struct nsb_msg m;
		/* the container can write here (it can ptrace its PID 1): records only, never
		 * an fd, and nothing said here ends the supervision by itself */
		int r = nsb_msg_recv_nofds(s->chan[0], &m);
		if (r == -EAGAIN)
			return true;
		if (r == -EPIPE)
			return false;
		if (r < 0) {
			if (r != -EBADMSG || may_say(s))
				log_warn("the init channel: %s",
					 r == -EBADMSG ? "malformed record" : strerror(-r));
			if (r != -EBADMSG)
				return false;
			continue;
		}
		switch (m.type) {
		case NSB_MSG_READY:
			s->ready = true;
			if (!s->c.wait_booted)
				announce(s);
			nsb_machine_state(s, NSB_MACHINE_RUNNING);
			break;
		case NSB_MSG_BOOTED:
			s->ready = true;
			booted(s, m.text);
			break;
		case NSB_MSG_EXIT:
			s->exit_status_known = true;
			s->exit_status = W_EXITCODE(atoi(m.text), 0);
			break;
		case NSB_MSG_ERROR:
			s->got_error = true;
			if (may_say(s))
				log_error("%s: %s", m.phase, m.text);
			break;
		default:
			if (may_say(s))
				log_warn("the init channel: unexpected record '%c'", (char)m.type);
			break;
		}
	}
	return true;
}

/* How long nsboot waits at its end for a builder that was killed: one stuck in the
 * kernel (a mount on a file system that never answers) is left to its parent-death
 * signal. */
#define NSB_BUILDER_WAIT_MS 1000

/* Reaps the builder once it has exited (BLOCK: waits for it, a second at most). */
void nsb_reap_builder(struct spawner *s, bool block)
{
	long long until = nsb_now_ms() + NSB_BUILDER_WAIT_MS;
	while (s->builder > 0) {
		int st;
		pid_t r = waitpid(s->builder, &st, WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0) {
			if (r > 0 && WIFSIGNALED(st) && !s->ready && !s->builder_killed)
				log_error("the builder was killed by signal %d", WTERMSIG(st));
			s->builder = 0;
			return;
		}
		if (!block)
			return;
		if (nsb_now_ms() >= until) {
			log_warn("the builder (PID %d) is stuck in the kernel: not waiting for it",
				 (int)s->builder);
			s->builder = 0;
			return;
		}
		struct timespec ms = { 0, 10 * 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
}

/* True when process PID is exiting (PF_EXITING in its /proc stat flags): then, and only
 * then, a hang-up of its channel means that it is gone. */
static bool exiting(pid_t pid)
{
	char path[48], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (nsb_read_small(AT_FDCWD, path, buf, sizeof buf) <= 0)
		return false;
	/* after "(comm)": state, ppid, pgrp, session, tty_nr, tpgid, flags */
	const char *p = strrchr(buf, ')');
	unsigned long flags = 0;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & 0x4; /* PF_EXITING */
}

/* How long, after PID 1 closed the channel (it is exiting), nsboot waits for it to be
 * reaped: processes of the container stuck in the kernel (D state) hold PID 1's exit
 * back, and nsboot does not wait for them for ever. */
#define NSB_EXIT_WAIT_MS 3000
/* A stop request this soon after the first is the same request: timeout(1), for one,
 * sends SIGTERM to nsboot and then to its whole process group. */
#define NSB_SECOND_STOP_MS 300
/* After the grace: SIGTERM to the init, then SIGKILL this much later. */
#define NSB_KILL_AFTER_MS 500
/* With the channel closed but PID 1 not (yet) exiting, look again this often. */
#define NSB_EXIT_POLL_MS 100

/* The supervision's deadlines (CLOCK_MONOTONIC ms, 0 when not armed). */
struct deadlines {
	long long setup;   /* no READY by then: the setup hangs */
	long long stop;    /* a stop request's grace runs out: SIGKILL */
	long long first_stop; /* when the first stop request came */
	long long exiting; /* PID 1 is exiting: stop waiting for it */
	long long kill;    /* the grace ran out and PID 1 was told to end: SIGKILL */
};

/* Kills the container's init (its pid namespace with it) and a builder still running. */
void nsb_kill_container(struct spawner *s)
{
	if (s->pid > 0 && kill(s->pid, SIGKILL) == 0)
		s->killed = true;
	if (s->builder > 0 && kill(s->builder, SIGKILL) == 0)
		s->builder_killed = true;
}

/* A relayed signal SIG. SIGTERM and SIGINT are stop requests: the first is passed on (an
 * orderly stop) and arms the grace, the second kills at once. */
static void on_signal(struct spawner *s, struct deadlines *d, int sig)
{
	/* with a console, the pty itself signals the container's foreground */
	if (sig == SIGWINCH && s->con.master >= 0) {
		nsb_console_winch(&s->con);
		return;
	}
	if (sig == SIGTERM || sig == SIGINT) {
		long long now = nsb_now_ms();
		if (d->first_stop && now - d->first_stop < NSB_SECOND_STOP_MS)
			return;
		if (d->first_stop || s->c.grace_ms == 0) {
			log_debug("a second stop request: killing the container");
			nsb_kill_container(s);
			return;
		}
		d->first_stop = now;
		d->stop = now + s->c.grace_ms;
		nsb_machine_state(s, NSB_MACHINE_STOPPING);
	}
	if (kill(s->pid, sig) < 0)
		log_warn_errno(-errno, "forward signal %d", sig);
}

/* Ctrl-] three times on the console: the first asks for an orderly stop (as SIGTERM to
 * nsboot would), the next kills the container. */
static void on_escape(struct spawner *s, struct deadlines *d)
{
	if (s->escaped) {
		log_info("console: killing the container");
		nsb_kill_container(s);
		return;
	}
	s->escaped = true;
	log_info("console: stopping the container (Ctrl-] three times again kills it)");
	on_signal(s, d, SIGTERM);
}

/* The poll timeout until the nearest armed deadline (ms, -1 for none); acts on the ones
 * that have passed. */
static int check_deadlines(struct spawner *s, struct deadlines *d)
{
	long long now = nsb_now_ms(), next = -1;
	if (d->setup && s->ready)
		d->setup = 0;
	if (d->setup && now >= d->setup) {
		log_error("setup: the container was not ready within %ld s (--setup-timeout)",
			  s->c.setup_timeout_ms / 1000);
		s->got_error = true;
		nsb_kill_container(s);
		d->setup = 0;
	}
	if (d->stop && now >= d->stop) {
		/* SIGTERM to the init: in its own grace (the command has exited) it kills what
		 * is left at once and keeps the command's status; else SIGKILL shortly after */
		log_warn("the container did not stop within %ld.%03ld s (--grace): killing it",
			 s->c.grace_ms / 1000, s->c.grace_ms % 1000);
		kill(s->pid, SIGTERM);
		d->stop = 0;
		d->kill = now + NSB_KILL_AFTER_MS;
	}
	if (d->kill && now >= d->kill) {
		nsb_kill_container(s);
		d->kill = 0;
	}
	long long at[] = { d->setup, d->stop, d->exiting, d->kill };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
		if (at[i] && (next < 0 || at[i] - now < next))
			next = at[i] - now < 0 ? 0 : at[i] - now;
	return next > INT32_MAX ? INT32_MAX : (int)next;
}

/* Says why the container's init died of SIG, which nsboot did not send (WHEN: "" or
 * " before READY"): the OOM killer when its cgroup's count says so, else the signal. */
static void say_killed(struct spawner *s, int sig, const char *when)
{
	if (sig == SIGKILL && nsb_cgroup_oom_kills(&s->cg) > 0)
		log_error("the container's init was killed by the OOM killer%s (--memory-max)", when);
	else
		log_error("the container's init was killed by SIG%s%s", sigabbrev_np(sig) ?
			  sigabbrev_np(sig) : "?", when);
}

/* Relays signals and reads the channel until PID 1 exits; returns nsboot's exit status. */
int nsb_supervise(struct spawner *s, const sigset_t *mask)
{
	int sfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		log_warn_errno(-errno, "signalfd");
	fcntl(s->chan[0], F_SETFL, O_NONBLOCK);
	bool chan_open = true;
	int status = 0;
	struct deadlines d = { .setup = nsb_now_ms() + s->c.setup_timeout_ms };
	for (;;) {
		struct pollfd p[2 + NSB_CONSOLE_NFDS] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = chan_open ? s->chan[0] : -1, .events = POLLIN }
		};
		int n = 2 + nsb_console_pollfds(&s->con, p + 2);
		int timeout = check_deadlines(s, &d);
		if (!chan_open && !d.exiting && (timeout < 0 || timeout > NSB_EXIT_POLL_MS))
			timeout = NSB_EXIT_POLL_MS;
		/* without a signalfd, fall back to polling the child every 100 ms */
		if (sfd < 0 && (timeout < 0 || timeout > 100))
			timeout = 100;
		if (poll(p, (nfds_t)n, timeout) < 0) {
			if (errno != EINTR)
				log_warn_errno(-errno, "poll");
			continue;
		}
		if (chan_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			chan_open = read_channel(s, NSB_CHAN_BATCH);
		if (s->boot_failed == 1) {
			s->boot_failed = 2;
			on_signal(s, &d, SIGTERM); /* the orderly stop a SIGTERM asks for */
		}
		nsb_console_relay(&s->con, p + 2, n - 2);
		for (unsigned e = nsb_console_escapes(&s->con); e > 0; e--)
			on_escape(s, &d);
		nsb_machine_log_check(s);
		struct signalfd_siginfo si;
		while (sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si)
			if (si.ssi_signo != SIGCHLD)
				on_signal(s, &d, (int)si.ssi_signo);
		nsb_reap_builder(s, false);
		pid_t w = waitpid(s->pid, &status, WNOHANG);
		if (w == s->pid)
			break;
		if (w < 0 && errno != EINTR)
			return log_errno(-errno, "waitpid %d", (int)s->pid), NSB_EXIT_FAILURE;
		/* a closed channel is only a hint (the container can close it): what counts is
		 * PID 1 exiting, which processes stuck in the kernel can hold back for ever */
		if (!chan_open && !d.exiting && exiting(s->pid))
			d.exiting = nsb_now_ms() + NSB_EXIT_WAIT_MS;
		if (d.exiting && nsb_now_ms() >= d.exiting) {
			nsb_kill_container(s);
			log_error("the container's init exited, but processes of the container are "
				  "stuck in the kernel (D state): not waiting for them");
			status = s->exit_status_known ? s->exit_status : W_EXITCODE(NSB_EXIT_FAILURE, 0);
			break;
		}
	}
	if (chan_open)
		read_channel(s, NSB_CHAN_DRAIN); /* READY or ERROR may be queued behind the exit */
	if (sfd >= 0)
		close(sfd);
	nsb_console_finish(&s->con);
	if (!s->ready) {
		if (s->got_error)
			return NSB_EXIT_FAILURE;
		if (WIFSIGNALED(status))
			say_killed(s, WTERMSIG(status), " before READY");
		else
			log_error("the container's init exited with status %d before READY",
				  WEXITSTATUS(status));
		return NSB_EXIT_FAILURE;
	}
	if (s->boot_failed)
		return 1;
	if (WIFSIGNALED(status) && !s->killed)
		say_killed(s, WTERMSIG(status), "");
	else if (!WIFSIGNALED(status) && WEXITSTATUS(status) == 128 + SIGKILL && !s->killed &&
		 nsb_cgroup_oom_kills(&s->cg) > 0)
		log_error("the container's boot command was killed by the OOM killer (--memory-max)");
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* The spawner gives up before the init runs: the builder sees EOF and exits 125
 * untouched (WHY NULL: the builder reported on the channel). */
noreturn void nsb_abandon(struct spawner *s, const char *why)
{
	if (why) {
		log_error("%s", why);
		close(s->chan[0]);
	}
	nsb_reap_builder(s, true);
	if (!why) {
		fcntl(s->chan[0], F_SETFL, O_NONBLOCK);
		if (read_channel(s, NSB_CHAN_DRAIN), !s->got_error)
			log_error("the builder exited before it started the container's init");
	}
	nsb_console_finish(&s->con);
	exit(NSB_EXIT_FAILURE);
}

