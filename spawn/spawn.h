/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner's pure helpers: what crosses into the container (environment, the init's
 * command line, the host name) and the fds GO carries. */
#ifndef NSB_SPAWN_H
#define NSB_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "proto.h"

/* PATH inside the container. */
#define NSB_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The purified environment: container=nsboot, HOME=/root,
 * TMPDIR=/tmp, PATH, TERM when TERM is not NULL, then each --setenv (a later VAR replaces
 * an earlier one). A NULL-terminated malloc'd array (strings point into C, static storage
 * or one malloc'd TERM entry); NULL when out of memory. */
char **nsb_spawn_env(const struct nsb_config *c, const char *term);

/* nsboot-init's command line: "nsboot-init --setup-done --sync-fd=SYNC_FD [-q|-v...]
 * [--kill-group] [--grace=S] [--boot=P] -- COMMAND...": only runtime options, as the root
 * is built before the exec. A NULL-terminated malloc'd array (one block: free() it once);
 * NULL when out of memory. */
char **nsb_spawn_init_argv(const struct nsb_config *c, int sync_fd);

/* Without COMMAND or --boot, sets C->boot to the preset of TREE's own init system,
 * detected here once, before any namespace: the builder's root and the init's
 * --boot=NAME use it. A tree that cannot be opened is left to the builder's error. */
void nsb_spawn_detect_preset(struct nsb_config *c);

/* The default host name: TREE's last path component (the real path's when that is "/",
 * "." or ".."), at most LEN-1 bytes; "nsboot" without a TREE. */
void nsb_default_hostname(const char *tree, char *out, size_t len);

/* Whether the comma-separated OPTS (may be NULL) hold WORD; OUT gets OPTS without it
 * (empty words dropped too; "" when nothing is left). */
bool nsb_opts_take(const char *opts, const char *word, char *out, size_t len);

#endif
