/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Starting a program from PID 1: a clean signal state, the terminal or a session of its
 * own, and exec errors reported back to the parent. */
#ifndef NSB_INIT_CHILD_H
#define NSB_INIT_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the new program sits among process groups and sessions. */
enum nsb_child_mode {
	NSB_CHILD_INHERIT,    /* the parent's group and session (helpers such as nsboot-mount) */
	NSB_CHILD_FOREGROUND, /* a group of its own made the terminal's foreground group */
	NSB_CHILD_SESSION     /* a new session (no controlling terminal) */
};

/* The mode for the boot command: NSB_CHILD_FOREGROUND when FD is our controlling terminal
 * and we are in its foreground process group, else NSB_CHILD_SESSION. Works when our
 * group is not visible in our pid namespace. Call with SIGTTIN blocked or ignored. */
enum nsb_child_mode nsb_child_tty_mode(int fd);

/* Gives the calling process the signal state of a fresh program: every disposition the
 * default one (even those the C library reserves), an empty blocked mask. */
void nsb_child_reset_signals(void);

/* Forks and execs ARGV (searched in PATH) in MODE with a clean signal state; the fds in
 * KEEP[0..N_KEEP) stay open across exec. Returns the child's pid once it has exec'd or
 * failed to; when exec failed *EXEC_ERR is its errno (the child then exits with
 * nsb_exec_failure_status()), else 0. Returns a negative errno when fork failed. */
pid_t nsb_child_start(char *const argv[], enum nsb_child_mode mode, const int *keep,
		      size_t n_keep, int *exec_err);

/* Runs ARGV in the parent's group and waits for it: returns its exit status as the init
 * reports one (code, 128+N, 126/127 after logging an exec failure) or a negative errno
 * when it could not be started. */
int nsb_child_run(char *const argv[], const int *keep, size_t n_keep);

#endif
