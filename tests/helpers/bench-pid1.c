/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-pid1: one measurement of an init (nsboot-init, tini, catatonit, dumb-init) running
 * as PID 1 of a new pid and mount namespace (its own /proc), with this same program as its
 * only child (the "worker"). Used by scripts/bench; run as root.
 *
 *   bench-pid1 reap N -- INIT [ARG]...    microseconds from SIGCONT to PID 1 until PID 1 has
 *                                         reaped N orphaned zombies made while it was stopped
 *   bench-pid1 signal -- INIT [ARG]...    microseconds from SIGTERM to PID 1 until PID 1 has
 *                                         exited (the worker's SIGTERM handler exits at once)
 *   bench-pid1 footprint -- INIT [ARG]... "VmRSS Pss Private" in kB of the idle PID 1
 *                                         (/proc/PID/status and /proc/PID/smaps_rollup;
 *                                         Private = Private_Clean + Private_Dirty)
 *
 * The init runs "INIT ARG... SELF worker MODE [N]". The worker talks to this driver over its
 * stdin and stdout (every init passes those through): it writes 'R' when it runs, the driver
 * answers with one command byte. Prints one line on stdout and exits 0; on any failure (the
 * init did not start, did not reap, did not exit 0) prints one line naming it and exits 1, so
 * that the bench fails rather than reports a number it did not measure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A guard against hangs: no step of one run takes this long (NSB_BENCH_GUARD_MS). */
static int GUARD_MS = 20000;

static const char *prog = "bench-pid1";

/* Prints "bench-pid1: MSG" (plus strerror when ERR is non-zero) and exits 1. */
__attribute__((noreturn, format(printf, 2, 3))) static void fail(int err, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

/* CLOCK_MONOTONIC in microseconds. */
static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Writes the command byte C to the worker. */
static void send_byte(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		fail(errno, "write to the worker");
}

/* Waits up to GUARD_MS for the byte WANT from the worker (EOF or another byte: failure). */
static void expect_byte(int fd, char want, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, GUARD_MS);
	if (r < 0)
		fail(errno, "poll for %s", what);
	if (r == 0)
		fail(0, "timed out waiting for %s", what);
	char c;
	ssize_t n = read(fd, &c, 1);
	if (n != 1 || c != want)
		fail(n < 0 ? errno : 0, "the worker did not report %s (did the init run it?)", what);
}

/* The state letter of PID from /proc/PID/stat (R, S, T, Z...), or 0 when it is gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* The number of children of PID's main thread, zombies included (/proc/PID/task/PID/children). */
static long count_children(pid_t pid)
{
	char path[80];
	static char buf[1 << 16];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "open %s", path);
	long count = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n; i++)
			count += buf[i] == ' ';
	if (n < 0)
		fail(errno, "read %s", path);
	close(fd);
	return count;
}

/* Polls until PID is in state WANT (a guard of GUARD_MS). */
static void wait_state(pid_t pid, char want)
{
	double end = now_us() + GUARD_MS * 1e3;
	while (proc_state(pid) != want) {
		if (now_us() > end)
			fail(0, "PID 1 (host pid %d) never reached state %c", (int)pid, want);
		usleep(100);
	}
}

/* Reads "KEY: N kB" from the /proc file PATH; -1 when the key is absent. */
static long proc_kb(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	if (!f)
		fail(errno, "open %s", path);
	char line[256];
	size_t klen = strlen(key);
	long value = -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			value = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return value;
}

/* ---- the worker: the init's child ---- */

/* Exits at once on SIGTERM (the signal benchmark times how fast the init forwards it). */
static void on_term(int sig)
{
	_exit(0);
}

/* Makes N zombies that become PID 1's: an intermediate process forks them, waits until each
 * has exited (without reaping), then exits itself, so that the N are reparented to PID 1. */
static void make_orphan_zombies(long n)
{
	pid_t mid = fork();
	if (mid < 0)
		fail(errno, "fork");
	if (mid == 0) {
		static pid_t kids[1 << 16];
		if (n > (long)(sizeof kids / sizeof kids[0]))
			_exit(2);
		for (long i = 0; i < n; i++) {
			kids[i] = fork();
			if (kids[i] < 0)
				_exit(3);
			if (kids[i] == 0)
				_exit(0);
		}
		for (long i = 0; i < n; i++) {
			siginfo_t si;
			if (waitid(P_PID, kids[i], &si, WEXITED | WNOWAIT) < 0)
				_exit(4);
		}
		_exit(0);
	}
	int st;
	if (waitpid(mid, &st, 0) < 0)
		fail(errno, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail(0, "the zombie maker failed (status 0x%x)", st);
}

/* The worker: the command each init runs; stdin and stdout are the driver's pipes. */
static int worker(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	char c;
	if (strcmp(mode, "signal") == 0) {
		struct sigaction sa = { .sa_handler = on_term };
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGTERM, &sa, NULL) < 0)
			fail(errno, "sigaction");
		send_byte(1, 'R');
		for (;;)
			pause();
	}
	if (strcmp(mode, "reap") == 0) {
		long n = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
		send_byte(1, 'R');
		if (read(0, &c, 1) != 1 || c != 'Z')
			return 1;
		make_orphan_zombies(n);
		send_byte(1, 'D');
	} else if (strcmp(mode, "idle") == 0) {
		send_byte(1, 'R');
	} else {
		fail(0, "worker: unknown mode '%s'", mode);
	}
	while (read(0, &c, 1) > 0) /* until the driver closes the pipe */
		;
	return 0;
}

/* ---- the driver ---- */

struct pid1 {
	pid_t pid;    /* host pid of the init */
	int to_w;     /* write end of the worker's stdin */
	int from_w;   /* read end of the worker's stdout */
};

/* Starts INIT... SELF worker MODE [N] as PID 1 of a new pid and mount namespace with its own
 * /proc, and waits until the worker runs. */
static struct pid1 start_pid1(char **init_argv, int init_argc, const char *mode, const char *n)
{
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		fail(errno, "readlink /proc/self/exe");
	self[len] = '\0';

	char **argv = calloc(init_argc + 5, sizeof *argv);
	if (!argv)
		fail(errno, "calloc");
	memcpy(argv, init_argv, init_argc * sizeof *argv);
	argv[init_argc] = self;
	argv[init_argc + 1] = "worker";
	argv[init_argc + 2] = (char *)mode;
	argv[init_argc + 3] = (char *)n;

	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		fail(errno, "pipe2");
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL, NULL,
				   NULL, 0);
	if (pid < 0)
		fail(errno, "clone(CLONE_NEWPID|CLONE_NEWNS) (run as root)");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			fail(errno, "dup2");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			fail(errno, "make / private");
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
			fail(errno, "mount /proc");
		execvp(argv[0], argv);
		fail(errno, "exec %s", argv[0]);
	}
	free(argv);
	close(in[0]);
	close(out[1]);
	struct pid1 p = { .pid = pid, .to_w = in[1], .from_w = out[0] };
	expect_byte(p.from_w, 'R', "its start");
	return p;
}

/* Ends the run: closes the worker's stdin (it exits, so does the init) unless it is already
 * gone, and checks that the init exited with status 0. */
static void finish_pid1(struct pid1 *p, bool already_waited, int status)
{
	close(p->to_w);
	close(p->from_w);
	if (!already_waited) {
		double end = now_us() + GUARD_MS * 1e3;
		for (;;) {
			pid_t r = waitpid(p->pid, &status, WNOHANG);
			if (r == p->pid)
				break;
			if (r < 0)
				fail(errno, "waitpid");
			if (now_us() > end) {
				kill(p->pid, SIGKILL);
				fail(0, "PID 1 did not exit after its child did");
			}
			usleep(200);
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			fail(0, "PID 1 was killed by signal %d", WTERMSIG(status));
		fail(0, "PID 1 exited with status %d, not 0", WEXITSTATUS(status));
	}
}

/* The reap measurement: microseconds from SIGCONT until N orphaned zombies are gone. */
static void run_reap(char **init_argv, int init_argc, long n)
{
	char nbuf[32];
	snprintf(nbuf, sizeof nbuf, "%ld", n);
	struct pid1 p = start_pid1(init_argv, init_argc, "reap", nbuf);
	if (kill(p.pid, SIGSTOP) < 0)
		fail(errno, "SIGSTOP PID 1");
	wait_state(p.pid, 'T');
	send_byte(p.to_w, 'Z');
	expect_byte(p.from_w, 'D', "the zombies made");
	long before = count_children(p.pid);
	if (before != n + 1) {
		kill(p.pid, SIGKILL);
		fail(0, "PID 1 has %ld children before SIGCONT, expected %ld zombies + the worker",
		     before, n);
	}

	double t0 = now_us(), end = t0 + GUARD_MS * 1e3, t1;
	if (kill(p.pid, SIGCONT) < 0)
		fail(errno, "SIGCONT PID 1");
	for (;;) {
		/* cheap: the state; the child count only once PID 1 sleeps again; a short
		 * sleep between looks leaves the CPU to PID 1 on a small, loaded machine */
		usleep(20);
		char s = proc_state(p.pid);
		if (s != 'R' && count_children(p.pid) == 1) {
			t1 = now_us();
			break;
		}
		if (now_us() > end) {
			kill(p.pid, SIGKILL);
			fail(0, "PID 1 did not reap %ld zombies in %d ms", n, GUARD_MS);
		}
	}
	finish_pid1(&p, false, 0);
	printf("%.1f\n", t1 - t0);
}

/* The signal measurement: microseconds from SIGTERM to PID 1 until PID 1 has exited. */
static void run_signal(char **init_argv, int init_argc)
{
	struct pid1 p = start_pid1(init_argv, init_argc, "signal", NULL);
	int pidfd = (int)syscall(SYS_pidfd_open, p.pid, 0);
	if (pidfd < 0)
		fail(errno, "pidfd_open");
	usleep(20000); /* let the init settle in its wait loop */
	int status;
	double t0 = now_us();
	if (kill(p.pid, SIGTERM) < 0)
		fail(errno, "SIGTERM PID 1");
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r = poll(&pfd, 1, GUARD_MS);
	double t1 = now_us();
	if (r <= 0) {
		kill(p.pid, SIGKILL);
		fail(r < 0 ? errno : 0, "PID 1 did not exit within %d ms of SIGTERM", GUARD_MS);
	}
	close(pidfd);
	if (waitpid(p.pid, &status, 0) < 0)
		fail(errno, "waitpid");
	finish_pid1(&p, true, status);
	printf("%.1f\n", t1 - t0);
}

/* The footprint: VmRSS, Pss and private memory of the idle PID 1, in kB. */
static void run_footprint(char **init_argv, int init_argc)
{
	struct pid1 p = start_pid1(init_argv, init_argc, "idle", NULL);
	usleep(100000); /* idle: the init has entered its wait loop */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)p.pid);
	long rss = proc_kb(path, "VmRSS");
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)p.pid);
	long pss = proc_kb(path, "Pss");
	long pc = proc_kb(path, "Private_Clean"), pd = proc_kb(path, "Private_Dirty");
	if (rss < 0 || pss < 0 || pc < 0 || pd < 0)
		fail(0, "no VmRSS/Pss/Private_* for host pid %d", (int)p.pid);
	finish_pid1(&p, false, 0);
	printf("%ld %ld %ld\n", rss, pss, pc + pd);
}

/* Prints the usage line and exits 2. */
static void usage(void)
{
	fprintf(stderr, "usage: %s reap N|signal|footprint -- INIT [ARG]...\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "worker") == 0) {
		prog = "bench-pid1 worker";
		return worker(argc, argv);
	}
	if (argc < 2)
		usage();
	const char *guard = getenv("NSB_BENCH_GUARD_MS");
	if (guard && atoi(guard) > 0)
		GUARD_MS = atoi(guard);
	const char *mode = argv[1];
	int i = 2;
	long n = 0;
	if (strcmp(mode, "reap") == 0) {
		if (argc < 3)
			usage();
		n = strtol(argv[i++], NULL, 10);
		if (n < 1 || n > 60000)
			fail(0, "N must be 1..60000");
	}
	if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc)
		usage();
	i++;
	char **init_argv = argv + i;
	int init_argc = argc - i;
	if (strcmp(mode, "reap") == 0)
		run_reap(init_argv, init_argc, n);
	else if (strcmp(mode, "signal") == 0)
		run_signal(init_argv, init_argc);
	else if (strcmp(mode, "footprint") == 0)
		run_footprint(init_argv, init_argc);
	else
		usage();
	return 0;
}
