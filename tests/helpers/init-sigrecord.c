/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helper: records the signals nsboot-init forwards.
 *   init-sigrecord LOG [--group]
 * Appends "child SIGNAME" to LOG for each of SIGHUP SIGINT SIGQUIT SIGTERM SIGUSR1 SIGUSR2
 * SIGWINCH SIGCONT it receives, after "child ready". With --group it first forks a
 * grandchild in its process group that does the same as "grandchild". Each exits 0 on
 * SIGTERM. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
	int sig;
	const char *name;
} sigs[] = {
	{ SIGHUP, "SIGHUP" },   { SIGINT, "SIGINT" },   { SIGQUIT, "SIGQUIT" },
	{ SIGTERM, "SIGTERM" }, { SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" },
	{ SIGWINCH, "SIGWINCH" }, { SIGCONT, "SIGCONT" },
};
#define N_SIGS (sizeof sigs / sizeof sigs[0])

static int log_fd = -1;
static const char *who = "child";
static volatile sig_atomic_t got_term;

/* Appends "WHO TEXT\n" to the log with one write (async-signal-safe). */
static void record(const char *text)
{
	char line[64];
	size_t n = 0, w = strlen(who), t = strlen(text);
	memcpy(line, who, w);
	n = w;
	line[n++] = ' ';
	memcpy(line + n, text, t);
	n += t;
	line[n++] = '\n';
	ssize_t r = write(log_fd, line, n);
	(void)r;
}

/* Records the signal by name. */
static void on_signal(int sig)
{
	for (size_t i = 0; i < N_SIGS; i++)
		if (sigs[i].sig == sig)
			record(sigs[i].name);
	if (sig == SIGTERM)
		got_term = 1;
}

/* Installs the handlers, says ready, waits for SIGTERM. */
static int run(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_SIGS; i++)
		sigaction(sigs[i].sig, &sa, NULL);
	record("ready");
	while (!got_term)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: init-sigrecord LOG [--group]\n");
		return 2;
	}
	log_fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (log_fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (argc > 2 && strcmp(argv[2], "--group") == 0) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			who = "grandchild";
			return run();
		}
	}
	return run();
}
