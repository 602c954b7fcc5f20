/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mnt-sync: runs PROG with a SEQPACKET channel, as a spawner would, and prints what came
 * back on it: "rc=N" for PROG's exit status, then "TYPE PHASE: MESSAGE" for each record.
 *   mnt-sync PROG ARG...   (an ARG "SYNCFD" becomes --sync-fd=N)
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int sv[2];
	char opt[32];
	if (argc < 2 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "usage: mnt-sync PROG ARG...\n");
		return 125;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int fd = dup(sv[1]); /* without close-on-exec */
		snprintf(opt, sizeof opt, "--sync-fd=%d", fd);
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "SYNCFD") == 0)
				argv[i] = opt;
		execv(argv[1], argv + 1);
		_exit(127);
	}
	close(sv[1]);
	int st;
	waitpid(pid, &st, 0);
	printf("rc=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	char buf[4096];
	ssize_t n;
	while ((n = recv(sv[0], buf, sizeof buf - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		const char *phase = buf + 1, *msg = phase + strlen(phase) + 1;
		printf("%c %s: %s\n", buf[0], phase, msg < buf + n ? msg : "");
	}
	return 0;
}
