/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "standalone.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "paths.h"

/* The phase name of the init's own setup steps in ERROR records. */
#define PHASE NSB_PHASE_INIT

/* Finds "tree" among GO's comma-separated fd names. */
int nsb_go_tree_fd(const struct nsb_msg *m)
{
	return nsb_go_fd(m, NSB_GO_TREE);
}

/* Builds nsboot-mount's argv from the init's option words. */
int nsb_mount_helper_argv(const char *path, char *const argv[], int n_option_args,
			  int tree_fd, char *tree_arg, size_t tree_arg_len, char **out,
			  size_t outlen)
{
	size_t need = 1 + (size_t)n_option_args + (tree_fd >= 0) + 1;
	if (n_option_args < 0 || need > outlen)
		return -E2BIG;
	size_t n = 0;
	out[n++] = (char *)path;
	/* First: the option words may end with "--", after which nothing is an option. */
	if (tree_fd >= 0) {
		if ((size_t)snprintf(tree_arg, tree_arg_len, "--tree-fd=%d", tree_fd) >= tree_arg_len)
			return -E2BIG;
		out[n++] = tree_arg;
	}
	for (int i = 1; i <= n_option_args; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	return (int)n;
}

/* Waits for GO; keeps the "tree" fd, closes any other. */
int nsb_wait_go(int sync_fd, int *tree_fd, struct nsb_error *err)
{
	/* static: GO's buffer is 4 kB and the idle init should not keep that much stack. */
	static struct nsb_msg m;
	*tree_fd = -1;
	int r = nsb_msg_recv(sync_fd, &m);
	if (r == -EPIPE)
		return nsb_error_set(err, r, PHASE, "the spawner is gone before GO");
	if (r < 0)
		return nsb_error_set(err, r, PHASE, "receive GO on fd %d: %s", sync_fd, strerror(-r));
	int tree = nsb_go_tree_fd(&m);
	for (size_t i = 0; i < m.n_fds; i++)
		if (m.fds[i] >= 0 && m.fds[i] != tree)
			close(m.fds[i]);
	if (m.type != NSB_MSG_GO) {
		if (tree >= 0)
			close(tree);
		return nsb_error_set(err, -EBADMSG, PHASE, "expected GO from the spawner, got '%c'",
				     (char)m.type);
	}
	*tree_fd = tree;
	return 0;
}

static void report(const struct nsb_config *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Logs one line and sends it as ERROR when a spawner listens. */
static void report(const struct nsb_config *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	if (c->sync_fd >= 0)
		(void)nsb_send_error(c->sync_fd, PHASE, "%s", msg);
}

/* unshare(CLONE_NEWNS), then nsboot-mount with the same option words. */
int nsb_build_root(const struct nsb_config *c, char *const argv[], int tree_fd,
		   const char *boot_word)
{
	if (unshare(CLONE_NEWNS) < 0) {
		report(c, "unshare(CLONE_NEWNS): %s", strerror(errno));
		return -1;
	}
	char path[PATH_MAX];
	int r = nsb_find_program("nsboot-mount", path, sizeof path);
	if (r < 0) {
		report(c, "nsboot-mount: %s (next to nsboot-init or in the libexec folder)",
		       strerror(-r));
		return -1;
	}
	char tree_arg[32];
	char *hargv[c->n_option_args + 5 + c->argc];
	int n = nsb_mount_helper_argv(path, argv, c->n_option_args, tree_fd, tree_arg,
				      sizeof tree_arg, hargv + (boot_word != NULL),
				      sizeof hargv / sizeof hargv[0] - 1);
	if (n < 0) {
		report(c, "nsboot-mount: command line too long");
		return -1;
	}
	if (boot_word) { /* the preset detected here, first among the options */
		hargv[0] = hargv[1];
		hargv[1] = (char *)boot_word;
		n++;
	}
	/* The helper never runs COMMAND, but must know there is one: a preset's default
	 * drop list applies only to a preset boot. */
	if (c->argc > 0) {
		if (strcmp(hargv[n - 1], "--") != 0)
			hargv[n++] = (char *)"--";
		for (int i = 0; i < c->argc; i++)
			hargv[n++] = c->argv[i];
		hargv[n] = NULL;
	}
	int keep[2] = { c->sync_fd, tree_fd };
	log_debug("building the root with %s", path);
	int st = nsb_child_run(hargv, keep, 2);
	if (st == 0) {
		if (chdir("/") < 0)
			log_warn_errno(-errno, "chdir /");
		return 0;
	}
	/* The helper printed its one-line error and sent ERROR itself, unless it never ran
	 * or was killed. */
	if (st < 0)
		report(c, "fork for nsboot-mount: %s", strerror(-st));
	else if ((st == 126 || st == 127) && c->sync_fd >= 0)
		(void)nsb_send_error(c->sync_fd, PHASE, "exec %s: cannot run it", path);
	else if (st > 128)
		report(c, "nsboot-mount was killed by signal %d", st - 128);
	else
		log_debug("nsboot-mount failed with status %d", st);
	return -1;
}
