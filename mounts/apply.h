/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Carrying out the mount plan's entries (the only code that drives libmount mounts). */
#ifndef NSB_APPLY_H
#define NSB_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include "mkpath.h"
#include "plan.h"
#include "setup.h"

struct nsb_apply_ctx {
	const char *stage;     /* prefix of NSB_AT_STAGE paths: "" once the staging tmpfs is "/" */
	int stage_fd;          /* that directory */
	int host_fd;           /* the caller's root, for NSB_AT_HOST paths */
	const char *fd_prefix; /* a path to our own fds ("/oldroot/proc/self/fd") */
	int tree_fd;           /* the detached tree for NSB_OP_ATTACH, or -1 */
	int pidns_fd;          /* proc mounts get pidns= this pid namespace, or -1 */
	int root_fd;           /* the new root once its entry ran (O_PATH), else -1 */
	bool fake;             /* libmount fake mode: nothing is mounted (unit tests) */
	/* run (once) before the first NSB_F_NETNS entry, then cleared; see nsb_setup_env */
	int (*join_netns)(void *arg, char *err, size_t len);
	void *join_arg;
};

/* Fills A; STAGE is opened (close with nsb_apply_done). Returns 0 or a negative errno. */
int nsb_apply_init(struct nsb_apply_ctx *a, const char *stage, int host_fd,
		   const char *fd_prefix, int tree_fd, bool fake);
/* Closes the fds A opened. */
void nsb_apply_done(struct nsb_apply_ctx *a);

/* Carries out E: 0 done, 1 skipped (absent target or source with the matching flag, an
 * optional entry that failed, or an NSB_F_SOFT_POINT mount point that could not be made:
 * then ERR says why), or a negative errno with "DESCRIPTION: REASON" in ERR. */
int nsb_apply_entry(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *err, size_t errlen);

/* Carries out every entry of P in order; stops at the first fatal failure and fills ERR
 * (phase "mount", "fstab" or "mask", or "network" when the join_netns hook failed). */
int nsb_apply_plan(struct nsb_apply_ctx *a, const struct nsb_plan *p, struct nsb_error *err);

/* Pivots into the new root ROOTFD: pivot_root(".", ".") then the old root detached
 * (umount2 MNT_DETACH) and chdir("/"). Returns 0 or a negative errno with ERR filled
 * (phase "pivot"). */
int nsb_pivot(int rootfd, struct nsb_error *err);

#endif
