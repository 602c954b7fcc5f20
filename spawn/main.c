/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot, the spawner: reads every host input, clones the builder into new user and mount
 * namespaces, writes its id maps, idmaps TREE, sends GO; the builder starts the
 * container's init in nested namespaces and builds the root (spawn/child.c), and the init
 * execs nsboot-init. The spawner then reports readiness, relays signals and returns the
 * container's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "../mounts/setup.h"
#include "booted.h"
#include "cgroup.h"
#include "console.h"
#include "spawn.h"
#include "pidfile.h"
#include "signals.h"
#include "spawner.h"
#include "users.h"

#ifndef NSB_LIBEXECDIR
#define NSB_LIBEXECDIR "/usr/local/libexec/nsboot"
#endif

/* Prints "nsboot: REASON" and the usage line, exits 125. */
static noreturn void usage_error(const char *reason)
{
	log_error("%s", reason);
	fprintf(stderr, "%s\n", nsb_usage_line(NSB_PROG_SPAWN));
	exit(NSB_EXIT_FAILURE);
}

/* Checks the host inputs that can be checked before any namespace exists; exits 125. */
static void check_inputs(const struct nsb_config *c)
{
	struct stat st;
	if (c->tree) {
		if (stat(c->tree, &st) < 0)
			nsb_die(NSB_EXIT_FAILURE, "-D %s: %s", c->tree, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			nsb_die(NSB_EXIT_FAILURE, "-D %s: %s", c->tree, strerror(ENOTDIR));
	}
	if (c->ready_fd >= 0 && fcntl(c->ready_fd, F_GETFD) < 0)
		nsb_die(NSB_EXIT_FAILURE, "--ready-fd=%d: %s", c->ready_fd, strerror(errno));
	if (c->pid_file) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", c->pid_file);
		char *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		if (access(slash ? dir : ".", W_OK) < 0)
			nsb_die(NSB_EXIT_FAILURE, "--pid-file=%s: %s: %s", c->pid_file,
				slash ? dir : ".", strerror(errno));
	}
}

/* Adds FD to GO under NAME (the caller keeps at most NSB_PROTO_MAX_FDS). */
static void add_go_fd(struct nsb_msg *go, const char *name, int fd)
{
	size_t len = strlen(go->text);
	snprintf(go->text + len, sizeof go->text - len, "%s%s", len ? "," : "", name);
	go->fds[go->n_fds++] = fd;
}

/* Finds the user binds that ask for "idmap", takes the word out of their options (the
 * mount code never sees it) and checks the mode allows it; exits 125 otherwise. */
static void take_idmap_binds(struct spawner *s)
{
	bool shifted = s->users.mode == NSB_USERS_PICK || s->users.mode == NSB_USERS_RANGE;
	size_t n = s->c.tree && shifted ? 1 : 0;
	for (size_t i = 0; i < s->c.n_mounts; i++) {
		struct nsb_mount_spec *m = &s->c.mounts[i];
		if ((m->kind != NSB_MNT_BIND && m->kind != NSB_MNT_BIND_RO) ||
		    !nsb_opts_take(m->opts, "idmap", s->bind_opts[i], sizeof s->bind_opts[i]))
			continue;
		if (!shifted)
			nsb_die(NSB_EXIT_FAILURE, "--bind=%s:%s:%s: idmap needs --private-users=pick "
				"or BASE (this is %s)", m->src, m->dst, m->opts,
				nsb_users_mode_name(s->users.mode));
		if (++n > NSB_PROTO_MAX_FDS)
			nsb_die(NSB_EXIT_FAILURE, "--bind=%s:%s:%s: at most %d idmapped binds",
				m->src, m->dst, m->opts, NSB_PROTO_MAX_FDS - 1);
		m->opts = s->bind_opts[i][0] ? s->bind_opts[i] : NULL;
		s->idmap[i] = true;
	}
}

/* Makes an idmapped clone of the host path TREE for the child's user namespace (TREE
 * itself, or a bind source); the fd or -errno. */
static int idmap_clone(const char *tree, pid_t pid, char *err, size_t errlen)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	int userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0) {
		int e = -errno;
		snprintf(err, errlen, "open %s: %s", path, strerror(-e));
		return e;
	}
	int fd = open_tree(AT_FDCWD, tree, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0) {
		int e = -errno;
		snprintf(err, errlen, "open_tree %s: %s", tree, strerror(-e));
		close(userns);
		return e;
	}
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
		int e = -errno;
		snprintf(err, errlen, "idmapped mount of %s: %s (its file system refuses idmapping; "
			 "--private-users=identity does without)", tree, strerror(-e));
		close(fd);
		close(userns);
		return e;
	}
	close(userns);
	return fd;
}

/* atexit: the container's cgroup goes with nsboot, on every path. */
static struct nsb_cgroup *exit_cgroup;
static void destroy_cgroup_at_exit(void)
{
	if (exit_cgroup)
		nsb_cgroup_destroy(exit_cgroup);
}

/* Makes the container's cgroup where the host allows one; exits 125 when a limit that was
 * asked for cannot be honoured. */
static void make_cgroup(struct spawner *s)
{
	char err[1024];
	int r = nsb_cgroup_create(&s->cg, &s->c, err, sizeof err);
	if (r < 0)
		nsb_die(NSB_EXIT_FAILURE, "%s", err);
	if (r > 0) {
		log_debug("no cgroup of its own: %s", err);
		return;
	}
	log_debug("cgroup: %s", s->cg.path);
	exit_cgroup = &s->cg;
	atexit(destroy_cgroup_at_exit);
}

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
	if (s->c.pid_file) {
		if ((e = nsb_pidfile_write(s->c.pid_file, s->pid)) < 0)
			log_errno(e, "warning: --pid-file=%s", s->c.pid_file);
		else
			s->pid_file_written = true;
	}
	if ((e = nsb_sd_notify("READY=1")) < 0)
		log_errno(e, "warning: sd_notify to $NOTIFY_SOCKET");
	if (s->c.ready_fd >= 0) {
		char line[32];
		int n = snprintf(line, sizeof line, "%d\n", (int)s->pid);
		if (write(s->c.ready_fd, line, (size_t)n) != n)
			log_errno(-errno, "warning: --ready-fd=%d", s->c.ready_fd);
		close(s->c.ready_fd);
		s->c.ready_fd = -1;
	}
}

/* Handles the records waiting on the channel; returns false once it hung up. */
static bool read_channel(struct spawner *s)
{
	for (;;) {
		struct nsb_msg m;
		/* the container can write here (it can ptrace its PID 1): records only, never
		 * an fd, and nothing said here ends the supervision by itself */
		int r = nsb_msg_recv_nofds(s->chan[0], &m);
		if (r == -EAGAIN)
			return true;
		if (r == -EPIPE)
			return false;
		if (r < 0) {
			log_warn("the init channel: %s", r == -EBADMSG ? "malformed record" : strerror(-r));
			if (r != -EBADMSG)
				return false;
			continue;
		}
		switch (m.type) {
		case NSB_MSG_READY:
			s->ready = true;
			if (!s->c.wait_booted)
				announce(s);
			break;
		case NSB_MSG_BOOTED:
			s->ready = true;
			log_info("booted in %lld ms", nsb_now_ms() - s->t0_ms);
			announce(s);
			break;
		case NSB_MSG_EXIT:
			s->exit_status_known = true;
			s->exit_status = W_EXITCODE(atoi(m.text), 0);
			break;
		case NSB_MSG_ERROR:
			s->got_error = true;
			log_error("%s: %s", m.phase, m.text);
			break;
		default:
			log_warn("the init channel: unexpected record '%c'", (char)m.type);
			break;
		}
	}
}

/* Reaps the builder once it has exited (BLOCK: waits for it). */
/* How long nsboot waits at its end for a builder that was killed: one stuck in the
 * kernel (a mount on a file system that never answers) is left to its parent-death
 * signal. */
#define NSB_BUILDER_WAIT_MS 1000

/* Reaps the builder once it has exited (BLOCK: waits for it, a second at most). */
static void reap_builder(struct spawner *s, bool block)
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
static void kill_container(struct spawner *s)
{
	if (s->pid > 0)
		kill(s->pid, SIGKILL);
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
			kill_container(s);
			return;
		}
		d->first_stop = now;
		d->stop = now + s->c.grace_ms;
	}
	if (kill(s->pid, sig) < 0)
		log_errno(-errno, "warning: forward signal %d", sig);
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
		kill_container(s);
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
		kill_container(s);
		d->kill = 0;
	}
	long long at[] = { d->setup, d->stop, d->exiting, d->kill };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
		if (at[i] && (next < 0 || at[i] - now < next))
			next = at[i] - now < 0 ? 0 : at[i] - now;
	return next > INT32_MAX ? INT32_MAX : (int)next;
}

/* Relays signals and reads the channel until PID 1 exits; returns nsboot's exit status. */
static int supervise(struct spawner *s, const sigset_t *mask)
{
	int sfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		log_errno(-errno, "warning: signalfd");
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
				log_errno(-errno, "warning: poll");
			continue;
		}
		if (chan_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			chan_open = read_channel(s);
		nsb_console_relay(&s->con, p + 2, n - 2);
		struct signalfd_siginfo si;
		while (sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si)
			if (si.ssi_signo != SIGCHLD)
				on_signal(s, &d, (int)si.ssi_signo);
		reap_builder(s, false);
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
			kill_container(s);
			log_error("the container's init exited, but processes of the container are "
				  "stuck in the kernel (D state): not waiting for them");
			status = s->exit_status_known ? s->exit_status : W_EXITCODE(NSB_EXIT_FAILURE, 0);
			break;
		}
	}
	if (chan_open)
		read_channel(s); /* READY or ERROR may be queued behind the exit */
	if (sfd >= 0)
		close(sfd);
	nsb_console_finish(&s->con);
	if (!s->ready) {
		if (s->got_error)
			return NSB_EXIT_FAILURE;
		if (WIFSIGNALED(status))
			log_error("the container's init was killed by signal %d before READY",
				  WTERMSIG(status));
		else
			log_error("the container's init exited with status %d before READY",
				  WEXITSTATUS(status));
		return NSB_EXIT_FAILURE;
	}
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* The spawner gives up before the init runs: the builder sees EOF and exits 125
 * untouched (WHY NULL: the builder reported on the channel). */
static noreturn void abandon(struct spawner *s, const char *why)
{
	if (why) {
		log_error("%s", why);
		close(s->chan[0]);
	}
	reap_builder(s, true);
	if (!why) {
		fcntl(s->chan[0], F_SETFL, O_NONBLOCK);
		if (read_channel(s), !s->got_error)
			log_error("the builder exited before it started the container's init");
	}
	nsb_console_finish(&s->con);
	exit(NSB_EXIT_FAILURE);
}

/* Reads the init's host pid from the builder; 0, or -1 when the builder failed first. */
static int read_init_pid(struct spawner *s, int fd)
{
	int32_t pid;
	ssize_t n;
	while ((n = read(fd, &pid, sizeof pid)) < 0 && errno == EINTR)
		;
	close(fd);
	if (n != (ssize_t)sizeof pid || pid <= 0)
		return -1;
	s->pid = (pid_t)pid;
	return 0;
}

/* The signals nsboot relays, and SIGCHLD. */
static sigset_t relayed_mask(void)
{
	sigset_t mask;
	sigemptyset(&mask);
	for (size_t i = 0; i < nsb_n_forwarded_signals; i++)
		sigaddset(&mask, nsb_forwarded_signals[i]);
	sigaddset(&mask, SIGCHLD);
	return mask;
}

/* Before anything else of ours runs (a constructor: before main, before the libraries'
 * own constructors of lower priority), block what is relayed: a stop request from then
 * on waits for the container instead of killing nsboot, and nothing is lost. The init
 * keeps them blocked through its exec, nsboot-init reads them from its signalfd and
 * starts its command with an empty mask. */
__attribute__((constructor(101))) static void block_relayed(void)
{
	sigset_t mask = relayed_mask();
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* an ignored SIGCHLD (inherited from the caller) would reap the container's init
	 * for us, status and all */
	signal(SIGCHLD, SIG_DFL);
}

/* `nsboot test ...`: execs the test runner (nsboot-test, found as nsboot-init is) with
 * NSBOOT naming this nsboot, which drives its machines. */
static noreturn void exec_test_runner(char **argv)
{
	char path[4096], self[4096];
	if (nsb_find_program("nsboot-test", path, sizeof path) < 0)
		nsb_die(NSB_EXIT_FAILURE, "test: nsboot-test not found next to nsboot nor in %s",
			NSB_LIBEXECDIR);
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		setenv("NSBOOT", self, 1);
	}
	argv[0] = path;
	execv(path, argv);
	nsb_die(NSB_EXIT_FAILURE, "test: exec %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "test") == 0)
		exec_test_runner(argv + 1);
	sigset_t mask = relayed_mask();
	static struct spawner s;
	char err[1024];
	s.t0_ms = nsb_now_ms();
	nsb_prog = "nsboot";
	nsb_console_init(&s.con);

	switch (nsb_parse_args(&s.c, argc, argv, NSB_PROG_SPAWN, err, sizeof err)) {
	case NSB_PARSE_OK:
		break;
	case NSB_PARSE_HELP:
		fputs(nsb_help_text(NSB_PROG_SPAWN), stdout);
		return 0;
	case NSB_PARSE_VERSION:
		printf("nsboot %s\n", NSB_VERSION);
		return 0;
	case NSB_PARSE_ERROR:
		usage_error(err);
	}
	nsb_verbosity = s.c.verbosity;
	check_inputs(&s.c);

	if (s.c.hostname)
		snprintf(s.hostname, sizeof s.hostname, "%s", s.c.hostname);
	else
		nsb_default_hostname(s.c.tree, s.hostname, sizeof s.hostname);
	s.c.hostname = s.hostname;

	char init_path[4096];
	if (nsb_find_program("nsboot-init", init_path, sizeof init_path) < 0)
		nsb_die(NSB_EXIT_FAILURE, "nsboot-init: not found next to nsboot nor in %s",
			NSB_LIBEXECDIR);
	if ((s.init_fd = open(init_path, O_RDONLY | O_CLOEXEC)) < 0)
		nsb_die(NSB_EXIT_FAILURE, "open %s: %s", init_path, strerror(errno));

	if (nsb_users_resolve(s.c.private_users, &s.users, err, sizeof err) < 0)
		nsb_die(NSB_EXIT_FAILURE, "%s", err);
	log_debug("user mapping: %s", nsb_users_mode_name(s.users.mode));
	take_idmap_binds(&s);
	make_cgroup(&s);

	if (nsb_console_wanted(&s.c)) {
		if (nsb_console_open(&s.con, err, sizeof err) < 0)
			nsb_die(NSB_EXIT_FAILURE, "%s", err);
	} else {
		nsb_console_keep_modes(&s.con);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s.chan) < 0)
		nsb_die(NSB_EXIT_FAILURE, "socketpair: %s", strerror(errno));
	s.envp = nsb_spawn_env(&s.c, getenv("TERM"));
	s.init_argv = nsb_spawn_init_argv(&s.c, s.chan[1]);
	if (!s.envp || !s.init_argv)
		nsb_die(NSB_EXIT_FAILURE, "out of memory");

	int e, pidpipe[2];
	if (pipe2(pidpipe, O_CLOEXEC) < 0)
		nsb_die(NSB_EXIT_FAILURE, "pipe: %s", strerror(errno));
	pid_t pid = nsb_spawn_builder(&s, pidpipe);
	if (pid < 0)
		nsb_die(NSB_EXIT_FAILURE, "clone3 (user, mount namespaces): %s", strerror(-pid));
	s.builder = pid;
	close(s.chan[1]);
	close(pidpipe[1]);
	signal(SIGPIPE, SIG_IGN);

	if (nsb_users_write_maps(&s.users, pid, err, sizeof err) < 0)
		abandon(&s, err);
	/* the builder starts the init with a new cgroup namespace: in the container's
	 * cgroup, the init lives there and has it as the namespace's root */
	if ((e = nsb_cgroup_enter(&s.cg, pid)) < 0) {
		snprintf(err, sizeof err, "cgroup: move the builder into %.900s: %s", s.cg.path,
			 strerror(-e));
		abandon(&s, err);
	}
	/* the console's slave and the cgroup belong to the container's root (host view) */
	bool shifted = s.users.mode == NSB_USERS_PICK || s.users.mode == NSB_USERS_RANGE;
	nsb_console_parent(&s.con, shifted ? s.users.base : (uid_t)-1,
			   shifted ? s.users.base : (gid_t)-1);
	nsb_cgroup_delegate(&s.cg, nsb_users_host_root(&s.users, false),
			    nsb_users_host_root(&s.users, true));
	struct nsb_msg go = { .type = NSB_MSG_GO };
	if (shifted && s.c.tree) {
		int fd = idmap_clone(s.c.tree, pid, err, sizeof err);
		if (fd < 0)
			abandon(&s, err);
		add_go_fd(&go, "tree", fd);
	}
	for (size_t i = 0; i < s.c.n_mounts; i++) {
		if (!s.idmap[i])
			continue;
		int fd = idmap_clone(s.c.mounts[i].src, pid, err, sizeof err);
		if (fd < 0)
			abandon(&s, err);
		char name[32];
		snprintf(name, sizeof name, "bind%zu", i);
		add_go_fd(&go, name, fd);
	}
	e = nsb_msg_send(s.chan[0], &go);
	if (e < 0) {
		snprintf(err, sizeof err, "send GO: %s", strerror(-e));
		abandon(&s, err);
	}
	for (size_t i = 0; i < go.n_fds; i++)
		close(go.fds[i]);
	if (read_init_pid(&s, pidpipe[0]) < 0)
		abandon(&s, NULL);
	nsb_users_record_container(&s.users, s.pid);

	int status = supervise(&s, &mask);
	reap_builder(&s, true);
	if (s.pid_file_written)
		nsb_pidfile_remove(s.c.pid_file, s.pid);
	nsb_users_release(&s.users);
	return status;
}
