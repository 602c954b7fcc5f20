/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The process tree read from /proc, for signalling only the init's own descendants when it
 * is a subreaper rather than PID 1 (kill(-1) there would reach the whole machine).
 * No malloc: the caller owns the table. */
#ifndef NSB_INIT_PROCTREE_H
#define NSB_INIT_PROCTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct nsb_proc {
	pid_t pid;
	pid_t ppid;
	char state; /* /proc/PID/stat's third field: 'R', 'S', 'Z', ... */
	bool mark;  /* scratch for nsb_proc_descendants() */
	unsigned long long start; /* field 22, start time in ticks since boot: with the pid,
				   * the process's identity (0 when the line stops before it) */
	long threads; /* field 20 (0 when the line stops before it): a zombie leader whose
		       * other threads still run shows 2 or more */
};

/* Whether P still runs: not a zombie, or a zombie thread-group leader (its main thread
 * called pthread_exit) with threads left, which a signal still reaches. */
bool nsb_proc_alive(const struct nsb_proc *p);

/* Parses the start of a /proc/PID/stat line ("PID (COMM) STATE PPID ...", COMM may hold
 * spaces and parentheses) of LEN bytes into P. Returns 0 or -EINVAL (pure). */
int nsb_proc_parse_stat(const char *buf, size_t len, struct nsb_proc *p);

/* Reads DIRFD/PID/stat into P; false when the process is gone or the line is odd. */
bool nsb_proc_read_one(int dirfd, pid_t pid, struct nsb_proc *p);

/* Sends SIG to P's process only if the process that now has P's pid is still the one P
 * describes (same start time in DIRFD, the /proc it was read from, and alive): a
 * pidfd pins the process between that check and the signal, so a pid freed and reused
 * since the walk is never signalled. Without a pidfd (old kernel, a seccomp filter, no fd
 * left) it still checks, then uses kill().
 * Returns 0, or a negative errno (-ESRCH: gone or not the same process). */
int nsb_proc_signal(int dirfd, const struct nsb_proc *p, int sig);

/* Reads DIRFD/N/stat for every numeric entry N of the directory DIRFD (a /proc, or a fake
 * one in tests) into T, at most MAX entries; processes that vanish meanwhile are skipped.
 * Returns the number of entries (MAX when the table was too small) or a negative errno. */
ssize_t nsb_proc_read(int dirfd, struct nsb_proc *t, size_t max);

/* Keeps in T only the descendants of ROOT (children, grandchildren, ... following ppid
 * links) that are alive (nsb_proc_alive), moved to the front; returns how many. T is
 * reordered. */
size_t nsb_proc_descendants(struct nsb_proc *t, size_t n, pid_t root);

#endif
