/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsb_setup_root(): read every host input, make / a recursive slave, build the plan,
 * move into a staging tmpfs (the caller's root stays reachable as /oldroot, so sources
 * under any host path work), apply the plan, then pivot into the new root and detach
 * everything else. */
#include "setup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "boot.h"
#include "clock.h"
#include "log.h"
#include "ops.h"
#include "paths.h"
#include "plan.h"

#ifndef NS_GET_USERNS
#define NS_GET_USERNS 0xb701 /* _IO(0xb7, 0x1) */
#endif

#define OLDROOT "/oldroot"

/* Everything read from the host before the first mount. */
struct inputs {
	char tree[PATH_MAX];
	char cwd[PATH_MAX];
	char console[PATH_MAX];
	struct nsb_fstab fstab;
	struct nsb_droplist drop;
	bool have_drop;
	enum nsb_boot_kind kind;
	struct nsb_plan_facts facts;
	struct nsb_plan plan;
};

/* 1 when the namespace NS of this process is owned by its own user namespace. */
static int owns_ns(const char *ns)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int owner = ioctl(fd, NS_GET_USERNS);
	close(fd);
	struct stat a, b;
	int r = owner >= 0 && fstat(owner, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 &&
		a.st_ino == b.st_ino && a.st_dev == b.st_dev;
	if (owner >= 0)
		close(owner);
	return r;
}

/* True when gid 5 (tty) is mapped in this user namespace. */
static bool gid5_mapped(void)
{
	FILE *f = fopen("/proc/self/gid_map", "re");
	if (!f)
		return false;
	unsigned long in, out, count;
	bool found = false;
	while (!found && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
		found = in <= 5 && 5 - in < count;
	fclose(f);
	return found;
}

/* Reads the host-side inputs into IN: TREE, cwd, fstab files, drop list, facts. */
static int read_inputs(const struct nsb_config *c, const struct nsb_setup_env *env,
		       struct inputs *in, struct nsb_error *err)
{
	char msg[sizeof err->message];
	struct nsb_plan_facts *f = &in->facts;
	int treefd = -1, r = 0;

	if (!getcwd(in->cwd, sizeof in->cwd))
		snprintf(in->cwd, sizeof in->cwd, "/");
	f->cwd = in->cwd;
	if (env->tree_fd >= 0) {
		f->tree_fd = true;
		treefd = fcntl(env->tree_fd, F_DUPFD_CLOEXEC, 3);
	} else if (c->root != NSB_ROOT_TMPFS) {
		struct stat st;
		if (!c->tree)
			return nsb_error_set(err, -EINVAL, NSB_PHASE_TREE, "no TREE given");
		if (!realpath(c->tree, in->tree))
			return nsb_error_set(err, -errno, NSB_PHASE_TREE, "%s: %s", c->tree, strerror(errno));
		if (stat(in->tree, &st) < 0)
			return nsb_error_set(err, -errno, NSB_PHASE_TREE, "%s: %s", c->tree, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return nsb_error_set(err, -ENOTDIR, NSB_PHASE_TREE, "%s: %s", c->tree, strerror(ENOTDIR));
		f->tree = in->tree;
		treefd = open(in->tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (treefd < 0)
			return nsb_error_set(err, -errno, NSB_PHASE_TREE, "%s: %s", c->tree, strerror(errno));
	}

	for (size_t i = 0; i < c->n_fstabs; i++) {
		r = nsb_fstab_read(c->fstabs[i], &in->fstab, msg, sizeof msg);
		if (r < 0) {
			nsb_error_set(err, r, NSB_PHASE_FSTAB, "%s", msg);
			goto out;
		}
	}
	f->fstab = &in->fstab;

	/* the drop list: --drop-services, or the preset's default list */
	r = nsb_boot_kind(c, treefd, &in->kind, msg, sizeof msg);
	if (r < 0) {
		nsb_error_set(err, r, NSB_PHASE_BOOT, "%s", msg);
		goto out;
	}
	const char *list = c->drop_services;
	char path[PATH_MAX];
	if (!list && (in->kind == NSB_BOOT_SYSV || in->kind == NSB_BOOT_OPENRC)) {
		const char *name = nsb_droplist_default(in->kind);
		if (name && (r = nsb_find_data(name, path, sizeof path)) < 0) {
			nsb_error_set(err, r, NSB_PHASE_DROP_SERVICES, "%s: %s", name, strerror(-r));
			goto out;
		}
		list = name ? path : NULL;
	}
	if (list) {
		r = nsb_droplist_read(list, &in->drop, msg, sizeof msg);
		if (r < 0) {
			nsb_error_set(err, r, NSB_PHASE_DROP_SERVICES, "%s", msg);
			goto out;
		}
		f->drop = &in->drop;
		/* A COMMAND (or shell, guix) boot still masks with the stub the tree's own
		 * init system runs: its kind as detected in the tree. */
		enum nsb_boot_kind stub_kind = in->kind;
		if (stub_kind != NSB_BOOT_SYSV && stub_kind != NSB_BOOT_OPENRC) {
			struct nsb_config probe = *c;
			probe.argc = 0;
			probe.boot = NULL;
			(void)nsb_boot_kind(&probe, treefd, &stub_kind, NULL, 0);
		}
		f->stub = nsb_service_stub(stub_kind);
	}

	f->own_netns = env->own_netns >= 0 ? env->own_netns : owns_ns("net");
	f->own_ipcns = env->own_ipcns >= 0 ? env->own_ipcns : owns_ns("ipc");
	f->gid5_mapped = gid5_mapped();
	if (isatty(STDIN_FILENO) && ttyname_r(STDIN_FILENO, in->console, sizeof in->console) == 0 &&
	    access(in->console, F_OK) == 0)
		f->console = in->console;
	r = 0;
out:
	if (treefd >= 0)
		close(treefd);
	return r;
}

/* Mounts the staging tmpfs over an existing directory and pivots into it: the caller's
 * root is then OLDROOT. */
static int enter_stage(struct nsb_error *err)
{
	static const char *const dirs[] = { "/tmp", "/mnt", "/run", "/dev", NULL };
	const char *stage = NULL;
	struct stat st;
	for (const char *const *d = dirs; *d && !stage; d++)
		if (stat(*d, &st) == 0 && S_ISDIR(st.st_mode))
			stage = *d;
	if (!stage)
		return nsb_error_set(err, -ENOENT, NSB_PHASE_MOUNT, "no directory to stage on (/tmp, /mnt, /run, /dev)");
	int r = nsb_sys->mount("nsboot", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	if (r < 0)
		return nsb_error_set(err, r, NSB_PHASE_MOUNT, "tmpfs -> %s (staging): %s", stage, strerror(-r));
	char old[PATH_MAX];
	snprintf(old, sizeof old, "%s" OLDROOT, stage);
	if ((r = nsb_sys->mkdirat(AT_FDCWD, old, 0755)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_MOUNT, "mkdir %s (staging): %s", old, strerror(-r));
	if ((r = nsb_sys->chdir(stage)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "chdir %s: %s", stage, strerror(-r));
	if ((r = nsb_sys->pivot_root(".", "." OLDROOT)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "pivot_root into the staging tmpfs %s: %s", stage,
			    strerror(-r));
	if ((r = nsb_sys->chdir("/")) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "chdir /: %s", strerror(-r));
	return 0;
}

/* Pivots into the new root ROOTFD and detaches the old one (the staging tmpfs with the
 * caller's root under it): pivot_root(".", ".") stacks the old root on the new one, so no
 * directory has to be made in the tree (a read-only tree has no room for one). */
int nsb_pivot(int rootfd, struct nsb_error *err)
{
	int r = nsb_sys->fchdir(rootfd);
	if (r < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "chdir into the new root: %s", strerror(-r));
	if ((r = nsb_sys->pivot_root(".", ".")) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "pivot_root: %s", strerror(-r));
	if ((r = nsb_sys->umount2(".", MNT_DETACH)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "detach the old root: %s", strerror(-r));
	if ((r = nsb_sys->chdir("/")) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "chdir /: %s", strerror(-r));
	return 0;
}

int nsb_setup_root(const struct nsb_config *c, const struct nsb_setup_env *env,
		   struct nsb_error *err)
{
	long long t0 = nsb_now_us();
	struct inputs *in = calloc(1, sizeof *in);
	if (!in)
		return nsb_error_set(err, -ENOMEM, NSB_PHASE_MOUNT, "out of memory");
	mode_t mask = umask(022);
	struct nsb_apply_ctx a = { .stage_fd = -1, .root_fd = -1 };
	int hostfd = -1;
	bool staged = false;
	char msg[sizeof err->message];

	int r = read_inputs(c, env, in, err);
	if (r < 0)
		goto out;
	r = nsb_plan_build(c, &in->facts, &in->plan, msg, sizeof msg);
	if (r < 0) {
		nsb_error_set(err, r, NSB_PHASE_PLAN, "%s", msg);
		goto out;
	}
	r = nsb_sys->mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	if (r < 0) {
		nsb_error_set(err, r, NSB_PHASE_MOUNT, "make / a recursive slave: %s", strerror(-r));
		goto out;
	}
	if ((r = enter_stage(err)) < 0)
		goto out;
	hostfd = open(OLDROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (hostfd < 0) {
		r = nsb_error_set(err, -errno, NSB_PHASE_PIVOT, OLDROOT ": %s", strerror(errno));
		goto out;
	}
	staged = true;
	if (access(OLDROOT "/proc/self/fd", F_OK) < 0) {
		r = nsb_error_set(err, -errno, NSB_PHASE_MOUNT, "/proc/self/fd: %s (is /proc mounted?)", strerror(errno));
		goto out;
	}
	r = nsb_apply_init(&a, "", hostfd, OLDROOT "/proc/self/fd", env->tree_fd, false);
	if (r < 0) {
		nsb_error_set(err, r, NSB_PHASE_MOUNT, "staging: %s", strerror(-r));
		goto out;
	}
	a.pidns_fd = env->pidns_fd;
	a.join_netns = env->join_netns;
	a.join_arg = env->join_arg;
	if ((r = nsb_apply_plan(&a, &in->plan, err)) < 0)
		goto out;
	if (a.root_fd < 0) {
		r = nsb_error_set(err, -EINVAL, NSB_PHASE_MOUNT, "the plan made no root");
		goto out;
	}
	r = nsb_pivot(a.root_fd, err);
	if (r == 0)
		log_debug("root set up in %lld us (%zu plan entries)", nsb_now_us() - t0,
			  in->plan.n);
out:
	if (r < 0 && staged) {
		/* back to the caller's root, the staging tmpfs and all it holds detached: the
		 * caller (and a PID 1 whose root moved with ours) exits from where it started */
		struct nsb_error ignored;
		if (nsb_pivot(hostfd, &ignored) < 0)
			log_debug("leaving the staging root: %s", ignored.message);
	}
	nsb_apply_done(&a);
	if (hostfd >= 0)
		close(hostfd);
	nsb_fstab_free(&in->fstab);
	free(in);
	umask(mask);
	return r;
}
