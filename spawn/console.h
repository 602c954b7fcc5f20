/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's console for --console=interactive: a pty whose
 * slave becomes the container's stdio and /dev/console (and, through nsboot-init's
 * session mode, the boot command's controlling terminal in a session of its own); the
 * user's terminal in raw mode, restored at exit on every path; window sizes passed on.
 *
 * How spawn/main.c uses it:
 *   struct nsb_pty con;
 *   nsb_console_init(&con);                         // before anything else can exit
 *   if (nsb_console_wanted(&c) && nsb_console_open(&con, err, sizeof err) < 0) die(err);
 *   ... clone ...
 *   child:  nsb_console_child(&con)                 // before nsb_setup_root: the slave
 *                                                    // becomes 0, 1, 2 (and so /dev/console)
 *   parent: nsb_console_parent(&con, uid, gid)      // after the maps are written: closes the
 *                                                    // slave, gives it to the container's
 *                                                    // root, raw mode on the user's terminal
 *   loop:   n += nsb_console_pollfds(&con, p + n);  // up to NSB_CONSOLE_NFDS entries
 *           poll(...); nsb_console_relay(&con, p + first, count);
 *           on SIGWINCH: nsb_console_winch(&con)    // (and do not relay SIGWINCH to PID 1:
 *                                                    // the pty signals the foreground group)
 *   end:    nsb_console_finish(&con)                // drains output, restores the terminal
 * The terminal is also restored by an atexit handler and on fatal signals.
 * The user's terminal is raw: Ctrl-C, Ctrl-Z and Ctrl-\ are bytes for the pty, whose line
 * discipline signals the terminal's foreground group inside (nsboot-init makes it the
 * boot command's, its "terminal, plain mode"), never nsboot. Ctrl-] three times within a
 * second is the way out (nsb_console_escapes). */
#ifndef NSB_CONSOLE_H
#define NSB_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

#include "config.h"

#define NSB_CONSOLE_NFDS 2
#define NSB_CONSOLE_BUF 4096
/* The escape: Ctrl-] (0x1d) typed NSB_ESCAPE_PRESSES times within NSB_ESCAPE_MS asks
 * nsboot to stop the container; the bytes still reach the container. */
#define NSB_ESCAPE_CHAR 0x1d
#define NSB_ESCAPE_PRESSES 3
#define NSB_ESCAPE_MS 1000

struct nsb_pty {
	int master;          /* the pty's master (spawner side), -1 when no console */
	int slave;           /* the pty's slave, until the parent closes it */
	int in_fd, out_fd;   /* the user's side: 0 and 1 */
	bool raw;            /* the user's terminal is in raw mode (saved holds the modes) */
	struct termios saved;
	bool in_eof;         /* stdin reached end-of-file */
	bool master_hup;     /* every slave fd is closed (EIO) */
	char in_buf[NSB_CONSOLE_BUF];  /* user -> container, not yet written */
	size_t in_len;
	char slave_name[64];
	bool in_child;       /* the child side: the slave is 0, 1 and 2 */
	bool keep;           /* pipe mode on a terminal: saved holds its modes, put back at exit */
	long long presses[NSB_ESCAPE_PRESSES]; /* when the last escape chars came (ms) */
	unsigned escapes;    /* escapes typed and not yet taken by nsb_console_escapes() */
};

/* Sets CON to "no console" (all fds -1). */
void nsb_console_init(struct nsb_pty *con);

/* Whether C asks for the interactive console: --console=interactive, or the default when
 * stdin is a terminal of which we are in the foreground. */
bool nsb_console_wanted(const struct nsb_config *c);

/* Allocates the pty; the slave gets the user's terminal modes and window size (when stdin
 * is a terminal). Returns 0 or a negative errno with one line in ERR. */
int nsb_console_open(struct nsb_pty *con, char *err, size_t errlen);

/* Pipe mode (no console) with stdin on a terminal: saves the terminal's modes, which the
 * container could change through its fds 0, 1, 2; nsb_console_finish() (or the exit and
 * fatal-signal handlers) put them back. */
void nsb_console_keep_modes(struct nsb_pty *con);

/* In the cloned child: the slave becomes fds 0, 1 and 2. Returns 0 or a negative errno. */
int nsb_console_child(struct nsb_pty *con);

/* In the container's init before its exec: a session of its own (never the caller's),
 * with the slave as its controlling terminal when nsb_console_child() installed one
 * (nsboot-init then makes the boot command's group its foreground group). Returns 0 or a
 * negative errno. */
int nsb_console_session(const struct nsb_pty *con);

/* In the parent once the child has the slave: hands the slave to UID:GID (the container's
 * root as the host sees it; -1 leaves it), closes the parent's copy, and puts the user's
 * terminal in raw mode. Returns 0 or a negative errno (logged as a warning; the console
 * still relays). */
int nsb_console_parent(struct nsb_pty *con, uid_t uid, gid_t gid);

/* Fills up to NSB_CONSOLE_NFDS pollfd entries at P for the relay; returns how many. */
int nsb_console_pollfds(const struct nsb_pty *con, struct pollfd *p);

/* Moves data for the N entries at P (as filled by nsb_console_pollfds, after poll). */
void nsb_console_relay(struct nsb_pty *con, const struct pollfd *p, int n);

/* How many escapes (Ctrl-] three times within a second) the user typed since the last
 * call: the spawner stops the container on the first and kills it on the next. */
unsigned nsb_console_escapes(struct nsb_pty *con);

/* Passes the user's window size on to the container's console. */
void nsb_console_winch(struct nsb_pty *con);

/* Copies what the container still wrote to stdout, restores the terminal, closes the pty. */
void nsb_console_finish(struct nsb_pty *con);

/* Restores the user's terminal modes (idempotent, async-signal-safe). */
void nsb_console_restore(struct nsb_pty *con);

#endif
