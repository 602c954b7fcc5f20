/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot, the spawner: reads every host input, clones the builder into new user and mount
 * namespaces, writes its id maps, idmaps TREE, sends GO; the builder starts the
 * container's init in nested namespaces and builds the root (spawn/child.c), and the init
 * execs nsboot-init. The spawner then reports readiness, relays signals and returns the
 * container's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "io.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "../mounts/setup.h"
#include "booted.h"
#include "cgroup.h"
#include "console.h"
#include "hostids.h"
#include "spawn.h"
#include "pidfile.h"
#include "signals.h"
#include "spawner.h"
#include "users.h"
#include "machine.h"
#include "verbs.h"

/* Prints "nsboot: REASON" and the usage line, exits 125. */
static noreturn void usage_error(const char *reason)
{
	log_error("%s", reason);
	fprintf(stderr, "%s\n", nsb_usage_line(NSB_PROG_SPAWN));
	exit(NSB_EXIT_FAILURE);
}

/* Checks the host inputs that can be checked before any namespace exists; exits 125. */
static void check_inputs(const struct nsb_config *c)
{
	struct stat st;
	if (c->tree) {
		if (stat(c->tree, &st) < 0)
			nsb_die(NSB_EXIT_FAILURE, "-D %s: %s", c->tree, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			nsb_die(NSB_EXIT_FAILURE, "-D %s: %s", c->tree, strerror(ENOTDIR));
	}
	if (c->ready_fd >= 0 && fcntl(c->ready_fd, F_GETFD) < 0)
		nsb_die(NSB_EXIT_FAILURE, "--ready-fd=%d: %s", c->ready_fd, strerror(errno));
	if (c->pid_file) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", c->pid_file);
		char *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		if (access(slash ? dir : ".", W_OK) < 0)
			nsb_die(NSB_EXIT_FAILURE, "--pid-file=%s: %s: %s", c->pid_file,
				slash ? dir : ".", strerror(errno));
	}
}

/* Adds FD to GO under NAME (the caller keeps at most NSB_PROTO_MAX_FDS). */
static void add_go_fd(struct nsb_msg *go, const char *name, int fd)
{
	size_t len = strlen(go->text);
	snprintf(go->text + len, sizeof go->text - len, "%s%s", len ? "," : "", name);
	go->fds[go->n_fds++] = fd;
}

/* Finds the user binds that ask for "idmap", takes the word out of their options (the
 * mount code never sees it) and checks the mode allows it; exits 125 otherwise. */
static void take_idmap_binds(struct spawner *s)
{
	bool shifted = s->users.mode == NSB_USERS_PICK || s->users.mode == NSB_USERS_RANGE;
	size_t n = s->c.tree && shifted ? 1 : 0;
	for (size_t i = 0; i < s->c.n_mounts; i++) {
		struct nsb_mount_spec *m = &s->c.mounts[i];
		if ((m->kind != NSB_MNT_BIND && m->kind != NSB_MNT_BIND_RO) ||
		    !nsb_opts_take(m->opts, "idmap", s->bind_opts[i], sizeof s->bind_opts[i]))
			continue;
		if (!shifted)
			nsb_die(NSB_EXIT_FAILURE, "--bind=%s:%s:%s: idmap needs --private-users=pick "
				"or BASE (this is %s)", m->src, m->dst, m->opts,
				nsb_users_mode_name(s->users.mode));
		if (++n > NSB_PROTO_MAX_FDS)
			nsb_die(NSB_EXIT_FAILURE, "--bind=%s:%s:%s: at most %d idmapped binds",
				m->src, m->dst, m->opts, NSB_PROTO_MAX_FDS - 1);
		m->opts = s->bind_opts[i][0] ? s->bind_opts[i] : NULL;
		s->idmap[i] = true;
	}
}

/* Makes an idmapped clone of the host path TREE for the child's user namespace (TREE
 * itself, or a bind source); the fd or -errno. */
static int idmap_clone(const char *tree, pid_t pid, char *err, size_t errlen)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	int userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0) {
		int e = -errno;
		snprintf(err, errlen, "open %s: %s", path, strerror(-e));
		return e;
	}
	int fd = open_tree(AT_FDCWD, tree, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0) {
		int e = -errno;
		snprintf(err, errlen, "open_tree %s: %s", tree, strerror(-e));
		close(userns);
		return e;
	}
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
		int e = -errno;
		snprintf(err, errlen, "idmapped mount of %s: %s (its file system refuses idmapping; "
			 "--private-users=identity does without)", tree, strerror(-e));
		close(fd);
		close(userns);
		return e;
	}
	close(userns);
	return fd;
}

/* atexit: the container's cgroup goes with nsboot, on every path. */
static struct nsb_cgroup *exit_cgroup;
static void destroy_cgroup_at_exit(void)
{
	if (exit_cgroup)
		nsb_cgroup_destroy(exit_cgroup);
}

/* Makes the container's cgroup where the host allows one; exits 125 when a limit that was
 * asked for cannot be honoured. */
static void make_cgroup(struct spawner *s)
{
	char err[1024];
	int r = nsb_cgroup_create(&s->cg, &s->c, err, sizeof err);
	if (r < 0)
		nsb_die(NSB_EXIT_FAILURE, "%s", err);
	if (r > 0) {
		log_debug("no cgroup of its own: %s", err);
		return;
	}
	log_debug("cgroup: %s", s->cg.path);
	exit_cgroup = &s->cg;
	atexit(destroy_cgroup_at_exit);
}

/* Reads the init's host pid from the builder; 0, or -1 when the builder failed first. */
static int read_init_pid(struct spawner *s, int fd)
{
	int32_t pid;
	int r = nsb_read_all(fd, &pid, sizeof pid);
	close(fd);
	if (r < 0 || pid <= 0)
		return -1;
	s->pid = (pid_t)pid;
	return 0;
}

/* The signals nsboot relays, and SIGCHLD. */
static sigset_t relayed_mask(void)
{
	sigset_t mask;
	sigemptyset(&mask);
	for (size_t i = 0; i < nsb_n_forwarded_signals; i++)
		sigaddset(&mask, nsb_forwarded_signals[i]);
	sigaddset(&mask, SIGCHLD);
	return mask;
}

/* Before anything else of ours runs (a constructor: before main, before the libraries'
 * own constructors of lower priority), block what is relayed: a stop request from then
 * on waits for the container instead of killing nsboot, and nothing is lost. The init
 * keeps them blocked through its exec, nsboot-init reads them from its signalfd and
 * starts its command with an empty mask. */
__attribute__((constructor(101))) static void block_relayed(void)
{
	sigset_t mask = relayed_mask();
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* an ignored SIGCHLD (inherited from the caller) would reap the container's init
	 * for us, status and all */
	signal(SIGCHLD, SIG_DFL);
}

/* `nsboot test ...`: execs the test runner (nsboot-test, found as nsboot-init is) with
 * NSBOOT naming this nsboot, which drives its machines. */
static noreturn void exec_test_runner(char **argv)
{
	char path[4096], self[4096];
	if (nsb_find_program("nsboot-test", path, sizeof path) < 0)
		nsb_die(NSB_EXIT_FAILURE, "test: nsboot-test not found next to nsboot nor in %s",
			NSB_LIBEXECDIR);
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		setenv("NSBOOT", self, 1);
	}
	argv[0] = path;
	execv(path, argv);
	nsb_die(NSB_EXIT_FAILURE, "test: exec %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "test") == 0)
		exec_test_runner(argv + 1);
	sigset_t mask = relayed_mask();
	static struct spawner s;
	char err[1024];
	s.t0_ms = nsb_now_ms();
	nsb_prog = "nsboot";
	nsb_console_init(&s.con);
	int verb = nsb_verb_main(argc, argv);
	if (verb >= 0)
		return verb;
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		argv[1] = argv[0], argv++, argc--;

	switch (nsb_parse_args(&s.c, argc, argv, NSB_PROG_SPAWN, err, sizeof err)) {
	case NSB_PARSE_OK:
		break;
	case NSB_PARSE_HELP:
		fputs(nsb_help_text(NSB_PROG_SPAWN), stdout);
		fputs(nsb_verbs_help(), stdout);
		return 0;
	case NSB_PARSE_VERSION:
		printf("nsboot %s\n", NSB_VERSION);
		return 0;
	case NSB_PARSE_ERROR:
		/* "nsboot lsit": a COMMAND without a tree is most likely a mistyped verb */
		if (strncmp(err, "missing -D TREE", 15) == 0 && s.c.argc > 0 && s.c.n_option_args == 0 &&
		    s.c.argv[0][0] && strspn(s.c.argv[0], "abcdefghijklmnopqrstuvwxyz") ==
		    strlen(s.c.argv[0]))
			nsb_verb_not_one(s.c.argv[0], err, sizeof err);
		usage_error(err);
	}
	nsb_verbosity = s.c.verbosity;
	if (s.c.machine && !nsb_machine_name_valid(s.c.machine))
		usage_error("-M: not a machine name ([A-Za-z0-9_.-], at most 64 bytes, not "
			    "starting with '.')");
	check_inputs(&s.c);
	nsb_spawn_detect_preset(&s.c);
	if (s.c.detach) {
		s.c.console = NSB_CONSOLE_INTERACTIVE; /* the console is relayed to the log */
		nsb_detach_fork();
	}

	if (s.c.hostname)
		snprintf(s.hostname, sizeof s.hostname, "%s", s.c.hostname);
	else
		nsb_default_hostname(s.c.tree, s.hostname, sizeof s.hostname);
	s.c.hostname = s.hostname;

	char init_path[4096];
	if (nsb_find_program("nsboot-init", init_path, sizeof init_path) < 0)
		nsb_die(NSB_EXIT_FAILURE, "nsboot-init: not found next to nsboot nor in %s "
			"(NSBOOT_LIBEXECDIR)", nsb_libexecdir());
	if ((s.init_fd = open(init_path, O_RDONLY | O_CLOEXEC)) < 0)
		nsb_die(NSB_EXIT_FAILURE, "open %s: %s", init_path, strerror(errno));

	if (nsb_users_resolve(s.c.private_users, &s.users, err, sizeof err) < 0 ||
	    nsb_hostids_check(&s.users, s.c.private_users, s.c.private_users_force, err,
			      sizeof err) < 0)
		nsb_die(NSB_EXIT_FAILURE, "%s", err);
	log_debug("user mapping: %s", nsb_users_mode_name(s.users.mode));
	take_idmap_binds(&s);
	make_cgroup(&s);

	if (nsb_net_prepare(&s.net, &s.c, &s.users, s.hostname, err, sizeof err) < 0)
		nsb_die(NSB_EXIT_FAILURE, "%s", err);
	if (nsb_console_wanted(&s.c)) {
		if (nsb_console_open(&s.con, err, sizeof err) < 0)
			nsb_die(NSB_EXIT_FAILURE, "%s", err);
	} else {
		nsb_console_keep_modes(&s.con);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s.chan) < 0)
		nsb_die(NSB_EXIT_FAILURE, "socketpair: %s", strerror(errno));
	s.envp = nsb_spawn_env(&s.c, getenv("TERM"));
	s.init_argv = nsb_spawn_init_argv(&s.c, s.chan[1]);
	if (!s.envp || !s.init_argv)
		nsb_die(NSB_EXIT_FAILURE, "out of memory");
	nsb_machine_start(&s);

	int e, pidpipe[2];
	if (pipe2(pidpipe, O_CLOEXEC) < 0)
		nsb_die(NSB_EXIT_FAILURE, "pipe: %s", strerror(errno));
	pid_t pid = nsb_spawn_builder(&s, pidpipe);
	if (pid < 0)
		nsb_die(NSB_EXIT_FAILURE, "clone3 (user, mount namespaces): %s", strerror(-pid));
	s.builder = pid;
	close(s.chan[1]);
	close(pidpipe[1]);
	signal(SIGPIPE, SIG_IGN);

	if (nsb_users_write_maps(&s.users, pid, err, sizeof err) < 0)
		nsb_abandon(&s, err);
	/* the builder starts the init with a new cgroup namespace: in the container's
	 * cgroup, the init lives there and has it as the namespace's root */
	if ((e = nsb_cgroup_enter(&s.cg, pid)) < 0) {
		snprintf(err, sizeof err, "cgroup: move the builder into %.900s: %s", s.cg.path,
			 strerror(-e));
		nsb_abandon(&s, err);
	}
	/* the console's slave and the cgroup belong to the container's root (host view) */
	bool shifted = s.users.mode == NSB_USERS_PICK || s.users.mode == NSB_USERS_RANGE;
	nsb_console_parent(&s.con, shifted ? s.users.base : (uid_t)-1,
			   shifted ? s.users.base : (gid_t)-1);
	if (s.con.raw) /* the container's console on the caller's terminal (not exec -t's) */
		log_info("console: Ctrl-C, Ctrl-Z and Ctrl-\\ go to the container; Ctrl-] three "
			 "times within a second stops it, three more kill it");
	nsb_cgroup_delegate(&s.cg, nsb_users_host_root(&s.users, false),
			    nsb_users_host_root(&s.users, true));
	struct nsb_msg go = { .type = NSB_MSG_GO };
	if (shifted && s.c.tree) {
		int fd = idmap_clone(s.c.tree, pid, err, sizeof err);
		if (fd < 0)
			nsb_abandon(&s, err);
		add_go_fd(&go, NSB_GO_TREE, fd);
	}
	for (size_t i = 0; i < s.c.n_mounts; i++) {
		if (!s.idmap[i])
			continue;
		int fd = idmap_clone(s.c.mounts[i].src, pid, err, sizeof err);
		if (fd < 0)
			nsb_abandon(&s, err);
		char name[32];
		snprintf(name, sizeof name, "bind%zu", i);
		add_go_fd(&go, name, fd);
	}
	e = nsb_msg_send(s.chan[0], &go);
	if (e < 0) {
		snprintf(err, sizeof err, "send GO: %s", strerror(-e));
		nsb_abandon(&s, err);
	}
	for (size_t i = 0; i < go.n_fds; i++)
		close(go.fds[i]);
	if (read_init_pid(&s, pidpipe[0]) < 0)
		nsb_abandon(&s, NULL);
	if ((e = nsb_net_host_side(&s.net, s.pid, s.c.setup_timeout_ms, err, sizeof err)) != 0) {
		nsb_kill_container(&s);
		nsb_abandon(&s, e < 0 ? err : NULL);
	}
	nsb_users_record_container(&s.users, s.pid);
	nsb_machine_pid(&s);

	int status = nsb_supervise(&s, &mask);
	nsb_reap_builder(&s, true);
	if (s.pid_file_written)
		nsb_pidfile_remove(s.c.pid_file, s.pid);
	nsb_users_release(&s.users);
	nsb_machine_set_status(status);
	return status;
}
