/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's own cgroup (cgroup v2), where the host allows one: a new cgroup
 * "nsboot-PID" below nsboot's own, in the v2 hierarchy mounted at /sys/fs/cgroup (or
 * the hybrid layout's /sys/fs/cgroup/unified). The builder is moved into it before GO,
 * so the container's init, which the builder starts with a new cgroup namespace, lives
 * there and has it as the root of its cgroup namespace; --memory-max and --pids-max are
 * written to it; at exit cgroup.kill ends whatever is left and the cgroup is removed.
 * Without a writable v2 hierarchy nsboot runs as before (and -v says why). */
#ifndef NSB_SPAWN_CGROUP_H
#define NSB_SPAWN_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

struct nsb_cgroup {
	int dirfd;       /* the container's cgroup, -1 when it has none */
	char path[4096]; /* its path, for messages and removal */
};

/* Our cgroup in the v2 hierarchy from /proc/self/cgroup's TEXT ("0::PATH"), copied to
 * OUT; pure. 0, or -ENOENT when there is no v2 line. */
int nsb_cgroup_own_path(const char *text, char *out, size_t len);

/* Makes the container's cgroup below nsboot's own and writes C's limits to it. Returns 0
 * when made, 1 when the host has no writable v2 hierarchy for us (ERR says why, for -v;
 * then the limits were not asked for), or a negative errno with one line in ERR (a limit
 * that cannot be honoured: nothing is left behind). */
int nsb_cgroup_create(struct nsb_cgroup *cg, const struct nsb_config *c, char *err, size_t len);

/* Moves PID into the container's cgroup; 0 or a negative errno. */
int nsb_cgroup_enter(const struct nsb_cgroup *cg, pid_t pid);

/* Hands the cgroup's directory and its delegation files (cgroup.procs, cgroup.threads,
 * cgroup.subtree_control) to UID:GID, the container's root as the host sees it, so that
 * it can make cgroups of its own below; its limits stay the host's. */
void nsb_cgroup_delegate(const struct nsb_cgroup *cg, uid_t uid, gid_t gid);

/* How many processes of the container the kernel's OOM killer ended (memory.events'
 * oom_kill); -1 when unknown (no cgroup, or no memory controller in it). */
long long nsb_cgroup_oom_kills(const struct nsb_cgroup *cg);

/* Kills whatever is left in the cgroup (cgroup.kill) and removes it, waiting a moment
 * for the killed to go. */
void nsb_cgroup_destroy(struct nsb_cgroup *cg);

#endif
