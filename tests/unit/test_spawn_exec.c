/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot exec and shell (spawn/exec.c) without a machine: the registry, setns, prctl,
 * the credential calls and execve are faked with -Wl,--wrap, the tree's /etc/passwd and
 * /etc/group are scratch files. Covered: every refusal before the join with its one line
 * and status 125, the namespaces joined (the net one only when it is not the caller's)
 * after nsboot became non-dumpable, and, in the real forked child, the user, groups,
 * folder, environment and command it execs with, and the statuses of a command that
 * fails, is not found or is killed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "scratch.h"
#include "../../spawn/console.h"
#include "../../spawn/exec.h"
#include "../../spawn/machine.h"

static char dir[] = "/tmp/nsb-unit-exec.XXXXXX";
static char passwd_path[256], group_path[256], report_path[256];

static const char *at(const char *p)
{
	static char bufs[4][256];
	static int i;
	char *b = bufs[i++ % 4];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, p);
	return b;
}

static void put(const char *file, const char *text, size_t len)
{
	int fd = open(at(file), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* ---- the fakes ---- */

int __real_open(const char *path, int flags, ...);
int __real_prctl(int option, ...);
pid_t __real_fork(void);
int __real_nsb_console_open(struct nsb_pty *con, char *err, size_t errlen);

/* What the parent did, in order ("dumpable 0;setns FLAGS;"). */
static char calls[512];
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record_v(calls, sizeof calls, fmt, ap);
	va_end(ap);
}

/* The registry: machine web is MACHINE_PID (started at tick 77) in STATE; its entry is
 * the scratch folder entry. */
static int lookup_ret, pidfd_ret;
/* 4194304 (PID_MAX_LIMIT) is a PID no process can have: exec looks at /proc/PID/ns/net,
 * and a real process of that number would change what it joins */
static pid_t machine_pid;
static enum nsb_machine_state machine_state;
int __wrap_nsb_machine_lookup(const char *name, struct nsb_machine_info *info, int *dirfd)
{
	assert_string_equal(name, "web");
	*info = (struct nsb_machine_info){ .pid = machine_pid, .pid_start = 77,
					   .state = machine_state };
	snprintf(info->name, sizeof info->name, "%s", name);
	if (lookup_ret < 0)
		return lookup_ret;
	*dirfd = __real_open(at("entry"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return 0;
}

int __wrap_nsb_machine_pidfd(const struct nsb_machine_info *info, bool spawner)
{
	assert_false(spawner);
	return pidfd_ret < 0 ? pidfd_ret : __real_open(at("pidfd"), O_RDONLY | O_CLOEXEC);
}

/* setns never joins: recorded, fails with SETNS_ERRNO when set. */
static int setns_errno;
int __wrap_setns(int fd, int flags)
{
	say("setns %#x;", (unsigned)flags);
	if (setns_errno) {
		errno = setns_errno;
		return -1;
	}
	return 0;
}

/* PR_SET_DUMPABLE is recorded, not applied (the test process stays dumpable). */
int __wrap_prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	unsigned long a[4];
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_DUMPABLE) {
		say("dumpable %d;", (int)a[0]);
		return 0;
	}
	return __real_prctl(option, a[0], a[1], a[2], a[3]);
}

static int fork_errno;
pid_t __wrap_fork(void)
{
	if (fork_errno) {
		errno = fork_errno;
		return -1;
	}
	return __real_fork();
}

/* The sanitizer build's early leak check is skipped: nothing is joined here, and the
 * test's own check at exit stays on. */
void __wrap___lsan_do_leak_check(void)
{
}

/* The tree's /etc/passwd and /etc/group are the scratch files passwd and group. */
int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	if (strcmp(path, "/etc/passwd") == 0)
		path = passwd_path;
	else if (strcmp(path, "/etc/group") == 0)
		path = group_path;
	return __real_open(path, flags, mode);
}

/* /dev/ptmx: with FAKE_PTMX the machine's is /dev/null. */
static bool fake_ptmx;
int __wrap_nsb_console_open(struct nsb_pty *con, char *err, size_t errlen)
{
	if (!fake_ptmx)
		return __real_nsb_console_open(con, err, errlen);
	con->master = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	con->slave = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	return 0;
}

/* In the child: the credential calls and chdir are recorded (and never change the
 * test's credentials); SETRES_ERRNO fails setresgid. */
static char child_calls[512];
static int setres_errno;
static void child_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record_v(child_calls, sizeof child_calls, fmt, ap);
	va_end(ap);
}

int __wrap_setgroups(size_t n, const gid_t *list)
{
	child_say("groups");
	for (size_t i = 0; i < n; i++)
		child_say("%s%u", i ? "," : " ", (unsigned)list[i]);
	child_say(";");
	return 0;
}

int __wrap_setresgid(gid_t r, gid_t e, gid_t s)
{
	child_say("gid %u %u %u;", (unsigned)r, (unsigned)e, (unsigned)s);
	if (setres_errno) {
		errno = setres_errno;
		return -1;
	}
	return 0;
}

int __wrap_setresuid(uid_t r, uid_t e, uid_t s)
{
	child_say("uid %u %u %u;", (unsigned)r, (unsigned)e, (unsigned)s);
	return 0;
}

int __real_chdir(const char *path);
static pid_t test_pid;
int __wrap_chdir(const char *path)
{
	if (getpid() == test_pid)
		say("chdir %s;", path);
	else
		child_say("chdir %s;", path);
	return __real_chdir(path);
}

/* execve: EXEC_PATH "runs": the child writes what it would run with to the report and
 * exits EXEC_STATUS (or is killed by EXEC_SIGNAL); any other path fails with
 * EXEC_ERRNO. */
static const char *exec_path, *eacces_path;
static int exec_errno, exec_status, exec_signal;
int __wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	child_say("try %s;", path);
	if (!exec_path || strcmp(path, exec_path) != 0) {
		errno = eacces_path && strcmp(path, eacces_path) == 0 ? EACCES : exec_errno;
		return -1;
	}
	if (isatty(0) && isatty(1) && isatty(2))
		child_say("on a tty;");
	int fd = __real_open(report_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	dprintf(fd, "%s\nargv:", child_calls);
	for (int i = 0; argv[i]; i++)
		dprintf(fd, " %s", argv[i]);
	dprintf(fd, "\n");
	for (int i = 0; envp[i]; i++)
		dprintf(fd, "%s\n", envp[i]);
	close(fd);
	if (exec_signal)
		raise(exec_signal);
	_exit(exec_status);
}

/* ---- running it ---- */

static const char *passwd_text =
	"root:x:0:0:root:/root:/bin/bash\n"
	"web:x:1000:1001:Web:/nonexistent/home/web:/bin/zsh\n"
	"bad:x:abc:1:x:/h:/bin/sh\n";
static const char *group_text =
	"root:x:0:\n"
	"web:x:1001:\n"
	"dev:x:50:alice,web\n"
	"again:x:1001:web\n"
	"audio:x:29:web\n"
	"broken:x::web\n"
	"other:x:7:alice\n";
/* The container's environment as its entry keeps it (NUL-separated). */
static const char env_text[] = "PATH=/nonexistent/bin:/usr/bin\0TERM=linux\0LANG=C\0junk\0"
			       "HOME=/wrong";

static char out[2048];

/* Runs nsb_exec(R) with stderr in OUT; its status. */
static int run(struct nsb_exec_req *r)
{
	int saved = dup(STDERR_FILENO);
	int fd = __real_open(at("stderr"), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
			     0600);
	dup2(fd, STDERR_FILENO);
	close(fd);
	int status = nsb_exec(r);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fd = __real_open(at("stderr"), O_RDONLY | O_CLOEXEC);
	ssize_t k = read(fd, out, sizeof out - 1);
	close(fd);
	out[k > 0 ? k : 0] = '\0';
	return status;
}

/* The report of the child's exec, "" when it exec'd nothing. */
static const char *report(void)
{
	static char buf[4096];
	int fd = __real_open(report_path, O_RDONLY | O_CLOEXEC);
	ssize_t k = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[k > 0 ? k : 0] = '\0';
	return buf;
}

static sigset_t saved_mask;

static int group_setup(void **state)
{
	if (!mkdtemp(dir) || mkdir(at("entry"), 0700) < 0)
		return -1;
	snprintf(passwd_path, sizeof passwd_path, "%s", at("passwd"));
	snprintf(group_path, sizeof group_path, "%s", at("group"));
	snprintf(report_path, sizeof report_path, "%s", at("report"));
	int fd = __real_open(at("pidfd"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	sigprocmask(SIG_SETMASK, NULL, &saved_mask);
	test_pid = getpid();
	return 0;
}

static int group_teardown(void **state)
{
	return rm_tree(dir);
}

static int setup(void **state)
{
	put("passwd", passwd_text, strlen(passwd_text));
	put("group", group_text, strlen(group_text));
	put("entry/env", env_text, sizeof env_text);
	unlink(report_path);
	calls[0] = child_calls[0] = out[0] = '\0';
	lookup_ret = pidfd_ret = 0;
	machine_pid = 4194304;
	machine_state = NSB_MACHINE_BOOTED;
	setns_errno = fork_errno = setres_errno = 0;
	fake_ptmx = false;
	exec_path = eacces_path = NULL;
	exec_errno = ENOENT;
	exec_status = exec_signal = 0;
	return 0;
}

static int teardown(void **state)
{
	/* nsb_exec leaves the caller's terminal and signals as a verb's last act would */
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return 0;
}

/* Every namespace of the machine but the net one. */
#define JOIN_BUT_NET (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | \
		      CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWTIME)

static struct nsb_exec_req req(char **argv)
{
	return (struct nsb_exec_req){ .verb = "exec", .name = "web", .argv = argv };
}

/* ---- before the join ---- */

static void refusals(void **state)
{
	char *argv[] = { "true", NULL };
	struct nsb_exec_req r = req(argv);
	lookup_ret = -ENOENT;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: no machine named web\n");
	lookup_ret = -EINVAL;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: no machine named web\n");
	lookup_ret = -EACCES;
	r.verb = "shell";
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: shell: machine web: Permission denied\n");
	r.verb = "exec";
	lookup_ret = 0;
	machine_state = NSB_MACHINE_STARTING;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: machine web is still starting\n");
	machine_state = NSB_MACHINE_BOOTED;
	machine_pid = 0;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: machine web is still starting\n");
	machine_pid = 4194304;
	pidfd_ret = -ESRCH;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: machine web: its PID 1 (PID 4194304) is gone\n");
	pidfd_ret = -EPERM;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: machine web: its PID 1 (PID 4194304) is gone: "
			    "cannot open a pidfd\n");
	/* nothing was joined, nothing made non-dumpable */
	assert_string_equal(calls, "");
}

static void join_refused(void **state)
{
	char *argv[] = { "true", NULL };
	struct nsb_exec_req r = req(argv);
	setns_errno = EPERM;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: join the namespaces of machine web (PID 4194304): "
			    "Operation not permitted\n");
	/* non-dumpable first: from the join on, the container's root holds capabilities
	 * over this process */
	char want[128];
	snprintf(want, sizeof want, "dumpable 0;setns %#x;", JOIN_BUT_NET | CLONE_NEWNET);
	assert_string_equal(calls, want);
}

static void host_network_not_joined(void **state)
{
	char *argv[] = { "true", NULL };
	struct nsb_exec_req r = req(argv);
	/* a machine of --network=host: its net namespace is the caller's */
	machine_pid = getpid();
	setns_errno = EPERM;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	char want[128];
	snprintf(want, sizeof want, "dumpable 0;setns %#x;", JOIN_BUT_NET);
	assert_string_equal(calls, want);
}

static void after_the_join(void **state)
{
	char *argv[] = { "true", NULL };
	struct nsb_exec_req r = req(argv);
	fork_errno = EAGAIN;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: fork: Resource temporarily unavailable\n");
	fork_errno = 0;
	/* a /dev/ptmx of the machine's that is no pty multiplexer */
	fake_ptmx = true;
	r.tty = true;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: the machine's /dev/ptmx is not a pty "
			    "multiplexer\n");
	assert_string_equal(report(), "");
}

/* ---- the child ---- */

static void on_a_pty(void **state)
{
	char *argv[] = { "true", NULL };
	struct nsb_exec_req r = req(argv);
	r.tty = true;
	setenv("TERM", "xterm", 1);
	exec_path = "/usr/bin/true";
	/* the caller's stdin is no terminal here: nothing is put in raw mode */
	int saved = dup(STDIN_FILENO);
	int null = __real_open("/dev/null", O_RDONLY | O_CLOEXEC);
	dup2(null, STDIN_FILENO);
	close(null);
	int status = run(&r);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_int_equal(status, 0);
	/* a pty of the machine's devpts on 0, 1 and 2, and the caller's TERM with it */
	assert_string_equal(report(),
		"groups 0;gid 0 0 0;uid 0 0 0;chdir /;try /nonexistent/bin/true;try /usr/bin/true;"
		"on a tty;\n"
		"argv: true\n"
		"PATH=/nonexistent/bin:/usr/bin\n"
		"LANG=C\n"
		"HOME=/root\n"
		"TERM=xterm\n");
}

static void runs_as_root(void **state)
{
	char *argv[] = { "true", "a b", NULL };
	struct nsb_exec_req r = req(argv);
	setenv("TERM", "xterm", 1);
	exec_path = "/usr/bin/true";
	exec_status = 7;
	assert_int_equal(run(&r), 7);
	assert_string_equal(out, "");
	/* searched in the container's PATH; the container's environment without its TERM
	 * (the caller's terminal is not the command's without -t), HOME root's */
	assert_string_equal(report(),
		"groups 0;gid 0 0 0;uid 0 0 0;chdir /;try /nonexistent/bin/true;try /usr/bin/true;\n"
		"argv: true a b\n"
		"PATH=/nonexistent/bin:/usr/bin\n"
		"LANG=C\n"
		"HOME=/root\n");
}

static void runs_as_user(void **state)
{
	char *argv[] = { "/bin/id", NULL };
	struct nsb_exec_req r = req(argv);
	r.user = "web";
	r.chdir = "/tmp";
	r.setenv[r.n_setenv++] = "LANG=POSIX";
	r.setenv[r.n_setenv++] = "EMPTY=";
	exec_path = "/bin/id";
	assert_int_equal(run(&r), 0);
	/* the primary group first, then the other groups that name the user (a group with
	 * no number is skipped) */
	assert_string_equal(report(),
		"groups 1001,50,29;gid 1001 1001 1001;uid 1000 1000 1000;chdir /tmp;"
		"try /bin/id;\n"
		"argv: /bin/id\n"
		"PATH=/nonexistent/bin:/usr/bin\n"
		"LANG=POSIX\n"
		"HOME=/nonexistent/home/web\n"
		"USER=web\n"
		"LOGNAME=web\n"
		"EMPTY=\n");
}

static void login_shell(void **state)
{
	struct nsb_exec_req r = req(NULL);
	r.verb = "shell";
	r.login = true;
	r.user = "web";
	exec_path = "/bin/zsh";
	assert_int_equal(run(&r), 0);
	/* in HOME when it exists, else in / */
	assert_string_equal(report(),
		"groups 1001,50,29;gid 1001 1001 1001;uid 1000 1000 1000;"
		"chdir /nonexistent/home/web;chdir /;try /bin/zsh;\n"
		"argv: -zsh\n"
		"PATH=/nonexistent/bin:/usr/bin\n"
		"LANG=C\n"
		"HOME=/nonexistent/home/web\n"
		"USER=web\n"
		"LOGNAME=web\n"
		"SHELL=/bin/zsh\n");
}

static void numeric_user(void **state)
{
	char *argv[] = { "/bin/id", NULL };
	struct nsb_exec_req r = req(argv);
	r.user = "4194304";
	exec_path = "/bin/id";
	assert_int_equal(run(&r), 0);
	assert_string_equal(report(),
		"groups 4194304;gid 4194304 4194304 4194304;uid 4194304 4194304 4194304;chdir /;try /bin/id;\n"
		"argv: /bin/id\n"
		"PATH=/nonexistent/bin:/usr/bin\n"
		"LANG=C\n"
		"HOME=/\n"
		"USER=4194304\n"
		"LOGNAME=4194304\n");
}

static void child_refusals(void **state)
{
	char *argv[] = { "/bin/id", NULL };
	struct nsb_exec_req r = req(argv);
	exec_path = "/bin/id";
	r.user = "nosuch";
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: user nosuch: not found in the machine's "
			    "/etc/passwd\n");
	r.user = "bad";
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: user bad: a malformed line in the machine's "
			    "/etc/passwd\n");
	r.user = "web";
	setres_errno = EPERM;
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: gid 1001 of web: Operation not permitted (not "
			    "mapped in the machine?)\n");
	setres_errno = 0;
	r.chdir = "/nonexistent/dir";
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: --chdir=/nonexistent/dir: No such file or "
			    "directory\n");
	assert_string_equal(report(), "");
	/* an /etc/passwd that is no regular file, or too large, is said to be so */
	char saved[sizeof passwd_path + 8];
	snprintf(saved, sizeof saved, "%s.saved", passwd_path);
	assert_int_equal(rename(passwd_path, saved), 0);
	assert_int_equal(mkfifo(passwd_path, 0644), 0);
	r.user = "web";
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: user web: the machine's /etc/passwd is not a "
			    "regular file\n");
	unlink(passwd_path);
	int big = open(passwd_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(big >= 0);
	assert_int_equal(ftruncate(big, (1 << 20) + 1), 0);
	close(big);
	assert_int_equal(run(&r), NSB_EXIT_FAILURE);
	assert_string_equal(out, "nsboot: exec: user web: the machine's /etc/passwd is over "
			    "1 MiB\n");
	assert_int_equal(rename(saved, passwd_path), 0);
	/* a tree without /etc/passwd: root still runs as root */
	unlink(passwd_path);
	r.user = NULL;
	r.chdir = NULL;
	assert_int_equal(run(&r), 0);
	assert_int_equal(strncmp(report(), "groups 0;gid 0 0 0;uid 0 0 0;", 29), 0);
}

static void command_statuses(void **state)
{
	char *argv[] = { "nosuch", NULL };
	struct nsb_exec_req r = req(argv);
	assert_int_equal(run(&r), NSB_EXIT_NOTFOUND);
	assert_string_equal(out, "nsboot: exec: nosuch: No such file or directory\n");
	exec_errno = EACCES;
	assert_int_equal(run(&r), NSB_EXIT_NOEXEC);
	assert_string_equal(out, "nsboot: exec: nosuch: Permission denied\n");
	/* found but not executable in one folder of PATH, in none other: not executable */
	exec_errno = ENOENT;
	eacces_path = "/nonexistent/bin/nosuch";
	assert_int_equal(run(&r), NSB_EXIT_NOEXEC);
	assert_string_equal(out, "nsboot: exec: nosuch: Permission denied\n");
	char *abs[] = { "/bin/sh", NULL };
	r.argv = abs;
	exec_path = "/bin/sh";
	exec_signal = SIGKILL;
	assert_int_equal(run(&r), 128 + SIGKILL);
	exec_signal = 0;
	exec_status = 3;
	assert_int_equal(run(&r), 3);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(refusals),
		T(join_refused),
		T(host_network_not_joined),
		T(after_the_join),
		T(runs_as_root),
		T(on_a_pty),
		T(runs_as_user),
		T(login_shell),
		T(numeric_user),
		T(child_refusals),
		T(command_statuses),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
