/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's net namespace, made beside the root (spawn/netns.h). */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "log.h"
#include "proto.h"

/* Makes the caller's net namespace a new one with lo up; with WANT_FD returns an fd to it
 * (else 0). A negative errno on failure, the step in WHAT. */
static int make(bool want_fd, const char **what)
{
	struct ifreq ifr = { 0 };
	int s = -1, r = 0;
	*what = "unshare the net namespace";
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	*what = "bring lo up";
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	*what = "open the net namespace";
	if (want_fd && (r = ioctl(s, SIOCGSKNS)) < 0)
		goto fail;
	close(s);
	return r;
fail:
	r = -errno;
	close(s);
	return r;
}

int nsb_netns_prepare(struct nsb_netns *n)
{
	*n = (struct nsb_netns){ .sock = { -1, -1 } };
	cpu_set_t cpus;
	/* on one CPU a helper would only take turns with the child */
	if (sched_getaffinity(0, sizeof cpus, &cpus) < 0 || CPU_COUNT(&cpus) < 2) {
		log_debug("net namespace: made by the child (one CPU)");
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, n->sock) < 0)
		return -errno;
	n->helper = true;
	log_debug("net namespace: made by a helper process beside the root");
	return 0;
}

void nsb_netns_child_start(struct nsb_netns *n)
{
	if (n->helper) {
		close(n->sock[0]);
		n->sock[0] = -1;
		return;
	}
	const char *what;
	int r = make(false, &what);
	if (r < 0) {
		n->err = -r;
		snprintf(n->msg, sizeof n->msg, "%s: %s", what, strerror(-r));
	}
}

/* The helper: in the user namespace USERNS (or failing with -USERNS), makes the net
 * namespace and sends it on FD. */
static noreturn void helper_main(int fd, int userns)
{
	const char *what = "enter the container's user namespace";
	int r = userns < 0 ? userns : 0;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* none of the spawner's fds (its lock, the console, the channel) but these two */
	unsigned lo = (unsigned)fd, hi = (unsigned)(userns > fd ? userns : fd);
	if (userns >= 0 && userns < fd)
		lo = (unsigned)userns;
	if (lo > 3)
		syscall(SYS_close_range, 3U, lo - 1, 0U);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0U);
	syscall(SYS_close_range, hi + 1, ~0U, 0U);
	if (r == 0 && setns(userns, CLONE_NEWUSER) < 0)
		r = -errno;
	if (r == 0)
		r = make(true, &what);
	if (r < 0) {
		(void)nsb_send_error(fd, "network", "%s: %s", what, strerror(-r));
		_exit(1);
	}
	struct nsb_msg m = { .type = NSB_MSG_GO, .text = "net", .fds = { r }, .n_fds = 1 };
	_exit(nsb_msg_send(fd, &m) < 0 ? 1 : 0);
}

void nsb_netns_spawn(struct nsb_netns *n, pid_t child)
{
	if (!n->helper)
		return;
	/* Opened here, not in the helper: once the child has taken uid 0 of its namespace
	 * (after GO) it is no longer dumpable, and opening its ns links then needs
	 * CAP_SYS_PTRACE, which a root spawner may lack (a container's default set). */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)child);
	int userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		userns = -errno;
	pid_t pid = fork();
	if (pid == 0)
		helper_main(n->sock[0], userns);
	if (userns >= 0)
		close(userns);
	if (pid < 0)
		(void)nsb_send_error(n->sock[0], "network", "fork the net namespace helper: %s",
				     strerror(errno));
	else
		n->helper_pid = pid;
	close(n->sock[0]);
	n->sock[0] = -1;
}

void nsb_netns_reap(struct nsb_netns *n, bool block)
{
	if (n->helper_pid <= 0)
		return;
	pid_t r;
	while ((r = waitpid(n->helper_pid, NULL, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (r != 0)
		n->helper_pid = 0;
}

int nsb_netns_join(void *arg, char *err, size_t len)
{
	struct nsb_netns *n = arg;
	if (!n->joined && n->helper) {
		struct nsb_msg m = { .n_fds = 0 };
		int r = nsb_msg_recv(n->sock[1], &m);
		if (r == 0 && m.type == NSB_MSG_GO && m.n_fds == 1 && strcmp(m.text, "net") == 0) {
			if (setns(m.fds[0], CLONE_NEWNET) < 0) {
				n->err = errno;
				snprintf(n->msg, sizeof n->msg, "enter the net namespace: %s",
					 strerror(n->err));
			}
		} else if (r == 0 && m.type == NSB_MSG_ERROR) {
			n->err = EIO; /* the helper's errno is in its words */
			snprintf(n->msg, sizeof n->msg, "%.*s", (int)sizeof n->msg - 1, m.text);
		} else {
			n->err = r < 0 ? -r : EBADMSG;
			snprintf(n->msg, sizeof n->msg, "the net namespace helper: %s",
				 r == -EPIPE ? "it exited without an answer" : strerror(n->err));
		}
		for (size_t i = 0; i < m.n_fds && i < NSB_PROTO_MAX_FDS; i++)
			if (m.fds[i] >= 0)
				close(m.fds[i]);
		close(n->sock[1]);
		n->sock[1] = -1;
	}
	n->joined = true;
	if (n->err == 0)
		return 0;
	snprintf(err, len, "%s", n->msg);
	return -n->err;
}
