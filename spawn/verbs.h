/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot's verbs on machines (list, exec, shell, stop, kill, wait, logs) and the
 * spawner's side of them: registering, detaching, the console log. */
#ifndef NSB_VERBS_H
#define NSB_VERBS_H

#include <stdbool.h>
#include <stddef.h>

#include "spawner.h"

/* When ARGV[1] names a verb, runs it and returns its exit status; else -1. */
int nsb_verb_main(int argc, char **argv);

/* Appends to the message in BUF (LEN bytes) that WORD is no verb, naming the verbs
 * ("; 'lsit' is no verb of nsboot (list, exec, ..., run)"), cut at BUF's end. */
void nsb_verb_not_one(const char *word, char *buf, size_t len);

/* The verbs' part of nsboot --help. */
const char *nsb_verbs_help(void);

/* "nsboot: VERB: REASON" on stderr; evaluates to 125, nsboot's own failure. */
int nsb_verb_fail(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --detach: forks; the parent waits for the child's READY (exit 0) or failure (125 with
 * the reason, which the child's stderr carries to it) and never returns. The child, in
 * a session of its own with stdin on /dev/null, returns and goes on as the spawner. */
void nsb_detach_fork(void);

/* Registers the spawner S as a machine (exits 125 when the name is taken); in detached
 * mode opens its console.log as stdout and asks for a pty console. */
void nsb_machine_start(struct spawner *s);

/* The machine reached STATE (an enum nsb_machine_state); with READY or BOOTED as asked,
 * a detached spawner tells its parent and sends its own messages to the log. */
void nsb_machine_state(struct spawner *s, int state);

/* The container's PID 1 is known. */
void nsb_machine_pid(struct spawner *s);

/* Rotates a detached machine's console.log once it exceeds NSB_MACHINE_LOG_MAX. */
void nsb_machine_log_check(struct spawner *s);

/* The name of S's machine ("" before nsb_machine_start). */
const char *nsb_machine_name(const struct spawner *s);

/* In the builder: closes its copies of the entry's fds (its lock above all: only the
 * spawner keeps the machine alive, a builder stuck in the kernel never does). */
void nsb_machine_child_close(void);

#endif
