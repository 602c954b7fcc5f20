/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's private net namespace, with lo up. Making one costs the kernel about
 * 0.6 ms here, a sixth of a whole start, and nothing but sysfs needs it while the root is
 * built. With a second CPU, a helper process of the spawner makes it instead: forked right
 * after the clone, it enters the container's user namespace (so that the namespace belongs
 * to it; no id map is needed for that), unshares a net namespace, brings lo up and passes
 * the namespace's fd to the child
 * on a socketpair of their own, with the protocol's records (GO carrying "net", or ERROR
 * with phase "network"); the child joins it with setns() right before mounting /sys, the
 * last essential mount. On one CPU the child makes it itself, at once. Either way the
 * child stays single-threaded and no pid of the container is spent: the boot command is
 * PID 2. */
#ifndef NSB_SPAWN_NETNS_H
#define NSB_SPAWN_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct nsb_netns {
	bool helper;      /* a helper process makes it; else the child, in place */
	int sock[2];      /* helper mode: [0] the spawner's (and helper's) end, [1] the child's */
	pid_t helper_pid; /* the helper, until reaped; 0 when none runs */
	bool joined;      /* nsb_netns_join() ran; its result is kept */
	int err;          /* in place, or once joined: 0 or a positive errno */
	char msg[300];    /* then "STEP: REASON" */
};

/* Spawner, before the clone: chooses the mode (a helper when the spawner may run on two
 * CPUs or more) and makes the socketpair. Returns 0 or a negative errno. */
int nsb_netns_prepare(struct nsb_netns *n);

/* Child, first thing: closes the spawner's end; in place, makes the namespace now (a
 * failure is kept for nsb_netns_join()). Needs no id map. */
void nsb_netns_child_start(struct nsb_netns *n);

/* Spawner, right after the clone: forks the helper for the child CHILD (helper mode
 * only) and closes the spawner's end. A failure to fork is sent to the child as the
 * helper's ERROR. (Forked after GO instead, the fork itself waited half a millisecond for
 * a CPU while the woken child took the spawner's.) */
void nsb_netns_spawn(struct nsb_netns *n, pid_t child);

/* Spawner: reaps the helper if it exited (call on SIGCHLD and before exiting; BLOCK
 * waits for it). */
void nsb_netns_reap(struct nsb_netns *n, bool block);

/* Child: waits for the namespace (helper mode) and moves into it; once, later calls give
 * the same result. Returns 0, or a negative errno with "WHAT: REASON" in ERR. Its
 * signature fits nsb_setup_env's join_netns hook. */
int nsb_netns_join(void *n, char *err, size_t len);

#endif
