/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Applying plan entries: one libmount context per mount (mtab/utab writing off, no
 * helpers, no canonicalization), read-only by mount_setattr() (which keeps the locked
 * flags of a user namespace) and targets resolved inside the new root with openat2(). */
#include "apply.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libmount.h>

#include "clone.h"
#include "list.h"
#include "log.h"
#include "ops.h"
#include "resolve.h"

#define PATH_BUF 4200
#define MAX_LOWER 32

int nsb_apply_init(struct nsb_apply_ctx *a, const char *stage, int host_fd,
		   const char *fd_prefix, int tree_fd, bool fake)
{
	*a = (struct nsb_apply_ctx){ .stage = stage, .host_fd = host_fd, .fd_prefix = fd_prefix,
				     .tree_fd = tree_fd, .pidns_fd = -1, .root_fd = -1,
				     .fake = fake };
	a->stage_fd = open(stage[0] ? stage : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return a->stage_fd < 0 ? -errno : 0;
}

void nsb_apply_done(struct nsb_apply_ctx *a)
{
	if (a->stage_fd >= 0)
		close(a->stage_fd);
	if (a->root_fd >= 0)
		close(a->root_fd);
	a->stage_fd = a->root_fd = -1;
}

/* Resolves PATH inside the root DFD (symlinks and ".." never leave it); magic links only
 * in a TRUSTED tree (the staging tmpfs, the host). */
static int open_in(int dfd, const char *path, bool trusted)
{
	return nsb_open_in_root(dfd, path, trusted ? 0 : NSB_IN_ROOT_NO_MAGICLINKS);
}

/* The description of E for messages: "TYPE SOURCE -> TARGET". */
static void describe(const struct nsb_entry *e, char *buf, size_t len)
{
	const char *kind = e->op == NSB_OP_ATTACH ? "tree" : e->type ? e->type : "bind";
	const char *src = e->op == NSB_OP_ATTACH ? "fd" : e->lower ? e->lower : e->source;
	const char *tgt = e->flags & NSB_F_NEWROOT ? "new root" :
			  e->dst_at == NSB_AT_STAGE && strcmp(e->target, "/") == 0 ? "staging tmpfs" :
			  e->target;
	if (!src || (e->src_at == NSB_AT_NONE && e->type && strcmp(src, e->type) == 0))
		snprintf(buf, len, "%s%s%s -> %s", e->origin ? e->origin : "", e->origin ? ": " : "",
			 kind, tgt);
	else
		snprintf(buf, len, "%s%s%s %s -> %s", e->origin ? e->origin : "",
			 e->origin ? ": " : "", kind, src, tgt);
}

static int fail(const struct nsb_entry *e, char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Writes "DESCRIPTION: REASON" into ERR and returns RET. */
static int fail(const struct nsb_entry *e, char *err, size_t len, int ret, const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	describe(e, what, sizeof what);
	int n = snprintf(err, len, "%s: ", what);
	if (n < 0 || (size_t)n >= len)
		return ret;
	va_start(ap, fmt);
	nsb_vfail(err + n, len - (size_t)n, ret, fmt, ap);
	va_end(ap);
	return ret;
}

/* The path the kernel reaches FD by, in BUF. */
static const char *fd_path(const struct nsb_apply_ctx *a, int fd, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%d", a->fd_prefix, fd);
	return buf;
}

/* A staging path: the prefix plus PATH. */
static const char *stage_path(const struct nsb_apply_ctx *a, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", a->stage, path);
	return buf;
}

/* Resolves the path P at base AT to an O_PATH fd (-1 for a staging path or none), with the
 * path to hand to the kernel in BUF. Returns the fd, -1, or a negative errno (< -1). */
static int resolve(const struct nsb_apply_ctx *a, enum nsb_base at, const char *p, char *buf,
		   size_t len, int *fdout)
{
	int fd;
	*fdout = -1;
	switch (at) {
	case NSB_AT_NONE:
		snprintf(buf, len, "%s", p);
		return 0;
	case NSB_AT_STAGE:
		stage_path(a, p, buf, len);
		return 0;
	case NSB_AT_HOST:
		fd = open_in(a->host_fd, p, true);
		break;
	case NSB_AT_ROOT:
	default:
		if (a->root_fd < 0)
			return -EBADF;
		fd = open_in(a->root_fd, p, false);
		break;
	}
	if (fd < 0)
		return fd;
	*fdout = fd;
	fd_path(a, fd, buf, len);
	return 0;
}

/* Translates a libmount result into 0 or a negative errno, or a library message in WHY. */
static int mount_result(struct libmnt_context *cxt, int rc, char *why, size_t len)
{
	why[0] = '\0';
	if (rc == 0 && (!mnt_context_syscall_called(cxt) || mnt_context_get_syscall_errno(cxt) == 0))
		return 0;
	if (mnt_context_syscall_called(cxt) && mnt_context_get_syscall_errno(cxt))
		return -mnt_context_get_syscall_errno(cxt);
	if (rc > 0)
		return -rc;
	if (rc < 0 && -rc < MNT_ERR_NOFSTAB)
		return rc;
	/* a library error (-MNT_ERR_*): libmount's own words */
	char msg[256] = "";
	mnt_context_get_excode(cxt, rc, msg, sizeof msg);
	snprintf(why, len, "libmount: %s", msg[0] ? msg : "error");
	return rc < 0 ? -EINVAL : -EIO;
}

/* One mount through a fresh libmount context; 0, a negative errno, or a library error
 * whose text is in WHY. */
static int do_mount(const struct nsb_apply_ctx *a, const char *src, const char *tgt,
		    const char *type, const char *opts, char *why, size_t len)
{
	struct libmnt_context *cxt = mnt_new_context();
	if (!cxt)
		return -ENOMEM;
	mnt_context_disable_mtab(cxt, 1);
	mnt_context_disable_canonicalize(cxt, 1);
	mnt_context_disable_helpers(cxt, 1);
	mnt_context_disable_swapmatch(cxt, 1);
	if (a->fake) {
		mnt_context_enable_fake(cxt, 1);
		mnt_context_force_unrestricted(cxt);
	}
	int r = mnt_context_set_source(cxt, src);
	if (r == 0)
		r = mnt_context_set_target(cxt, tgt);
	if (r == 0)
		r = mnt_context_set_fstype(cxt, type ? type : "none");
	if (r == 0 && opts)
		r = mnt_context_set_options(cxt, opts);
	if (r == 0) {
		int rc = mnt_context_mount(cxt);
		r = mount_result(cxt, rc, why, len);
	} else {
		snprintf(why, len, "libmount: cannot set up the context");
	}
	mnt_free_context(cxt);
	return r;
}

/* Mounts proc for the pid namespace A->pidns_fd where the kernel has no pidns= option
 * (before Linux 6.15): proc shows its mounter's pid namespace, so a child forked into
 * that namespace makes the mount and exits. It takes pid 2 by name (clone3's set_tid),
 * which leaves the namespace's pid counter where it was: the boot command still gets 2.
 * 0 or a negative errno. */
static int mount_proc_from_inside(const struct nsb_apply_ctx *a, const char *src,
				  const char *tgt, const char *type, const char *opts)
{
	if (setns(a->pidns_fd, CLONE_NEWPID) < 0)
		return -errno;
	int64_t tid = 2;
	struct nsb_clone_args args = { .exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&tid,
				      .set_tid_size = 1 };
	long pid = nsb_clone3(&args);
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG))
		pid = fork(); /* no set_tid (before Linux 5.5): the boot command gets pid 3 */
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char why[256];
		int r = do_mount(a, src, tgt, type, opts, why, sizeof why);
		_exit(r < 0 && -r < 256 ? -r : r < 0 ? EIO : 0);
	}
	int st;
	while (waitpid((pid_t)pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? -WEXITSTATUS(st) : -EIO;
}

/* Mounts proc for the pid namespace A->pidns_fd: with pidns=, or from inside it where the
 * kernel does not know that option (or NSBOOT_PROC_FROM_INSIDE=1 says so, for tests). */
static int mount_proc_for(const struct nsb_apply_ctx *a, const char *src, const char *tgt,
			  const char *type, const char *options, char *why, size_t len)
{
	char opts[8192], fdp[64];
	const char *inside = getenv("NSBOOT_PROC_FROM_INSIDE");
	if (!(inside && strcmp(inside, "1") == 0)) {
		int n = snprintf(opts, sizeof opts, "%s%spidns=%s", options ? options : "",
				 options && options[0] ? "," : "",
				 fd_path(a, a->pidns_fd, fdp, sizeof fdp));
		if (n < 0 || (size_t)n >= sizeof opts)
			return -E2BIG;
		int r = do_mount(a, src, tgt, type, opts, why, len);
		if (r != -EINVAL)
			return r;
		log_debug("proc: no pidns= option in this kernel: mounted from inside");
	}
	why[0] = '\0';
	return mount_proc_from_inside(a, src, tgt, type, options);
}

/* Makes the mount at the target of E read-only (its submounts too with NSB_F_RECURSIVE);
 * on failure unmounts it so that it is never left writable. */
static int make_rdonly(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *err, size_t len)
{
	char path[PATH_BUF];
	int fd;
	/* opened again: the fd taken before the mount names what is under it */
	int r = resolve(a, e->dst_at, e->target, path, sizeof path, &fd);
	if (r == 0 && fd < 0) {
		fd = open_in(a->stage_fd, e->target, true);
		if (fd < 0)
			r = fd;
		else
			fd_path(a, fd, path, sizeof path);
	}
	if (r < 0)
		return fail(e, err, len, r, "read-only: %s", strerror(-r));
	struct nsb_mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	r = nsb_sys_mount_setattr(fd, "", AT_EMPTY_PATH |
				   (e->flags & NSB_F_RECURSIVE ? AT_RECURSIVE : 0), &attr);
	if (r < 0) {
		int u = nsb_sys_umount2(path, MNT_DETACH);
		close(fd);
		if (u < 0)
			return fail(e, err, len, r, "read-only: %s; unmounting it failed too: %s",
				    strerror(-r), strerror(-u));
		return fail(e, err, len, r, "read-only: %s (unmounted)", strerror(-r));
	}
	close(fd);
	return 0;
}

/* Creates the missing target of E inside the new root as its flags say; 1 to skip E, 0,
 * or a negative errno. */
static int make_target(struct nsb_apply_ctx *a, const struct nsb_entry *e, int srcfd)
{
	if (e->flags & NSB_F_IF_EXISTS)
		return 1;
	bool file = e->flags & NSB_F_MKFILE;
	if (e->flags & NSB_F_MKPOINT) {
		struct stat st;
		file = srcfd >= 0 && fstat(srcfd, &st) == 0 && !S_ISDIR(st.st_mode);
	} else if (!(e->flags & (NSB_F_MKDIR | NSB_F_MKFILE))) {
		return -ENOENT;
	}
	return nsb_mkpath_in_root(a->root_fd, e->target, file);
}

/* Builds the overlay options of E into OPTS, resolving its lower dirs (fds kept in FDS). */
static int overlay_opts(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *opts, size_t len,
			int *fds, size_t *nfds, char *err, size_t errlen)
{
	size_t o = 0;
	o += (size_t)snprintf(opts, len, "lowerdir=");
	for (const char *s = e->lower; *s;) {
		size_t n = strcspn(s, ":");
		char one[PATH_BUF], path[PATH_BUF];
		snprintf(one, sizeof one, "%.*s", (int)n, s);
		int fd;
		int r = resolve(a, e->src_at, one, path, sizeof path, &fd);
		if (r < 0)
			return fail(e, err, errlen, r, "%s: %s", one, strerror(-r));
		if (fd >= 0)
			fds[(*nfds)++] = fd;
		o += (size_t)snprintf(opts + o, len - o, "%s%s", s == e->lower ? "" : ":", path);
		s += n;
		if (*s == ':')
			s++;
		if (o >= len || *nfds >= MAX_LOWER)
			return fail(e, err, errlen, -E2BIG, "too many lower dirs");
	}
	char up[PATH_BUF], work[PATH_BUF];
	snprintf(up, sizeof up, "%s/upper", e->upper);
	snprintf(work, sizeof work, "%s/work", e->upper);
	int r = nsb_mkpath_in_root(a->stage_fd, up, false);
	if (r == 0)
		r = nsb_mkpath_in_root(a->stage_fd, work, false);
	if (r < 0)
		return fail(e, err, errlen, r, "staging %s: %s", e->upper, strerror(-r));
	o += (size_t)snprintf(opts + o, len - o, ",upperdir=%s%s/upper,workdir=%s%s/work%s%s",
			      a->stage, e->upper, a->stage, e->upper, e->options ? "," : "",
			      e->options ? e->options : "");
	if (o >= len)
		return fail(e, err, errlen, -E2BIG, "overlay options too long");
	return 0;
}

/* Rewrites the absolute paths in the lowerdir=, upperdir= and workdir= options of E (an
 * fstab overlay line, written with host paths) to the fds they resolve to on the host. */
static int host_opts(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *opts, size_t len,
		     int *fds, size_t *nfds, char *err, size_t errlen)
{
	size_t o = 0, n;
	opts[0] = '\0';
	for (const char *rest = e->options, *s; nsb_list_next(&rest, &s, &n);) {
		const char *eq = memchr(s, '=', n);
		size_t klen = eq ? (size_t)(eq - s) : n;
		bool written = eq && ((klen == 8 && strncmp(s, "upperdir", 8) == 0) ||
				      (klen == 7 && strncmp(s, "workdir", 7) == 0));
		bool paths = written || (eq && klen == 8 && strncmp(s, "lowerdir", 8) == 0);
		o += (size_t)snprintf(opts + o, len - o, "%s%.*s", o ? "," : "",
				      (int)(paths ? klen + 1 : n), s);
		if (o >= len)
			return fail(e, err, errlen, -E2BIG, "options too long");
		for (const char *v = paths ? eq + 1 : s + n; v < s + n;) {
			size_t m = strcspn(v, ":,");
			char one[PATH_BUF], path[PATH_BUF];
			snprintf(one, sizeof one, "%.*s", (int)m, v);
			if (one[0] == '/') {
				int fd;
				int r = *nfds >= MAX_LOWER ? -E2BIG :
					resolve(a, NSB_AT_HOST, one, path, sizeof path, &fd);
				if (r < 0)
					return fail(e, err, errlen, r, "%s: %s", one, strerror(-r));
				fds[(*nfds)++] = fd;
				/* the kernel would mount the overlay read-only, without a word */
				if (written && faccessat(fd, "", W_OK, AT_EMPTY_PATH) < 0 &&
				    errno == EACCES)
					return fail(e, err, errlen, -EACCES, "%.*s=%s: the container's "
						    "root cannot write there (its host owner is not "
						    "mapped); use a folder of the container's range "
						    "(--private-users=BASE, chown BASE:BASE) or of "
						    "the rootless caller", (int)klen, s, one);
			} else {
				snprintf(path, sizeof path, "%s", one);
			}
			o += (size_t)snprintf(opts + o, len - o, "%s%s", v == eq + 1 ? "" : ":", path);
			if (o >= len)
				return fail(e, err, errlen, -E2BIG, "options too long");
			v += m;
			if (*v == ':')
				v++;
			if (o >= len)
				break;
		}
		if (o >= len)
			return fail(e, err, errlen, -E2BIG, "options too long");
	}
	return 0;
}

/* NSB_OP_MOUNT. */
static int apply_mount(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *err, size_t len)
{
	char src[PATH_BUF], tgt[PATH_BUF], why[300], opts[8192];
	int srcfd = -1, tgtfd = -1, lower[MAX_LOWER];
	size_t nlower = 0;
	const char *options = e->options;
	int r = 0;

	if (e->lower || (e->flags & NSB_F_HOST_OPTS)) {
		snprintf(src, sizeof src, "%s", e->source);
		r = e->lower ? overlay_opts(a, e, opts, sizeof opts, lower, &nlower, err, len)
			     : host_opts(a, e, opts, sizeof opts, lower, &nlower, err, len);
		if (r < 0)
			goto out;
		options = opts;
	} else {
		r = resolve(a, e->src_at, e->source, src, sizeof src, &srcfd);
		if (r == -ENOENT && (e->flags & (NSB_F_IF_SRC_EXISTS | NSB_F_IF_EXISTS))) {
			r = 1;
			goto out;
		}
		if (r < 0) {
			r = fail(e, err, len, r, "%s", strerror(-r));
			goto out;
		}
	}
	r = resolve(a, e->dst_at, e->target, tgt, sizeof tgt, &tgtfd);
	if (e->dst_at == NSB_AT_STAGE)
		r = nsb_mkpath_in_root(a->stage_fd, e->target, false);
	else if (r == -ENOENT) {
		r = make_target(a, e, srcfd);
		if (r < 0 && (e->flags & NSB_F_SOFT_POINT)) {
			/* skipped, ERR saying why */
			fail(e, err, len, r, "mount point %s: %s", e->target, strerror(-r));
			r = 1;
			goto out;
		}
		if (r == 0)
			r = resolve(a, e->dst_at, e->target, tgt, sizeof tgt, &tgtfd);
	}
	if (r == 1)
		goto out;
	if (r < 0) {
		r = fail(e, err, len, r, "mount point %s: %s", e->target, strerror(-r));
		goto out;
	}
	/* proc shows the pid namespace of its mounter, unless told another */
	if (a->pidns_fd >= 0 && e->type && strcmp(e->type, "proc") == 0)
		r = mount_proc_for(a, src, tgt, e->type, options, why, sizeof why);
	else
		r = do_mount(a, src, tgt, e->type, options, why, sizeof why);
	if (r < 0) {
		r = fail(e, err, len, r, "%s", why[0] ? why : strerror(-r));
		goto out;
	}
	if (e->flags & NSB_F_RDONLY)
		r = make_rdonly(a, e, err, len);
	if (r == 0 && (e->flags & NSB_F_NEWROOT)) {
		a->root_fd = open_in(a->stage_fd, e->target, true);
		if (a->root_fd < 0)
			r = fail(e, err, len, a->root_fd, "%s", strerror(-a->root_fd));
	}
out:
	if (srcfd >= 0)
		close(srcfd);
	if (tgtfd >= 0)
		close(tgtfd);
	for (size_t i = 0; i < nlower; i++)
		close(lower[i]);
	return r;
}

/* NSB_OP_ATTACH: the detached tree moved to its staging target. */
static int apply_attach(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *err, size_t len)
{
	char tgt[PATH_BUF];
	if (a->tree_fd < 0)
		return fail(e, err, len, -EBADF, "no tree fd");
	int r = nsb_mkpath_in_root(a->stage_fd, e->target, false);
	if (r == 0)
		r = nsb_sys_move_mount(a->tree_fd, "", AT_FDCWD, stage_path(a, e->target, tgt, sizeof tgt),
					MOVE_MOUNT_F_EMPTY_PATH);
	if (r < 0)
		return fail(e, err, len, r, "move_mount: %s", strerror(-r));
	if (e->flags & NSB_F_RDONLY && (r = make_rdonly(a, e, err, len)) < 0)
		return r;
	if (e->flags & NSB_F_NEWROOT) {
		a->root_fd = open_in(a->stage_fd, e->target, true);
		if (a->root_fd < 0)
			return fail(e, err, len, a->root_fd, "%s", strerror(-a->root_fd));
	}
	return 0;
}

/* NSB_OP_SYMLINK: TARGET inside the root pointing to SOURCE (an existing one is kept). */
static int apply_symlink(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *err, size_t len)
{
	char dir[PATH_BUF];
	snprintf(dir, sizeof dir, "%s", e->target);
	char *slash = strrchr(dir, '/');
	const char *name = slash ? slash + 1 : dir;
	if (slash)
		*slash = '\0';
	int dfd = a->root_fd < 0 ? -EBADF : open_in(a->root_fd, dir[0] ? dir : "/", false);
	if (dfd < 0)
		return fail(e, err, len, dfd, "%s: %s", dir, strerror(-dfd));
	int r = symlinkat(e->source, dfd, name) < 0 ? -errno : 0;
	close(dfd);
	if (r == -EEXIST)
		return 1;
	return r < 0 ? fail(e, err, len, r, "symlink: %s", strerror(-r)) : 0;
}

/* NSB_OP_FILE: SOURCE written into the staging file TARGET. */
static int apply_file(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *err, size_t len)
{
	const char *name = e->target;
	while (*name == '/')
		name++;
	int fd = openat(a->stage_fd, name, O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
			e->flags & NSB_F_EXEC ? 0755 : 0644);
	if (fd < 0) {
		/* an O_PATH dirfd cannot create: go by the path */
		char path[PATH_BUF];
		fd = open(stage_path(a, e->target, path, sizeof path),
			  O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
			  e->flags & NSB_F_EXEC ? 0755 : 0644);
	}
	if (fd < 0)
		return fail(e, err, len, -errno, "%s", strerror(errno));
	size_t n = strlen(e->source);
	ssize_t w = write(fd, e->source, n);
	int r = w < 0 ? -errno : (size_t)w != n ? -EIO : 0;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && (e->flags & NSB_F_EXEC)) {
		char path[PATH_BUF];
		if (chmod(stage_path(a, e->target, path, sizeof path), 0755) < 0)
			r = -errno;
	}
	return r < 0 ? fail(e, err, len, r, "%s", strerror(-r)) : 0;
}

int nsb_apply_entry(struct nsb_apply_ctx *a, const struct nsb_entry *e, char *err, size_t errlen)
{
	err[0] = '\0';
	switch (e->op) {
	case NSB_OP_MOUNT:
		return apply_mount(a, e, err, errlen);
	case NSB_OP_ATTACH:
		return apply_attach(a, e, err, errlen);
	case NSB_OP_SYMLINK:
		return apply_symlink(a, e, err, errlen);
	case NSB_OP_FILE:
		return apply_file(a, e, err, errlen);
	}
	return fail(e, err, errlen, -EINVAL, "unknown entry");
}

int nsb_apply_plan(struct nsb_apply_ctx *a, const struct nsb_plan *p, struct nsb_error *err)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct nsb_entry *e = &p->e[i];
		char msg[sizeof err->message];
		if ((e->flags & NSB_F_NETNS) && a->join_netns) {
			int (*join)(void *, char *, size_t) = a->join_netns;
			a->join_netns = NULL;
			int j = join(a->join_arg, msg, sizeof msg);
			if (j < 0) {
				return nsb_error_set(err, j, NSB_PHASE_NETWORK, "%s", msg);
			}
		}
		int r = nsb_apply_entry(a, e, msg, sizeof msg);
		if (r == 1) {
			if (e->flags & NSB_F_MASK)
				log_debug("drop-services: %s not in the tree: skipped", e->target);
			else if (msg[0])
				log_debug("skipped: %s", msg);
			else
				log_debug("skipped %s (absent)", e->target);
			continue;
		}
		if (r == 0)
			continue;
		if (e->flags & NSB_F_OPTIONAL) {
			log_debug("optional mount skipped: %s", msg);
			continue;
		}
		return nsb_error_set(err, r, e->flags & NSB_F_MASK ? NSB_PHASE_MASK :
					     e->origin ? NSB_PHASE_FSTAB : NSB_PHASE_MOUNT, "%s", msg);
	}
	return 0;
}
