/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helper for the init's reaping, run as its child.
 *   init-orphans burst N   N children each fork a grandchild and exit; the N orphaned
 *                          grandchildren (now the init's) exit together; then waits until
 *                          the init has reaped them all. Exit 0, or 1 with the count of
 *                          zombies left when they are still there after 60 s (a guard).
 *   init-orphans reparent  an orphaned grandchild reports its new parent: exit 0 when it
 *                          is the init (our parent), 1 otherwise. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Counts processes in /proc that are zombies or children of INIT (but us). */
static int count_left(pid_t init, int *zombies)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int left = 0;
	*zombies = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		char *p = strrchr(buf, ')');
		char state;
		int pid = atoi(buf), ppid;
		if (!p || sscanf(p + 2, "%c %d", &state, &ppid) != 2)
			continue;
		if (state == 'Z')
			(*zombies)++;
		if (pid != getpid() && (state == 'Z' || ppid == init))
			left++;
	}
	closedir(d);
	return left;
}

/* Sleeps MS milliseconds. */
static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int burst(int n)
{
	pid_t init = getppid();
	int gate[2];
	if (pipe(gate) < 0)
		return perror("pipe"), 2;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return perror("fork"), 2;
		if (pid == 0) {
			if (fork() == 0) {
				/* the grandchild: wait for the gate to close, then exit with everyone */
				char c;
				close(gate[1]);
				while (read(gate[0], &c, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			_exit(0);
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close(gate[0]);
	close(gate[1]); /* all N orphans wake up and exit at once */
	int zombies = 0, left = 0;
	for (int t = 0; t < 6000; t++) {
		left = count_left(init, &zombies);
		if (left == 0)
			break;
		nap(10);
	}
	printf("orphans %d: %d left, %d zombies\n", n, left, zombies);
	return left == 0 ? 0 : 1;
}

static int reparent(void)
{
	pid_t init = getppid();
	int p[2];
	if (pipe(p) < 0)
		return perror("pipe"), 2;
	pid_t child = fork();
	if (child == 0) {
		pid_t me = getpid();
		if (fork() == 0) {
			while (getppid() == me)
				nap(1);
			pid_t now = getppid();
			ssize_t w = write(p[1], &now, sizeof now);
			(void)w;
			_exit(0);
		}
		_exit(0);
	}
	waitpid(child, NULL, 0);
	close(p[1]);
	pid_t now = 0;
	if (read(p[0], &now, sizeof now) != sizeof now)
		return 2;
	printf("orphan's parent %d, init %d\n", (int)now, (int)init);
	return now == init ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "burst") == 0)
		return burst(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "reparent") == 0)
		return reparent();
	fprintf(stderr, "usage: init-orphans burst N | reparent\n");
	return 2;
}
