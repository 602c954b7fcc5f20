/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The machine registry: every container has a name and an entry NAME/ in its user's
 * registry directory (root: /run/nsboot/machines; others: $XDG_RUNTIME_DIR/nsboot/machines,
 * else /run/user/UID/nsboot/machines, else /tmp/nsboot-UID/machines; every level a 0700
 * directory of the user's, checked after it is opened without following symlinks).
 *
 * An entry holds:
 *   lock         an empty file the spawner holds an exclusive flock(2) on for its life:
 *                nobody holding it means the spawner is gone (SIGKILL), whatever its PID
 *                is now, and the entry is stale: the next command that meets it removes it
 *   info         "KEY=VALUE" lines (nsb_machine_info), replaced whole by rename(2)
 *   env          the container's purified environment, NUL-separated
 *   status       empty until the spawner writes its exit status ("N\n") just before it
 *                removes the entry; a stopper or waiter opens it first and reads it after
 *   console.log  a detached machine's console (console.log.old: the previous MiB)
 *
 * An entry is made whole in a temporary ".new-*" directory and renamed to NAME with
 * RENAME_NOREPLACE: of concurrent starts with one name exactly one wins, and an entry
 * seen under its name is always complete. */
#ifndef NSB_MACHINE_H
#define NSB_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NSB_MACHINE_NAME_MAX 64
#define NSB_MACHINES_ROOT_DIR "/run/nsboot/machines"
/* A detached machine's console.log is rotated to console.log.old at this size. */
#define NSB_MACHINE_LOG_MAX (1 << 20)

enum nsb_machine_state {
	NSB_MACHINE_STARTING = 0, /* the root is being built; no PID 1 yet, or no READY */
	NSB_MACHINE_RUNNING,      /* READY: the boot command runs */
	NSB_MACHINE_BOOTED,       /* BOOTED: the system says it is up */
	NSB_MACHINE_STOPPING      /* a stop request was received */
};

/* What an entry says about its machine. */
struct nsb_machine_info {
	char name[NSB_MACHINE_NAME_MAX + 1];
	pid_t spawner;                  /* nsboot's PID */
	unsigned long long spawner_start; /* its start time (/proc/PID/stat, clock ticks) */
	pid_t pid;                      /* the container's PID 1 as the host sees it, 0 until known */
	unsigned long long pid_start;   /* its start time, for a recycled PID */
	enum nsb_machine_state state;
	long long started;              /* the start, seconds since the epoch */
	long grace_ms;                  /* --grace: how long a stop may take */
	char tree[1024];                /* -D TREE's real path, "" with --tmpfs-root */
	char mapping[32];               /* the --private-users mode's name */
	char cgroup[512];               /* the container's cgroup directory, "" without */
};

/* The spawner's handle on its own entry. */
struct nsb_machine {
	int base;       /* the registry directory, -1 when not registered */
	int dir;        /* the entry */
	int lock;       /* held (LOCK_EX) while the machine lives */
	int status_fd;  /* the entry's status file */
	struct nsb_machine_info info;
};

/* Whether NAME is a machine name: 1..64 of [A-Za-z0-9_.-], not starting with '.'. */
bool nsb_machine_name_valid(const char *name);

/* The default name for TREE (NULL for --tmpfs-root): its directory's name with every
 * other byte made '_', cut so a "-N" suffix fits; "nsboot" when nothing is left. */
void nsb_machine_default_name(const char *tree, char *out, size_t len);

/* The state's word ("starting", "running", "booted", "stopping"). */
const char *nsb_machine_state_name(enum nsb_machine_state s);

/* Opens the caller's registry directory (CREATE: making what is missing). Returns the
 * fd, or a negative errno with one line in ERR (-ENOENT when it does not exist). */
int nsb_machine_base(bool create, char *err, size_t errlen);

/* Registers the spawner: NAME (NULL: the default for INFO->tree, else it with the lowest
 * free "-N"), INFO's other fields and ENVP. Fills M. Returns 0, or -EBUSY (NAME is held:
 * ERR names the holder's PID) or another negative errno, with one line in ERR. */
int nsb_machine_register(struct nsb_machine *m, const char *name,
			 const struct nsb_machine_info *info, char *const *envp,
			 char *err, size_t errlen);

/* The status the entry's status file gets when the spawner exits (125 until set). */
void nsb_machine_set_status(int status);

/* Rewrites M's info (after a change of state or of PID 1). */
void nsb_machine_update(struct nsb_machine *m);

/* Writes STATUS to the status file and removes the entry (only in the spawner itself). */
void nsb_machine_finish(struct nsb_machine *m, int status);

/* Looks up the live machine NAME of the caller: 0 with INFO (and, when DIRFD is not NULL,
 * *DIRFD: the entry, to be closed), -ENOENT when there is none (a stale entry is removed),
 * or another negative errno. The network helper and the verbs use this. */
int nsb_machine_lookup(const char *name, struct nsb_machine_info *info, int *dirfd);

/* Whether the spawner of the entry at DIRFD still holds its lock. */
bool nsb_machine_alive(int dirfd);

/* Calls FN for every live machine of the caller (stale entries are removed on the way),
 * in name order; returns how many there were, or a negative errno. */
int nsb_machine_each(void (*fn)(const struct nsb_machine_info *, void *), void *arg);

/* Parses the text of an info file into INFO (pure). Returns 0 or -EINVAL. */
int nsb_machine_info_parse(const char *text, struct nsb_machine_info *info);
/* Formats INFO as an info file into BUF (pure). Returns its length or -ENOSPC. */
int nsb_machine_info_format(const struct nsb_machine_info *info, char *buf, size_t len);

/* The start time of process PID (field 22 of /proc/PID/stat), 0 when it is gone. */
unsigned long long nsb_proc_start_time(pid_t pid);

/* A pidfd of INFO's PID 1 (SPAWNER: of its spawner) whose start time matches the entry's:
 * the fd, -ESRCH when that process is gone (its PID may be another's now), or -errno. */
int nsb_machine_pidfd(const struct nsb_machine_info *info, bool spawner);

#endif
