/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The two processes nsboot starts, and why there are two (docs/design.md, "Locked
 * mounts").
 *
 * Mounts made inside a user namespace can be changed again by whoever holds
 * CAP_SYS_ADMIN there: a read-only flag cleared, a mask unmounted. The kernel locks them
 * only when a mount namespace is copied into a less privileged user namespace. So:
 *
 *   - the builder is cloned into a new user namespace U1 (the id map of the chosen mode,
 *     written by the spawner) with a new mount namespace M1. After GO it starts the
 *     container's init (below), builds the whole root in M1 and pivots into it;
 *   - the init is cloned by the builder into a user namespace U2 nested in U1 (mapped
 *     one to one onto U1's ids, so a file's owner reads the same in both), with new pid,
 *     ipc, uts, cgroup and time namespaces (and, made by itself, net), all owned by U2:
 *     that is what lets a rootless `nsenter -a -t PID` join every one of them. It is the
 *     spawner's child (CLONE_PARENT), so the spawner waits for it as before. Once the
 *     root is built it copies M1 into a mount namespace of its own, owned by U2: every
 *     mount it received is locked there, and it execs nsboot-init.
 *
 * The builder makes the mounts that belong to the init's namespaces from outside them:
 * proc with the init's pid namespace (pidns=), mqueue after joining its ipc namespace,
 * sysfs after joining its net namespace. It holds every capability in U2 (its owner's
 * parent namespace is U1), so nothing in the container has power over it; it exits as
 * soon as the init has the root. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <grp.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "binds.h"
#include "clone.h"
#include "io.h"
#include "log.h"
#include "proto.h"
#include "signals.h"
#include "../mounts/setup.h"
#include "spawn.h"
#include "spawner.h"
#include "verbs.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What the builder and the init say to each other on their own socketpair. */
enum {
	TO_INIT_GO = 'G',  /* builder -> init: the root is built and the id maps written */
};

/* The builder's state while it works. */
struct builder {
	struct spawner *s;
	int chan;          /* the channel to the spawner */
	int init_sock;     /* the builder's end of the socketpair with the init */
	pid_t init;        /* the init's pid (host view) */
	int init_pidfd;
	bool net_joined;
};

/* Reports a failure on the channel (the spawner prints it) and exits 125. */
static noreturn void child_fail(int fd, const char *phase, const char *what, int err)
{
	nsb_send_error(fd, phase, "%s: %s", what, strerror(err));
	_exit(NSB_EXIT_FAILURE);
}

/* The user binds as the container's root meets them: a source it cannot reach is an
 * error naming the folder in the way (before any mount tries it). */
static void check_binds(const struct spawner *s, int fd)
{
	char err[1024];
	bool shifted = s->users.mode == NSB_USERS_PICK || s->users.mode == NSB_USERS_RANGE;
	if (nsb_binds_check(&s->c, s->idmap, shifted, nsb_users_host_root(&s->users, false), err,
			    sizeof err) < 0) {
		nsb_send_error(fd, "bind", "%s", err);
		_exit(NSB_EXIT_FAILURE);
	}
}

/* Mounts each idmapped bind source GO carried over its host path, in the builder's
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
		child_fail(fd, NSB_PHASE_IDMAP, "make / a recursive slave", errno);
	for (size_t i = 0; i < s->c.n_mounts; i++) {
		if (!s->idmap[i])
			continue;
		char name[32], what[4200];
		snprintf(name, sizeof name, "bind%zu", i);
		snprintf(what, sizeof what, "idmapped bind of %s", s->c.mounts[i].src);
		int b = nsb_go_fd(m, name);
		if (b < 0)
			child_fail(fd, NSB_PHASE_IDMAP, what, EBADF);
		if (move_mount(b, "", AT_FDCWD, s->c.mounts[i].src, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			child_fail(fd, NSB_PHASE_IDMAP, what, errno);
	}
}

/* Makes the caller's net namespace a new one with lo up; 0 or -errno, the step in WHAT. */
static int make_netns(const char **what)
{
	struct ifreq ifr = { 0 };
	int s, r = 0;
	*what = "unshare the net namespace";
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	*what = "bring lo up";
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (r == 0 && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		r = -errno;
	close(s);
	return r;
}

/* The container's init before its exec: makes the net namespace while the builder builds
 * the root, waits for the root, copies the mount namespace (locking every mount in it),
 * leaves the caller's session and execs nsboot-init. Never returns. */
static noreturn void init_main(struct spawner *s, int sock)
{
	int chan = s->chan[1];
	/* its parent is the spawner (CLONE_PARENT): die with it, and check it is still there */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct pollfd hup = { .fd = chan, .events = POLLRDHUP };
	if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLRDHUP)))
		_exit(NSB_EXIT_FAILURE);

	/* 0 or an errno, then the step, for the builder's report */
	int32_t net = 0;
	const char *what = "";
	if (nsb_net_own_ns(&s->c)) {
		int r = make_netns(&what);
		net = r < 0 ? -r : 0;
	}
	char word[64];
	snprintf(word, sizeof word, "%s", what);
	if (nsb_write_all(sock, &net, sizeof net) < 0 || nsb_write_all(sock, word, sizeof word) < 0)
		_exit(NSB_EXIT_FAILURE);
	if (sethostname(s->hostname, strlen(s->hostname)) < 0)
		child_fail(chan, NSB_PHASE_HOSTNAME, s->hostname, errno);

	/* The builder says go once the root is built (it reported any failure itself) */
	char go;
	if (nsb_read_all(sock, &go, 1) < 0 || go != TO_INIT_GO)
		_exit(NSB_EXIT_FAILURE);
	close(sock);
	/* The root moved under us with the builder's pivot: "/" is the new root. A copy of
	 * the builder's mount namespace made from this less privileged user namespace has
	 * every mount locked, flags (read-only) and stacking (masks) alike. */
	if (chdir("/") < 0)
		child_fail(chan, NSB_PHASE_LOCK, "chdir /", errno);
	if (unshare(CLONE_NEWNS) < 0)
		child_fail(chan, NSB_PHASE_LOCK, "copy the mount namespace", errno);
	/* A session of its own: no process of the container has the caller's terminal as its
	 * controlling terminal; with a console the pty becomes the session's. */
	int e = nsb_console_session(&s->con);
	if (e < 0)
		child_fail(chan, NSB_PHASE_CONSOLE, "a session of its own", -e);

	/* Only 0, 1, 2 and the channel cross the exec. */
	if (chan > 3)
		syscall(SYS_close_range, 3U, (unsigned)chan - 1, CLOSE_RANGE_CLOEXEC);
	syscall(SYS_close_range, (unsigned)chan + 1, ~0U, CLOSE_RANGE_CLOEXEC);
	if (fcntl(chan, F_SETFD, 0) < 0)
		child_fail(chan, NSB_PHASE_EXEC, "clear close-on-exec of the channel", errno);
	/* nsboot-init starts with default dispositions for what it relays (a caller's
	 * SIG_IGN, e.g. SIGINT in a background job, would otherwise stick). The relayed
	 * signals stay blocked across the exec: one relayed before the init runs stays
	 * pending for its signalfd, where unblocking it here would drop it (PID 1 of a pid
	 * namespace discards a signal with the default action). */
	for (size_t i = 0; i < nsb_n_forwarded_signals; i++) {
		struct sigaction sa;
		if (sigaction(nsb_forwarded_signals[i], NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			signal(nsb_forwarded_signals[i], SIG_DFL);
	}
	syscall(SYS_execveat, s->init_fd, "", s->init_argv, s->envp, AT_EMPTY_PATH);
	child_fail(chan, NSB_PHASE_EXEC, "execute nsboot-init", errno);
}

/* Starts the container's init as the spawner's child in the nested namespaces, writes
 * its maps, tells the spawner its pid (on PIDPIPE) and joins its ipc and cgroup
 * namespaces (mqueue and cgroup mounts are made for those). Exits 125 on failure. */
static void start_init(struct builder *b, int pidpipe)
{
	struct spawner *s = b->s;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		child_fail(b->chan, NSB_PHASE_USERNS, "socketpair", errno);
	/* The uid change cleared the dumpable flag, which the init inherits: its /proc files
	 * (id maps, namespaces) would then belong to the host's root, out of the builder's
	 * reach. The init gets it set; the builder clears it again right after the clone. */
	prctl(PR_SET_DUMPABLE, 1);
	int pidfd = -1;
	struct nsb_clone_args args = {
		.flags = CLONE_PARENT | CLONE_PIDFD | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC |
			 CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWTIME,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		/* with CLONE_PARENT the exit signal is the builder's own (SIGCHLD) */
		.exit_signal = 0,
	};
	long pid = nsb_clone3(&args);
	if (pid < 0)
		child_fail(b->chan, NSB_PHASE_USERNS, "clone3 (the init's user, pid, ipc, uts, cgroup, "
			   "time namespaces)", errno);
	if (pid == 0) {
		close(sv[0]);
		close(pidpipe);
		init_main(s, sv[1]);
	}
	prctl(PR_SET_DUMPABLE, 0);
	close(sv[1]);
	b->init = (pid_t)pid;
	b->init_pidfd = pidfd;
	b->init_sock = sv[0];
	int32_t host_pid = (int32_t)pid;
	if (nsb_write_all(pidpipe, &host_pid, sizeof host_pid) < 0)
		_exit(NSB_EXIT_FAILURE); /* the spawner is gone */
	close(pidpipe);

	char err[512];
	if (nsb_users_write_nested_maps(&s->users, b->init, err, sizeof err) < 0) {
		nsb_send_error(b->chan, NSB_PHASE_USERNS, "%s", err);
		_exit(NSB_EXIT_FAILURE);
	}
	if (setns(pidfd, CLONE_NEWIPC | CLONE_NEWCGROUP) < 0)
		child_fail(b->chan, NSB_PHASE_USERNS, "join the init's ipc and cgroup namespaces", errno);
}

/* nsb_setup_env's hook before sysfs: waits for the init's net namespace and joins it. */
static int join_init_net(void *arg, char *err, size_t len)
{
	struct builder *b = arg;
	int32_t e;
	char what[64];
	int r = nsb_read_all(b->init_sock, &e, sizeof e);
	if (r == 0)
		r = nsb_read_all(b->init_sock, what, sizeof what);
	if (r < 0) {
		snprintf(err, len, "the init did not make its net namespace: %s", strerror(-r));
		return r;
	}
	b->net_joined = true;
	what[sizeof what - 1] = '\0';
	if (e != 0) {
		snprintf(err, len, "%s: %s", what, strerror(e));
		return -e;
	}
	if (setns(b->init_pidfd, CLONE_NEWNET) < 0) {
		r = -errno;
		snprintf(err, len, "join the init's net namespace: %s", strerror(-r));
		return r;
	}
	return nsb_net_container_side(&b->s->net, err, len);
}

/* The builder (see the top of this file). Never returns. */
static noreturn void builder_main(struct spawner *s, int pidpipe)
{
	struct builder b = { .s = s, .chan = s->chan[1], .init_sock = -1, .init_pidfd = -1 };
	int fd = b.chan;
	struct nsb_msg m;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(s->chan[0]);
	/* only the spawner holds the range locks: a builder stuck in a mount never does (its
	 * copies are closed, the files left as the spawner wrote them) */
	for (size_t i = 0; i < NSB_MAX_LOCKS; i++)
		if (s->users.locks[i] >= 0)
			close(s->users.locks[i]);
	nsb_net_child_close(&s->net);
	nsb_machine_child_close();
	if (s->cg.lockfd >= 0)
		close(s->cg.lockfd); /* only the spawner keeps the cgroup from being stale */

	if (nsb_msg_recv(fd, &m) < 0 || m.type != NSB_MSG_GO)
		_exit(NSB_EXIT_FAILURE); /* the spawner is gone (or failed) before GO */
	int tree_fd = nsb_go_fd(&m, NSB_GO_TREE);
	/* the pty's slave becomes 0, 1, 2, and so the container's /dev/console */
	int e;
	if ((e = nsb_console_child(&s->con)) < 0)
		child_fail(fd, NSB_PHASE_CONSOLE, "make the pty the standard fds", -e);

	if (setresgid(0, 0, 0) < 0)
		child_fail(fd, NSB_PHASE_USERNS, "setresgid 0", errno);
	if (setresuid(0, 0, 0) < 0)
		child_fail(fd, NSB_PHASE_USERNS, "setresuid 0", errno);
	if (s->users.mode != NSB_USERS_SINGLE && setgroups(0, NULL) < 0 && errno != EPERM)
		child_fail(fd, NSB_PHASE_USERNS, "setgroups", errno);
	/* The kernel clears the parent-death signal when the effective uid changes, and
	 * setresuid(0) does change it (host uid 0 -> the mapped root): set it again, then
	 * make sure the spawner did not die in between (its end of the channel hangs up). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct pollfd hup = { .fd = fd, .events = POLLRDHUP };
	if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLRDHUP)))
		_exit(NSB_EXIT_FAILURE);

	/* the init first: it makes its net namespace while the root is built (and the
	 * spawner, told its pid, arms the setup timeout, which a hanging bind source meets) */
	start_init(&b, pidpipe);
	check_binds(s, fd);
	attach_idmapped_binds(s, fd, &m);
	for (size_t i = 0; i < m.n_fds; i++)
		if (m.fds[i] != tree_fd)
			close(m.fds[i]);

	char pidns[64];
	snprintf(pidns, sizeof pidns, "/proc/%d/ns/pid", (int)b.init);
	int pidns_fd = open(pidns, O_RDONLY | O_CLOEXEC);
	if (pidns_fd < 0)
		child_fail(fd, NSB_PHASE_USERNS, pidns, errno);
	bool own_net = nsb_net_own_ns(&s->c);
	struct nsb_setup_env env = { .tree_fd = tree_fd, .own_netns = own_net, .own_ipcns = 1,
				     .pidns_fd = pidns_fd,
				     .join_netns = own_net ? join_init_net : NULL,
				     .join_arg = &b };
	struct nsb_error err = { .phase = NSB_PHASE_SETUP };
	if (nsb_setup_root(&s->c, &env, &err) < 0) {
		nsb_send_error(fd, err.phase[0] ? err.phase : NSB_PHASE_SETUP, "%s", err.message);
		_exit(NSB_EXIT_FAILURE);
	}
	/* joined by now, unless the plan had no sysfs */
	if (own_net && !b.net_joined && join_init_net(&b, err.message, sizeof err.message) < 0) {
		nsb_send_error(fd, NSB_PHASE_NETWORK, "%s", err.message);
		_exit(NSB_EXIT_FAILURE);
	}
	char go = TO_INIT_GO;
	if (nsb_write_all(b.init_sock, &go, 1) < 0)
		_exit(NSB_EXIT_FAILURE); /* the init is gone: the spawner sees it exit */
	_exit(0);
}

pid_t nsb_spawn_builder(struct spawner *s, int pidpipe[2])
{
	struct nsb_clone_args args = { .flags = CLONE_NEWUSER | CLONE_NEWNS,
				      .exit_signal = SIGCHLD };
	/* No CLONE_VM: the builder gets a copy of the address space, as with fork(). */
	long pid = nsb_clone3(&args);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(pidpipe[0]);
		builder_main(s, pidpipe[1]);
	}
	return (pid_t)pid;
}
