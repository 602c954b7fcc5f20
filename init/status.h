/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot-init's exit statuses: pure functions, unit-tested. */
#ifndef NSB_INIT_STATUS_H
#define NSB_INIT_STATUS_H

/* The init's exit status for a child's wait status WSTATUS: its exit code, 128+N when
 * signal N killed it, NSB_EXIT_FAILURE for anything else (stopped, continued). */
int nsb_exit_status(int wstatus);

/* The status of a child whose exec failed with errno ERR: NSB_EXIT_NOTFOUND (127) when
 * the command does not exist, NSB_EXIT_NOEXEC (126) when it exists but cannot run. */
int nsb_exec_failure_status(int err);

#endif
