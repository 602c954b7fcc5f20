/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helper: a minimal spawner driving nsboot-init over --sync-fd (docs/protocol.md).
 *   init-spawner [-p] MODE INIT [ARG]...
 * runs INIT --sync-fd=N [ARG]... (with -p as PID 1 of a new pid namespace) and, by MODE:
 *   hangup     sends GO, waits for READY, closes the channel, waits for the init
 *   die[=PATH] sends GO, waits for READY (and for PATH to have data), then exits
 *              (the init is then an orphan)
 *   eof        closes the channel before GO
 *   bad        sends READY instead of GO
 *   setup-done passes --setup-done, sends no GO, waits for READY, then for the init
 *   tree=PATH  sends GO with a detached clone of PATH (open_tree) as the "tree", waits for
 *              READY, then for the init
 * Prints "channel N" (the init's fd), "ready" when READY came, "error PHASE: MESSAGE" for
 * ERROR, and "status N" for the init's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int a = 1, newpid = 0;
	if (argc > a && strcmp(argv[a], "-p") == 0) {
		newpid = 1;
		a++;
	}
	if (argc - a < 2) {
		fprintf(stderr, "usage: init-spawner [-p] MODE INIT [ARG]...\n");
		return 2;
	}
	const char *mode = argv[a];
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return perror("socketpair"), 2;
	if (newpid && unshare(CLONE_NEWPID) < 0)
		return perror("unshare"), 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t pid = fork();
	if (pid < 0)
		return perror("fork"), 2;
	if (pid == 0) {
		int fd = dup(sv[1]); /* without close-on-exec */
		char opt[32];
		snprintf(opt, sizeof opt, "--sync-fd=%d", fd);
		printf("channel %d\n", fd);
		char *args[argc + 4];
		int n = 0;
		args[n++] = argv[a + 1];
		args[n++] = opt;
		if (strcmp(mode, "setup-done") == 0)
			args[n++] = "--setup-done";
		for (int i = a + 2; i < argc; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		execv(args[0], args);
		perror(args[0]);
		_exit(127);
	}
	close(sv[1]);
	int s = sv[0];
	char buf[4096];
	if (strcmp(mode, "eof") == 0) {
		close(s);
	} else {
		if (strcmp(mode, "bad") == 0) {
			send(s, "R", 1, 0);
		} else if (strncmp(mode, "tree=", 5) == 0) {
			/* open_tree(OPEN_TREE_CLONE | AT_RECURSIVE), as nsboot does */
			int fd = (int)syscall(SYS_open_tree, AT_FDCWD, mode + 5, 1 | 0x8000 | O_CLOEXEC);
			if (fd < 0)
				return perror(mode + 5), 2;
			union {
				char b[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} ctl;
			struct iovec iov = { .iov_base = "Gtree", .iov_len = 5 };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
					     .msg_controllen = sizeof ctl.b };
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof fd);
			if (sendmsg(s, &mh, 0) < 0)
				return perror("sendmsg"), 2;
			close(fd);
		}
		else if (strcmp(mode, "setup-done") != 0)
			send(s, "G", 1, 0);
		ssize_t n = recv(s, buf, sizeof buf, 0);
		if (n == 1 && buf[0] == 'R')
			printf("ready\n");
		else if (n > 1 && buf[0] == 'E')
			printf("error %.*s: %.*s\n", (int)strnlen(buf + 1, (size_t)n - 1), buf + 1,
			       (int)(n - 2 - (ssize_t)strnlen(buf + 1, (size_t)n - 1)),
			       buf + 2 + strnlen(buf + 1, (size_t)n - 1));
		else if (n > 0)
			printf("got '%c'\n", buf[0]);
		if (strncmp(mode, "die", 3) == 0) {
			struct stat st;
			while (mode[3] == '=' && (stat(mode + 4, &st) < 0 || st.st_size == 0))
				usleep(10000);
			return 0;
		}
		if (strcmp(mode, "hangup") == 0)
			close(s);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	printf("status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
