/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small pty driver for the console tests: runs COMMAND with a new pty as its controlling
 * terminal (as a user's shell would), plays the steps, waits for COMMAND to exit, and
 * reports whether the terminal's modes are what they were before.
 *   boot-pty [-t SECONDS] STEP... -- COMMAND [ARG]...
 * Steps, in order:
 *   -e TEXT     wait until the output so far (since the last -e) contains TEXT
 *   -s TEXT     type TEXT (escapes: \n \r \t \\ \xHH, e.g. \x03 for Ctrl-C)
 *   -w RxC      resize the terminal to R rows and C columns
 *   -p MS       pause MS milliseconds
 * Output: COMMAND's output goes to stdout as it comes; then lines "status N" (the exit
 * status, 128+N for signal N) and "modes restored" or "modes changed" on stderr.
 * Exit: 0 when every step passed, 1 when an -e timed out (the output so far is on stdout). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char seen[1 << 16];
static size_t seen_len;
static int master = -1;

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads what the command wrote for up to MS milliseconds; returns -1 once it hung up. */
static int pump(int ms)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	int r = poll(&p, 1, ms);
	if (r <= 0)
		return 0;
	char buf[4096];
	ssize_t n = read(master, buf, sizeof buf);
	if (n <= 0)
		return -1;
	fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	if (seen_len + (size_t)n >= sizeof seen) { /* keep the recent half */
		memmove(seen, seen + sizeof seen / 2, seen_len - sizeof seen / 2);
		seen_len -= sizeof seen / 2;
	}
	memcpy(seen + seen_len, buf, (size_t)n);
	seen_len += (size_t)n;
	seen[seen_len] = '\0';
	return 1;
}

/* Decodes the escapes of -s into OUT; returns the length. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'x': {
			char hex[3] = { s[1], s[1] ? s[2] : 0, 0 };
			out[n++] = (char)strtol(hex, NULL, 16);
			s += 2;
			break;
		}
		default: out[n++] = *s; break;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	int timeout_s = 30, first_cmd = -1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			first_cmd = i + 1;
			break;
		}
	if (first_cmd < 0 || first_cmd >= argc) {
		fprintf(stderr, "usage: boot-pty [-t S] [-e TEXT|-s TEXT|-w RxC|-p MS]... -- COMMAND...\n");
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		perror("boot-pty: pty");
		return 2;
	}
	const char *name = ptsname(master);
	int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		perror("boot-pty: open slave");
		return 2;
	}
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	ioctl(slave, TIOCSWINSZ, &ws);
	struct termios before;
	tcgetattr(slave, &before);

	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(120);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		execvp(argv[first_cmd], argv + first_cmd);
		_exit(127);
	}
	int ok = 1;
	for (int i = 1; i < first_cmd - 1 && ok; i++) {
		const char *a = argv[i], *v = i + 1 < first_cmd - 1 ? argv[i + 1] : NULL;
		if (strcmp(a, "-t") == 0 && v) {
			timeout_s = atoi(v);
			i++;
		} else if (strcmp(a, "-e") == 0 && v) {
			long long end = now_ms() + timeout_s * 1000LL;
			while (!strstr(seen, v)) {
				if (now_ms() > end || pump(100) < 0) {
					fprintf(stderr, "boot-pty: did not see '%s'\n", v);
					ok = 0;
					break;
				}
			}
			if (ok) { /* later -e look at what comes after this match */
				char *at = strstr(seen, v) + strlen(v);
				seen_len = strlen(at);
				memmove(seen, at, seen_len + 1);
			}
			i++;
		} else if (strcmp(a, "-s") == 0 && v) {
			char buf[4096];
			size_t n = unescape(v, buf);
			if (write(master, buf, n) != (ssize_t)n)
				perror("boot-pty: write");
			i++;
		} else if (strcmp(a, "-w") == 0 && v) {
			unsigned r, c;
			if (sscanf(v, "%ux%u", &r, &c) == 2) {
				ws.ws_row = (unsigned short)r;
				ws.ws_col = (unsigned short)c;
				ioctl(master, TIOCSWINSZ, &ws);
			}
			i++;
		} else if (strcmp(a, "-p") == 0 && v) {
			long long end = now_ms() + atoi(v);
			while (now_ms() < end && pump((int)(end - now_ms())) >= 0)
				;
			i++;
		} else {
			fprintf(stderr, "boot-pty: bad step '%s'\n", a);
			ok = 0;
		}
	}
	/* the rest of the output, until the command is gone */
	int st = 0;
	long long end = now_ms() + timeout_s * 1000LL;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (now_ms() > end) {
			fprintf(stderr, "boot-pty: the command did not exit; killing it\n");
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			ok = 0;
			break;
		}
		pump(50);
	}
	while (pump(0) > 0)
		;
	struct termios after;
	tcgetattr(slave, &after);
	int same = before.c_iflag == after.c_iflag && before.c_oflag == after.c_oflag &&
		   before.c_cflag == after.c_cflag && before.c_lflag == after.c_lflag &&
		   memcmp(before.c_cc, after.c_cc, sizeof before.c_cc) == 0;
	fprintf(stderr, "status %d\n", WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
	fprintf(stderr, "modes %s\n", same ? "restored" : "changed");
	return ok ? 0 : 1;
}
