/* SPDX-License-Identifier: GPL-3.0-or-later */
/* clone3(2) without <linux/sched.h> (whose CLONE_* clash with <sched.h>): its argument up
 * to set_tid (version 1, Linux 5.5; nsboot needs 5.8 for CLONE_NEWTIME anyway). */
#ifndef NSB_CLONE_H
#define NSB_CLONE_H

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

struct nsb_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size;
};

/* clone3 with A: the child's pid in the parent, 0 in the child, -1 with errno. */
static inline long nsb_clone3(struct nsb_clone_args *a)
{
	return syscall(SYS_clone3, a, sizeof *a);
}

#endif
