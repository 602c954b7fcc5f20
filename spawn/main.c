/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot, the spawner (DESIGN.md, "The picture"): reads every host input, clones a child
 * into new user, mount, pid, ipc, uts, cgroup, time (and net) namespaces, writes its id
 * maps, idmaps TREE, sends GO; the child builds the root (nsb_setup_root) and execs
 * nsboot-init. The spawner then reports readiness, relays signals and returns the
 * container's exit status. */
#include <elf.h>
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

#include "config.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "../mounts/setup.h"
#include "booted.h"
#include "console.h"
#include "spawn.h"
#include "netns.h"
#include "pidfile.h"
#include "users.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#ifndef NSB_LIBEXECDIR
#define NSB_LIBEXECDIR "/usr/local/libexec/nsboot"
#endif

/* The signals nsboot passes on to the container's PID 1 (DESIGN.md, "Signals"). */
static const int relayed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
			       SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

/* clone3's argument, version 0 (64 bytes); defined here to keep <linux/sched.h> out. */
struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* Everything the spawner prepared before the clone, and what it learnt since. */
struct spawner {
	struct nsb_config c;       /* with the hostname filled in, for nsb_setup_root */
	struct nsb_users users;
	struct nsb_pty con;        /* --console=interactive: the pty (master -1 without) */
	char hostname[65];
	int init_fd;               /* fd of nsboot-init: its host path is gone after the pivot */
	bool standalone;           /* the init needs its ELF interpreter: exec it before the
				      pivot and let it build the root itself */
	bool idmap[NSB_MAX_SPECS]; /* user binds with the idmap option (pick, BASE) */
	char bind_opts[NSB_MAX_SPECS][256]; /* their options without "idmap" */
	char **init_argv;
	char **envp;
	int chan[2];               /* [0] the spawner's end, [1] the child's (--sync-fd) */
	struct nsb_netns net;      /* the private net namespace (spawn/netns.h) */
	pid_t pid;
	struct timespec t0;
	bool ready;                /* READY (or BOOTED) was received */
	bool announced;            /* readiness was reported on the outputs */
	bool got_error;            /* an ERROR record was printed */
	bool pid_file_written;
};

/* Prints "nsboot: REASON" and the usage line, exits 125. */
static noreturn void usage_error(const char *reason)
{
	log_error("%s", reason);
	fprintf(stderr, "%s\n", nsb_usage_line(NSB_PROG_SPAWN));
	exit(NSB_EXIT_FAILURE);
}

/* Milliseconds since T0 on the monotonic clock. */
static long elapsed_ms(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* True when the ELF program FD names an interpreter (is dynamically linked): it cannot
 * be exec'd once the pivot has taken the host's /lib away. Reads the headers at once. */
static bool has_interpreter(int fd)
{
	union {
		Elf64_Ehdr eh;
		unsigned char b[4096];
	} u;
	ssize_t n = pread(fd, u.b, sizeof u.b, 0);
	const Elf64_Ehdr *eh = &u.eh;
	if (n < (ssize_t)sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr))
		return false;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(Elf64_Phdr);
		Elf64_Phdr ph;
		if (off + sizeof ph <= (uint64_t)n)
			memcpy(&ph, u.b + off, sizeof ph);
		else if (pread(fd, &ph, sizeof ph, (off_t)off) != (ssize_t)sizeof ph)
			return false;
		if (ph.p_type == PT_INTERP)
			return true;
	}
	return false;
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

/* The phases of the child's own steps (before nsboot-init runs) in ERROR records. */
static const char *const child_phases[] = { "network", "hostname", "console", "userns",
					    "idmap", "exec" };

/* Child: reports a failure on the channel (the spawner prints it) and exits 125. */
static noreturn void child_fail(int fd, const char *phase, const char *what, int err)
{
	nsb_send_error(fd, phase, "%s: %s", what, strerror(err));
	_exit(NSB_EXIT_FAILURE);
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

/* Child: mounts each idmapped bind source GO carried over its host path, in this private
 * mount namespace (made a recursive slave first: nothing propagates to the host), so the
 * root's bind of that path takes the idmapped mount. */
static void attach_idmapped_binds(struct spawner *s, int fd, const struct nsb_msg *m)
{
	bool any = false;
	for (size_t i = 0; i < s->c.n_mounts; i++)
		any |= s->idmap[i];
	if (!any)
		return;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		child_fail(fd, "idmap", "make / a recursive slave", errno);
	for (size_t i = 0; i < s->c.n_mounts; i++) {
		if (!s->idmap[i])
			continue;
		char name[32], what[4200];
		snprintf(name, sizeof name, "bind%zu", i);
		snprintf(what, sizeof what, "idmapped bind of %s", s->c.mounts[i].src);
		int b = nsb_go_fd(m, name);
		if (b < 0)
			child_fail(fd, "idmap", what, EBADF);
		if (move_mount(b, "", AT_FDCWD, s->c.mounts[i].src, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			child_fail(fd, "idmap", what, errno);
	}
}

/* Child, standalone init: reads GO without taking it off the channel (the init receives
 * it); the fds it carries are installed here as copies. 0, or -1 when no GO came. */
static int peek_go(int fd, struct nsb_msg *m)
{
	char buf[NSB_PROTO_MAX + 1];
	union {
		char b[CMSG_SPACE(sizeof(int) * NSB_PROTO_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof ctl.b };
	ssize_t n;
	while ((n = recvmsg(fd, &mh, MSG_PEEK | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	m->n_fds = 0;
	for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(m->fds, CMSG_DATA(c), (k < NSB_PROTO_MAX_FDS ? k : NSB_PROTO_MAX_FDS) * sizeof(int));
			m->n_fds = k < NSB_PROTO_MAX_FDS ? k : NSB_PROTO_MAX_FDS;
		}
	if (n <= 0 || nsb_msg_decode(m, buf, (size_t)n) < 0 || m->type != NSB_MSG_GO)
		return -1;
	return 0;
}

/* Child (PID 1 of the new namespaces, still spawner code): waits for GO, becomes root of
 * the user namespace, builds the root and execs nsboot-init. Never returns. */
static noreturn void child_main(struct spawner *s)
{
	int fd = s->chan[1];
	struct nsb_msg m;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(s->chan[0]);

	/* Work that needs no id map runs while the spawner writes the maps: the child holds
	 * every capability in its new user namespace from the start. The net namespace is
	 * made by the spawner's helper, or here on one CPU, and joined before /sys is
	 * mounted (spawn/netns.h), where a failure to make it is reported; a failure here is
	 * reported after GO, when the spawner reads the channel. */
	bool own_net = s->c.network != NSB_NET_HOST;
	if (own_net)
		nsb_netns_child_start(&s->net);
	const char *fail_phase = NULL, *fail_what = NULL;
	int fail_errno = 0, e = 0;
	if (sethostname(s->hostname, strlen(s->hostname)) < 0)
		fail_phase = "hostname", fail_what = s->hostname, fail_errno = errno;

	int tree_fd = -1;
	if (s->standalone) {
		/* GO only tells that the maps exist: it stays queued for the init */
		if (peek_go(fd, &m) < 0)
			_exit(NSB_EXIT_FAILURE);
	} else {
		if (nsb_msg_recv(fd, &m) < 0 || m.type != NSB_MSG_GO)
			_exit(NSB_EXIT_FAILURE); /* the spawner is gone (or failed) before GO */
		tree_fd = nsb_go_fd(&m, "tree");
	}
	if (fail_phase)
		child_fail(fd, fail_phase, fail_what, fail_errno);
	attach_idmapped_binds(s, fd, &m);
	for (size_t i = 0; i < m.n_fds; i++)
		if (m.fds[i] != tree_fd)
			close(m.fds[i]);
	/* the pty's slave becomes 0, 1, 2, and so the container's /dev/console */
	if ((e = nsb_console_child(&s->con)) < 0)
		child_fail(fd, "console", "make the pty the standard fds", -e);

	if (setresgid(0, 0, 0) < 0)
		child_fail(fd, "userns", "setresgid 0", errno);
	if (setresuid(0, 0, 0) < 0)
		child_fail(fd, "userns", "setresuid 0", errno);
	if (s->users.mode != NSB_USERS_SINGLE && setgroups(0, NULL) < 0 && errno != EPERM)
		child_fail(fd, "userns", "setgroups", errno);
	/* The kernel clears the parent-death signal when the effective uid changes, and
	 * setresuid(0) does change it (host uid 0 -> the mapped root): set it again, then
	 * make sure the spawner did not die in between (its end of the channel hangs up). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct pollfd hup = { .fd = fd, .events = POLLRDHUP };
	if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLRDHUP)))
		_exit(NSB_EXIT_FAILURE);

	struct nsb_setup_env env = { .tree_fd = tree_fd, .own_netns = own_net, .own_ipcns = 1,
				     .join_netns = own_net ? nsb_netns_join : NULL,
				     .join_arg = &s->net };
	struct nsb_setup_error err = { .phase = "setup" };
	if (!s->standalone && nsb_setup_root(&s->c, &env, &err) < 0) {
		nsb_send_error(fd, err.phase[0] ? err.phase : "setup", "%s", err.message);
		_exit(NSB_EXIT_FAILURE);
	}
	/* joined by now, unless the plan had no sysfs (or the init builds the root) */
	if (own_net && nsb_netns_join(&s->net, err.message, sizeof err.message) < 0) {
		nsb_send_error(fd, "network", "%s", err.message);
		_exit(NSB_EXIT_FAILURE);
	}
	if (tree_fd >= 0)
		close(tree_fd);

	/* Only 0, 1, 2 and the channel cross the exec. */
	if (fd > 3)
		syscall(SYS_close_range, 3U, (unsigned)fd - 1, CLOSE_RANGE_CLOEXEC);
	syscall(SYS_close_range, (unsigned)fd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
	if (fcntl(fd, F_SETFD, 0) < 0)
		child_fail(fd, "exec", "clear close-on-exec of the channel", errno);
	/* nsboot-init starts with default dispositions for what it relays (a caller's
	 * SIG_IGN, e.g. SIGINT in a background job, would otherwise stick). The relayed
	 * signals stay blocked across the exec: one relayed before the init runs stays
	 * pending for its signalfd, where unblocking it here would drop it (PID 1 of a pid
	 * namespace discards a signal with the default action). */
	for (size_t i = 0; i < sizeof relayed / sizeof relayed[0]; i++) {
		struct sigaction sa;
		if (sigaction(relayed[i], NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			signal(relayed[i], SIG_DFL);
	}
	syscall(SYS_execveat, s->init_fd, "", s->init_argv, s->envp, AT_EMPTY_PATH);
	child_fail(fd, "exec", "execute nsboot-init", errno);
}

/* Clones the child into the new namespaces; returns its pid (in the parent) or -errno. */
static pid_t spawn_child(struct spawner *s)
{
	/* The net namespace (the costliest, about 0.6 ms) is made beside the root, by a
	 * helper or by the child (spawn/netns.h). */
	uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
			 CLONE_NEWCGROUP | CLONE_NEWTIME;
	/* No CLONE_VM: the child gets a copy of the address space, as with fork(); it only
	 * runs our own code and libmount, then execs, and never returns from this frame. */
	struct clone_args_v0 args = { .flags = flags, .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_main(s);
	return (pid_t)pid;
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

/* True when PHASE names one of the child's own steps (not the init's). */
static bool is_child_phase(const char *phase)
{
	for (size_t i = 0; i < sizeof child_phases / sizeof child_phases[0]; i++)
		if (strcmp(phase, child_phases[i]) == 0)
			return true;
	return false;
}

/* Handles the records waiting on the channel; returns false once it hung up. */
static bool read_channel(struct spawner *s)
{
	for (;;) {
		struct nsb_msg m;
		int r = nsb_msg_recv(s->chan[0], &m);
		for (size_t i = 0; i < m.n_fds; i++) /* fds are never expected here */
			close(m.fds[i]);
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
			log_info("booted in %ld ms", elapsed_ms(&s->t0));
			announce(s);
			break;
		case NSB_MSG_ERROR:
			s->got_error = true;
			/* a standalone init printed its own setup errors already */
			if (!s->standalone || is_child_phase(m.phase))
				log_error("%s: %s", m.phase, m.text);
			break;
		default:
			log_warn("the init channel: unexpected record '%c'", (char)m.type);
			break;
		}
	}
}

/* Relays signals and reads the channel until PID 1 exits; returns nsboot's exit status. */
static int supervise(struct spawner *s, const sigset_t *mask)
{
	int sfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		log_errno(-errno, "warning: signalfd");
	fcntl(s->chan[0], F_SETFL, O_NONBLOCK);
	bool chan_open = true;
	int status;
	for (;;) {
		struct pollfd p[2 + NSB_CONSOLE_NFDS] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = chan_open ? s->chan[0] : -1, .events = POLLIN }
		};
		int n = 2 + nsb_console_pollfds(&s->con, p + 2);
		/* without a signalfd, fall back to polling the child every 100 ms */
		if (poll(p, (nfds_t)n, sfd < 0 ? 100 : -1) < 0) {
			if (errno != EINTR)
				log_errno(-errno, "warning: poll");
			continue;
		}
		if (chan_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			chan_open = read_channel(s);
		nsb_console_relay(&s->con, p + 2, n - 2);
		struct signalfd_siginfo si;
		while (sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si) {
			int sig = (int)si.ssi_signo;
			if (sig == SIGCHLD)
				continue;
			/* with a console, the pty itself signals the container's foreground */
			if (sig == SIGWINCH && s->con.master >= 0) {
				nsb_console_winch(&s->con);
				continue;
			}
			if (kill(s->pid, sig) < 0)
				log_errno(-errno, "warning: forward signal %d", sig);
		}
		nsb_netns_reap(&s->net, false);
		pid_t w = waitpid(s->pid, &status, WNOHANG);
		if (w == s->pid)
			break;
		if (w < 0 && errno != EINTR)
			return log_errno(-errno, "waitpid %d", (int)s->pid), NSB_EXIT_FAILURE;
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

/* The spawner gives up before GO: the child sees EOF and exits 125 untouched. */
static noreturn void abandon(struct spawner *s, const char *why)
{
	log_error("%s", why);
	nsb_console_finish(&s->con);
	close(s->chan[0]);
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
	nsb_netns_reap(&s->net, true);
	exit(NSB_EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	static struct spawner s;
	char err[1024];
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
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
	/* NSBOOT_SETUP_IN_INIT=1 takes that path with any init (tests, debugging) */
	const char *in_init = getenv("NSBOOT_SETUP_IN_INIT");
	if ((s.standalone = has_interpreter(s.init_fd) || (in_init && strcmp(in_init, "1") == 0)))
		log_debug("%s builds the root itself (exec'd before the pivot)", init_path);

	if (nsb_users_resolve(s.c.private_users, &s.users, err, sizeof err) < 0)
		nsb_die(NSB_EXIT_FAILURE, "%s", err);
	log_debug("user mapping: %s", nsb_users_mode_name(s.users.mode));
	take_idmap_binds(&s);

	if (nsb_console_wanted(&s.c) && nsb_console_open(&s.con, err, sizeof err) < 0)
		nsb_die(NSB_EXIT_FAILURE, "%s", err);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s.chan) < 0)
		nsb_die(NSB_EXIT_FAILURE, "socketpair: %s", strerror(errno));
	s.envp = nsb_spawn_env(&s.c, getenv("TERM"));
	s.init_argv = nsb_spawn_init_argv(&s.c, s.chan[1], s.standalone);
	if (!s.envp || !s.init_argv)
		nsb_die(NSB_EXIT_FAILURE, "out of memory");

	/* Block what is relayed (and SIGCHLD) before the clone, so nothing is lost: the
	 * child keeps them blocked through its exec, nsboot-init reads them from its
	 * signalfd and starts its command with an empty mask. */
	sigset_t mask;
	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof relayed / sizeof relayed[0]; i++)
		sigaddset(&mask, relayed[i]);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	bool own_net = s.c.network != NSB_NET_HOST;
	int e;
	s.net = (struct nsb_netns){ .sock = { -1, -1 } };
	if (own_net && (e = nsb_netns_prepare(&s.net)) < 0)
		nsb_die(NSB_EXIT_FAILURE, "socketpair: %s", strerror(-e));
	pid_t pid = spawn_child(&s);
	if (pid < 0)
		nsb_die(NSB_EXIT_FAILURE, "clone3 (user, mount, pid, ipc, uts, cgroup, time "
			"namespaces): %s", strerror(-pid));
	s.pid = pid;
	close(s.chan[1]);
	if (s.net.helper) {
		close(s.net.sock[1]);
		s.net.sock[1] = -1;
	}
	/* the helper makes the net namespace while the maps are written and the root built;
	 * the child takes it before /sys */
	nsb_netns_spawn(&s.net, pid);
	signal(SIGPIPE, SIG_IGN);

	if (nsb_users_write_maps(&s.users, pid, err, sizeof err) < 0)
		abandon(&s, err);
	/* the console's slave belongs to the container's root (as the host sees it) */
	bool shifted = s.users.mode == NSB_USERS_PICK || s.users.mode == NSB_USERS_RANGE;
	nsb_console_parent(&s.con, shifted ? s.users.base : (uid_t)-1,
			   shifted ? s.users.base : (gid_t)-1);
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

	int status = supervise(&s, &mask);
	nsb_netns_reap(&s.net, true);
	if (s.pid_file_written)
		nsb_pidfile_remove(s.c.pid_file, s.pid);
	nsb_users_release(&s.users);
	return status;
}
