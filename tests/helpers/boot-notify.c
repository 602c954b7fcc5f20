/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sd_notify from a test, without libsystemd: sends MESSAGE as one datagram to
 * $NOTIFY_SOCKET, or listens on a socket and prints what arrives.
 *   boot-notify MESSAGE           send (exit 0 when sent)
 *   boot-notify --stay MESSAGE    send, then wait for a signal (a boot command that
 *                                 reports "up" and keeps running: exec it from sh)
 *   boot-notify --listen PATH S   bind a datagram socket at PATH, print the first datagram
 *                                 on one line; exit 1 after S seconds without one */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Fills SA from the sd_notify address S (a path or "@abstract"); returns its length. */
static socklen_t address(const char *s, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	size_t len = strlen(s);
	if (len >= sizeof sa->sun_path) {
		fprintf(stderr, "boot-notify: address too long\n");
		exit(2);
	}
	memcpy(sa->sun_path, s, len);
	if (s[0] == '@')
		sa->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (s[0] != '@'));
}

/* Binds PATH and prints the first datagram (TIMEOUT_S seconds at most). */
static int listen_once(const char *path, int timeout_s)
{
	struct sockaddr_un sa;
	socklen_t len = address(path, &sa);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0) {
		perror("boot-notify: bind");
		return 2;
	}
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, timeout_s * 1000) <= 0) {
		fprintf(stderr, "boot-notify: nothing within %d s\n", timeout_s);
		return 1;
	}
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
	if (n < 0) {
		perror("boot-notify: recv");
		return 2;
	}
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	printf("%s\n", buf);
	return 0;
}

/* SIGTERM ends a staying boot command cleanly. */
static void on_term(int sig)
{
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--listen") == 0)
		return listen_once(argv[2], atoi(argv[3]));
	int stay = argc == 3 && strcmp(argv[1], "--stay") == 0;
	if (argc != 2 && !stay) {
		fprintf(stderr, "usage: boot-notify [--stay] MESSAGE | --listen PATH SECONDS\n");
		return 2;
	}
	const char *to = getenv("NOTIFY_SOCKET");
	if (!to || !*to) {
		fprintf(stderr, "boot-notify: NOTIFY_SOCKET is not set\n");
		return 1;
	}
	struct sockaddr_un sa;
	socklen_t len = address(to, &sa);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	const char *msg = argv[argc - 1];
	if (fd < 0 || sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len) < 0) {
		perror("boot-notify: send");
		return 1;
	}
	close(fd);
	if (stay) {
		signal(SIGTERM, on_term);
		for (;;)
			pause();
	}
	return 0;
}
