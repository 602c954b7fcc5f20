/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot exec and nsboot shell: a command in a running machine. */
#ifndef NSB_EXEC_H
#define NSB_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#define NSB_EXEC_MAX_SETENV 64

struct nsb_exec_req {
	const char *verb;      /* "exec" or "shell": the errors' prefix */
	const char *name;      /* the machine */
	bool tty;              /* -t: a new pty from the container's devpts */
	bool login;            /* shell: USER's login shell as a login shell, in HOME */
	const char *user;      /* --user, NULL for root */
	const char *chdir;     /* --chdir, NULL for the root directory */
	const char *setenv[NSB_EXEC_MAX_SETENV];
	size_t n_setenv;
	char **argv;           /* COMMAND [ARG]... (NULL with login) */
};

/* Runs R's command in its machine; returns the exit status (the command's, 128+N for
 * signal N, 125 for nsboot's own errors, 126/127 when it cannot be executed). */
int nsb_exec(const struct nsb_exec_req *r);

/* One line of the tree's /etc/passwd format. */
struct nsb_passwd {
	unsigned uid, gid;
	char home[256];
	char shell[256];
};

/* Finds NAME (or a numeric uid) in TEXT, the contents of a passwd(5) file; pure. Returns 0
 * with OUT, -ENOENT, or -EINVAL for a malformed line of NAME's. */
int nsb_passwd_find(const char *text, const char *name, struct nsb_passwd *out);

#endif
