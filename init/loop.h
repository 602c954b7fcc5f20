/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PID-1 loop: one signalfd and poll(2), no asynchronous
 * handlers. It runs the boot command as the only direct child, forwards signals to it,
 * reaps every process that becomes a child, and at the end terminates whatever is left
 * (SIGTERM, the grace, SIGKILL) and returns the command's exit status.
 *
 * As PID 1 of its pid namespace it signals "everyone" with kill(-1); otherwise it is a
 * child subreaper and signals only its own descendants (found in /proc).
 *
 * Extension points:
 *  - nsb_loop_watch(): more fds to poll, each with a callback (the in-container readiness
 *    socket and FIFO); callbacks run in the loop, must not block, may call
 *    nsb_loop_unwatch() and nsb_loop_shutdown().
 *  - nsb_loop_watch_sync(): the spawner's channel after READY; a hang-up (EOF, POLLHUP)
 *    means the spawner is gone and the container shuts down as on SIGTERM.
 *  - SIGTERM and SIGINT are only forwarded: a boot preset turns them into the tree's own
 *    orderly shutdown in its script.
 * Once the child exists nothing here makes the process exit early: errors are logged and
 * the loop goes on. No malloc: everything lives in struct nsb_loop and static buffers. */
#ifndef NSB_INIT_LOOP_H
#define NSB_INIT_LOOP_H

#include "signals.h"
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "child.h"
#include "config.h"
#include "error.h"

#define NSB_LOOP_MAX_WATCH 8

struct nsb_loop;

/* Called when FD has REVENTS (poll(2) bits); DATA as given to nsb_loop_watch(). */
typedef void (*nsb_watch_fn)(struct nsb_loop *l, int fd, short revents, void *data);

enum nsb_loop_phase {
	NSB_LOOP_RUNNING, /* the child runs; signals are forwarded */
	NSB_LOOP_GRACE,   /* the child was reaped; leftovers got SIGTERM */
	NSB_LOOP_KILLED,  /* leftovers got SIGKILL; reaping the last ones */
	NSB_LOOP_DONE
};

struct nsb_loop {
	/* settings (from the config; may be changed before nsb_loop_run) */
	bool kill_group; /* forward to the child's process group */
	long grace_ms;   /* SIGTERM-to-SIGKILL time at shutdown */
	bool pid1;       /* getpid() == 1: kill(-1) is ours to use */
	bool hold_stop;  /* a SIGTERM/SIGINT waits until the command catches it (presets) */

	/* state: read it, do not write it */
	int sigfd;
	int sync_fd;       /* watched spawner channel, -1 */
	sigset_t saved_mask;
	pid_t child;       /* the command, 0 before nsb_loop_spawn and after it was reaped */
	int status;        /* the command's exit status once reaped */
	enum nsb_loop_phase phase;
	long long phase_start_ms; /* CLOCK_MONOTONIC time the phase began */
	bool children;     /* whether any child of ours is left (from the last reap) */
	long long deadline_ms; /* CLOCK_MONOTONIC time by which all must be gone (spawner gone), 0 */
	unsigned held;     /* stop requests held for the command (1 << signal) */
	long long held_since_ms;
	struct nsb_watch {
		int fd;
		short events;
		nsb_watch_fn fn;
		void *data;
	} watches[NSB_LOOP_MAX_WATCH];
	size_t n_watches;
};

/* Takes the settings from C (kill_group, grace), blocks every signal but the synchronous
 * faults (remembering the old mask), sets the forwarded ones and SIGCHLD to their default
 * action, opens the signalfd and, when not PID 1, becomes a child subreaper. Call early:
 * signals that arrive before the child exists are forwarded once it does. Returns 0 or a
 * negative errno with ERR filled. */
int nsb_loop_init(struct nsb_loop *l, const struct nsb_config *c, struct nsb_error *err);

/* Polls FD for EVENTS and calls FN with DATA; returns 0, or -ENOSPC when full. */
int nsb_loop_watch(struct nsb_loop *l, int fd, short events, nsb_watch_fn fn, void *data);
/* Stops watching FD (does not close it). */
void nsb_loop_unwatch(struct nsb_loop *l, int fd);

/* Watches the spawner channel FD (after READY): a hang-up shuts down. The fd stays open
 * for BOOTED (nsb_loop_sync_fd()). */
int nsb_loop_watch_sync(struct nsb_loop *l, int fd);
/* The spawner channel while it is up, else -1. */
int nsb_loop_sync_fd(const struct nsb_loop *l);

/* Starts the command ARGV as the only child (MODE from nsb_child_tty_mode()). Returns its
 * pid; an exec failure is logged and the child exits 126/127 as the loop will report.
 * Returns a negative errno (logged) when it could not fork: nothing was started. */
pid_t nsb_loop_spawn(struct nsb_loop *l, char *const argv[], enum nsb_child_mode mode);

/* The command's pid while it runs, else 0. */
pid_t nsb_loop_child(const struct nsb_loop *l);

/* Begins an orderly shutdown as on SIGTERM: SIGTERM to the command (or its group). */
void nsb_loop_shutdown(struct nsb_loop *l);

/* Runs until the command was reaped and nothing is left; returns the exit status. */
int nsb_loop_run(struct nsb_loop *l);

/* Closes the signalfd and restores the signal mask of before nsb_loop_init(). */
void nsb_loop_close(struct nsb_loop *l);


#endif
