/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The interactive console (spawn/console.h). */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "clock.h"
#include "log.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The console whose terminal the atexit and fatal-signal handlers restore. */
static struct nsb_pty *active;

void nsb_console_init(struct nsb_pty *con)
{
	memset(con, 0, sizeof *con);
	con->master = con->slave = -1;
	con->in_fd = STDIN_FILENO;
	con->out_fd = STDOUT_FILENO;
}

bool nsb_console_wanted(const struct nsb_config *c)
{
	if (c->console == NSB_CONSOLE_INTERACTIVE)
		return true;
	if (c->console == NSB_CONSOLE_PIPE)
		return false;
	/* a background job must not take the terminal away from the shell in front */
	return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

int nsb_console_open(struct nsb_pty *con, char *err, size_t errlen)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0) {
		int e = errno;
		snprintf(err, errlen, "console: open /dev/ptmx: %s", strerror(e));
		return -e;
	}
	if (grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, con->slave_name, sizeof con->slave_name) != 0) {
		int e = errno;
		snprintf(err, errlen, "console: unlock the pty: %s", strerror(e));
		close(m);
		return -e;
	}
	/* the peer of this master, not whatever the name leads to */
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		s = open(con->slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		int e = errno;
		snprintf(err, errlen, "console: open %s: %s", con->slave_name, strerror(e));
		close(m);
		return -e;
	}
	/* the container starts with the user's line settings and window size */
	struct termios t;
	if (tcgetattr(con->in_fd, &t) == 0)
		(void)tcsetattr(s, TCSANOW, &t);
	struct winsize ws;
	if (ioctl(con->in_fd, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(s, TIOCSWINSZ, &ws);
	con->master = m;
	con->slave = s;
	return 0;
}

int nsb_console_child(struct nsb_pty *con)
{
	if (con->slave < 0)
		return 0;
	for (int fd = 0; fd < 3; fd++)
		if (dup2(con->slave, fd) < 0)
			return -errno;
	if (con->slave > 2)
		close(con->slave);
	close(con->master);
	con->slave = con->master = -1;
	con->in_child = true;
	return 0;
}

int nsb_console_session(const struct nsb_pty *con)
{
	if (setsid() < 0)
		return -errno;
	/* with a console, the pty is the session's controlling terminal: the init then puts
	 * the boot command in its foreground group, where the pty's Ctrl-C (SIGINT) and
	 * window-size changes (SIGWINCH) reach it */
	if (con->in_child && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		return -errno;
	return 0;
}

/* atexit: the terminal goes back to how the user had it. */
static void restore_at_exit(void)
{
	if (active)
		nsb_console_restore(active);
}

/* A fatal signal: restore the terminal, then die of the signal as we would have. */
static void restore_on_signal(int sig)
{
	if (active)
		nsb_console_restore(active);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* 1 when FD and the user's terminal IN are the same terminal. */
static int same_tty(int fd, int in)
{
	struct stat a, b;
	return isatty(fd) && fstat(fd, &a) == 0 && fstat(in, &b) == 0 && a.st_rdev == b.st_rdev;
}

/* Registers the exit and fatal-signal handlers that restore CON's terminal (once). */
static void restore_on_exit(struct nsb_pty *con)
{
	static bool handlers;
	active = con;
	if (handlers)
		return;
	handlers = true;
	atexit(restore_at_exit);
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		signal(fatal[i], restore_on_signal);
}

void nsb_console_keep_modes(struct nsb_pty *con)
{
	if (con->master >= 0 || !isatty(con->in_fd) || tcgetattr(con->in_fd, &con->saved) < 0)
		return;
	con->keep = true;
	restore_on_exit(con);
}

/* Pipe mode: puts back the modes the container changed on the caller's terminal, when
 * nsboot is in the terminal's foreground (SIGTTOU is held meanwhile all the same). */
static void put_back_modes(struct nsb_pty *con)
{
	struct termios now;
	/* a background nsboot leaves the terminal to whoever has it now: the modes may be
	 * the foreground program's own */
	if (tcgetpgrp(con->in_fd) != getpgrp())
		return;
	if (tcgetattr(con->in_fd, &now) < 0 || memcmp(&now, &con->saved, sizeof now) == 0)
		return;
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	(void)tcsetattr(con->in_fd, TCSANOW, &con->saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void nsb_console_restore(struct nsb_pty *con)
{
	if (con->keep)
		put_back_modes(con);
	if (!con->raw)
		return;
	con->raw = false;
	nsb_log_crlf = 0;
	/* TCSADRAIN: what we wrote is shown before the modes change back */
	(void)tcsetattr(con->in_fd, TCSADRAIN, &con->saved);
}

int nsb_console_parent(struct nsb_pty *con, uid_t uid, gid_t gid)
{
	if (con->master < 0)
		return 0;
	int ret = 0;
	if (con->slave >= 0) {
		/* /dev/console opened by path inside needs an owner the container maps */
		if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(con->slave, uid, gid) < 0)
			ret = log_warn_errno(-errno, "console: chown %s", con->slave_name);
		close(con->slave);
		con->slave = -1;
	}
	(void)fcntl(con->master, F_SETFL, O_NONBLOCK);
	if (!isatty(con->in_fd) || tcgetattr(con->in_fd, &con->saved) < 0)
		return ret;
	struct termios raw = con->saved;
	cfmakeraw(&raw);
	restore_on_exit(con);
	if (tcsetattr(con->in_fd, TCSANOW, &raw) < 0)
		return log_warn_errno(-errno, "console: raw mode");
	con->raw = true;
	/* a raw terminal does not return to the margin on "\n": our own lines say "\r\n" */
	nsb_log_crlf = same_tty(STDERR_FILENO, con->in_fd);
	return ret;
}

int nsb_console_pollfds(const struct nsb_pty *con, struct pollfd *p)
{
	if (con->master < 0)
		return 0;
	int n = 0;
	/* stdin only while there is room to keep what it gives */
	p[n].fd = !con->in_eof && con->in_len < sizeof con->in_buf ? con->in_fd : -1;
	p[n].events = POLLIN;
	p[n++].revents = 0;
	p[n].fd = con->master_hup ? -1 : con->master;
	p[n].events = (short)(POLLIN | (con->in_len ? POLLOUT : 0));
	p[n++].revents = 0;
	return n;
}

/* Copies what the container wrote to the user's stdout, at most ROUNDS reads (a flood must
 * not starve the spawner's loop); false once the pty hung up. */
static bool pump_master(struct nsb_pty *con, int rounds)
{
	while (rounds-- > 0) {
		char buf[NSB_CONSOLE_BUF];
		ssize_t n = read(con->master, buf, sizeof buf);
		if (n > 0) {
			(void)nsb_write_all(con->out_fd, buf, (size_t)n); /* the user's side gone: dropped */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		/* EIO: no slave fd is open any more */
		con->master_hup = true;
		return false;
	}
	return true;
}

/* Writes what the user typed into the pty as far as it takes it now. */
static void flush_input(struct nsb_pty *con)
{
	while (con->in_len > 0 && !con->master_hup) {
		ssize_t w = write(con->master, con->in_buf, con->in_len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* EAGAIN: the container is not reading; later */
		memmove(con->in_buf, con->in_buf + w, con->in_len - (size_t)w);
		con->in_len -= (size_t)w;
	}
}

/* Counts the escape chars in what the user typed (BUF, LEN bytes): the last
 * NSB_ESCAPE_PRESSES of them within NSB_ESCAPE_MS make one escape. */
static void look_for_escape(struct nsb_pty *con, const char *buf, size_t len)
{
	const size_t last = NSB_ESCAPE_PRESSES - 1;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != NSB_ESCAPE_CHAR)
			continue;
		memmove(con->presses, con->presses + 1, last * sizeof con->presses[0]);
		con->presses[last] = nsb_now_ms();
		if (con->presses[0] && con->presses[last] - con->presses[0] < NSB_ESCAPE_MS) {
			con->escapes++;
			memset(con->presses, 0, sizeof con->presses);
		}
	}
}

unsigned nsb_console_escapes(struct nsb_pty *con)
{
	unsigned n = con->escapes;
	con->escapes = 0;
	return n;
}

void nsb_console_relay(struct nsb_pty *con, const struct pollfd *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (p[i].fd < 0 || !p[i].revents)
			continue;
		if (p[i].fd == con->master) {
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
				pump_master(con, 16);
			if (p[i].revents & POLLOUT)
				flush_input(con);
		} else if (p[i].fd == con->in_fd) {
			ssize_t r = read(con->in_fd, con->in_buf + con->in_len,
					 sizeof con->in_buf - con->in_len);
			if (r > 0) {
				look_for_escape(con, con->in_buf + con->in_len, (size_t)r);
				con->in_len += (size_t)r;
				flush_input(con);
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				con->in_eof = true;
			}
		}
	}
}

void nsb_console_winch(struct nsb_pty *con)
{
	struct winsize ws;
	if (con->master >= 0 && ioctl(con->in_fd, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(con->master, TIOCSWINSZ, &ws);
}

void nsb_console_finish(struct nsb_pty *con)
{
	if (con->slave >= 0)
		close(con->slave);
	con->slave = -1;
	if (con->master >= 0 && !con->master_hup) {
		/* what is buffered now, a MiB at most: a leftover process holding the slave
		 * and writing on does not keep us (nor flood the user's terminal) */
		(void)fcntl(con->master, F_SETFL, O_NONBLOCK);
		pump_master(con, (1 << 20) / NSB_CONSOLE_BUF);
	}
	nsb_console_restore(con);
	if (active == con)
		active = NULL;
	if (con->master >= 0)
		close(con->master);
	con->master = -1;
}
