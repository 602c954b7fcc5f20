/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udp-echo: a UDP server and client for the network tests (a busybox tree has no UDP
 * server, Debian's busybox nc no -u). Built static: it runs inside a busybox tree too.
 *   udp-echo serve PORT          answers each datagram to PORT (any address) with
 *                                "echo: " and the datagram, from that port, forever
 *   udp-echo ask ADDR PORT TEXT  sends TEXT to ADDR:PORT and prints the answer; exit 1
 *                                without one within 2 seconds
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int serve(int s, unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("udp-echo: bind");
		return 1;
	}
	for (;;) {
		char in[512], out[600];
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(s, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		int k = snprintf(out, sizeof out, "echo: %.*s", (int)n, in);
		sendto(s, out, (size_t)k, 0, (struct sockaddr *)&from, fl);
	}
}

static int ask(int s, const char *addr, unsigned port, const char *text)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "udp-echo: %s: not an IPv4 address\n", addr);
		return 2;
	}
	if (sendto(s, text, strlen(text), 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("udp-echo: sendto");
		return 1;
	}
	struct pollfd p = { .fd = s, .events = POLLIN };
	char in[600];
	ssize_t n;
	if (poll(&p, 1, 2000) != 1 || (n = recv(s, in, sizeof in, 0)) < 0) {
		fprintf(stderr, "udp-echo: no answer from %s:%u\n", addr, port);
		return 1;
	}
	printf("%.*s\n", (int)n, in);
	return 0;
}

int main(int argc, char **argv)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("udp-echo: socket");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(s, (unsigned)atoi(argv[2]));
	if (argc == 5 && strcmp(argv[1], "ask") == 0)
		return ask(s, argv[2], (unsigned)atoi(argv[3]), argv[4]);
	fprintf(stderr, "usage: udp-echo serve PORT | udp-echo ask ADDR PORT TEXT\n");
	return 2;
}
