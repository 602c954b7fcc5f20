/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsb_setup_root(): read every host input, make / a recursive slave, build the plan,
 * move into a staging tmpfs (the caller's root stays reachable as /oldroot, so sources
 * under any host path work), apply the plan, then pivot into the new root and detach
 * everything else. */
#include "setup.h"

#include <dirent.h>
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

/* Logs, with -v, the services masked and the list each came from. */
static void log_drops(const struct nsb_droplist *d)
{
	for (size_t f = 0; f < d->n_files && nsb_verbosity > 0; f++) {
		char names[1024] = "";
		size_t used = 0, n = 0;
		for (size_t i = 0; i < d->n; i++)
			if (d->from[i] == f && used < sizeof names) {
				used += (size_t)snprintf(names + used, sizeof names - used, " %s",
							 d->names[i]);
				n++;
			}
		log_debug("drop-services: %zu from %s:%s", n, d->files[f], n ? names : " (none new)");
	}
	if (nsb_verbosity > 0 && d->n_files == 0)
		log_debug("drop-services: none");
}

/* 1 when the text of service file FD has a `keyword` line naming one of WORDS (separated
 * by spaces). Reads the first 16 KiB, which holds an OpenRC script's depend(). */
static int keyword_drops(int fd, const char *words)
{
	char buf[16384], pad[256], key[256];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	snprintf(pad, sizeof pad, " %s ", words);
	for (char *line = buf, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (strncmp(line, "keyword", 7) != 0 || (line[7] != ' ' && line[7] != '\t'))
			continue;
		char *save = NULL;
		for (char *w = strtok_r(line + 7, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			if ((size_t)snprintf(key, sizeof key, " %s ", w) < sizeof key && strstr(pad, key))
				return 1;
	}
	return 0;
}

/* Says with -v which services of the tree's SERVICE_DIR the tree's own init system drops
 * once P's container-awareness file is in place (their `keyword` line names one of P's
 * SYS_DROPS), those the drop list masks aside: only regular files are read, opened
 * without following links. */
static void log_sys_drops(int treefd, const struct nsb_preset *p, const struct nsb_droplist *drop)
{
	if (nsb_verbosity <= 0 || treefd < 0 || !p->sys_drops || !p->service_dir)
		return;
	int dfd = nsb_in_root_open(treefd, p->service_dir, O_RDONLY | O_DIRECTORY);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	char names[1024] = "", self[64];
	size_t used = 0, n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int masked = e->d_name[0] == '.';
		for (size_t i = 0; i < drop->n && !masked; i++)
			masked = strcmp(drop->names[i], e->d_name) == 0;
		int pfd = masked ? -1 : openat(dirfd(d), e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (pfd < 0 || fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode)) {
			if (pfd >= 0)
				close(pfd);
			continue;
		}
		snprintf(self, sizeof self, "/proc/self/fd/%d", pfd);
		int fd = open(self, O_RDONLY | O_CLOEXEC);
		close(pfd);
		if (fd >= 0 && keyword_drops(fd, p->sys_drops) && used < sizeof names) {
			used += (size_t)snprintf(names + used, sizeof names - used, " %s", e->d_name);
			n++;
		}
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	log_debug("drop-services: %zu left to the tree's own keywords (%s, set by %s):%s", n, p->sys_drops,
		  p->sys_conf, n ? names : " (none)");
}

/* The services to mask: the boot preset's default list (unless --no-default-drops), then
 * each --drop-services file; masked with the stub and in the service directory of the
 * tree's own init system (the preset's, or for COMMAND, shell or guix, the one detected
 * in the tree). */
static int read_drops(const struct nsb_config *c, int treefd, struct inputs *in,
		      struct nsb_error *err)
{
	char msg[sizeof err->message];
	const struct nsb_preset *boot, *owner;
	int r = nsb_preset_choose(c, treefd, &boot, msg, sizeof msg);
	if (r < 0)
		return nsb_error_set(err, r, NSB_PHASE_BOOT, "%s", msg);
	in->drop.n = in->drop.n_files = 0;
	if (boot && boot->sys_conf) {
		in->facts.sys_conf = boot->sys_conf;
		in->facts.sys_text = boot->sys_text;
	}
	if (boot && boot->drops && !c->no_default_drops) {
		char path[PATH_MAX];
		if ((r = nsb_find_data(boot->drops, path, sizeof path)) < 0)
			return nsb_error_set(err, r, NSB_PHASE_DROP_SERVICES, "%s: %s", boot->drops, strerror(-r));
		if ((r = nsb_droplist_add(path, &in->drop, msg, sizeof msg)) < 0)
			return nsb_error_set(err, r, NSB_PHASE_DROP_SERVICES, "%s", msg);
	}
	for (size_t i = 0; i < c->n_drop_services; i++)
		if ((r = nsb_droplist_add(c->drop_services[i], &in->drop, msg, sizeof msg)) < 0)
			return nsb_error_set(err, r, NSB_PHASE_DROP_SERVICES, "%s", msg);
	if (boot && boot->sys_conf)
		log_sys_drops(treefd, boot, &in->drop);
	if (in->drop.n_files == 0)
		return 0;
	log_drops(&in->drop);
	owner = boot && boot->service_dir ? boot : nsb_preset_detect(treefd);
	/* a tree whose init system no row knows */
	if (!owner->service_dir)
		owner = nsb_preset_named(nsb_preset_masks_fallback);
	if (!owner || !owner->service_dir)
		return nsb_error_set(err, -EINVAL, NSB_PHASE_DROP_SERVICES, "no preset masks services");
	in->facts.drop = &in->drop;
	in->facts.stub = owner->stub;
	in->facts.service_dir = owner->service_dir;
	return 0;
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

	r = read_drops(c, treefd, in, err);
	if (r < 0)
		goto out;

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
	int r = nsb_sys_mount("nsboot", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	if (r < 0)
		return nsb_error_set(err, r, NSB_PHASE_MOUNT, "tmpfs -> %s (staging): %s", stage, strerror(-r));
	char old[PATH_MAX];
	snprintf(old, sizeof old, "%s" OLDROOT, stage);
	if ((r = nsb_sys_mkdirat(AT_FDCWD, old, 0755)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_MOUNT, "mkdir %s (staging): %s", old, strerror(-r));
	if ((r = nsb_sys_chdir(stage)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "chdir %s: %s", stage, strerror(-r));
	if ((r = nsb_sys_pivot_root(".", "." OLDROOT)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "pivot_root into the staging tmpfs %s: %s", stage,
			    strerror(-r));
	if ((r = nsb_sys_chdir("/")) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "chdir /: %s", strerror(-r));
	return 0;
}

/* Pivots into the new root ROOTFD and detaches the old one (the staging tmpfs with the
 * caller's root under it): pivot_root(".", ".") stacks the old root on the new one, so no
 * directory has to be made in the tree (a read-only tree has no room for one). */
int nsb_pivot(int rootfd, struct nsb_error *err)
{
	int r = nsb_sys_fchdir(rootfd);
	if (r < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "chdir into the new root: %s", strerror(-r));
	if ((r = nsb_sys_pivot_root(".", ".")) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "pivot_root: %s", strerror(-r));
	if ((r = nsb_sys_umount2(".", MNT_DETACH)) < 0)
		return nsb_error_set(err, r, NSB_PHASE_PIVOT, "detach the old root: %s", strerror(-r));
	if ((r = nsb_sys_chdir("/")) < 0)
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
	r = nsb_sys_mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
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
