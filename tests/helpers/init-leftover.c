/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helper for the init's shutdown.
 *   init-leftover DIR handle CODE   leaves behind a process that, on SIGTERM, writes
 *                                   DIR/term and exits; then exits CODE
 *   init-leftover DIR ignore CODE   the same, but the leftover keeps running after
 *                                   writing DIR/term (only SIGKILL ends it)
 *   init-leftover DIR threads CODE  like ignore, but the leftover's main thread then calls
 *                                   pthread_exit while a second thread runs on: /proc
 *                                   shows it as a zombie (with 2 threads) that still lives;
 *                                   its pid is in DIR/pid
 *   init-leftover DIR stay          is itself such a process (ignores SIGTERM), for
 *                                   nsenter or a bystander
 * Every variant writes DIR/ready once its SIGTERM handler is in place (before the
 * parent exits), and DIR/SIGNAME for any other signal among HUP INT QUIT USR1 USR2. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static int handle_exits;

/* Creates DIR/NAME (async-signal-safe enough: open and close). */
static void touch(const char *name)
{
	char path[512];
	size_t d = strlen(dir), n = strlen(name);
	if (d + n + 2 > sizeof path)
		return;
	memcpy(path, dir, d);
	path[d] = '/';
	memcpy(path + d + 1, name, n + 1);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0)
		close(fd);
}

/* Notes the signal; SIGTERM ends the process in "handle" mode. */
static void on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
		touch("term");
		if (handle_exits)
			_exit(0);
		break;
	case SIGHUP: touch("SIGHUP"); break;
	case SIGINT: touch("SIGINT"); break;
	case SIGQUIT: touch("SIGQUIT"); break;
	case SIGUSR1: touch("SIGUSR1"); break;
	case SIGUSR2: touch("SIGUSR2"); break;
	}
}

/* The leftover's second thread in "threads" mode. */
static void *forever(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* Installs the handlers, says ready, and waits for signals forever. */
static void stay(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	touch("ready");
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[2], "stay") == 0) {
		dir = argv[1];
		stay();
	}
	if (argc != 4 || (strcmp(argv[2], "handle") && strcmp(argv[2], "ignore") &&
			  strcmp(argv[2], "threads"))) {
		fprintf(stderr, "usage: init-leftover DIR handle|ignore|threads CODE | DIR stay\n");
		return 2;
	}
	dir = argv[1];
	handle_exits = strcmp(argv[2], "handle") == 0;
	bool threads = strcmp(argv[2], "threads") == 0;
	int p[2];
	if (pipe(p) < 0)
		return perror("pipe"), 2;
	pid_t pid = fork();
	if (pid < 0)
		return perror("fork"), 2;
	if (pid == 0) {
		close(p[0]);
		struct sigaction sa = { .sa_handler = on_signal };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		pthread_t t;
		if (threads && pthread_create(&t, NULL, forever, NULL) != 0)
			_exit(2);
		if (threads) {
			char path[512], num[16];
			snprintf(path, sizeof path, "%s/pid", dir);
			int n = snprintf(num, sizeof num, "%d\n", (int)getpid());
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
			if (fd < 0 || write(fd, num, (size_t)n) != n)
				_exit(2);
			close(fd);
		}
		touch("ready");
		close(p[1]); /* the parent may go */
		if (threads)
			pthread_exit(NULL);
		for (;;)
			pause();
	}
	close(p[1]);
	char c;
	while (read(p[0], &c, 1) > 0)
		;
	return atoi(argv[3]);
}
