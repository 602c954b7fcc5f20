/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Building the container's root: the one entry point nsboot (in its cloned child) and
 * nsboot-mount (for a standalone nsboot-init) both call. Uses libmount. */
#ifndef NSB_SETUP_H
#define NSB_SETUP_H

#include <stddef.h>
#include "config.h"
#include "error.h"


/* Facts about the namespaces the root is built in. */
struct nsb_setup_env {
	int tree_fd;      /* an (idmapped) detached mount of TREE to use as the tree, or -1 for c->tree */
	int own_netns;    /* 1: the net namespace is private (sysfs can be mounted), 0: bind the host's /sys, -1: find out */
	int own_ipcns;    /* 1: mount mqueue, 0: skip it, -1: find out */
	int pidns_fd;     /* proc mounts show this pid namespace (pidns=), or -1: the caller's */
	/* Optional: run once, right before the first mount that must be made in the
	 * container's net namespace (sysfs); moves the caller there. Returns 0, or a negative
	 * errno with one line in ERR (reported as phase NSB_PHASE_NETWORK). */
	int (*join_netns)(void *arg, char *err, size_t len);
	void *join_arg;
};

/* Makes / a recursive slave, builds the plan from C, applies it (essential mounts, user
 * mounts, fstab lines, /etc/hostname, service masks), pivots into the new root and
 * detaches the old one; afterwards the cwd is the new "/". Reads every host-side input
 * before the pivot. Returns 0, or a negative errno with ERR filled in (nothing has then
 * been started; the caller reports and exits 125). */
int nsb_setup_root(const struct nsb_config *c, const struct nsb_setup_env *env,
		   struct nsb_error *err);

#endif
