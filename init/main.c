/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot-init: the tiny PID 1. Options, then the process model of docs/design.md: wait for the
 * spawner's GO, build the root (nsboot-mount) when standalone with mount options, READY,
 * the boot command, the loop. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "io.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "preset.h"
#include "proto.h"
#include "standalone.h"

/* Parses the command line; returns -1 to go on, or the status to exit with. */
static int parse(struct nsb_config *c, int argc, char **argv)
{
	char err[256];
	switch (nsb_parse_args(c, argc, argv, NSB_PROG_INIT, err, sizeof err)) {
	case NSB_PARSE_OK:
		nsb_verbosity = c->verbosity;
		return -1;
	case NSB_PARSE_HELP:
		(void)nsb_write_str(STDOUT_FILENO, nsb_help_text(NSB_PROG_INIT));
		return 0;
	case NSB_PARSE_VERSION:
		(void)nsb_write_str(STDOUT_FILENO, "nsboot-init " NSB_VERSION "\n");
		return 0;
	case NSB_PARSE_ERROR:
	default:
		log_error("%s", err);
		(void)nsb_write_str(STDERR_FILENO, nsb_usage_line(NSB_PROG_INIT));
		(void)nsb_write_str(STDERR_FILENO, "\n");
		return NSB_EXIT_FAILURE;
	}
}

/* Sends ERROR for PHASE when a spawner listens (the line was logged already). */
static void tell_spawner(const struct nsb_config *c, const char *phase, const char *msg)
{
	if (c->sync_fd >= 0)
		(void)nsb_send_error(c->sync_fd, phase, "%s", msg);
}

/* The readiness socket or FIFO has data: BOOTED goes out from there. */
static void on_notify(struct nsb_loop *l, int fd, short revents, void *data)
{
	(void)nsb_notify_handle(fd);
}

int main(int argc, char **argv)
{
	/* static: the config is a few kB that the idle init should not hold on its stack. */
	static struct nsb_config c;
	static struct nsb_loop loop;
	nsb_prog = "nsboot-init";
	int st = parse(&c, argc, argv);
	if (st >= 0)
		return st;

	/* The channel is ours: the boot command must not inherit it. */
	if (c.sync_fd >= 0 && fcntl(c.sync_fd, F_SETFD, FD_CLOEXEC) < 0) {
		log_errno(-errno, "--sync-fd=%d", c.sync_fd);
		return NSB_EXIT_FAILURE;
	}
	/* Signals are queued from now on and forwarded once the command runs. */
	struct nsb_error e;
	if (nsb_loop_init(&loop, &c, &e) < 0) {
		log_error("%s", e.message);
		return NSB_EXIT_FAILURE;
	}

	int tree_fd = -1;
	if (c.sync_fd >= 0 && !c.setup_done) {
		/* getppid() means nothing across a pid namespace: die with the spawner. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			log_warn_errno(-errno, "prctl(PR_SET_PDEATHSIG)");
		if (nsb_wait_go(c.sync_fd, &tree_fd, &e) < 0) {
			log_error("%s", e.message);
			return NSB_EXIT_FAILURE;
		}
	}
	if (c.mount_options && !c.setup_done && nsb_build_root(&c, argv, tree_fd) < 0)
		return NSB_EXIT_FAILURE;
	if (tree_fd >= 0)
		close(tree_fd);

	/* The boot command, computed before READY so that a bad preset is an ERROR. */
	char **cmd = c.argv;
	enum nsb_boot_kind kind = NSB_BOOT_COMMAND;
	if (c.boot || c.argc == 0) {
		char err[256];
		if (nsb_preset_argv_kind(&c, &cmd, &kind, err, sizeof err) < 0) {
			log_error("%s", err);
			tell_spawner(&c, NSB_PHASE_BOOT, err);
			return NSB_EXIT_FAILURE;
		}
	}

	/* In-container readiness, only in a root we built (never in the host's /run). A
	 * failure was logged; the boot goes on without it. */
	bool readiness = (c.mount_options || c.setup_done) && nsb_notify_setup(c.sync_fd) == 0;
	if (readiness) {
		nsb_loop_watch(&loop, nsb_notify_socket_fd(), POLLIN, on_notify, NULL);
		nsb_loop_watch(&loop, nsb_notify_fifo_fd(), POLLIN, on_notify, NULL);
	}

	if (c.sync_fd >= 0) {
		/* From READY on the spawner's death is a hang-up on the channel and an orderly
		 * shutdown, not an instant SIGKILL; dropped first, as the spawner may exit as
		 * soon as it has READY. */
		(void)prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
		int r = nsb_send_simple(c.sync_fd, NSB_MSG_READY);
		if (r < 0) {
			log_errno(r, "send READY");
			return NSB_EXIT_FAILURE;
		}
		nsb_loop_watch_sync(&loop, c.sync_fd);
	}

	/* the presets' scripts turn a stop request into the tree's shutdown once their
	 * handler is set: a request that comes earlier waits for it */
	loop.hold_stop = kind == NSB_BOOT_SYSV || kind == NSB_BOOT_OPENRC;
	pid_t pid = nsb_loop_spawn(&loop, cmd, nsb_child_tty_mode(STDIN_FILENO));
	if (pid < 0)
		return NSB_EXIT_FAILURE;
	if (readiness)
		nsb_notify_started(pid, kind);
	/* The child exists: from here on the init never exits early. */
	st = nsb_loop_run(&loop);
	/* the spawner may not be able to wait for us (processes stuck in the kernel hold our
	 * exit back): it hears the status here */
	if (nsb_loop_sync_fd(&loop) >= 0) {
		struct nsb_msg m = { .type = NSB_MSG_EXIT };
		unsigned v = (unsigned)st & 0xff;
		char *t = m.text;
		if (v >= 100)
			*t++ = (char)('0' + v / 100);
		if (v >= 10)
			*t++ = (char)('0' + v / 10 % 10);
		*t++ = (char)('0' + v % 10);
		*t = '\0';
		(void)nsb_msg_send(nsb_loop_sync_fd(&loop), &m);
	}
	return st;
}
