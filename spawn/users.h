/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User mapping of nsboot: the modes of --private-users, the
 * map lines, and picking a free id range. The parsing and picking functions are pure; the
 * resolve/lock/write functions touch the host (files under /etc and /run, /proc/PID). */
#ifndef NSB_USERS_H
#define NSB_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum nsb_users_mode {
	NSB_USERS_PICK = 1, /* root: a free 65536-id range, TREE idmapped */
	NSB_USERS_IDENTITY, /* root, asked only: 0..65535 -> 0..65535 */
	NSB_USERS_RANGE,    /* root: BASE[:COUNT], TREE idmapped */
	NSB_USERS_SUBID,    /* 0 -> caller, 1..N -> the caller's /etc/subuid range (newuidmap) */
	NSB_USERS_SINGLE    /* 0 -> caller, setgroups denied */
};

/* One id range: host ids START .. START+COUNT-1. */
struct nsb_idrange {
	uint32_t start, count;
};

/* Where picked ranges live: 65536-id blocks from 0x80000 up to (not including) 0x70000000,
 * as systemd-nspawn picks them; each block has a lock file while a container uses it
 * (pick, and every block a BASE:COUNT range overlaps). NSB_RUN_DIR is root's and 0755,
 * NSB_RANGES_DIR root's and 0700, the lock files 0600: no other user can take a lock. A
 * held lock file holds its holder's record (nsb_range_holder_format). */
#define NSB_PICK_BLOCK 0x10000u
#define NSB_PICK_FIRST 0x80000u
#define NSB_PICK_END 0x70000000u
#define NSB_RUN_DIR "/run/nsboot"
#define NSB_RANGES_DIR "/run/nsboot/ranges"
#define NSB_MAX_LOCKS 8

/* The mapping of one container. */
struct nsb_users {
	enum nsb_users_mode mode;
	bool asked;                       /* --private-users was given */
	uint32_t base, count;             /* PICK, RANGE, IDENTITY: 0..count-1 -> base.. */
	uint32_t uid, gid;                /* the caller (SUBID, SINGLE) */
	struct nsb_idrange subuid, subgid; /* SUBID: the caller's ranges */
	int locks[NSB_MAX_LOCKS];         /* lock fds held for the container's life, -1 unused */
	bool direct;                      /* SUBID: nsboot holds CAP_SETUID over the parent
					   * namespace (a zone's, mapped one to one): it writes
					   * the maps itself, without newuidmap */
};

/* Parses MODE ("pick", "identity", "subid", "single", "BASE" or "BASE:COUNT") into U->mode
 * and, for BASE, U->base and U->count (default 65536); pure. Returns 0, or -EINVAL with
 * one line in ERR. */
int nsb_users_parse_mode(const char *mode, struct nsb_users *u, char *err, size_t errlen);

/* The name of MODE as the user writes it ("pick", ... "BASE" for a range). */
const char *nsb_users_mode_name(enum nsb_users_mode mode);

/* Finds the first range of the user NAME (or numeric ID) in TEXT, the contents of an
 * /etc/subuid-format file ("name:start:count" lines); pure. Returns 0 or -ENOENT. */
int nsb_subid_find(const char *text, const char *name, uint32_t id, struct nsb_idrange *out);

/* Collects every well-formed range of TEXT (same format) into OUT (at most MAX); pure.
 * Returns how many were found (possibly more than MAX: only MAX are stored). */
size_t nsb_subid_all(const char *text, struct nsb_idrange *out, size_t max);

/* The lowest block-aligned base at or above FROM where COUNT ids fit below NSB_PICK_END
 * without overlapping any of the N BUSY ranges; pure. Returns 0 with *BASE, or -ENOSPC. */
int nsb_range_pick(const struct nsb_idrange *busy, size_t n, uint64_t from, uint32_t count,
		   uint32_t *base);

/* The holder record of a lock file: "SPAWNER CONTAINER\n", each PID right-aligned in 10
 * characters (so that rewriting it in place never leaves a tail), CONTAINER being 0 until
 * the container's PID is known; pure. Returns its length, or -ENOSPC. */
int nsb_range_holder_format(char *buf, size_t len, pid_t spawner, pid_t container);

/* Parses a holder record of LEN bytes at TEXT into *SPAWNER and *CONTAINER; pure. Returns
 * 0, or -EINVAL when TEXT is not one (an older nsboot left its lock files empty). */
int nsb_range_holder_parse(const char *text, size_t len, pid_t *spawner, pid_t *container);

/* The one line refusing --private-users=MODE because a block it overlaps is held by the
 * container CONTAINER (or, while that is not known, by nsboot SPAWNER; both 0: unknown);
 * pure. */
void nsb_range_overlap_msg(char *err, size_t errlen, const char *mode, pid_t spawner,
			   pid_t container);

/* The text written to uid_map (GID false) or gid_map (GID true) for U, one
 * "INSIDE OUTSIDE COUNT\n" line per range; pure. Returns its length, or -ENOSPC. */
int nsb_users_map(const struct nsb_users *u, bool gid, char *buf, size_t len);

/* The map written for the container's nested user namespace, in the format of
 * nsb_users_map(): each range of U's map again, one to one onto the ids it has inside;
 * pure. Returns its length, or -ENOSPC. */
int nsb_users_nested_map(const struct nsb_users *u, bool gid, char *buf, size_t len);

/* The command that enters a container of U running as host PID PID. */
int nsb_users_enter_cmd(const struct nsb_users *u, pid_t pid, char *buf, size_t len);

/* Settles the mode for the caller (root or not): the asked MODE (NULL for the default),
 * reading /etc/subuid and /etc/subgid, looking for newuidmap/newgidmap in PATH, for pick
 * choosing a free range and locking it, for BASE:COUNT locking every block it overlaps
 * (fds kept in U->locks, close-on-exec; a block another container holds is -EBUSY, a
 * range over more than NSB_MAX_LOCKS blocks -E2BIG). Returns 0, or a negative errno with
 * one line saying why in ERR. */
int nsb_users_resolve(const char *mode, struct nsb_users *u, char *err, size_t errlen);

/* Writes the id maps of U for the process PID (direct writes, or newuidmap/newgidmap for
 * SUBID). Returns 0, or a negative errno with one line in ERR. */
int nsb_users_write_maps(const struct nsb_users *u, pid_t pid, char *err, size_t errlen);

/* The host's id of the container's root (its gid with GID) under U; pure. */
uint32_t nsb_users_host_root(const struct nsb_users *u, bool gid);

/* Writes the nested maps of U (nsb_users_nested_map) for the process PID, whose user
 * namespace is nested in the caller's. Returns 0, or a negative errno with one line in
 * ERR naming the file. */
int nsb_users_write_nested_maps(const struct nsb_users *u, pid_t pid, char *err, size_t errlen);

/* Records PID (the container's PID 1) as the holder in U's lock files. */
void nsb_users_record_container(const struct nsb_users *u, pid_t pid);

/* Empties and closes U's lock files (the blocks are free again). */
void nsb_users_release(struct nsb_users *u);

/* Writes the maps of a rootless zone's keeper, PID (in a new user namespace): the caller's
 * ids, and SUBID's ranges, each onto itself, so the zone's members' maps read the same
 * inside it as outside. 0 or a negative errno with ERR. */
int nsb_users_write_keeper_maps(const struct nsb_users *u, pid_t pid, char *err, size_t errlen);

#endif
