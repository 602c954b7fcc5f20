/* SPDX-License-Identifier: GPL-3.0-or-later */
/* init/preset.c: the boot command of each preset; the sysv and openrc scripts really run
 * (with /etc/init.d/rc, openrc and the FIFO path pointed at recorders): runlevels in order,
 * "READY=1" on the FIFO once up, the tree's shutdown on SIGTERM and SIGINT, exit 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "../../init/preset.h"
#include "scratch.h"

static char dir[256];

static int setup_dir(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/nsb-test-preset.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown_dir(void **state)
{
	return rm_tree(dir);
}

/* A config with --boot=BOOT (NULL: none) and COMMAND ARGV (NULL: none). */
static void config(struct nsb_config *c, const char *boot, char **argv)
{
	nsb_config_init(c);
	c->boot = boot;
	c->argv = argv;
	c->argc = 0;
	while (argv && argv[c->argc])
		c->argc++;
}

static void command_is_copied(void **state)
{
	char *cmd[] = { "sleep", "1", "two words", NULL };
	struct nsb_config c;
	config(&c, NULL, cmd);
	char **argv;
	const struct nsb_preset *k = nsb_preset_named("shell");
	char err[256];
	assert_int_equal(nsb_preset_argv_kind(&c, &argv, &k, err, sizeof err), 0);
	assert_ptr_equal(k, NULL);
	assert_string_equal(argv[0], "sleep");
	assert_string_equal(argv[1], "1");
	assert_string_equal(argv[2], "two words");
	assert_null(argv[3]);
	assert_ptr_not_equal(argv[0], cmd[0]); /* a copy: the caller frees one block */
	free(argv);
}

static void shell_preset(void **state)
{
	struct nsb_config c;
	config(&c, "shell", NULL);
	char **argv;
	char err[256];
	assert_int_equal(nsb_preset_argv(&c, &argv, err, sizeof err), 0);
	assert_string_equal(argv[0], "/bin/sh");
	assert_null(argv[1]);
	free(argv);
}

static void sh_presets(void **state)
{
	const struct {
		const char *boot;
		const struct nsb_preset *kind;
		const char *must[4];
	} cases[] = {
		{ "sysv", nsb_preset_named("sysv"), { "/etc/init.d/rc S\n", "/etc/init.d/rc 2\n", "/etc/init.d/rc 0\n", "trap nsb_stop TERM INT" } },
		{ "openrc", nsb_preset_named("openrc"), { "openrc sysinit\n", "openrc default\n", "openrc shutdown\n", "trap nsb_stop TERM INT" } },
	};
	for (size_t i = 0; i < 2; i++) {
		struct nsb_config c;
		config(&c, cases[i].boot, NULL);
		char **argv;
		const struct nsb_preset *k;
		char err[256];
		assert_int_equal(nsb_preset_argv_kind(&c, &argv, &k, err, sizeof err), 0);
		assert_ptr_equal(k, cases[i].kind);
		assert_string_equal(argv[0], "/bin/sh");
		assert_string_equal(argv[1], "-c");
		assert_string_equal(argv[2], nsb_preset_script(k));
		assert_non_null(argv[3]); /* $0, for ps */
		assert_null(argv[4]);
		for (int j = 0; j < 4; j++)
			assert_non_null(strstr(argv[2], cases[i].must[j]));
		assert_non_null(strstr(argv[2], "echo READY=1 >" NSB_READY_FIFO));
		free(argv);
	}
	assert_null(nsb_preset_script(nsb_preset_named("shell")));
}

static void unknown_preset(void **state)
{
	struct nsb_config c;
	config(&c, "upstart", NULL);
	char **argv = (char **)1;
	char err[256];
	assert_int_equal(nsb_preset_argv(&c, &argv, err, sizeof err), -EINVAL);
	assert_null(argv);
	assert_non_null(strstr(err, "--boot=upstart"));
}

static void guix_preset(void **state)
{
	unsetenv("GUIX_NEW_SYSTEM");
	setenv("HOME", "/elsewhere", 1);
	struct nsb_config c;
	config(&c, "guix:/gnu/store/xyz-system", NULL);
	char **argv;
	const struct nsb_preset *k;
	char err[256];
	int r = nsb_preset_argv_kind(&c, &argv, &k, err, sizeof err);
	if (r == -EACCES || r == -EROFS || r == -EPERM)
		skip(); /* some of the five directories are missing on this host and we may not create them */
	assert_int_equal(r, 0);
	assert_ptr_equal(k, nsb_preset_named("guix"));
	assert_string_equal(argv[0], "/gnu/store/xyz-system/boot");
	assert_null(argv[1]);
	assert_string_equal(getenv("GUIX_NEW_SYSTEM"), "/gnu/store/xyz-system");
	assert_string_equal(getenv("HOME"), "/root");
	assert_string_equal(getenv("TMPDIR"), "/tmp");
	free(argv);
}

/* Replaces every FROM in S (malloc'd) by TO; returns a new malloc'd string. */
static char *replace(char *s, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	for (char *p = strstr(s, from); p; p = strstr(p + fl, from))
		n++;
	char *out = malloc(strlen(s) + n * (tl + 1) + 1);
	char *o = out;
	for (char *p = s, *q; (q = strstr(p, from)); p = q + fl) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		s = q + fl;
	}
	strcpy(o, s);
	return out;
}

/* Reads FD until a line arrives or 10 s pass; returns what was read. */
static void read_line(int fd, char *buf, size_t len)
{
	size_t got = 0;
	buf[0] = '\0';
	while (got + 1 < len && !memchr(buf, '\n', got)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 10000) <= 0)
			break;
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
	}
}

/* The whole file at PATH (static buffer). */
static const char *slurp(const char *path)
{
	static char buf[4096];
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return buf;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Runs KIND's script with its commands pointed at a recorder that logs "WORD..." lines to
 * DIR/log; waits for READY=1 on the FIFO; sends SIG; checks exit 0 and the log WANT. */
static void run_script(const struct nsb_preset *kind, int sig, const char *want)
{
	char rec[512], fifo[512], log[512];
	snprintf(rec, sizeof rec, "%s/rec", dir);
	snprintf(fifo, sizeof fifo, "%s/ready", dir);
	snprintf(log, sizeof log, "%s/log", dir);
	unlink(log);
	FILE *f = fopen(rec, "w");
	fprintf(f, "#!/bin/sh\necho \"$*${RUNLEVEL:+ RUNLEVEL=$RUNLEVEL PREVLEVEL=$PREVLEVEL}\" >>'%s'\n", log);
	fclose(f);
	chmod(rec, 0755);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	char *s = strdup(nsb_preset_script(kind));
	char *t = replace(s, NSB_READY_FIFO, fifo);
	free(s);
	/* "/etc/init.d/rc S" -> "REC rc S"; "openrc boot" -> "REC openrc boot" */
	char with[600];
	snprintf(with, sizeof with, "%s %s", rec, kind == nsb_preset_named("sysv") ? "rc " : "openrc ");
	s = replace(t, kind == nsb_preset_named("sysv") ? "/etc/init.d/rc " : "openrc ", with);
	free(t);
	/* what the script makes in /run goes to DIR/run (never the host's /run) */
	char run[300];
	snprintf(run, sizeof run, " %s/run/", dir);
	t = replace(s, " /run/", run);
	free(s);
	s = t;
	assert_null(strstr(s, " /run/"));

	int rfd = open(fifo, O_RDWR | O_CLOEXEC);
	assert_true(rfd >= 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", s, "nsboot-test", (char *)NULL);
		_exit(127);
	}
	char line[256];
	read_line(rfd, line, sizeof line);
	assert_string_equal(line, "READY=1\n");
	/* it is waiting, not exiting */
	int st;
	usleep(50000);
	assert_int_equal(waitpid(pid, &st, WNOHANG), 0);
	assert_int_equal(kill(pid, sig), 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t w;
	while ((w = waitpid(pid, &st, WNOHANG)) == 0) {
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec > 10) {
			kill(pid, SIGKILL);
			fail_msg("the script did not exit after signal %d", sig);
		}
		usleep(10000);
	}
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_string_equal(slurp(log), want);
	close(rfd);
	free(s);
}

/* Whether PATH (under the test dir) is a directory with mode MODE. */
static bool dir_mode(const char *rel, mode_t mode)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == mode;
}

static void sysv_script_runs(void **state)
{
	const char *want = "rc S RUNLEVEL=S PREVLEVEL=N\n"
			   "rc 2 RUNLEVEL=2 PREVLEVEL=N\n"
			   "rc 0 RUNLEVEL=0 PREVLEVEL=2\n";
	run_script(nsb_preset_named("sysv"), SIGTERM, want);
	run_script(nsb_preset_named("sysv"), SIGINT, want);
	/* what the masked mountkernfs.sh would have made */
	assert_true(dir_mode("run/lock", 01777));
	assert_true(dir_mode("run/sendsigs.omit.d", 0755));
}

static void openrc_script_runs(void **state)
{
	const char *want = "openrc sysinit\nopenrc boot\nopenrc default\nopenrc shutdown\n";
	run_script(nsb_preset_named("openrc"), SIGTERM, want);
	run_script(nsb_preset_named("openrc"), SIGINT, want);
}

int main(void)
{
	nsb_prog = "test";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(command_is_copied),
		cmocka_unit_test(shell_preset),
		cmocka_unit_test(sh_presets),
		cmocka_unit_test(unknown_preset),
		cmocka_unit_test(guix_preset),
		cmocka_unit_test_setup_teardown(sysv_script_runs, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(openrc_script_runs, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
