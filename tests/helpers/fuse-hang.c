/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuse-hang: a FUSE file system that never answers, for the tests of nsboot's setup
 * timeout. In a private mount namespace of its own it mounts a FUSE connection on DIR,
 * never reads a request from it, and runs COMMAND there: every lookup under DIR hangs
 * (killable with SIGKILL) until the helper exits, which aborts the connection.
 *   fuse-hang DIR COMMAND [ARG]...
 * Exit status: COMMAND's (128+N for signal N), or 125 with the failed step. Root only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

/* Dies naming STEP and errno. */
static void die(const char *step)
{
	fprintf(stderr, "fuse-hang: %s: %s\n", step, strerror(errno));
	exit(125);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fuse-hang DIR COMMAND [ARG]...\n");
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
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
