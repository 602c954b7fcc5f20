/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User mapping's side effects: the functions that read host files, take range locks and
 * write the maps (the pure half is spawn/idmap.c). */
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "log.h"

extern char **environ;

/* Reads a small text file into a malloc'd NUL-terminated string (*OUT); 0 or -errno. */
static int read_text(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n + 1 == cap) {
			char *nb = cap < (1u << 24) ? realloc(buf, cap * 2) : NULL;
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Finds the caller's range in the subordinate id file PATH; 0, -ENOENT, or -errno. */
static int caller_range(const char *path, const char *name, uint32_t id, struct nsb_idrange *r)
{
	char *text;
	int e = read_text(path, &text);
	if (e < 0)
		return e;
	e = nsb_subid_find(text, name, id, r);
	free(text);
	return e;
}

/* Settles SUBID for the caller; 0 or a negative errno with ERR set. */
static int resolve_subid(struct nsb_users *u, bool asked, char *err, size_t errlen)
{
	struct passwd *pw = getpwuid(u->uid);
	const char *name = pw ? pw->pw_name : NULL;
	static const char *const files[2] = { "/etc/subuid", "/etc/subgid" };
	struct nsb_idrange *ranges[2] = { &u->subuid, &u->subgid };
	for (int i = 0; i < 2; i++) {
		/* both files are keyed by the user's name or uid, as shadow's newgidmap does */
		int e = caller_range(files[i], name, u->uid, ranges[i]);
		if (e < 0) {
			if (asked)
				snprintf(err, errlen, "--private-users=subid: no range for user %s "
					 "(uid %" PRIu32 ") in %s%s%s", name ? name : "?", u->uid,
					 files[i], e == -ENOENT ? "" : ": ",
					 e == -ENOENT ? "" : strerror(-e));
			return e;
		}
	}
	static const char *const progs[2] = { "newuidmap", "newgidmap" };
	const char *path = getenv("PATH");
	for (int i = 0; i < 2; i++)
		if (!nsb_in_path(progs[i], path && *path ? path : "/usr/bin:/bin", X_OK)) {
			if (asked)
				snprintf(err, errlen, "--private-users=subid: %s not found in PATH "
					 "(Debian package uidmap)", progs[i]);
			return -ENOENT;
		}
	return 0;
}

/* Opens NAME in the folder AT (PATH in messages) as a folder of root's, never following a
 * link: made with MODE when missing, its mode narrowed to MODE when wider (said with -v).
 * The fd, or a negative errno with ERR set. */
static int open_root_dir(int at, const char *path, const char *name, mode_t mode, char *err,
			 size_t errlen)
{
	bool made = mkdirat(at, name, mode) == 0;
	if (!made && errno != EEXIST)
		return nsb_fail(err, errlen, -errno, "mkdir %s: %s", path, strerror(errno));
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		int e = errno;
		if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return nsb_fail(err, errlen, -ELOOP, "%s: a symbolic link, not a folder of "
					"root's; refusing to keep range locks there", path);
		return nsb_fail(err, errlen, -e, "open %s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return nsb_fail(err, errlen, -e, "stat %s: %s", path, strerror(e));
	}
	if (st.st_uid != 0) {
		close(fd);
		return nsb_fail(err, errlen, -EPERM, "%s: owned by uid %u, not root; refusing to keep "
				"range locks there", path, (unsigned)st.st_uid);
	}
	mode_t cur = st.st_mode & 07777;
	if (made ? cur != mode : (cur & ~mode) != 0) {
		if (fchmod(fd, mode) < 0) {
			int e = errno;
			close(fd);
			return nsb_fail(err, errlen, -e, "chmod %s: %s", path, strerror(e));
		}
		if (!made)
			log_debug("%s: mode %04o made %04o (range locks are root's alone)", path,
				  (unsigned)cur, (unsigned)mode);
	}
	return fd;
}

/* Opens the folder of the range locks: NSB_RUN_DIR (0755) and NSB_RANGES_DIR (0700), both
 * root's (see open_root_dir). The fd, or a negative errno with ERR set. */
static int open_ranges_dir(char *err, size_t errlen)
{
	int run = open("/run", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (run < 0)
		return nsb_fail(err, errlen, -errno, "open /run: %s", strerror(errno));
	int top = open_root_dir(run, NSB_RUN_DIR, strrchr(NSB_RUN_DIR, '/') + 1, 0755, err, errlen);
	close(run);
	if (top < 0)
		return top;
	int dir = open_root_dir(top, NSB_RANGES_DIR, strrchr(NSB_RANGES_DIR, '/') + 1, 0700, err,
				errlen);
	close(top);
	return dir;
}

/* Writes the holder record (this nsboot, CONTAINER or 0) into the held lock file FD. */
static void write_holder(int fd, pid_t container)
{
	char rec[64];
	int n = nsb_range_holder_format(rec, sizeof rec, getpid(), container);
	if (n > 0 && pwrite(fd, rec, (size_t)n, 0) == n)
		(void)!ftruncate(fd, n);
}

/* Takes the lock of the block at BASE in the ranges folder DIR without waiting, and
 * records this nsboot as its holder: the fd, or -errno; -EWOULDBLOCK when it is held, with
 * the holder's PIDs in *SPAWNER and *CONTAINER (0 when its record names none). */
static int lock_block(int dir, uint32_t base, pid_t *spawner, pid_t *container)
{
	char name[32];
	snprintf(name, sizeof name, "%" PRIu32 ".lock", base);
	int fd = openat(dir, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	struct stat st;
	int e = 0;
	if (fstat(fd, &st) < 0)
		e = -errno;
	else if (!S_ISREG(st.st_mode))
		e = -EINVAL;
	else if ((st.st_mode & 0177) && fchmod(fd, 0600) < 0) /* an older nsboot's 0644 */
		e = -errno;
	else if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		e = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
	if (e == -EWOULDBLOCK) {
		char text[64];
		ssize_t n = pread(fd, text, sizeof text, 0);
		*spawner = *container = 0;
		if (n <= 0 || nsb_range_holder_parse(text, (size_t)n, spawner, container) < 0)
			*spawner = *container = 0;
	}
	if (e) {
		close(fd);
		return e;
	}
	write_holder(fd, 0);
	return fd;
}

/* Collects the ranges of /etc/subuid and /etc/subgid into a malloc'd array. */
static size_t host_subids(struct nsb_idrange **out)
{
	static const char *const files[] = { "/etc/subuid", "/etc/subgid" };
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < 2; i++) {
		char *text;
		if (read_text(files[i], &text) < 0)
			continue;
		size_t k = nsb_subid_all(text, NULL, 0);
		struct nsb_idrange *grown = realloc(*out, (n + k + 1) * sizeof **out);
		if (grown) {
			*out = grown;
			n += nsb_subid_all(text, *out + n, k);
		}
		free(text);
	}
	return n;
}

/* Picks a free range for PICK and locks it; 0 or a negative errno with ERR set. */
static int resolve_pick(struct nsb_users *u, char *err, size_t errlen)
{
	int dir = open_ranges_dir(err, errlen);
	if (dir < 0)
		return dir;
	struct nsb_idrange *busy;
	size_t n = host_subids(&busy);
	uint64_t from = NSB_PICK_FIRST;
	for (;;) {
		uint32_t base;
		pid_t spawner, container;
		if (nsb_range_pick(busy, n, from, NSB_ID_BLOCK, &base) < 0) {
			free(busy);
			close(dir);
			snprintf(err, errlen, "--private-users=pick: no free range of %u ids "
					      "below %u", NSB_ID_BLOCK, NSB_PICK_END);
			return -ENOSPC;
		}
		int fd = lock_block(dir, base, &spawner, &container);
		if (fd >= 0) {
			free(busy);
			close(dir);
			u->locks[0] = fd;
			u->base = base;
			u->count = NSB_ID_BLOCK;
			return 0;
		}
		if (fd != -EWOULDBLOCK) {
			free(busy);
			close(dir);
			snprintf(err, errlen, "lock %s/%" PRIu32 ".lock: %s", NSB_RANGES_DIR, base,
				 strerror(-fd));
			return fd;
		}
		from = (uint64_t)base + NSB_PICK_BLOCK;
	}
}

/* Locks every block the BASE:COUNT range of U (asked as MODE) overlaps, so that pick and
 * other BASE ranges avoid them; a block already held is an error naming its holder. 0 or
 * a negative errno with ERR set (nothing is held then). */
static int lock_range(struct nsb_users *u, const char *mode, char *err, size_t errlen)
{
	uint64_t first = u->base / NSB_PICK_BLOCK * NSB_PICK_BLOCK;
	uint64_t end = (uint64_t)u->base + u->count;
	uint64_t blocks = (end - first + NSB_PICK_BLOCK - 1) / NSB_PICK_BLOCK;
	if (blocks > NSB_MAX_LOCKS)
		return nsb_fail(err, errlen, -E2BIG, "--private-users=%s: the range spans %" PRIu64
				" blocks of %u ids; at most %d can be locked", mode, blocks,
				NSB_PICK_BLOCK, NSB_MAX_LOCKS);
	int dir = open_ranges_dir(err, errlen);
	if (dir < 0)
		return dir;
	size_t k = 0;
	int e = 0;
	for (uint64_t b = first; b < end; b += NSB_PICK_BLOCK) {
		pid_t spawner, container;
		int fd = lock_block(dir, (uint32_t)b, &spawner, &container);
		if (fd == -EWOULDBLOCK) {
			nsb_range_overlap_msg(err, errlen, mode, spawner, container);
			e = -EBUSY;
			break;
		}
		if (fd < 0) {
			snprintf(err, errlen, "lock %s/%" PRIu64 ".lock: %s", NSB_RANGES_DIR, b,
				 strerror(-fd));
			e = fd;
			break;
		}
		u->locks[k++] = fd;
	}
	close(dir);
	if (e < 0)
		nsb_users_release(u);
	return e;
}

int nsb_users_resolve(const char *mode, struct nsb_users *u, char *err, size_t errlen)
{
	bool root = geteuid() == 0;
	*u = (struct nsb_users){ .uid = geteuid(), .gid = getegid() };
	for (size_t i = 0; i < NSB_MAX_LOCKS; i++)
		u->locks[i] = -1;
	if (mode) {
		int e = nsb_users_parse_mode(mode, u, err, errlen);
		if (e < 0)
			return e;
		u->asked = true;
	} else if (root) {
		u->mode = NSB_USERS_PICK;
	} else {
		char why[256];
		u->mode = resolve_subid(u, true, why, sizeof why) == 0 ? NSB_USERS_SUBID
									: NSB_USERS_SINGLE;
		/* a range without the tools to use it is a setup to finish, not a choice */
		if (u->mode == NSB_USERS_SINGLE && (u->subuid.count || u->subgid.count))
			log_warn("%s; using --private-users=single (your own uid alone)", why);
		return 0;
	}
	switch (u->mode) {
	case NSB_USERS_PICK:
	case NSB_USERS_IDENTITY:
	case NSB_USERS_RANGE:
		if (!root) {
			snprintf(err, errlen, "--private-users=%s needs root (rootless: subid or "
					      "single)", mode);
			return -EPERM;
		}
		if (u->mode == NSB_USERS_PICK)
			return resolve_pick(u, err, errlen);
		if (u->mode == NSB_USERS_RANGE)
			return lock_range(u, mode, err, errlen);
		return 0;
	case NSB_USERS_SUBID:
		return resolve_subid(u, true, err, errlen);
	case NSB_USERS_SINGLE:
		return 0;
	}
	return -EINVAL;
}

/* Writes TEXT to /proc/PID/NAME; 0 or a negative errno with ERR set. */
static int write_proc(pid_t pid, const char *name, const char *text, char *err, size_t errlen)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "write %s (%.*s): %s", path,
			 (int)strcspn(text, "\n"), text, strerror(-e));
		return e;
	}
	close(fd);
	return 0;
}

/* Runs PROG PID MAP... (newuidmap/newgidmap) and waits; 0 or a negative errno with ERR. */
static int run_idmap_tool(const char *prog, pid_t pid, const char *map, char *err, size_t errlen)
{
	char words[256], pidbuf[16];
	char *argv[16];
	int n = 0;
	snprintf(words, sizeof words, "%s", map);
	snprintf(pidbuf, sizeof pidbuf, "%d", (int)pid);
	argv[n++] = (char *)prog;
	argv[n++] = pidbuf;
	for (char *save, *w = strtok_r(words, " \n", &save); w && n < 15;
	     w = strtok_r(NULL, " \n", &save))
		argv[n++] = w;
	argv[n] = NULL;

	posix_spawnattr_t attr;
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	pid_t child;
	int e = posix_spawnp(&child, prog, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (e) {
		snprintf(err, errlen, "run %s: %s", prog, strerror(e));
		return -e;
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "wait for %s: %s", prog, strerror(errno));
			return -errno;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s %d %.*s failed (%s %d)", prog, (int)pid,
			 (int)strcspn(map, "\n"), map, WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -EPERM;
	}
	return 0;
}

/* Fills UMAP and GMAP (LEN bytes each) with MAP's lines for U; 0, or -EINVAL with ERR
 * naming WHAT. */
static int both_maps(int (*map)(const struct nsb_users *, bool, char *, size_t),
		     const struct nsb_users *u, const char *what, char *umap, char *gmap,
		     size_t len, char *err, size_t errlen)
{
	if (map(u, false, umap, len) < 0 || map(u, true, gmap, len) < 0)
		return nsb_fail(err, errlen, -EINVAL, "%s: invalid mode", what);
	return 0;
}

/* Writes UMAP and GMAP to /proc/PID/uid_map and gid_map; 0 or a negative errno with ERR. */
static int write_id_maps(pid_t pid, const char *umap, const char *gmap, char *err,
			 size_t errlen)
{
	int e = write_proc(pid, "uid_map", umap, err, errlen);
	return e < 0 ? e : write_proc(pid, "gid_map", gmap, err, errlen);
}

int nsb_users_write_maps(const struct nsb_users *u, pid_t pid, char *err, size_t errlen)
{
	char umap[128], gmap[128];
	int e = both_maps(nsb_users_map, u, "id map", umap, gmap, sizeof umap, err, errlen);
	if (e < 0)
		return e;
	if (u->mode == NSB_USERS_SUBID && !u->direct) {
		if ((e = run_idmap_tool("newuidmap", pid, umap, err, errlen)) < 0)
			return e;
		return run_idmap_tool("newgidmap", pid, gmap, err, errlen);
	}
	if (u->mode == NSB_USERS_SINGLE && (e = write_proc(pid, "setgroups", "deny", err, errlen)) < 0)
		return e;
	return write_id_maps(pid, umap, gmap, err, errlen);
}

uint32_t nsb_users_host_root(const struct nsb_users *u, bool gid)
{
	switch (u->mode) {
	case NSB_USERS_PICK:
	case NSB_USERS_IDENTITY:
	case NSB_USERS_RANGE:
		return u->base;
	default:
		return gid ? u->gid : u->uid;
	}
}

int nsb_users_write_nested_maps(const struct nsb_users *u, pid_t pid, char *err, size_t errlen)
{
	char umap[256], gmap[256];
	int e = both_maps(nsb_users_nested_map, u, "nested id map", umap, gmap, sizeof umap, err,
			  errlen);
	return e < 0 ? e : write_id_maps(pid, umap, gmap, err, errlen);
}

void nsb_users_record_container(const struct nsb_users *u, pid_t pid)
{
	for (size_t i = 0; i < NSB_MAX_LOCKS; i++)
		if (u->locks[i] >= 0)
			write_holder(u->locks[i], pid);
}

void nsb_users_release(struct nsb_users *u)
{
	for (size_t i = 0; i < NSB_MAX_LOCKS; i++)
		if (u->locks[i] >= 0) {
			/* a free block names no holder (a gone container's PID may be reused) */
			(void)!ftruncate(u->locks[i], 0);
			close(u->locks[i]);
			u->locks[i] = -1;
		}
}

int nsb_users_write_keeper_maps(const struct nsb_users *u, pid_t pid, char *err, size_t errlen)
{
	char umap[128], gmap[128];
	int e;
	if (u->mode != NSB_USERS_SUBID) {
		snprintf(umap, sizeof umap, "%" PRIu32 " %" PRIu32 " 1\n", u->uid, u->uid);
		snprintf(gmap, sizeof gmap, "%" PRIu32 " %" PRIu32 " 1\n", u->gid, u->gid);
		if ((e = write_proc(pid, "setgroups", "deny", err, errlen)) < 0 ||
		    (e = write_proc(pid, "uid_map", umap, err, errlen)) < 0)
			return e;
		return write_proc(pid, "gid_map", gmap, err, errlen);
	}
	snprintf(umap, sizeof umap, "%" PRIu32 " %" PRIu32 " 1 %" PRIu32 " %" PRIu32 " %" PRIu32,
		 u->uid, u->uid, u->subuid.start, u->subuid.start, u->subuid.count);
	snprintf(gmap, sizeof gmap, "%" PRIu32 " %" PRIu32 " 1 %" PRIu32 " %" PRIu32 " %" PRIu32,
		 u->gid, u->gid, u->subgid.start, u->subgid.start, u->subgid.count);
	if ((e = run_idmap_tool("newuidmap", pid, umap, err, errlen)) < 0)
		return e;
	return run_idmap_tool("newgidmap", pid, gmap, err, errlen);
}
