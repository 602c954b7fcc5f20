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

#include "boot.h"
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
/* The preset's status check printed or ended: BOOTED goes out at its end. */
static void on_check(struct nsb_loop *l, int fd, short revents, void *data)
{
	if (nsb_notify_check_read(fd) > 0)
		nsb_loop_unwatch(l, fd);
}

static void on_notify(struct nsb_loop *l, int fd, short revents, void *data)
{
	if (nsb_notify_handle(fd) <= 0 || nsb_notify_booted())
		return;
	int check = nsb_notify_check_start(); /* the preset's status check first */
	if (check >= 0)
		nsb_loop_watch(l, check, POLLIN, on_check, NULL);
}

/* The boot command (*CMD: COMMAND, or the preset's) and the check that the root holds what
 * it needs: always for a preset, for COMMAND in a root built for it. Returns 0, or a
 * negative errno with ERR filled. */
static int boot_command(const struct nsb_config *c, char ***cmd,
			const struct nsb_preset **preset, char *err, size_t errlen)
{
	err[0] = '\0';
	int r = 0;
	if ((c->boot || c->argc == 0) &&
	    (r = nsb_preset_argv_kind(c, cmd, preset, err, errlen)) < 0)
		return r;
	if (!*preset && !c->mount_options && !c->setup_done)
		return 0;
	int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return nsb_fail(err, errlen, -errno, "open /: %s", strerror(errno));
	r = nsb_preset_check_root(*preset, *cmd, rootfd, err, errlen);
	close(rootfd);
	return r;
}

/* Without COMMAND or --boot, the preset is the tree's own init system: detected once,
 * from TREE_FD (GO's tree) or -D's path before the root is built, and set in C; returns
 * "--boot=NAME" (in WORD) for nsboot-mount, or NULL when nothing was detected. */
static const char *detect_preset(struct nsb_config *c, int tree_fd, char *word, size_t len)
{
	if (c->argc > 0 || c->boot || (tree_fd < 0 && !c->tree))
		return NULL;
	int fd = tree_fd >= 0 ? tree_fd : open(c->tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL; /* nsboot-mount names the bad tree */
	c->boot = nsb_preset_detect(fd)->name;
	if (fd != tree_fd)
		close(fd);
	log_debug("boot: %s preset (detected from the tree)", c->boot);
	snprintf(word, len, "--boot=%s", c->boot);
	return word;
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
	char boot_word[80];
	if (c.mount_options && !c.setup_done &&
	    nsb_build_root(&c, argv, tree_fd, detect_preset(&c, tree_fd, boot_word, sizeof boot_word)) < 0)
		return NSB_EXIT_FAILURE;
	if (tree_fd >= 0)
		close(tree_fd);

	/* The boot command, computed before READY so that a bad preset or a tree that lacks
	 * what it needs is an ERROR. */
	char **cmd = c.argv;
	const struct nsb_preset *preset = NULL;
	char err[512];
	if (boot_command(&c, &cmd, &preset, err, sizeof err) < 0) {
		if (c.sync_fd < 0)
			log_error("%s", err);
		tell_spawner(&c, NSB_PHASE_BOOT, err); /* which prints it */
		return NSB_EXIT_FAILURE;
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
	loop.hold_stop = preset && preset->script;
	pid_t pid = nsb_loop_spawn(&loop, cmd, nsb_child_tty_mode(STDIN_FILENO));
	if (pid < 0)
		return NSB_EXIT_FAILURE;
	if (readiness)
		nsb_notify_started(pid, preset);
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
