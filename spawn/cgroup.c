/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's own cgroup (spawn/cgroup.h). */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "clock.h"
#include "log.h"
#include "paths.h"

/* How long nsb_cgroup_destroy() waits for the killed to leave the cgroup. */
#define NSB_CGROUP_RMDIR_MS 1000
/* What the container may make below its cgroup: the limits keep it removable. */
#define NSB_CGROUP_MAX_DEPTH "16"
#define NSB_CGROUP_MAX_DESCENDANTS "1000"

/* The v2 hierarchy's mount point: /sys/fs/cgroup when it is one, else the hybrid
 * layout's /sys/fs/cgroup/unified; NULL when neither is. */
static const char *v2_mount(void)
{
	static const char *const where[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
		struct statfs st;
		if (statfs(where[w], &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
			return where[w];
	}
	return NULL;
}

int nsb_cgroup_own_path(const char *text, char *out, size_t len)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, "0::", 3) != 0)
			continue;
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l - 3) : strlen(l + 3);
		if (n == 0 || n >= len || l[3] != '/')
			return -ENOENT;
		memcpy(out, l + 3, n);
		out[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* Writes TEXT to the file PATH (relative to DIRFD); 0 or -errno. */
static int write_small(int dirfd, const char *path, const char *text)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int e = n < 0 ? errno : 0;
	close(fd);
	return n < 0 ? -e : 0;
}

/* True when the space-separated LIST names WORD. */
static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* Removes the cgroup NAME in the directory AT and every cgroup below it, deepest
 * first, going by fds (no path grows); 0, or -1 with errno. */
static int remove_tree(int at, const char *name, int depth)
{
	int fd = depth < 64 ? openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				(void)remove_tree(dirfd(d), e->d_name, depth + 1);
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	return unlinkat(at, name, AT_REMOVEDIR);
}

/* Removes the cgroups "nsboot-PID" in PARENT whose nsboot is gone (a SIGKILLed nsboot
 * could not remove its own) and that hold no process. */
static void remove_stale(const char *parent)
{
	DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		if (strncmp(e->d_name, "nsboot-", 7) != 0)
			continue;
		long pid = strtol(e->d_name + 7, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (remove_tree(dirfd(d), e->d_name, 0) == 0)
			log_debug("removed the stale cgroup %s/%s", parent, e->d_name);
	}
	closedir(d);
}

/* Writes the limit VALUE (0: none) to FILE of CG when its CONTROLLER is enabled there;
 * 0 or a negative errno with one line in ERR naming OPTION. */
static int set_limit(struct nsb_cgroup *cg, const char *option, const char *controller,
		     const char *file, unsigned long long value, char *err, size_t len)
{
	char ctl[512], text[32];
	if (!value)
		return 0;
	ssize_t n = nsb_read_small(cg->dirfd, "cgroup.controllers", ctl, sizeof ctl);
	if (n >= 0 && !listed(ctl, controller)) {
		/* the parent may have it without passing it on: ask it to (the root cgroup, or
		 * one without processes of its own, can) */
		snprintf(text, sizeof text, "+%s", controller);
		if (write_small(cg->dirfd, "../cgroup.subtree_control", text) == 0)
			n = nsb_read_small(cg->dirfd, "cgroup.controllers", ctl, sizeof ctl);
	}
	if (n < 0 || !listed(ctl, controller)) {
		if (n > 0 && ctl[n - 1] == '\n')
			ctl[n - 1] = '\0';
		snprintf(err, len, "%s: the %s controller is not enabled for %s (its "
			 "cgroup.controllers: %s; the parent's cgroup.subtree_control enables it)",
			 option, controller, cg->path,
			 n < 0 ? strerror((int)-n) : ctl[0] ? ctl : "none");
		return -EOPNOTSUPP;
	}
	snprintf(text, sizeof text, "%llu", value);
	int r = write_small(cg->dirfd, file, text);
	if (r < 0)
		snprintf(err, len, "%s: write %s/%s: %s", option, cg->path, file, strerror(-r));
	return r;
}

int nsb_cgroup_create(struct nsb_cgroup *cg, const struct nsb_config *c, char *err, size_t len)
{
	char text[8192], own[2048], parent[4096];
	bool limits = c->memory_max || c->pids_max;
	const char *what = limits ? (c->memory_max ? "--memory-max" : "--pids-max") : NULL;
	cg->dirfd = -1;
	cg->path[0] = '\0';
	const char *mnt = v2_mount();
	int r = 0;
	if (!mnt) {
		snprintf(err, len, "%s%sno cgroup2 file system at /sys/fs/cgroup or "
			 "/sys/fs/cgroup/unified", what ? what : "", what ? ": " : "");
		return limits ? -EOPNOTSUPP : 1;
	}
	if (nsb_read_small(AT_FDCWD, "/proc/self/cgroup", text, sizeof text) < 0 ||
	    nsb_cgroup_own_path(text, own, sizeof own) < 0) {
		snprintf(err, len, "%s%sno cgroup v2 line in /proc/self/cgroup", what ? what : "",
			 what ? ": " : "");
		return limits ? -EOPNOTSUPP : 1;
	}
	snprintf(parent, sizeof parent, "%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);
	/* a cgroup of someone else's (sudo from a user's delegated cgroup) would let them
	 * move the container's processes out of ours */
	struct stat st;
	if (stat(parent, &st) == 0 && st.st_uid != geteuid()) {
		snprintf(err, len, "%s%sthe cgroup %s belongs to uid %u, not to us", what ? what : "",
			 what ? ": " : "", parent, (unsigned)st.st_uid);
		return limits ? -EPERM : 1;
	}
	remove_stale(parent);
	snprintf(cg->path, sizeof cg->path, "%.4000s/nsboot-%d", parent, (int)getpid());
	if (mkdir(cg->path, 0755) < 0) {
		r = -errno;
		snprintf(err, len, "%s%scannot make a cgroup in %s: %s", what ? what : "",
			 what ? ": " : "", parent, strerror(-r));
		cg->path[0] = '\0';
		return limits ? r : 1;
	}
	if ((cg->dirfd = open(cg->path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(err, len, "open %s: %s", cg->path, strerror(-r));
	}
	if (r == 0 && (write_small(cg->dirfd, "cgroup.max.depth", NSB_CGROUP_MAX_DEPTH) < 0 ||
		       write_small(cg->dirfd, "cgroup.max.descendants", NSB_CGROUP_MAX_DESCENDANTS) < 0))
		log_debug("cgroup %s: no limit on the cgroups below it: %s", cg->path, strerror(errno));
	if (r == 0)
		r = set_limit(cg, "--memory-max", "memory", "memory.max", c->memory_max, err, len);
	if (r == 0)
		r = set_limit(cg, "--pids-max", "pids", "pids.max", c->pids_max, err, len);
	if (r < 0)
		nsb_cgroup_destroy(cg);
	return r;
}

long long nsb_cgroup_oom_kills(const struct nsb_cgroup *cg)
{
	char text[1024];
	if (cg->dirfd < 0 || nsb_read_small(cg->dirfd, "memory.events", text, sizeof text) < 0)
		return -1;
	const char *p = strstr(text, "oom_kill ");
	long long n;
	return p && (p == text || p[-1] == '\n') && sscanf(p, "oom_kill %lld", &n) == 1 ? n : -1;
}

int nsb_cgroup_enter(const struct nsb_cgroup *cg, pid_t pid)
{
	char text[32];
	snprintf(text, sizeof text, "%d", (int)pid);
	return cg->dirfd < 0 ? 0 : write_small(cg->dirfd, "cgroup.procs", text);
}

void nsb_cgroup_delegate(const struct nsb_cgroup *cg, uid_t uid, gid_t gid)
{
	static const char *const files[] = { "", "cgroup.procs", "cgroup.threads",
					     "cgroup.subtree_control" };
	if (cg->dirfd < 0)
		return;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (fchownat(cg->dirfd, files[i], uid, gid, AT_EMPTY_PATH) < 0 && errno != ENOENT)
			log_debug("cgroup: chown %s/%s: %s", cg->path, files[i], strerror(errno));
}

void nsb_cgroup_destroy(struct nsb_cgroup *cg)
{
	if (!cg->path[0])
		return;
	if (cg->dirfd >= 0) {
		int r = write_small(cg->dirfd, "cgroup.kill", "1");
		if (r < 0 && r != -ENOENT)
			log_debug("cgroup: kill %s: %s", cg->path, strerror(-r));
		close(cg->dirfd);
		cg->dirfd = -1;
	}
	/* the killed leave the cgroup as they exit: then it can go */
	long long until = nsb_now_ms() + NSB_CGROUP_RMDIR_MS;
	while (remove_tree(AT_FDCWD, cg->path, 0) < 0 && errno == EBUSY && nsb_now_ms() < until) {
		struct timespec ms = { 0, 10 * 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
	if (access(cg->path, F_OK) == 0)
		log_warn("cgroup %s: not removed: %s", cg->path, strerror(EBUSY));
	cg->path[0] = '\0';
}
