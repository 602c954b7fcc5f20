/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot's verbs on running machines: list, exec, shell, stop, kill, wait, logs
 * (spawn/verbs.h). Each prints one line and exits 125 on its own errors. */
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "exec.h"
#include "log.h"
#include "machine.h"
#include "paths.h"
#include "signals.h"

/* A stop waits this much longer than the machine's --grace before it kills. */
#define NSB_STOP_MARGIN_MS 5000
/* After SIGKILL, how long a stop waits for the spawner to be gone. */
#define NSB_STOP_KILL_WAIT_MS 5000
/* wait and logs -f look at the entry this often. */
#define NSB_VERB_POLL_MS 50
/* The exit status of wait --timeout when it runs out (as timeout(1)). */
#define NSB_EXIT_TIMEOUT 124

static const char verbs_help[] =
	"Machines (every container has a name, -M NAME or TREE's directory name):\n"
	"  nsboot [run] -M web --detach -D TREE      start one in the background\n"
	"  nsboot list [--json]                      NAME PID STATE UPTIME TREE MAPPING\n"
	"  nsboot exec [-t] [--user=USER] [--chdir=DIR] [--setenv=VAR=VALUE]... NAME [--] COMMAND...\n"
	"                                            e.g. nsboot exec web -- cat /etc/os-release\n"
	"  nsboot shell NAME [USER]                  e.g. nsboot shell web (a login shell, new pty)\n"
	"  nsboot stop [--timeout=SECONDS] NAME      e.g. nsboot stop web (the tree's shutdown)\n"
	"  nsboot kill NAME [SIGNAL]                 e.g. nsboot kill web HUP (to its PID 1)\n"
	"  nsboot wait [--booted] [--timeout=SECONDS] NAME  e.g. nsboot wait --booted web\n"
	"  nsboot logs [-f] NAME                     e.g. nsboot logs -f web (a detached console)\n"
	"  nsboot test [-j N] [--junit=FILE] [--logs=DIR] [--timeout=S] [--keep-going] FILE...\n"
	"                                            system tests of machines (nsboot-test(1))\n";

const char *nsb_verbs_help(void)
{
	return verbs_help;
}

/* "nsboot: VERB: REASON" and 125. */
int nsb_verb_fail(const char *verb, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error("%s: %s", verb, msg);
	return NSB_EXIT_FAILURE;
}

/* The registry cannot be used (someone else's, a symlink): says why, 125. */
static int registry_error(const char *verb)
{
	char err[1024];
	int b = nsb_machine_base(false, err, sizeof err);
	if (b >= 0)
		close(b);
	return nsb_verb_fail(verb, "%s", b < 0 ? err : "the registry: Operation not permitted");
}

/* Looks NAME up for VERB: 0, or 125 with the line printed. */
static int find(const char *verb, const char *name, struct nsb_machine_info *info, int *dir)
{
	if (!nsb_machine_name_valid(name))
		return nsb_verb_fail(verb, "'%s': not a machine name ([A-Za-z0-9_.-], at most %d bytes, "
			    "not starting with '.')", name, NSB_MACHINE_NAME_MAX);
	int e = nsb_machine_lookup(name, info, dir);
	if (e == -ENOENT)
		return nsb_verb_fail(verb, "no machine named %s", name);
	if (e == -EPERM)
		return registry_error(verb);
	if (e < 0)
		return nsb_verb_fail(verb, "machine %s: %s", name, strerror(-e));
	return 0;
}

/* Parses a --timeout value; -1 on error. */
static long timeout_arg(const char *verb, const char *s)
{
	long ms = nsb_parse_seconds(s);
	if (ms < 0)
		nsb_verb_fail(verb, "--timeout=%s: not a decimal number of seconds", s);
	return ms;
}

/* "UPTIME" of list: 42s, 3m07s, 2h05m, 3d04h. */
static void format_uptime(long long s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

/* Writes S as a JSON string. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

struct list_ctx {
	bool json;
	int n;
};

static void list_one(const struct nsb_machine_info *i, void *arg)
{
	struct list_ctx *l = arg;
	long long up = (long long)time(NULL) - i->started;
	if (l->json) {
		printf("%s\n  {\"name\": ", l->n ? "," : "");
		json_string(i->name);
		printf(", \"pid\": %d, \"state\": \"%s\", \"uptime\": %lld, \"spawner\": %d, \"tree\": ",
		       (int)i->pid, nsb_machine_state_name(i->state), up, (int)i->spawner);
		json_string(i->tree);
		printf(", \"mapping\": ");
		json_string(i->mapping);
		printf("}");
	} else {
		char u[32], tree[sizeof i->tree];
		format_uptime(up, u, sizeof u);
		/* a path is any bytes: none of them reaches the terminal as a control */
		snprintf(tree, sizeof tree, "%s", i->tree[0] ? i->tree : "-");
		for (char *p = tree; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		printf("%-16s %-8d %-9s %-8s %-30s %s\n", i->name, (int)i->pid,
		       nsb_machine_state_name(i->state), u, tree, i->mapping);
	}
	l->n++;
}

static int verb_list(int argc, char **argv)
{
	struct list_ctx l = { 0 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			l.json = true;
		else
			return nsb_verb_fail("list", "unknown argument '%s' (nsboot list [--json])", argv[i]);
	}
	char err[1024];
	int b = nsb_machine_base(false, err, sizeof err);
	if (b < 0 && b != -ENOENT)
		return nsb_verb_fail("list", "%s", err);
	if (b >= 0)
		close(b);
	if (l.json)
		printf("[");
	else
		printf("%-16s %-8s %-9s %-8s %-30s %s\n", "NAME", "PID", "STATE", "UPTIME", "TREE",
		       "MAPPING");
	int n = nsb_machine_each(list_one, &l);
	if (l.json)
		printf("%s]\n", l.n ? "\n" : "");
	if (n < 0)
		return nsb_verb_fail("list", "the registry: %s", strerror(-n));
	return 0;
}

static int verb_exec(int argc, char **argv)
{
	enum { O_USER = 256, O_CHDIR, O_SETENV };
	static const struct option opts[] = {
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, O_USER },
		{ "chdir", required_argument, NULL, O_CHDIR },
		{ "setenv", required_argument, NULL, O_SETENV },
		{ 0 }
	};
	struct nsb_exec_req r = { .verb = "exec" };
	int o;
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:t", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			r.tty = true;
			break;
		case O_USER:
			r.user = optarg;
			break;
		case O_CHDIR:
			r.chdir = optarg;
			break;
		case O_SETENV: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789_") != (size_t)(eq - optarg))
				return nsb_verb_fail("exec", "--setenv=%s: want VAR=VALUE", optarg);
			if (r.n_setenv >= NSB_EXEC_MAX_SETENV)
				return nsb_verb_fail("exec", "--setenv: more than %d variables", NSB_EXEC_MAX_SETENV);
			r.setenv[r.n_setenv++] = optarg;
			break;
		}
		case ':':
			return nsb_verb_fail("exec", "option '%s' needs an argument", argv[optind - 1]);
		default:
			return nsb_verb_fail("exec", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return nsb_verb_fail("exec", "missing NAME (nsboot exec [OPTIONS] NAME [--] COMMAND...)");
	r.name = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind >= argc)
		return nsb_verb_fail("exec", "missing COMMAND (nsboot exec [OPTIONS] NAME [--] COMMAND...)");
	r.argv = argv + optind;
	struct nsb_machine_info info;
	if (!nsb_machine_name_valid(r.name))
		return find("exec", r.name, &info, NULL);
	return nsb_exec(&r);
}

static int verb_shell(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || argv[1][0] == '-')
		return nsb_verb_fail("shell", "want NAME [USER] (nsboot shell NAME [USER])");
	struct nsb_exec_req r = { .verb = "shell", .name = argv[1], .tty = true, .login = true,
				  .user = argc == 3 ? argv[2] : NULL };
	struct nsb_machine_info info;
	if (!nsb_machine_name_valid(r.name))
		return find("shell", r.name, &info, NULL);
	return nsb_exec(&r);
}

/* Reads the exit status the spawner left in the status file FD: it, or -1. */
static int read_status(int fd)
{
	char buf[16];
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

/* Waits up to MS (-1: for ever) for the process of PIDFD to exit; true when it did. */
static bool wait_gone(int pidfd, long ms)
{
	long long until = nsb_now_ms() + ms;
	for (;;) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		long left = ms < 0 ? -1 : (long)(until - nsb_now_ms());
		if (ms >= 0 && left < 0)
			left = 0;
		int r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return true;
		if (r == 0 && ms >= 0 && nsb_now_ms() >= until)
			return false;
	}
}

/* pidfd_send_signal(2). */
static int send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static int verb_stop(int argc, char **argv)
{
	long timeout = -2;
	const char *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--timeout=", 10) == 0) {
			if ((timeout = timeout_arg("stop", argv[i] + 10)) < 0)
				return NSB_EXIT_FAILURE;
		} else if (argv[i][0] == '-' || name) {
			return nsb_verb_fail("stop", "unexpected '%s' (nsboot stop [--timeout=SECONDS] NAME)", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return nsb_verb_fail("stop", "missing NAME (nsboot stop [--timeout=SECONDS] NAME)");
	struct nsb_machine_info info;
	int dir;
	if (find("stop", name, &info, &dir))
		return NSB_EXIT_FAILURE;
	/* the spawner writes its status there before it removes the entry: opened now, the
	 * file is still ours to read once it is gone */
	int status_fd = openat(dir, "status", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	int spfd = nsb_machine_pidfd(&info, true);
	if (spfd < 0)
		return nsb_verb_fail("stop", "machine %s: its nsboot (PID %d) is gone", name, (int)info.spawner);
	if (timeout == -2)
		timeout = info.grace_ms + NSB_STOP_MARGIN_MS;
	if (send_signal(spfd, SIGTERM) < 0 && errno != ESRCH)
		return nsb_verb_fail("stop", "machine %s: signal nsboot PID %d: %s", name, (int)info.spawner,
			    strerror(errno));
	int rc = 0;
	if (!wait_gone(spfd, timeout)) {
		log_warn("stop: machine %s did not stop within %ld.%03ld s: killing it", name,
			 timeout / 1000, timeout % 1000);
		int pfd = nsb_machine_pidfd(&info, false);
		if (pfd >= 0)
			send_signal(pfd, SIGKILL);
		send_signal(spfd, SIGKILL);
		if (!wait_gone(spfd, NSB_STOP_KILL_WAIT_MS))
			return nsb_verb_fail("stop", "machine %s: nsboot PID %d does not go away", name,
				    (int)info.spawner);
		rc = 128 + SIGKILL;
	}
	int st = read_status(status_fd);
	nsb_machine_lookup(name, &info, NULL); /* removes what a killed nsboot left */
	return st >= 0 ? st : rc;
}

/* Signal names kill takes (with or without "SIG"), and numbers. */
static int parse_signal(const char *s)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
		{ "STOP", SIGSTOP }, { "WINCH", SIGWINCH }, { "PWR", SIGPWR }, { "ALRM", SIGALRM },
	};
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n <= SIGRTMAX ? (int)n : -1;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (strcmp(s, sigs[i].name) == 0)
			return sigs[i].sig;
	if (strncmp(s, "RTMIN+", 6) == 0) {
		n = strtol(s + 6, &end, 10);
		if (*end || s[6] == '\0' || n < 0 || SIGRTMIN + n > SIGRTMAX)
			return -1;
		return SIGRTMIN + (int)n;
	}
	return -1;
}

static int verb_kill(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		return nsb_verb_fail("kill", "want NAME [SIGNAL] (nsboot kill NAME [SIGNAL])");
	int sig = argc == 3 ? parse_signal(argv[2]) : SIGTERM;
	if (sig < 0)
		return nsb_verb_fail("kill", "'%s': not a signal", argv[2]);
	struct nsb_machine_info info;
	if (find("kill", argv[1], &info, NULL))
		return NSB_EXIT_FAILURE;
	int pfd = nsb_machine_pidfd(&info, false);
	if (pfd < 0)
		return nsb_verb_fail("kill", "machine %s has no PID 1 (still starting, or gone)", argv[1]);
	if (send_signal(pfd, sig) < 0)
		return nsb_verb_fail("kill", "machine %s: PID %d: %s", argv[1], (int)info.pid, strerror(errno));
	return 0;
}

/* Whether the entry at DIR has reached the state WAIT asks for. */
static bool reached(int dir, bool booted)
{
	char buf[4096];
	struct nsb_machine_info i;
	if (nsb_read_small(dir, "info", buf, sizeof buf) <= 0 || nsb_machine_info_parse(buf, &i) < 0)
		return false;
	return booted ? i.state == NSB_MACHINE_BOOTED :
			i.state != NSB_MACHINE_STARTING;
}

static int verb_wait(int argc, char **argv)
{
	bool booted = false;
	long timeout = -1;
	const char *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--booted") == 0)
			booted = true;
		else if (strncmp(argv[i], "--timeout=", 10) == 0) {
			if ((timeout = timeout_arg("wait", argv[i] + 10)) < 0)
				return NSB_EXIT_FAILURE;
		} else if (argv[i][0] == '-' || name)
			return nsb_verb_fail("wait", "unexpected '%s' (nsboot wait [--booted] "
				    "[--timeout=SECONDS] NAME)", argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return nsb_verb_fail("wait", "missing NAME (nsboot wait [--booted] [--timeout=SECONDS] NAME)");
	struct nsb_machine_info info;
	int dir;
	if (find("wait", name, &info, &dir))
		return NSB_EXIT_FAILURE;
	int status_fd = openat(dir, "status", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int spfd = nsb_machine_pidfd(&info, true);
	long long until = timeout >= 0 ? nsb_now_ms() + timeout : 0;
	for (;;) {
		if (reached(dir, booted))
			return 0;
		if (spfd < 0 || wait_gone(spfd, NSB_VERB_POLL_MS)) {
			int st = read_status(status_fd);
			log_error("wait: machine %s exited (status %d) before it was %s", name,
				  st >= 0 ? st : NSB_EXIT_FAILURE, booted ? "booted" : "ready");
			return st > 0 ? st : NSB_EXIT_FAILURE;
		}
		if (until && nsb_now_ms() >= until) {
			log_error("wait: machine %s was not %s within %ld.%03ld s", name,
				  booted ? "booted" : "ready", timeout / 1000, timeout % 1000);
			return NSB_EXIT_TIMEOUT;
		}
	}
}

/* Copies what FD still holds to stdout. */
static void copy_out(int fd)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return;
	fflush(stdout);
}

static int verb_logs(int argc, char **argv)
{
	bool follow = false;
	const char *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--follow") == 0)
			follow = true;
		else if (argv[i][0] == '-' || name)
			return nsb_verb_fail("logs", "unexpected '%s' (nsboot logs [-f] NAME)", argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return nsb_verb_fail("logs", "missing NAME (nsboot logs [-f] NAME)");
	struct nsb_machine_info info;
	int dir;
	if (find("logs", name, &info, &dir))
		return NSB_EXIT_FAILURE;
	int old = openat(dir, "console.log.old", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int fd = openat(dir, "console.log", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nsb_verb_fail("logs", "machine %s keeps no log (it was not started with --detach)", name);
	if (old >= 0)
		copy_out(old), close(old);
	copy_out(fd);
	int spfd = follow ? nsb_machine_pidfd(&info, true) : -1;
	while (spfd >= 0) {
		bool gone = wait_gone(spfd, NSB_VERB_POLL_MS * 2);
		copy_out(fd);
		struct stat a, b;
		/* rotated: what is left of the old file, then the new one */
		if (!gone && fstatat(dir, "console.log", &a, AT_SYMLINK_NOFOLLOW) == 0 &&
		    fstat(fd, &b) == 0 && a.st_ino != b.st_ino) {
			int nfd = openat(dir, "console.log", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd >= 0) {
				close(fd);
				fd = nfd;
				copy_out(fd);
			}
		}
		if (gone)
			break;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} verbs[] = {
	{ "list", verb_list }, { "exec", verb_exec }, { "shell", verb_shell },
	{ "stop", verb_stop }, { "kill", verb_kill }, { "wait", verb_wait },
	{ "logs", verb_logs },
};

void nsb_verb_not_one(const char *word, char *buf, size_t len)
{
	size_t k = strlen(buf);
	k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "; '%s' is no verb of nsboot (", word);
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0] && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s, ", verbs[i].name);
	if (k < len)
		snprintf(buf + k, len - k, "run)");
}

int nsb_verb_main(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(argv[1], verbs[i].name) == 0) {
			/* only right after the verb: "exec web ls -h" is ls's -h */
			if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
				fputs(verbs_help, stdout);
				return 0;
			}
			/* nsboot blocks the signals it relays before main; only exec and shell
			 * relay them (to the command): the other verbs die of them as usual */
			if (verbs[i].fn != verb_exec && verbs[i].fn != verb_shell) {
				sigset_t relayed;
				sigemptyset(&relayed);
				for (size_t k = 0; k < nsb_n_forwarded_signals; k++)
					sigaddset(&relayed, nsb_forwarded_signals[k]);
				sigprocmask(SIG_UNBLOCK, &relayed, NULL);
			}
			return verbs[i].fn(argc - 1, argv + 1);
		}
	return -1;
}
