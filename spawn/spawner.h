/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner's state, shared by its parent side (spawn/main.c, spawn/supervise.c) and
 * the two processes it starts (spawn/child.c): the builder, which builds the root, and
 * the container's init. */
#ifndef NSB_SPAWNER_H
#define NSB_SPAWNER_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include <signal.h>
#include <sys/types.h>

#include "cgroup.h"
#include "config.h"
#include "console.h"
#include "net.h"
#include "users.h"

/* Everything the spawner prepared before the clone, and what it learnt since. */
struct spawner {
	struct nsb_config c;       /* with the hostname filled in, for nsb_setup_root */
	struct nsb_users users;
	struct nsb_pty con;        /* --console=interactive: the pty (master -1 without) */
	struct nsb_cgroup cg;      /* the container's own cgroup (dirfd -1 without) */
	struct nsb_net net;        /* --network beyond private and host */
	char hostname[NSB_HOSTNAME_MAX + 1];
	int init_fd;               /* fd of nsboot-init: its host path is gone after the pivot */
	bool idmap[NSB_MAX_SPECS]; /* user binds with the idmap option (pick, BASE) */
	char bind_opts[NSB_MAX_SPECS][256]; /* their options without "idmap" */
	char **init_argv;
	char **envp;
	int chan[2];               /* [0] the spawner's end, [1] the builder's and init's */
	pid_t builder;             /* the builder until reaped, else 0 */
	bool builder_killed;       /* by nsboot itself (a timeout, a stop): not worth a word */
	bool escaped;              /* the console's escape asked for a stop once */
	bool killed;               /* nsboot SIGKILLed the container (said already, or asked) */
	pid_t pid;                 /* the container's init (PID 1), once the builder said */
	long long t0_ms;           /* nsboot's start (nsb_now_ms) */
	bool ready;                /* READY (or BOOTED) was received */
	bool announced;            /* readiness was reported on the outputs */
	bool got_error;            /* an ERROR record was printed */
	unsigned chan_said;        /* messages and complaints of the channel printed so far */
	bool pid_file_written;
	bool exit_status_known;    /* the init said what it exits with (EXIT) */
	int boot_failed;           /* --fail-on-failed-services: 1 services failed, 2 and the
				    * stop was requested */
	int exit_status;           /* then that, as a wait status */
};

/* Clones the builder (new user and mount namespaces) that will build the root and start
 * the container's init; returns its pid in the spawner, or -errno. The spawner then
 * writes the builder's id maps and sends GO; the builder writes the init's host pid (an
 * int32_t) to PIDPIPE[1] right after starting it, and closes it. */
pid_t nsb_spawn_builder(struct spawner *s, int pidpipe[2]);

/* Relays signals and reads the channel until PID 1 exits; returns nsboot's exit status
 * (spawn/supervise.c). MASK: the relayed signals, blocked. */
int nsb_supervise(struct spawner *s, const sigset_t *mask);

/* Kills the container's init (its pid namespace with it) and a builder still running. */
void nsb_kill_container(struct spawner *s);

/* Reaps the builder once it has exited (BLOCK: waits for it, a second at most). */
void nsb_reap_builder(struct spawner *s, bool block);

/* The spawner gives up before the init runs: the builder sees EOF and exits 125
 * untouched (WHY NULL: the builder reported on the channel). Exits 125. */
noreturn void nsb_abandon(struct spawner *s, const char *why);

#endif
