/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuse-hang: a FUSE file system that never answers, for the tests of nsboot's setup
 * timeout. In a private mount namespace of its own it mounts a FUSE connection on DIR,
 * never reads a request from it, and runs COMMAND there: every lookup under DIR hangs
 * (killable with SIGKILL) until the helper exits, which aborts the connection.
 * With -i a server process answers INIT and then reads every request without answering:
 * a lookup then sleeps in the kernel where not even SIGKILL ends it, as on a hung network
 * file system, until the helper exits.
 *   fuse-hang [-i] DIR COMMAND [ARG]...
 * Exit status: COMMAND's (128+N for signal N), or 125 with the failed step. Root only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fuse.h>

/* Dies naming STEP and errno. */
static void die(const char *step)
{
	fprintf(stderr, "fuse-hang: %s: %s\n", step, strerror(errno));
	exit(125);
}

/* -i: the server: INIT is answered, every other request read and left unanswered. */
static void serve_init_only(int fd)
{
	static char buf[1 << 20];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		const struct fuse_in_header *h = (const void *)buf;
		if (n < (ssize_t)sizeof *h || h->opcode != FUSE_INIT)
			continue;
		struct {
			struct fuse_out_header h;
			struct fuse_init_out o;
		} r = { .h = { .len = sizeof r, .unique = h->unique },
			.o = { .major = 7, .minor = 31, .max_write = 65536, .max_readahead = 65536 } };
		if (write(fd, &r, sizeof r) < 0)
			_exit(1);
	}
}

int main(int argc, char **argv)
{
	int answer_init = argc > 1 && strcmp(argv[1], "-i") == 0;
	argv += answer_init;
	argc -= answer_init;
	if (argc < 3) {
		fprintf(stderr, "usage: fuse-hang [-i] DIR COMMAND [ARG]...\n");
		return 125;
	}
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare the mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open /dev/fuse");
	char opts[128];
	snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd);
	if (mount("fuse-hang", argv[1], "fuse.hang", MS_NOSUID | MS_NODEV, opts) < 0)
		die("mount fuse");
	pid_t server = answer_init ? fork() : 0;
	if (server < 0)
		die("fork the server");
	if (answer_init && server == 0)
		serve_init_only(fd);
	if (answer_init)
		close(fd);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "fuse-hang: exec %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (server > 0)
		kill(server, SIGKILL); /* the connection aborts: what it held ends */
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
