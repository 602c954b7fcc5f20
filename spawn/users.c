/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User mapping: pure parsing and range picking first, then the
 * functions that read host files, take range locks and write the maps. */
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

#include "log.h"

extern char **environ;

/* Parses a decimal number at *S (no sign, no blanks) up to MAX; advances *S. */
static bool parse_u64(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return false;
	}
	*s = p;
	*out = v;
	return true;
}

int nsb_users_parse_mode(const char *mode, struct nsb_users *u, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum nsb_users_mode mode;
	} names[] = { { "pick", NSB_USERS_PICK },   { "identity", NSB_USERS_IDENTITY },
		      { "subid", NSB_USERS_SUBID }, { "single", NSB_USERS_SINGLE } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(mode, names[i].name) == 0) {
			u->mode = names[i].mode;
			if (u->mode == NSB_USERS_IDENTITY) {
				u->base = 0;
				u->count = 65536;
			}
			return 0;
		}
	const char *p = mode;
	uint64_t base, count = 65536;
	if (!parse_u64(&p, UINT32_MAX - 1, &base) ||
	    (*p == ':' && (p++, !parse_u64(&p, UINT32_MAX, &count))) || *p) {
		snprintf(err, errlen, "--private-users=%s: want pick, identity, subid, single, "
				      "BASE or BASE:COUNT", mode);
		return -EINVAL;
	}
	if (count == 0 || base + count > UINT32_MAX) {
		snprintf(err, errlen, "--private-users=%s: COUNT must be at least 1 and "
				      "BASE+COUNT at most %" PRIu32, mode, UINT32_MAX);
		return -EINVAL;
	}
	u->mode = NSB_USERS_RANGE;
	u->base = (uint32_t)base;
	u->count = (uint32_t)count;
	return 0;
}

const char *nsb_users_mode_name(enum nsb_users_mode mode)
{
	switch (mode) {
	case NSB_USERS_PICK: return "pick";
	case NSB_USERS_IDENTITY: return "identity";
	case NSB_USERS_RANGE: return "BASE";
	case NSB_USERS_SUBID: return "subid";
	case NSB_USERS_SINGLE: return "single";
	}
	return "?";
}

/* Parses one "name:start:count" line of LEN bytes; false when malformed. */
static bool parse_subid_line(const char *line, size_t len, const char **name, size_t *namelen,
			     struct nsb_idrange *r)
{
	char buf[512];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	const char *c1 = strchr(buf, ':');
	if (!c1 || c1 == buf)
		return false;
	const char *p = c1 + 1;
	uint64_t start, count;
	if (!parse_u64(&p, UINT32_MAX, &start) || *p++ != ':' ||
	    !parse_u64(&p, UINT32_MAX, &count) || *p || count == 0 || start + count > UINT32_MAX)
		return false;
	*name = line;
	*namelen = (size_t)(c1 - buf);
	r->start = (uint32_t)start;
	r->count = (uint32_t)count;
	return true;
}

/* Calls FN on each well-formed line of TEXT until it returns true; returns that. */
static bool each_subid(const char *text, bool (*fn)(const char *name, size_t namelen,
						     const struct nsb_idrange *r, void *arg),
		       void *arg)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *name;
		size_t namelen;
		struct nsb_idrange r;
		if (line[0] != '#' && parse_subid_line(line, len, &name, &namelen, &r) &&
		    fn(name, namelen, &r, arg))
			return true;
		line += len + (nl ? 1 : 0);
	}
	return false;
}

struct find_arg {
	const char *name;
	char id[16];
	struct nsb_idrange *out;
};

/* each_subid callback: stops at the first line of the wanted user (name or number). */
static bool find_one(const char *name, size_t namelen, const struct nsb_idrange *r, void *arg)
{
	struct find_arg *a = arg;
	bool match = (a->name && strlen(a->name) == namelen && memcmp(a->name, name, namelen) == 0) ||
		     (strlen(a->id) == namelen && memcmp(a->id, name, namelen) == 0);
	if (match)
		*a->out = *r;
	return match;
}

int nsb_subid_find(const char *text, const char *name, uint32_t id, struct nsb_idrange *out)
{
	struct find_arg a = { .name = name, .out = out };
	snprintf(a.id, sizeof a.id, "%" PRIu32, id);
	return each_subid(text, find_one, &a) ? 0 : -ENOENT;
}

struct all_arg {
	struct nsb_idrange *out;
	size_t max, n;
};

/* each_subid callback: collects every range. */
static bool collect(const char *name, size_t namelen, const struct nsb_idrange *r, void *arg)
{
	struct all_arg *a = arg;
	if (a->n < a->max)
		a->out[a->n] = *r;
	a->n++;
	return false;
}

size_t nsb_subid_all(const char *text, struct nsb_idrange *out, size_t max)
{
	struct all_arg a = { .out = out, .max = max };
	each_subid(text, collect, &a);
	return a.n;
}

/* Rounds V up to a multiple of NSB_PICK_BLOCK. */
static uint64_t align_block(uint64_t v)
{
	return (v + NSB_PICK_BLOCK - 1) / NSB_PICK_BLOCK * NSB_PICK_BLOCK;
}

int nsb_range_pick(const struct nsb_idrange *busy, size_t n, uint64_t from, uint32_t count,
		   uint32_t *base)
{
	uint64_t b = align_block(from);
	while (b + count <= NSB_PICK_END) {
		uint64_t next = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t s = busy[i].start, e = s + busy[i].count;
			if (busy[i].count && b < e && s < b + count && e > next)
				next = e;
		}
		if (!next) {
			*base = (uint32_t)b;
			return 0;
		}
		b = align_block(next);
	}
	return -ENOSPC;
}

int nsb_users_map(const struct nsb_users *u, bool gid, char *buf, size_t len)
{
	int n;
	uint32_t self = gid ? u->gid : u->uid;
	const struct nsb_idrange *sub = gid ? &u->subgid : &u->subuid;
	switch (u->mode) {
	case NSB_USERS_PICK:
	case NSB_USERS_IDENTITY:
	case NSB_USERS_RANGE:
		n = snprintf(buf, len, "0 %" PRIu32 " %" PRIu32 "\n", u->base, u->count);
		break;
	case NSB_USERS_SUBID:
		n = snprintf(buf, len, "0 %" PRIu32 " 1\n1 %" PRIu32 " %" PRIu32 "\n", self,
			     sub->start, sub->count);
		break;
	case NSB_USERS_SINGLE:
		n = snprintf(buf, len, "0 %" PRIu32 " 1\n", self);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int nsb_users_nested_map(const struct nsb_users *u, bool gid, char *buf, size_t len)
{
	char outer[128];
	int n = nsb_users_map(u, gid, outer, sizeof outer);
	if (n < 0)
		return n;
	/* each line "IN OUT COUNT" becomes "IN IN COUNT": a nested range must lie within
	 * one range of its parent's map */
	size_t used = 0;
	uint32_t in, out, count;
	int k;
	for (const char *l = outer; sscanf(l, "%" SCNu32 " %" SCNu32 " %" SCNu32 "%n", &in, &out,
					   &count, &k) == 3; l += k) {
		int w = snprintf(buf + used, len - used, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
				 in, in, count);
		if (w < 0 || (size_t)w >= len - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	return used ? (int)used : -EINVAL;
}

int nsb_users_enter_cmd(const struct nsb_users *u, pid_t pid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "nsenter -a %s-t %d",
			 u->mode == NSB_USERS_SINGLE ? "--preserve-credentials " : "", (int)pid);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int nsb_range_holder_format(char *buf, size_t len, pid_t spawner, pid_t container)
{
	int n = snprintf(buf, len, "%10d %10d\n", (int)spawner, (int)container);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int nsb_range_holder_parse(const char *text, size_t len, pid_t *spawner, pid_t *container)
{
	char buf[64];
	int s, c, end = 0;
	if (len == 0 || len >= sizeof buf)
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (sscanf(buf, "%d %d\n%n", &s, &c, &end) != 2 || (size_t)end != len || s <= 0 || c < 0)
		return -EINVAL;
	*spawner = s;
	*container = c;
	return 0;
}

void nsb_range_overlap_msg(char *err, size_t errlen, const char *mode, pid_t spawner,
			   pid_t container)
{
	if (container > 0)
		snprintf(err, errlen, "--private-users=%s: ids overlap the range of the running "
			 "container PID %d", mode, (int)container);
	else if (spawner > 0)
		snprintf(err, errlen, "--private-users=%s: ids overlap the range of a container "
			 "being started by nsboot PID %d", mode, (int)spawner);
	else
		snprintf(err, errlen, "--private-users=%s: ids overlap the range of a running "
			 "container (its lock names no PID)", mode);
}

/* ---- side effects: host files, locks, maps ---- */

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

/* True when PROG is an executable file in one of PATH's directories. */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	char full[4096];
	for (const char *p = path; *p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		if (len > 0 && (size_t)snprintf(full, sizeof full, "%.*s/%s", (int)len, p, prog) <
				       sizeof full && access(full, X_OK) == 0)
			return true;
		p += len + (colon ? 1 : 0);
	}
	return false;
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
	for (int i = 0; i < 2; i++)
		if (!in_path(progs[i])) {
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
		if (nsb_range_pick(busy, n, from, 65536, &base) < 0) {
			free(busy);
			close(dir);
			snprintf(err, errlen, "--private-users=pick: no free range of 65536 ids "
					      "below %u", NSB_PICK_END);
			return -ENOSPC;
		}
		int fd = lock_block(dir, base, &spawner, &container);
		if (fd >= 0) {
			free(busy);
			close(dir);
			u->locks[0] = fd;
			u->base = base;
			u->count = 65536;
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
		u->mode = resolve_subid(u, false, err, errlen) == 0 ? NSB_USERS_SUBID
								   : NSB_USERS_SINGLE;
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

int nsb_users_write_maps(const struct nsb_users *u, pid_t pid, char *err, size_t errlen)
{
	char umap[128], gmap[128];
	if (nsb_users_map(u, false, umap, sizeof umap) < 0 ||
	    nsb_users_map(u, true, gmap, sizeof gmap) < 0) {
		snprintf(err, errlen, "id map: invalid mode");
		return -EINVAL;
	}
	int e;
	if (u->mode == NSB_USERS_SUBID && !u->direct) {
		if ((e = run_idmap_tool("newuidmap", pid, umap, err, errlen)) < 0)
			return e;
		return run_idmap_tool("newgidmap", pid, gmap, err, errlen);
	}
	if (u->mode == NSB_USERS_SINGLE && (e = write_proc(pid, "setgroups", "deny", err, errlen)) < 0)
		return e;
	if ((e = write_proc(pid, "uid_map", umap, err, errlen)) < 0 ||
	    (e = write_proc(pid, "gid_map", gmap, err, errlen)) < 0)
		return e;
	return 0;
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
	if (nsb_users_nested_map(u, false, umap, sizeof umap) < 0 ||
	    nsb_users_nested_map(u, true, gmap, sizeof gmap) < 0) {
		snprintf(err, errlen, "nested id map: invalid mode");
		return -EINVAL;
	}
	int e = write_proc(pid, "uid_map", umap, err, errlen);
	return e < 0 ? e : write_proc(pid, "gid_map", gmap, err, errlen);
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
