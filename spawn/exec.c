/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot exec and nsboot shell (spawn/exec.h). nsboot joins every namespace of the
 * machine's PID 1 with one setns(2) on a pidfd (the process the registry names, checked by
 * its start time, never a recycled PID), then forks: the child is in the container's pid
 * namespace, becomes uid 0 (or --user) there and execs the command with the container's
 * environment. nsboot itself is made non-dumpable before it joins, so the container's
 * root cannot ptrace it to reach the caller's files; the child keeps only fds 0, 1, 2. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../init/child.h"
#include "config.h"
#include "console.h"
#include "log.h"
#include "machine.h"
#include "paths.h"
#include "signals.h"
#include "spawn.h"
#include "verbs.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

/* The most a tree's /etc/passwd or /etc/group may hold for nsboot to read it. */
#define NSB_PASSWD_MAX (1 << 20)
#define NSB_EXEC_MAX_GROUPS 64
#define NSB_EXEC_MAX_ENV 256

/* Reads the tree's PATH (inside the container, after joining its mount namespace: a
 * symlink can only lead to the container's own files) into a malloc'd string: a regular
 * file of at most NSB_PASSWD_MAX bytes, never a FIFO or device. NULL with errno (ENOEXEC:
 * not a regular file; EFBIG: larger). */
static char *read_tree_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return NULL;
	int e = fstat(fd, &st) < 0 ? errno : 0;
	if (!e && (!S_ISREG(st.st_mode) || st.st_size > NSB_PASSWD_MAX))
		e = !S_ISREG(st.st_mode) ? ENOEXEC : EFBIG; /* not a regular file; too large */
	if (e) {
		close(fd);
		errno = e;
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The supplementary groups of NAME in the tree's /etc/group (its primary GID first). */
static size_t tree_groups(const char *name, gid_t gid, gid_t *out, size_t max)
{
	size_t n = 0;
	out[n++] = gid;
	char *text = read_tree_file("/etc/group");
	for (char *line = text, *next; line && *line && n < max; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		char *f[4], *p = line;
		int k = 0;
		for (; k < 4 && p; k++)
			f[k] = strsep(&p, ":");
		if (k != 4 || p || !*f[2])
			continue;
		for (char *m, *list = f[3]; (m = strsep(&list, ",")) && n < max;)
			if (strcmp(m, name) == 0) {
				char *e;
				unsigned long g = strtoul(f[2], &e, 10);
				if (!*e && g != gid && g < 0xffffffffUL)
					out[n++] = (gid_t)g;
			}
	}
	free(text);
	return n;
}

/* Adds VAR=VALUE to ENV (replacing VAR); a formatted copy is leaked on purpose: the
 * child execs or exits right after. */
static void env_set(char **env, size_t *n, const char *var, const char *value)
{
	size_t vl = strlen(var);
	char *entry = malloc(vl + strlen(value) + 2);
	if (!entry)
		return;
	sprintf(entry, "%s=%s", var, value);
	for (size_t i = 0; i < *n; i++)
		if (strncmp(env[i], var, vl) == 0 && env[i][vl] == '=') {
			env[i] = entry;
			return;
		}
	if (*n + 1 < NSB_EXEC_MAX_ENV)
		env[(*n)++] = entry;
	env[*n] = NULL;
}

/* Reads the container's purified environment from the entry DIR into ENV (strings in
 * the malloc'd block *BLOCK, NULL when none); returns how many. */
static size_t read_env(int dir, char **env, char **block)
{
	size_t n = 0;
	char *buf = *block = malloc(65536);
	ssize_t len = buf ? nsb_read_small(dir, "env", buf, 65536) : -1;
	for (ssize_t i = 0; len > 0 && i < len && n + 1 < NSB_EXEC_MAX_ENV; i += (ssize_t)strlen(buf + i) + 1)
		if (strchr(buf + i, '=') && strncmp(buf + i, "TERM=", 5) != 0)
			env[n++] = buf + i;
	env[n] = NULL;
	return n;
}

/* The child's failure before its exec: one line, exit 125. */
#define child_fail(...) _exit(nsb_verb_fail(__VA_ARGS__))

/* Execs FILE (searched in ENV's PATH when it has no '/') with ARGV and ENV. */
static int exec_path(const char *file, char **argv, char **env)
{
	if (strchr(file, '/'))
		return execve(file, argv, env), -errno;
	const char *path = NSB_DEFAULT_PATH;
	for (char **e = env; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	int err = -ENOENT;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");
		char full[4096];
		if (len && len + strlen(file) + 2 < sizeof full) {
			snprintf(full, sizeof full, "%.*s/%s", (int)len, p, file);
			execve(full, argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				err = -errno;
		}
		p += len + (p[len] == ':');
	}
	return err;
}

/* In the forked child, inside every namespace of the machine: becomes the user, sets up
 * its terminal and environment, execs. Never returns. */
static noreturn void child_main(const struct nsb_exec_req *r, char **env, size_t n_env,
				int slave, int go)
{
	char byte;
	/* the parent first moves this process into the machine's cgroup */
	if (go >= 0 && read(go, &byte, 1) != 1)
		_exit(NSB_EXIT_FAILURE);
	/* a command of the container starts as its init's would: no signal ignored or
	 * blocked, whatever the caller's shell left to nsboot */
	nsb_child_reset_signals(); /* the C library's reserved ones (32-34) included */
	/* a session of its own: the caller's terminal, if it is on 0, 1 or 2 without -t,
	 * is never the container's controlling terminal */
	if (setsid() < 0)
		child_fail(r->verb, "setsid: %s", strerror(errno));
	if (slave >= 0) {
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			child_fail(r->verb, "the pty: %s", strerror(errno));
		for (int fd = 0; fd < 3; fd++)
			dup2(slave, fd);
	}
	const char *user = r->user ? r->user : "root";
	struct nsb_passwd pw = { 0, 0, "/root", "/bin/sh" };
	char *text = read_tree_file("/etc/passwd");
	int e = text ? nsb_passwd_find(text, user, &pw) : -errno;
	free(text);
	char *end;
	unsigned long id = strtoul(user, &end, 10);
	if (e == -ENOENT && *user && !*end && id < 0xffffffffUL) {
		/* a number the tree does not name: that uid and gid, HOME / */
		pw = (struct nsb_passwd){ (unsigned)id, (unsigned)id, "/", "/bin/sh" };
		e = 0;
	}
	if (e < 0 && (r->user || r->login) && strcmp(user, "root") != 0 && strcmp(user, "0") != 0) {
		/* (only the read gives these: the parser says EINVAL or ENOENT) */
		if (e == -ENOEXEC || e == -EFBIG)
			child_fail(r->verb, "user %s: the machine's /etc/passwd is %s", user,
				   e == -ENOEXEC ? "not a regular file" : "over 1 MiB");
		child_fail(r->verb, "user %s: %s in the machine's /etc/passwd", user,
			   e == -ENOENT ? "not found" : e == -EINVAL ? "a malformed line" : strerror(-e));
	}
	if (slave >= 0)
		(void)!fchown(slave, pw.uid, (gid_t)-1); /* where the devpts maps the user */
	gid_t groups[NSB_EXEC_MAX_GROUPS];
	size_t ng = tree_groups(user, pw.gid, groups, NSB_EXEC_MAX_GROUPS);
	/* refused where setgroups is denied (--private-users=single): the caller's own
	 * groups stay, unmapped, as with nsenter --preserve-credentials */
	(void)setgroups(ng, groups);
	if (setresgid(pw.gid, pw.gid, pw.gid) < 0)
		child_fail(r->verb, "gid %u of %s: %s (not mapped in the machine?)", pw.gid, user,
			   strerror(errno));
	if (setresuid(pw.uid, pw.uid, pw.uid) < 0)
		child_fail(r->verb, "uid %u of %s: %s (not mapped in the machine?)", pw.uid, user,
			   strerror(errno));
	env_set(env, &n_env, "HOME", pw.home);
	if (r->user || r->login) {
		env_set(env, &n_env, "USER", user);
		env_set(env, &n_env, "LOGNAME", user);
	}
	if (r->login)
		env_set(env, &n_env, "SHELL", pw.shell);
	const char *term = getenv("TERM");
	if (slave >= 0 && term && *term)
		env_set(env, &n_env, "TERM", term);
	for (size_t i = 0; i < r->n_setenv; i++) {
		char var[256];
		snprintf(var, sizeof var, "%.*s", (int)strcspn(r->setenv[i], "="), r->setenv[i]);
		env_set(env, &n_env, var, strchr(r->setenv[i], '=') + 1);
	}
	const char *dir = r->chdir ? r->chdir : r->login ? pw.home : "/";
	if (chdir(dir) < 0) {
		if (r->chdir)
			child_fail(r->verb, "--chdir=%s: %s", r->chdir, strerror(errno));
		(void)!chdir("/");
	}
	close_range(3, ~0U, 0);
	char *login_argv[2] = { NULL, NULL };
	char argv0[300];
	char **argv = r->argv;
	const char *file = argv ? argv[0] : pw.shell;
	if (r->login) {
		const char *base = strrchr(pw.shell, '/');
		snprintf(argv0, sizeof argv0, "-%s", base ? base + 1 : pw.shell);
		login_argv[0] = argv0;
		argv = login_argv;
	}
	e = exec_path(file, argv, env);
	log_error("%s: %s: %s", r->verb, file, strerror(-e));
	_exit(e == -ENOENT || e == -ENOTDIR ? NSB_EXIT_NOTFOUND : NSB_EXIT_NOEXEC);
}

/* Whether PID's network namespace is the caller's (--network=host): setns would refuse
 * to join it from the container's user namespace, and there is nothing to join. */
static bool same_netns(pid_t pid)
{
	char path[48];
	struct stat a, b;
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	return stat("/proc/self/ns/net", &a) == 0 && stat(path, &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Opens a pty from the machine's devpts (we are in its mount namespace): the master
 * into CON, the slave into *SLAVE. A /dev/ptmx that is not the pty multiplexer is
 * refused. 0 or -1 with the error logged. */
static int open_pty(const struct nsb_exec_req *r, struct nsb_pty *con, int *slave)
{
	char err[512];
	struct stat st;
	if (nsb_console_open(con, err, sizeof err) < 0) {
		log_error("%s: %s", r->verb, err);
		return -1;
	}
	if (fstat(con->master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 ||
	    minor(st.st_rdev) != 2) {
		log_error("%s: the machine's /dev/ptmx is not a pty multiplexer", r->verb);
		return -1;
	}
	*slave = con->slave;
	return 0;
}

/* The machine's cgroup.procs, opened for writing (from the registry's path, checked to be
 * a directory of cgroup2), or -1 when it has none or the caller may not. */
static int open_procs(const struct nsb_machine_info *info)
{
	if (!info->cgroup[0])
		return -1;
	int dir = open(info->cgroup, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs fs;
	if (dir < 0)
		return -1;
	int fd = -1;
	if (fstatfs(dir, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		fd = openat(dir, "cgroup.procs", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	return fd;
}

/* Relays signals (and, with a pty, the terminal) until CHILD exits; its exit status. */
static int supervise_child(pid_t child, struct nsb_pty *con)
{
	sigset_t mask;
	sigemptyset(&mask);
	for (size_t i = 0; i < nsb_n_forwarded_signals; i++)
		sigaddset(&mask, nsb_forwarded_signals[i]);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int status = 0;
	for (;;) {
		pid_t w = waitpid(child, &status, WNOHANG);
		if (w == child)
			break;
		if (w < 0 && errno != EINTR)
			return NSB_EXIT_FAILURE;
		struct pollfd p[1 + NSB_CONSOLE_NFDS] = { { .fd = sfd, .events = POLLIN } };
		int n = 1 + nsb_console_pollfds(con, p + 1);
		if (poll(p, (nfds_t)n, sfd < 0 ? 100 : -1) < 0 && errno != EINTR)
			break;
		nsb_console_relay(con, p + 1, n - 1);
		struct signalfd_siginfo si;
		while (sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGCHLD)
				continue;
			if (si.ssi_signo == SIGWINCH && con->master >= 0)
				nsb_console_winch(con);
			else
				kill(child, (int)si.ssi_signo);
		}
	}
	nsb_console_finish(con);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* The sanitizer build's LeakSanitizer checks at exit from a tracer process it clones;
 * after setns(2) into a pid namespace that process starts there, cannot see this one, and
 * this one waits for it forever. So the check runs now, before joining (the one at exit
 * is then skipped). Nothing in other builds. */
static void leak_check_now(void)
{
#if defined(__SANITIZE_ADDRESS__)
	__lsan_do_leak_check();
#endif
}

/* nsb_exec once the machine is found and its environment ENV read: joins its
 * namespaces, forks the command, waits for it. */
static int exec_in(const struct nsb_exec_req *r, const struct nsb_machine_info *info,
		   char **env, size_t n_env)
{
	int pidfd = nsb_machine_pidfd(info, false);
	if (pidfd < 0)
		return log_error("%s: machine %s: its PID 1 (PID %d) is gone%s", r->verb, r->name,
				 (int)info->pid, pidfd == -ESRCH ? "" : ": cannot open a pidfd"),
		       NSB_EXIT_FAILURE;
	int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
		    CLONE_NEWCGROUP | CLONE_NEWTIME;
	if (!same_netns(info->pid))
		flags |= CLONE_NEWNET;
	/* from here on the container's root holds capabilities over this process: it must
	 * not be able to ptrace it to the caller's files and terminal */
	prctl(PR_SET_DUMPABLE, 0);
	/* opened before joining: the write is checked in the caller's cgroup namespace */
	int procs = open_procs(info);
	leak_check_now();
	if (setns(pidfd, flags) < 0) {
		int err = errno;
		log_error("%s: join the namespaces of machine %s (PID %d): %s", r->verb, r->name,
			  (int)info->pid, strerror(err));
		return NSB_EXIT_FAILURE;
	}
	close(pidfd);
	if (chdir("/") < 0)
		return log_error("%s: chdir /: %s", r->verb, strerror(errno)), NSB_EXIT_FAILURE;
	struct nsb_pty con;
	int slave = -1;
	nsb_console_init(&con);
	if (r->tty && open_pty(r, &con, &slave) < 0)
		return NSB_EXIT_FAILURE;
	int go[2] = { -1, -1 };
	if (procs >= 0 && pipe2(go, O_CLOEXEC) < 0)
		return log_error("%s: pipe: %s", r->verb, strerror(errno)), NSB_EXIT_FAILURE;
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		return log_error("%s: fork: %s", r->verb, strerror(errno)), NSB_EXIT_FAILURE;
	if (child == 0) {
		if (con.master >= 0)
			close(con.master);
		if (go[1] >= 0)
			close(go[1]); /* the parent's alone: its close is the child's EOF */
		child_main(r, env, n_env, slave, go[0]);
	}
	if (procs >= 0) {
		char line[24];
		int n = snprintf(line, sizeof line, "%d\n", (int)child);
		/* where the caller may not move processes (a rootless caller's cgroups), the
		 * command runs in the caller's cgroup; it still dies with the machine's pid
		 * namespace. Any other refusal is the container's doing (processes moved
		 * below and controllers enabled, so the top takes none): the command would
		 * run outside the machine's limits, so it does not run. */
		if (write(procs, line, (size_t)n) != n) {
			int e = errno;
			if (e != EACCES && e != EPERM) {
				close(procs);
				close(go[1]); /* the child sees EOF and exits */
				close(go[0]);
				waitpid(child, NULL, 0);
				return log_error("%s: cannot put the command into the machine's cgroup "
						 "%s: %s", r->verb, info->cgroup, strerror(e)),
				       NSB_EXIT_FAILURE;
			}
			log_debug("%s: the machine's cgroup: %s", r->verb, strerror(e));
		}
		close(procs);
		close(go[0]);
		if (write(go[1], "g", 1) != 1)
			log_debug("%s: the child is gone", r->verb);
		close(go[1]);
	}
	/* closes the slave here, the caller's terminal in raw mode */
	nsb_console_parent(&con, (uid_t)-1, (gid_t)-1);
	return supervise_child(child, &con);
}

int nsb_exec(const struct nsb_exec_req *r)
{
	struct nsb_machine_info info;
	int dir;
	int e = nsb_machine_lookup(r->name, &info, &dir);
	if (e == -ENOENT || e == -EINVAL)
		return log_error("%s: no machine named %s", r->verb, r->name), NSB_EXIT_FAILURE;
	if (e < 0)
		return log_error("%s: machine %s: %s", r->verb, r->name, strerror(-e)), NSB_EXIT_FAILURE;
	if (info.state == NSB_MACHINE_STARTING || info.pid <= 0) {
		close(dir);
		return log_error("%s: machine %s is still starting", r->verb, r->name), NSB_EXIT_FAILURE;
	}
	char *env[NSB_EXEC_MAX_ENV], *block;
	size_t n_env = read_env(dir, env, &block);
	close(dir);
	int status = exec_in(r, &info, env, n_env);
	free(block); /* the command has its copy */
	return status;
}
