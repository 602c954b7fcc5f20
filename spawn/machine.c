/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The machine registry (spawn/machine.h). */
#include "machine.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "paths.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

/* How many "-N" suffixes a default name tries. */
#define NSB_MACHINE_SUFFIX_MAX 999
/* The longest info file. */
#define NSB_INFO_MAX 4096

bool nsb_machine_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > NSB_MACHINE_NAME_MAX || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

void nsb_machine_default_name(const char *tree, char *out, size_t len)
{
	char buf[4096] = "", *real = NULL;
	const char *base = NULL;
	if (tree) {
		real = realpath(tree, NULL);
		const char *p = real ? real : tree;
		const char *slash = strrchr(p, '/');
		base = slash ? slash + 1 : p;
	}
	size_t max = NSB_MACHINE_NAME_MAX - 4; /* room for "-999" */
	size_t n = 0;
	for (; base && base[n] && n < max && n < sizeof buf - 1; n++)
		buf[n] = isalnum((unsigned char)base[n]) || strchr("_.-", base[n]) ? base[n] : '_';
	buf[n] = '\0';
	free(real);
	snprintf(out, len, "%s", n && buf[0] != '.' ? buf : "nsboot");
}

static const char *const state_names[] = { "starting", "running", "booted", "stopping" };

const char *nsb_machine_state_name(enum nsb_machine_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "unknown";
}

unsigned long long nsb_proc_start_time(pid_t pid)
{
	char path[48], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (nsb_read_small(AT_FDCWD, path, buf, sizeof buf) <= 0)
		return 0;
	/* after "(comm)": field 3 is the state; the start time is field 22 */
	const char *p = strrchr(buf, ')');
	unsigned long long t = 0;
	if (!p || sscanf(p + 1, " %*c" " %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u"
			 " %*d %*d %*d %*d %*d %*d %llu", &t) != 1)
		return 0;
	return t;
}

int nsb_machine_pidfd(const struct nsb_machine_info *info, bool spawner)
{
	pid_t pid = spawner ? info->spawner : info->pid;
	unsigned long long start = spawner ? info->spawner_start : info->pid_start;
	if (pid <= 0)
		return -ESRCH;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	/* the pidfd pins the process it was opened for: if that one started when the entry
	 * says, every later use reaches it or fails, never another process */
	if (nsb_proc_start_time(pid) != start) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int nsb_machine_info_format(const struct nsb_machine_info *i, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "name=%s\nspawner=%d\nspawner_start=%llu\npid=%d\npid_start=%llu\n"
			 "state=%s\nstarted=%lld\ngrace_ms=%ld\nmapping=%s\ncgroup=%s\ntree=%s\n",
			 i->name, (int)i->spawner, i->spawner_start, (int)i->pid, i->pid_start,
			 nsb_machine_state_name(i->state), i->started, i->grace_ms, i->mapping,
			 i->cgroup, i->tree);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* Copies VAL (up to its newline) into OUT of LEN bytes; false when it does not fit. */
static bool copy_value(const char *val, char *out, size_t len)
{
	size_t n = strcspn(val, "\n");
	if (n >= len)
		return false;
	memcpy(out, val, n);
	out[n] = '\0';
	return true;
}

int nsb_machine_info_parse(const char *text, struct nsb_machine_info *i)
{
	memset(i, 0, sizeof *i);
	bool ok = true;
	for (const char *line = text; *line && ok; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		const char *eq = strchr(line, '=');
		const char *nl = strchr(line, '\n');
		if (!eq || (nl && eq > nl))
			return -EINVAL;
		size_t k = (size_t)(eq - line);
		const char *v = eq + 1;
		char word[32];
#define KEY(s) (k == sizeof(s) - 1 && memcmp(line, s, k) == 0)
		if (KEY("name"))
			ok = copy_value(v, i->name, sizeof i->name) && nsb_machine_name_valid(i->name);
		else if (KEY("spawner"))
			ok = sscanf(v, "%d", &i->spawner) == 1 && i->spawner > 0;
		else if (KEY("spawner_start"))
			ok = sscanf(v, "%llu", &i->spawner_start) == 1;
		else if (KEY("pid"))
			ok = sscanf(v, "%d", &i->pid) == 1 && i->pid >= 0;
		else if (KEY("pid_start"))
			ok = sscanf(v, "%llu", &i->pid_start) == 1;
		else if (KEY("started"))
			ok = sscanf(v, "%lld", &i->started) == 1;
		else if (KEY("grace_ms"))
			ok = sscanf(v, "%ld", &i->grace_ms) == 1 && i->grace_ms >= 0;
		else if (KEY("mapping"))
			ok = copy_value(v, i->mapping, sizeof i->mapping);
		else if (KEY("cgroup"))
			ok = copy_value(v, i->cgroup, sizeof i->cgroup);
		else if (KEY("tree"))
			ok = copy_value(v, i->tree, sizeof i->tree);
		else if (KEY("state")) {
			ok = copy_value(v, word, sizeof word);
			i->state = (enum nsb_machine_state)-1;
			for (int s = 0; ok && s < 4; s++)
				if (strcmp(word, state_names[s]) == 0)
					i->state = (enum nsb_machine_state)s;
			ok = ok && (int)i->state >= 0;
		}
#undef KEY
	}
	return ok && i->name[0] && i->spawner > 0 ? 0 : -EINVAL;
}

/* Opens PATH as a directory of the caller's, 0700, not through a symlink; CREATE makes it
 * first (mkdir is a no-op when it exists). The fd, or -errno with ERR set. */
static int private_dir(int at, const char *path, bool create, char *err, size_t errlen)
{
	if (create && mkdirat(at, path, 0700) < 0 && errno != EEXIST) {
		int e = errno;
		snprintf(err, errlen, "mkdir %s: %s", path, strerror(e));
		return -e;
	}
	int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		struct stat l;
		bool link = fstatat(at, path, &l, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(l.st_mode);
		snprintf(err, errlen, "%s: %s", path, link ? "a symlink: refusing to keep machines "
			 "there" : strerror(e));
		return link ? -EPERM : -e;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(err, errlen, "%s: not a private directory of uid %u (owner %u, mode %04o): "
			 "refusing to keep machines there", path, (unsigned)geteuid(),
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Opens (CREATE: makes) nsboot/machines below the directory AT, named PATH in errors. */
static int machines_below(int at, const char *path, bool create, char *err, size_t errlen)
{
	char sub[4200];
	snprintf(sub, sizeof sub, "%s/nsboot", path);
	int d = private_dir(at, "nsboot", create, err, errlen);
	if (d < 0) {
		snprintf(err, errlen, "%s: %s", sub, strerror(-d));
		return d;
	}
	int m = private_dir(d, "machines", create, err, errlen);
	if (m < 0)
		snprintf(err + strlen(err), errlen - strlen(err), " (in %s)", sub);
	close(d);
	return m;
}

/* The directory for root's machines: /run/nsboot (0755) holds other state too. */
static int root_base(bool create, char *err, size_t errlen)
{
	if (create && mkdir("/run/nsboot", 0755) < 0 && errno != EEXIST)
		return -errno;
	int run = open("/run/nsboot", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (run < 0)
		return -errno;
	struct stat st;
	if (fstat(run, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
		close(run);
		snprintf(err, errlen, "/run/nsboot: not root's, or writable by others");
		return -EPERM;
	}
	int m = private_dir(run, "machines", create, err, errlen);
	close(run);
	return m;
}

int nsb_machine_base(bool create, char *err, size_t errlen)
{
	char tmp[64];
	err[0] = '\0';
	if (geteuid() == 0) {
		int fd = root_base(create, err, errlen);
		if (fd >= 0 || err[0])
			return fd;
		if (fd != -EACCES && fd != -EROFS && fd != -EPERM) {
			snprintf(err, errlen, "%s: %s", NSB_MACHINES_ROOT_DIR, strerror(-fd));
			return fd;
		}
		/* root of a user namespace where /run is not its own: as any other user */
	}
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char run_user[64];
	snprintf(run_user, sizeof run_user, "/run/user/%u", (unsigned)geteuid());
	const char *cands[] = { xdg && xdg[0] == '/' ? xdg : NULL, run_user };
	for (size_t i = 0; i < 2; i++) {
		if (!cands[i])
			continue;
		char e2[256];
		int at = private_dir(AT_FDCWD, cands[i], false, e2, sizeof e2);
		if (at < 0)
			continue; /* unset, gone, or someone else's (a root shell's, inherited) */
		int fd = machines_below(at, cands[i], create, err, errlen);
		close(at);
		return fd;
	}
	/* the fallback in the shared /tmp: another user may have made it first, so it is
	 * used only when it is ours, private and not a symlink */
	snprintf(tmp, sizeof tmp, "/tmp/nsboot-%u", (unsigned)geteuid());
	int at = private_dir(AT_FDCWD, tmp, create, err, errlen);
	if (at < 0)
		return at == -ENOENT ? (snprintf(err, errlen, "%s: %s", tmp, strerror(ENOENT)), at) : at;
	int fd = private_dir(at, "machines", create, err, errlen);
	close(at);
	return fd;
}

/* Reads the entry's info file at DIR into INFO: 0 or -errno. */
static int read_info(int dir, struct nsb_machine_info *info)
{
	char buf[NSB_INFO_MAX];
	ssize_t n = nsb_read_small(dir, "info", buf, sizeof buf);
	if (n < 0)
		return (int)n;
	return nsb_machine_info_parse(buf, info);
}

bool nsb_machine_alive(int dir)
{
	return nsb_lock_held(dir, "lock");
}

/* Removes the files of the entry DIR and DIR itself, named NAME in BASE: every file in it,
 * whatever step made it (a start killed midway leaves a NAME.new of write_file's); the
 * folder is the spawner's user's own, 0700, and unlinkat follows no link. */
static void remove_entry(int base, int dir, const char *name)
{
	int fd = dup(dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d && fd >= 0)
		close(fd);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dir, e->d_name, 0);
	}
	if (d)
		closedir(d);
	unlinkat(base, name, AT_REMOVEDIR);
}

/* NAME in BASE is stale when nobody holds its lock: moves it aside (only if it is still
 * the entry whose lock we hold) and removes it. */
static void clean_stale(int base, const char *name)
{
	int dir = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return;
	int lk = openat(dir, "lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat a, b;
	/* a shared lock: other cleaners may hold it too, a spawner never */
	if (lk >= 0 && flock(lk, LOCK_SH | LOCK_NB) < 0) {
		close(lk), close(dir);
		return;
	}
	char aside[96];
	snprintf(aside, sizeof aside, ".gone-%d-%lld", (int)getpid(), (long long)time(NULL));
	if (fstatat(base, name, &a, AT_SYMLINK_NOFOLLOW) == 0 && fstat(dir, &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev &&
	    syscall(SYS_renameat2, base, name, base, aside, RENAME_NOREPLACE) == 0) {
		/* a new entry may have taken the name since we looked: put it back */
		if (fstatat(base, aside, &a, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino != b.st_ino)
			syscall(SYS_renameat2, base, aside, base, name, RENAME_NOREPLACE);
		else
			remove_entry(base, dir, aside);
	}
	if (lk >= 0)
		close(lk);
	close(dir);
}

int nsb_machine_lookup(const char *name, struct nsb_machine_info *info, int *dirfd)
{
	char err[512];
	if (!nsb_machine_name_valid(name))
		return -EINVAL;
	int base = nsb_machine_base(false, err, sizeof err);
	if (base < 0)
		return base == -EPERM ? -EPERM : -ENOENT;
	int dir = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0) {
		int e = -errno;
		close(base);
		return e;
	}
	int r = nsb_machine_alive(dir) ? read_info(dir, info) : -ENOENT;
	if (r == -ENOENT)
		clean_stale(base, name);
	close(base);
	if (r == 0 && dirfd)
		*dirfd = dir;
	else
		close(dir);
	return r;
}

/* Writes LEN bytes of DATA into a new file NAME of DIR (mode 0600) via NAME.new; 0 or -errno. */
static int write_file(int dir, const char *name, const char *data, size_t len)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%s.new", name);
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, data, len);
	int e = w == (ssize_t)len ? 0 : (w < 0 ? -errno : -EIO);
	close(fd);
	if (e == 0 && renameat(dir, tmp, dir, name) < 0)
		e = -errno;
	return e;
}

/* Fills the new entry directory DIR: lock (locked), status, env, info. 0 or -errno. */
static int fill_entry(struct nsb_machine *m, int dir, char *const *envp)
{
	m->lock = openat(dir, "lock", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (m->lock < 0 || flock(m->lock, LOCK_EX | LOCK_NB) < 0)
		return -errno;
	m->status_fd = openat(dir, "status", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (m->status_fd < 0)
		return -errno;
	size_t len = 0;
	for (char *const *e = envp; e && *e; e++)
		len += strlen(*e) + 1;
	char *buf = malloc(len + 1), *p = buf;
	if (!buf)
		return -ENOMEM;
	for (char *const *e = envp; e && *e; e++)
		p = stpcpy(p, *e) + 1;
	int r = write_file(dir, "env", buf, len);
	free(buf);
	if (r < 0)
		return r;
	char info[NSB_INFO_MAX];
	int n = nsb_machine_info_format(&m->info, info, sizeof info);
	return n < 0 ? n : write_file(dir, "info", info, (size_t)n);
}

/* Tries to take NAME: 0, -EEXIST (a live machine has it: *HOLDER its spawner), -errno. */
static int take_name(struct nsb_machine *m, const char *name, char *const *envp, pid_t *holder)
{
	char tmp[64];
	for (int tries = 0; tries < 3; tries++) {
		snprintf(tmp, sizeof tmp, ".new-%d", (int)getpid());
		if (mkdirat(m->base, tmp, 0700) < 0)
			return -errno;
		int dir = openat(m->base, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		snprintf(m->info.name, sizeof m->info.name, "%s", name);
		int r = dir < 0 ? -errno : fill_entry(m, dir, envp);
		if (r == 0 && syscall(SYS_renameat2, m->base, tmp, m->base, name, RENAME_NOREPLACE) == 0) {
			m->dir = dir;
			return 0;
		}
		r = r ? r : -errno;
		if (dir >= 0)
			remove_entry(m->base, dir, tmp);
		if (dir >= 0)
			close(dir);
		if (m->lock >= 0)
			close(m->lock);
		if (m->status_fd >= 0)
			close(m->status_fd);
		m->lock = m->status_fd = -1;
		if (r != -EEXIST && r != -ENOTEMPTY)
			return r;
		struct nsb_machine_info other;
		int l = nsb_machine_lookup(name, &other, NULL);
		if (l == 0) {
			*holder = other.spawner;
			return -EEXIST;
		}
		/* it was stale and is gone now, or being made: try again */
	}
	*holder = 0;
	return -EEXIST;
}

/* atexit: the spawner's entry goes with it on every path (status 125 unless set). */
static struct nsb_machine *exit_machine;
static int exit_status = 125;
static void finish_at_exit(void)
{
	if (exit_machine)
		nsb_machine_finish(exit_machine, exit_status);
}

int nsb_machine_register(struct nsb_machine *m, const char *name,
			 const struct nsb_machine_info *info, char *const *envp,
			 char *err, size_t errlen)
{
	m->info = *info;
	m->dir = m->lock = m->status_fd = -1;
	m->info.spawner = getpid();
	m->info.spawner_start = nsb_proc_start_time(getpid());
	m->info.started = (long long)time(NULL);
	if ((m->base = nsb_machine_base(true, err, errlen)) < 0)
		return m->base;
	char want[NSB_MACHINE_NAME_MAX + 1], cand[NSB_MACHINE_NAME_MAX + 1];
	if (name)
		snprintf(want, sizeof want, "%s", name);
	else
		nsb_machine_default_name(info->tree[0] ? info->tree : NULL, want, sizeof want);
	pid_t holder = 0;
	int r = -EEXIST;
	for (int n = 0; r == -EEXIST && n <= (name ? 0 : NSB_MACHINE_SUFFIX_MAX); n++) {
		if (n)
			snprintf(cand, sizeof cand, "%.*s-%d", NSB_MACHINE_NAME_MAX - 4, want, n);
		else
			snprintf(cand, sizeof cand, "%s", want);
		struct nsb_machine_info other;
		/* a live machine's name is passed over without making an entry for it */
		if (!name && nsb_machine_lookup(cand, &other, NULL) == 0)
			continue;
		r = take_name(m, cand, envp, &holder);
	}
	if (r == 0) {
		exit_machine = m;
		atexit(finish_at_exit);
		return 0;
	}
	if (r == -EEXIST && holder)
		snprintf(err, errlen, "machine name '%s' is in use by nsboot PID %d", want, (int)holder);
	else if (r == -EEXIST)
		snprintf(err, errlen, "machine name '%s' is in use", want);
	else
		snprintf(err, errlen, "register machine '%s': %s", want, strerror(-r));
	close(m->base);
	m->base = -1;
	return r == -EEXIST ? -EBUSY : r;
}

void nsb_machine_update(struct nsb_machine *m)
{
	char info[NSB_INFO_MAX];
	if (m->base < 0)
		return;
	int n = nsb_machine_info_format(&m->info, info, sizeof info);
	if (n > 0)
		(void)write_file(m->dir, "info", info, (size_t)n);
}

void nsb_machine_finish(struct nsb_machine *m, int status)
{
	if (m->base < 0 || getpid() != m->info.spawner)
		return;
	char line[16];
	int n = snprintf(line, sizeof line, "%d\n", status);
	if (pwrite(m->status_fd, line, (size_t)n, 0) != n)
		(void)0; /* nobody may be reading it */
	remove_entry(m->base, m->dir, m->info.name);
	close(m->status_fd);
	close(m->dir);
	close(m->base);
	close(m->lock); /* last: the lock says the spawner lives until the entry is gone */
	m->base = -1;
	exit_machine = NULL;
}

/* How old a half-made entry (".new-PID") without a held lock must be to be removed: its
 * maker may be between its mkdir and its lock. */
#define NSB_LEFTOVER_AGE_S 10

/* Removes the half-made or half-removed entry NAME (a start or a cleaning killed midway)
 * once nobody holds its lock. */
static void clean_leftover(int base, const char *name)
{
	struct stat st;
	int dir = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return;
	if (!nsb_machine_alive(dir) && fstat(dir, &st) == 0 &&
	    time(NULL) - st.st_mtime > NSB_LEFTOVER_AGE_S)
		remove_entry(base, dir, name);
	close(dir);
}

/* For qsort: names in order. */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nsb_machine_each(void (*fn)(const struct nsb_machine_info *, void *), void *arg)
{
	char err[512];
	int base = nsb_machine_base(false, err, sizeof err);
	if (base < 0)
		return base == -ENOENT ? 0 : base;
	DIR *d = fdopendir(base);
	if (!d) {
		close(base);
		return -errno;
	}
	char *names[1024];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < sizeof names / sizeof names[0]) {
		if (nsb_machine_name_valid(e->d_name))
			names[n++] = strdup(e->d_name);
		else if (strncmp(e->d_name, ".new-", 5) == 0 || strncmp(e->d_name, ".gone-", 6) == 0)
			clean_leftover(base, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], by_name);
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		struct nsb_machine_info info;
		if (names[i] && nsb_machine_lookup(names[i], &info, NULL) == 0) {
			fn(&info, arg);
			count++;
		}
		free(names[i]);
	}
	return count;
}

void nsb_machine_set_status(int status)
{
	exit_status = status;
}
