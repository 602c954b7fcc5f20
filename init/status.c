/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "status.h"

#include <errno.h>
#include <sys/wait.h>

#include "config.h"

/* The init's exit status for a child's wait status: code, 128+N, or 125. */
int nsb_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return NSB_EXIT_FAILURE;
}

/* 127 when exec's errno says "no such command", 126 for every other failure. */
int nsb_exec_failure_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return NSB_EXIT_NOTFOUND;
	default:
		return NSB_EXIT_NOEXEC;
	}
}
