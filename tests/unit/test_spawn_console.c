/* SPDX-License-Identifier: GPL-3.0-or-later */
/* spawn/console.c against a fake user terminal (a pty whose slave plays the user's stdin
 * and stdout): the container's pty gets the user's modes and size, the user's terminal goes
 * raw and comes back on finish, on exit and on a crash; bytes flow both ways; SIGWINCH
 * sizes pass on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "../../spawn/console.h"

static int user_master = -1, user_slave = -1; /* the fake user terminal */

static int setup(void **state)
{
	user_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(user_master >= 0);
	assert_int_equal(grantpt(user_master), 0);
	assert_int_equal(unlockpt(user_master), 0);
	user_slave = open(ptsname(user_master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(user_slave >= 0);
	struct winsize ws = { .ws_row = 33, .ws_col = 111 };
	assert_int_equal(ioctl(user_slave, TIOCSWINSZ, &ws), 0);
	return 0;
}

static int teardown(void **state)
{
	close(user_master);
	close(user_slave);
	return 0;
}

/* A console whose user side is the fake terminal. */
static void open_console(struct nsb_pty *con)
{
	nsb_console_init(con);
	con->in_fd = user_slave;
	con->out_fd = user_slave;
	char err[256];
	assert_int_equal(nsb_console_open(con, err, sizeof err), 0);
	assert_true(con->master >= 0 && con->slave >= 0);
	assert_true(isatty(con->slave));
}

/* Whether the terminal FD is in canonical, echoing, signal-generating mode. */
static bool cooked(int fd)
{
	struct termios t;
	assert_int_equal(tcgetattr(fd, &t), 0);
	return (t.c_lflag & ICANON) && (t.c_lflag & ECHO) && (t.c_lflag & ISIG);
}

static void wanted(void **state)
{
	struct nsb_config c;
	nsb_config_init(&c);
	c.console = NSB_CONSOLE_INTERACTIVE;
	assert_true(nsb_console_wanted(&c));
	c.console = NSB_CONSOLE_PIPE;
	assert_false(nsb_console_wanted(&c));
	/* the default follows stdin: under the test runner it is no terminal of ours */
	c.console = NSB_CONSOLE_AUTO;
	int saved = dup(0);
	int devnull = open("/dev/null", O_RDONLY);
	dup2(devnull, 0);
	assert_false(nsb_console_wanted(&c));
	dup2(saved, 0);
	close(saved);
	close(devnull);
}

static void slave_gets_modes_and_size(void **state)
{
	struct termios t;
	assert_int_equal(tcgetattr(user_slave, &t), 0);
	t.c_cc[VERASE] = 0x08;
	assert_int_equal(tcsetattr(user_slave, TCSANOW, &t), 0);
	struct nsb_pty con;
	open_console(&con);
	struct winsize ws;
	assert_int_equal(ioctl(con.slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 33);
	assert_int_equal(ws.ws_col, 111);
	assert_int_equal(tcgetattr(con.slave, &t), 0);
	assert_int_equal(t.c_cc[VERASE], 0x08);
	nsb_console_finish(&con);
}

static void raw_then_restored(void **state)
{
	assert_true(cooked(user_slave));
	struct nsb_pty con;
	open_console(&con);
	int child_side = dup(con.slave);
	assert_int_equal(nsb_console_parent(&con, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(con.slave, -1); /* the parent's copy is closed */
	assert_false(cooked(user_slave));
	assert_true(con.raw);
	nsb_console_finish(&con);
	assert_true(cooked(user_slave));
	nsb_console_restore(&con); /* idempotent */
	assert_true(cooked(user_slave));
	close(child_side);
}

/* Polls the console once with a timeout and relays. */
static void relay_once(struct nsb_pty *con, int ms)
{
	struct pollfd p[NSB_CONSOLE_NFDS];
	int n = nsb_console_pollfds(con, p);
	assert_int_equal(n, 2);
	if (poll(p, (nfds_t)n, ms) > 0)
		nsb_console_relay(con, p, n);
}

/* Reads from FD until WANT was seen or 5 s passed; returns whether it was. */
static bool read_until(int fd, const char *want)
{
	char buf[4096];
	size_t got = 0;
	for (int i = 0; i < 50; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, want))
			return true;
	}
	return false;
}

static void bytes_flow_both_ways(void **state)
{
	struct nsb_pty con;
	open_console(&con);
	int inside = dup(con.slave); /* what the container holds */
	assert_int_equal(nsb_console_parent(&con, (uid_t)-1, (gid_t)-1), 0);
	/* container -> user */
	assert_int_equal(write(inside, "hello from inside\n", 18), 18);
	relay_once(&con, 1000);
	assert_true(read_until(user_master, "hello from inside"));
	/* user -> container (through the user's terminal, now raw: no echo, no line editing) */
	assert_int_equal(write(user_master, "ls\n", 3), 3);
	relay_once(&con, 1000);
	/* the container's side is cooked: it reads the line */
	char buf[16] = { 0 };
	struct pollfd p = { .fd = inside, .events = POLLIN };
	assert_true(poll(&p, 1, 1000) > 0);
	ssize_t n = read(inside, buf, sizeof buf - 1);
	assert_true(n >= 3);
	assert_int_equal(strncmp(buf, "ls\n", 3), 0);
	/* the container closes its side: the relay sees the hang-up and stops polling it */
	close(inside);
	relay_once(&con, 1000);
	assert_true(con.master_hup);
	struct pollfd q[2];
	nsb_console_pollfds(&con, q);
	assert_int_equal(q[1].fd, -1);
	nsb_console_finish(&con);
	assert_true(cooked(user_slave));
}

static void output_after_exit_is_drained(void **state)
{
	struct nsb_pty con;
	open_console(&con);
	int inside = dup(con.slave);
	nsb_console_parent(&con, (uid_t)-1, (gid_t)-1);
	assert_int_equal(write(inside, "last words\n", 11), 11);
	close(inside);
	nsb_console_finish(&con); /* no relay call: finish copies it */
	assert_true(read_until(user_master, "last words"));
}

static void window_size_passes_on(void **state)
{
	struct nsb_pty con;
	open_console(&con);
	int inside = dup(con.slave);
	nsb_console_parent(&con, (uid_t)-1, (gid_t)-1);
	struct winsize ws = { .ws_row = 50, .ws_col = 132 };
	assert_int_equal(ioctl(user_slave, TIOCSWINSZ, &ws), 0);
	nsb_console_winch(&con);
	struct winsize got;
	assert_int_equal(ioctl(inside, TIOCGWINSZ, &got), 0);
	assert_int_equal(got.ws_row, 50);
	assert_int_equal(got.ws_col, 132);
	close(inside);
	nsb_console_finish(&con);
}

/* In a child: raw mode, then ACTION; the parent checks the modes came back. */
static void restored_when_child(int action)
{
	assert_true(cooked(user_slave));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct nsb_pty con;
		nsb_console_init(&con);
		con.in_fd = con.out_fd = user_slave;
		char err[256];
		if (nsb_console_open(&con, err, sizeof err) < 0 ||
		    nsb_console_parent(&con, (uid_t)-1, (gid_t)-1) < 0 || cooked(user_slave))
			_exit(3);
		if (action == 0)
			exit(7);  /* atexit */
		if (action == 1)
			abort();  /* a fatal signal */
		_exit(4);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (action == 0) {
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 7);
	} else {
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGABRT);
	}
	assert_true(cooked(user_slave));
}

static void restored_at_exit(void **state)
{
	restored_when_child(0);
}

static void restored_on_crash(void **state)
{
	restored_when_child(1);
}

static void child_side_gets_stdio(void **state)
{
	struct nsb_pty con;
	open_console(&con);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (nsb_console_child(&con) < 0 || nsb_console_session(&con) < 0)
			_exit(2);
		/* 0, 1 and 2 are the pty, the controlling terminal of a session of our own
		 * whose foreground group is ours */
		if (!isatty(0) || !isatty(1) || !isatty(2))
			_exit(3);
		if (getsid(0) != getpid() || tcgetpgrp(0) != getpgrp())
			_exit(6);
		if (con.master != -1 || con.slave != -1)
			_exit(4);
		_exit(write(1, "child\n", 6) == 6 ? 0 : 5);
	}
	nsb_console_parent(&con, (uid_t)-1, (gid_t)-1);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	nsb_console_finish(&con);
	assert_true(read_until(user_master, "child"));
}

/* Without a console (pipe mode) the init's session is its own and has no controlling
 * terminal, even when its stdin is the caller's terminal. */
static void pipe_session_has_no_terminal(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct nsb_pty con;
		nsb_console_init(&con);
		dup2(user_slave, STDIN_FILENO);
		if (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
			_exit(2); /* the caller's session, with the terminal */
		pid_t inner = fork(); /* a session leader cannot start another session */
		if (inner != 0) {
			int ist;
			_exit(inner > 0 && waitpid(inner, &ist, 0) == inner && WIFEXITED(ist) ?
				      WEXITSTATUS(ist) : 6);
		}
		if (nsb_console_session(&con) < 0)
			_exit(3);
		if (getsid(0) != getpid())
			_exit(4);
		/* as the host's root TIOCSTI works on any tty: be the container's root */
		if (getuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
				      setresuid(65534, 65534, 65534) < 0))
			_exit(7);
		char c = 'x';
		/* TIOCSTI needs the tty to be ours: never again */
		_exit(ioctl(STDIN_FILENO, TIOCSTI, &c) < 0 && errno == EPERM ? 0 : 5);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* In a child whose stderr is the fake user terminal: nsboot's own log lines end with
 * "\r\n" while the terminal is raw, "\n" again once it is restored. */
static void log_lines_while_raw(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct nsb_pty con;
		dup2(user_slave, STDERR_FILENO);
		nsb_console_init(&con);
		con.in_fd = con.out_fd = user_slave;
		char err[256];
		if (nsb_console_open(&con, err, sizeof err) < 0 ||
		    nsb_console_parent(&con, (uid_t)-1, (gid_t)-1) < 0)
			_exit(3);
		log_error("while-raw");
		nsb_console_finish(&con);
		_exit(nsb_log_crlf == 0 ? 0 : 4);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0); /* and the flag is off again after finish */
	/* a raw terminal passes the bytes as they are: the line itself says "\r\n" */
	assert_true(read_until(user_master, "test: while-raw\r\n"));
}

int main(void)
{
	nsb_prog = "test";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wanted),
		cmocka_unit_test_setup_teardown(slave_gets_modes_and_size, setup, teardown),
		cmocka_unit_test_setup_teardown(raw_then_restored, setup, teardown),
		cmocka_unit_test_setup_teardown(bytes_flow_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(output_after_exit_is_drained, setup, teardown),
		cmocka_unit_test_setup_teardown(window_size_passes_on, setup, teardown),
		cmocka_unit_test_setup_teardown(restored_at_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(restored_on_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(child_side_gets_stdio, setup, teardown),
		cmocka_unit_test_setup_teardown(pipe_session_has_no_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(log_lines_while_raw, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
