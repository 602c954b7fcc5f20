/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's private net namespace, with lo up. Making one costs the kernel about
 * 0.6 ms here, a sixth of a whole start, and nothing but sysfs needs it while the root is
 * built: so the cloned child makes it on a thread on another CPU and joins it just before
 * the /sys mount (the last essential one). */
#ifndef NSB_SPAWN_NETNS_H
#define NSB_SPAWN_NETNS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct nsb_netns {
	pthread_t thread;
	bool threaded;     /* a thread makes it; else it was made in the caller at start */
	bool joined;       /* nsb_netns_join() ran */
	int done;          /* set by the thread (atomically) once fd, err and what are final */
	int fd;            /* the thread's namespace (SIOCGSKNS), or -1 */
	int err;           /* 0, or the errno of the step WHAT */
	const char *what;  /* "unshare the net namespace", "bring lo up", ... */
};

/* Starts making the namespace: on a detached thread pinned to another CPU when the caller
 * may run on two, else at once in the calling thread (which is then in it). Needs
 * CAP_SYS_ADMIN and CAP_NET_ADMIN in the caller's user namespace, no id map. */
void nsb_netns_start(struct nsb_netns *n);

/* Waits until the namespace is made and moves the calling thread into it; once: a later
 * call returns 0. Returns 0, or a negative errno with "WHAT: REASON" in ERR. The thread
 * may not change its credentials while the other thread runs (glibc's set*id() would
 * wait for it to take a signal): use the raw system calls. */
int nsb_netns_join(void *n, char *err, size_t len);

#endif
