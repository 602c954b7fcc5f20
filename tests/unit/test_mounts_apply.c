/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Applying plan entries (mounts/apply.c) with libmount's fake mode and faked syscalls,
 * targets in a temporary directory: mount points are created inside the new root only,
 * hostile symlinks never lead out, read-only binds are never left writable. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../mounts/apply.h"
#include "../../mounts/ops.h"
#include "scratch.h"

/* ---- faked system calls (-Wl,--wrap=nsb_sys_NAME, test_mounts_apply.ldflags): every call
 * is logged; results are set per test ---- */
int __real_nsb_sys_mkdirat(int dfd, const char *path, mode_t mode);

static char calls[64][512];
static size_t n_calls;
static int setattr_result, umount_result, move_result;
static unsigned setattr_flags;

static void logcall(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logcall(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (n_calls < 64)
		vsnprintf(calls[n_calls++], sizeof calls[0], fmt, ap);
	va_end(ap);
}

int __wrap_nsb_sys_mount(const char *s, const char *t, const char *ty, unsigned long f,
			  const void *d)
{
	logcall("mount %s %s", s ? s : "-", t);
	return 0;
}
int __wrap_nsb_sys_umount2(const char *t, int flags)
{
	logcall("umount2 %s %d", t, flags);
	return umount_result;
}
int __wrap_nsb_sys_pivot_root(const char *n, const char *o)
{
	logcall("pivot_root %s %s", n, o);
	return 0;
}
int __wrap_nsb_sys_mount_setattr(int dfd, const char *p, unsigned flags,
				  const struct nsb_mount_attr *a)
{
	logcall("mount_setattr %llu", (unsigned long long)a->attr_set);
	setattr_flags = flags;
	return setattr_result;
}
int __wrap_nsb_sys_move_mount(int fd, const char *f, int tfd, const char *t, unsigned flags)
{
	logcall("move_mount %d %s %u", fd, t, flags);
	return move_result;
}
static int mkdir_result; /* 0: mkdirat really runs */
int __wrap_nsb_sys_mkdirat(int dfd, const char *p, mode_t m)
{
	if (mkdir_result)
		return mkdir_result;
	return __real_nsb_sys_mkdirat(dfd, p, m);
}
int __wrap_nsb_sys_chdir(const char *p)
{
	logcall("chdir %s", p);
	return 0;
}
int __wrap_nsb_sys_fchdir(int fd)
{
	logcall("fchdir");
	return 0;
}

/* ---- a staging dir with a new root in it ---- */
static char stage[64], root[128], hostdir[64];
static struct nsb_apply_ctx ctx;
static char err[1024];

/* The path of REL under the new root. */
static const char *in_root(const char *rel)
{
	static char buf[PATH_MAX + 256];
	snprintf(buf, sizeof buf, "%s%s", root, rel);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	n_calls = 0;
	setattr_result = umount_result = move_result = mkdir_result = 0;
	snprintf(stage, sizeof stage, "/tmp/nsb-apply-XXXXXX");
	snprintf(hostdir, sizeof hostdir, "/tmp/nsb-host-XXXXXX");
	assert_non_null(mkdtemp(stage));
	assert_non_null(mkdtemp(hostdir));
	snprintf(root, sizeof root, "%s" NSB_STAGE_ROOT, stage);
	int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(nsb_apply_init(&ctx, stage, host, "/proc/self/fd", -1, true), 0);
	/* the new root: a (fake) tmpfs at the staging root dir */
	struct nsb_entry e = { .op = NSB_OP_MOUNT, .src_at = NSB_AT_NONE, .dst_at = NSB_AT_STAGE,
			       .source = "tmpfs", .target = NSB_STAGE_ROOT, .type = "tmpfs",
			       .options = "mode=755", .flags = NSB_F_MKDIR | NSB_F_NEWROOT };
	if (nsb_apply_entry(&ctx, &e, err, sizeof err) != 0)
		fail_msg("root: %s", err);
	assert_true(ctx.root_fd >= 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(ctx.host_fd);
	nsb_apply_done(&ctx);
	assert_int_equal(rm_tree(stage), 0);
	assert_int_equal(rm_tree(hostdir), 0);
	return 0;
}

/* Applies E, returning its result (ERR holds the message). */
static int apply(struct nsb_entry e)
{
	return nsb_apply_entry(&ctx, &e, err, sizeof err);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static void test_mkdir_inside_root(void **state)
{
	(void)state;
	assert_true(is_dir(root));
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .target = "/run/a/b", .type = "tmpfs", .flags = NSB_F_MKDIR }), 0);
	assert_true(is_dir(in_root("/run/a/b")));
}

static void test_missing_target_without_mkdir(void **state)
{
	(void)state;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .target = "/nope", .type = "tmpfs" }), -ENOENT);
	assert_string_equal(err, "tmpfs -> /nope: mount point /nope: No such file or directory");
	assert_false(exists(in_root("/nope")));
}

static void test_hostile_symlinks_stay_inside(void **state)
{
	(void)state;
	/* /opt -> / and a relative climb: both resolve to the new root, never the host's / */
	assert_int_equal(symlink("/", in_root("/opt")), 0);
	assert_int_equal(symlink("../../../../../../..", in_root("/up")), 0);
	char hostname[64];
	snprintf(hostname, sizeof hostname, "nsb-escape-%d", (int)getpid());
	char target[128], host_path[128];
	snprintf(target, sizeof target, "/opt/%s/x", hostname);
	snprintf(host_path, sizeof host_path, "/%s", hostname);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .target = target, .type = "tmpfs", .flags = NSB_F_MKDIR }), 0);
	char inside[192];
	snprintf(inside, sizeof inside, "/%s/x", hostname);
	assert_true(is_dir(in_root(inside)));
	assert_false(exists(host_path));

	snprintf(target, sizeof target, "/up/%s-2", hostname);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .target = target, .type = "tmpfs", .flags = NSB_F_MKDIR }), 0);
	snprintf(inside, sizeof inside, "/%s-2", hostname);
	assert_true(is_dir(in_root(inside)));
	snprintf(host_path, sizeof host_path, "/%s-2", hostname);
	assert_false(exists(host_path));
}

static void test_var_run_link(void **state)
{
	(void)state;
	assert_int_equal(mkdir(in_root("/run"), 0755), 0);
	assert_int_equal(mkdir(in_root("/var"), 0755), 0);
	assert_int_equal(symlink("/run", in_root("/var/run")), 0);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .target = "/var/run/lock", .type = "tmpfs", .flags = NSB_F_MKDIR }), 0);
	assert_true(is_dir(in_root("/run/lock")));
}

static void test_dangling_symlink_file_target(void **state)
{
	(void)state;
	/* an absolute dangling link naming a host path: created inside the root, never outside */
	char outside[128];
	snprintf(outside, sizeof outside, "%s/created", hostdir);
	assert_int_equal(mkdir(in_root("/etc"), 0755), 0);
	assert_int_equal(symlink(outside, in_root("/etc/hostname")), 0);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "/dev/null", .target = "/etc/hostname",
		.options = "bind", .flags = NSB_F_MKFILE }), 0);
	assert_false(exists(outside));
	struct stat st;
	assert_int_equal(lstat(in_root(outside), &st), 0);
	assert_true(S_ISREG(st.st_mode));

	/* Debian's relative /etc/resolv.conf -> ../run/... */
	assert_int_equal(symlink("../run/resolvconf/resolv.conf", in_root("/etc/resolv.conf")), 0);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "/dev/null", .target = "/etc/resolv.conf",
		.options = "bind", .flags = NSB_F_MKFILE }), 0);
	assert_int_equal(lstat(in_root("/run/resolvconf/resolv.conf"), &st), 0);
	assert_true(S_ISREG(st.st_mode));

	/* a dangling link in the middle of a directory path, climbing above the root */
	assert_int_equal(symlink("../../../../nsb-dangling-dir", in_root("/dd")), 0);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .type = "tmpfs", .target = "/dd/sub", .flags = NSB_F_MKDIR }), 0);
	assert_true(is_dir(in_root("/nsb-dangling-dir/sub")));
	assert_false(exists("/nsb-dangling-dir"));

	/* a loop is an error */
	assert_int_equal(symlink("/loop", in_root("/loop")), 0);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .type = "tmpfs", .target = "/loop/x", .flags = NSB_F_MKDIR }), -ELOOP);
	assert_non_null(strstr(err, "tmpfs -> /loop/x: mount point /loop/x: "));
}

static void test_bind_missing_source(void **state)
{
	(void)state;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "/nonexistent", .target = "/mnt",
		.options = "rbind", .flags = NSB_F_MKPOINT }), -ENOENT);
	assert_string_equal(err, "bind /nonexistent -> /mnt: No such file or directory");
	assert_false(exists(in_root("/mnt")));
}

static void test_mkpoint_follows_source_kind(void **state)
{
	(void)state;
	char file[128];
	snprintf(file, sizeof file, "%s/afile", hostdir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = file, .target = "/etc/f", .options = "bind",
		.flags = NSB_F_MKPOINT }), 0);
	struct stat st;
	assert_int_equal(lstat(in_root("/etc/f"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(is_dir(in_root("/etc")));
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = hostdir, .target = "/srv/d", .options = "rbind",
		.flags = NSB_F_MKPOINT }), 0);
	assert_true(is_dir(in_root("/srv/d")));
}

static void test_if_exists(void **state)
{
	(void)state;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "/dev/null", .target = "/proc/kcore",
		.options = "bind", .flags = NSB_F_RDONLY | NSB_F_IF_EXISTS }), 1);
	assert_false(exists(in_root("/proc")));
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_ROOT,
		.dst_at = NSB_AT_ROOT, .source = "/proc/irq", .target = "/proc/irq",
		.options = "bind", .flags = NSB_F_RDONLY | NSB_F_IF_EXISTS }), 1);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "/dev/nonexistent-fuse", .target = "/dev/fuse",
		.options = "bind", .flags = NSB_F_MKFILE | NSB_F_IF_SRC_EXISTS }), 1);
	assert_false(exists(in_root("/dev/fuse")));
	assert_int_equal(n_calls, 0);
}

/* A convenience (NSB_F_SOFT_POINT) whose missing mount point cannot be made is skipped,
 * saying why; without the flag that is fatal; once its mount point exists, any other
 * failure is fatal too (a read-only bind is never left writable). */
static void test_soft_mount_point(void **state)
{
	(void)state;
	char src[128];
	snprintf(src, sizeof src, "%s/hostname", hostdir);
	FILE *f = fopen(src, "w");
	assert_non_null(f);
	fclose(f);
	/* a read-only tree: no /etc can be made for /etc/hostname */
	mkdir_result = -EROFS;
	struct nsb_entry e = { .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST, .dst_at = NSB_AT_ROOT,
			       .source = src, .target = "/etc/hostname", .options = "bind",
			       .flags = NSB_F_MKFILE | NSB_F_RDONLY | NSB_F_SOFT_POINT };
	assert_int_equal(apply(e), 1);
	char want[512];
	snprintf(want, sizeof want, "bind %s -> /etc/hostname: mount point /etc/hostname: %s", src,
		 strerror(EROFS));
	assert_string_equal(err, want);
	assert_int_equal(n_calls, 0);

	struct nsb_plan *p = calloc(1, sizeof *p);
	struct nsb_error se = { "", "" };
	p->e[p->n++] = e;
	p->e[p->n++] = (struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .type = "tmpfs", .target = "/after", .flags = NSB_F_MKDIR };
	assert_int_equal(mkdir(in_root("/after"), 0755), 0); /* mkdirat fails */
	assert_int_equal(nsb_apply_plan(&ctx, p, &se), 0); /* and the plan goes on */
	free(p);

	e.flags &= ~(unsigned)NSB_F_SOFT_POINT;
	assert_int_equal(apply(e), -EROFS);
	assert_string_equal(err, want);
	assert_false(exists(in_root("/etc")));

	mkdir_result = 0;
	e.flags |= NSB_F_SOFT_POINT;
	setattr_result = -EPERM;
	assert_int_equal(apply(e), -EPERM);
	assert_non_null(strstr(err, "read-only: Operation not permitted (unmounted)"));
}

static void test_rdonly(void **state)
{
	(void)state;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = hostdir, .target = "/ro", .options = "rbind",
		.flags = NSB_F_MKPOINT | NSB_F_RDONLY | NSB_F_RECURSIVE }), 0);
	assert_int_equal(n_calls, 1);
	assert_string_equal(calls[0], "mount_setattr 1");
	assert_int_equal(setattr_flags, AT_EMPTY_PATH | AT_RECURSIVE);

	n_calls = 0;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = hostdir, .target = "/ro1", .options = "bind",
		.flags = NSB_F_MKPOINT | NSB_F_RDONLY }), 0);
	assert_int_equal(setattr_flags, AT_EMPTY_PATH);
}

static void test_rdonly_failure_unmounts(void **state)
{
	(void)state;
	setattr_result = -EPERM;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = hostdir, .target = "/ro", .options = "bind",
		.flags = NSB_F_MKPOINT | NSB_F_RDONLY }), -EPERM);
	assert_int_equal(n_calls, 2);
	assert_string_equal(calls[0], "mount_setattr 1");
	assert_true(strncmp(calls[1], "umount2 /proc/self/fd/", 22) == 0);
	char want[32];
	snprintf(want, sizeof want, " %d", MNT_DETACH);
	assert_non_null(strstr(calls[1], want));
	char msg[256];
	snprintf(msg, sizeof msg, "bind %s -> /ro: read-only: Operation not permitted (unmounted)", hostdir);
	assert_string_equal(err, msg);

	umount_result = -EBUSY;
	n_calls = 0;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = hostdir, .target = "/ro", .options = "bind",
		.flags = NSB_F_MKPOINT | NSB_F_RDONLY }), -EPERM);
	assert_non_null(strstr(err, "unmounting it failed too: Device or resource busy"));
}

static void test_symlink_and_file(void **state)
{
	(void)state;
	assert_int_equal(mkdir(in_root("/dev"), 0755), 0);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_SYMLINK, .dst_at = NSB_AT_ROOT,
		.source = "pts/ptmx", .target = "/dev/ptmx" }), 0);
	char buf[64] = "";
	assert_int_equal(readlink(in_root("/dev/ptmx"), buf, sizeof buf - 1), 8);
	assert_string_equal(buf, "pts/ptmx");
	/* an existing one is kept */
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_SYMLINK, .dst_at = NSB_AT_ROOT,
		.source = "other", .target = "/dev/ptmx" }), 1);

	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_FILE, .dst_at = NSB_AT_STAGE,
		.source = "#!/bin/sh\nexit 0\n", .target = "/stub", .flags = NSB_F_EXEC }), 0);
	char path[128];
	snprintf(path, sizeof path, "%s/stub", stage);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_size, 17);
}

static void test_attach(void **state)
{
	(void)state;
	ctx.tree_fd = 42;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_ATTACH, .dst_at = NSB_AT_STAGE,
		.target = NSB_STAGE_LOWER, .flags = NSB_F_MKDIR }), 0);
	char want[256];
	snprintf(want, sizeof want, "move_mount 42 %s" NSB_STAGE_LOWER " %u", stage,
		 MOVE_MOUNT_F_EMPTY_PATH);
	assert_string_equal(calls[0], want);

	move_result = -EINVAL;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_ATTACH, .dst_at = NSB_AT_STAGE,
		.target = NSB_STAGE_ROOT, .flags = NSB_F_MKDIR | NSB_F_NEWROOT }), -EINVAL);
	assert_string_equal(err, "tree fd -> new root: move_mount: Invalid argument");
	ctx.tree_fd = -1;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_ATTACH, .dst_at = NSB_AT_STAGE,
		.target = NSB_STAGE_LOWER }), -EBADF);
}

static void test_overlay_dirs(void **state)
{
	(void)state;
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "overlay", .type = "overlay", .lower = hostdir,
		.upper = "/overlay0", .target = "/ov", .flags = NSB_F_MKDIR }), 0);
	char p[128];
	snprintf(p, sizeof p, "%s/overlay0/upper", stage);
	assert_true(is_dir(p));
	snprintf(p, sizeof p, "%s/overlay0/work", stage);
	assert_true(is_dir(p));
	assert_true(is_dir(in_root("/ov")));
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "overlay", .type = "overlay", .lower = "/nonexistent",
		.upper = "/overlay1", .target = "/ov2", .flags = NSB_F_MKDIR }), -ENOENT);
	assert_string_equal(err, "overlay /nonexistent -> /ov2: /nonexistent: No such file or directory");
}

static void test_fstab_overlay_host_paths(void **state)
{
	(void)state;
	char opts[256];
	snprintf(opts, sizeof opts, "lowerdir=%s:/nonexistent-lower,upperdir=%s,workdir=%s,index=off",
		 hostdir, hostdir, hostdir);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "overlay", .type = "overlay", .options = opts, .target = "/ovf",
		.origin = "f:1", .flags = NSB_F_MKDIR | NSB_F_HOST_OPTS }), -ENOENT);
	assert_string_equal(err, "f:1: overlay -> /ovf: /nonexistent-lower: No such file or directory");
	snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s,index=off", hostdir, hostdir,
		 hostdir);
	assert_int_equal(apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "overlay", .type = "overlay", .options = opts, .target = "/ovf",
		.origin = "f:1", .flags = NSB_F_MKDIR | NSB_F_HOST_OPTS }), 0);
}

static void test_library_error(void **state)
{
	(void)state;
	/* a libmount error (not a mount(2) errno) is told apart and worded by libmount */
	int r = apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "LABEL=nsb-no-such-label", .target = "/lib-err", .type = "ext4",
		.flags = NSB_F_MKDIR });
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err, "ext4 LABEL=nsb-no-such-label -> /lib-err: libmount: can't find LABEL=nsb-no-such-label");
}

static void test_plan_phases(void **state)
{
	(void)state;
	struct nsb_plan *p = calloc(1, sizeof *p);
	struct nsb_error e = { "", "" };
	p->e[p->n++] = (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "/nonexistent", .target = "/opt1",
		.options = "bind", .flags = NSB_F_OPTIONAL };
	p->e[p->n++] = (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_STAGE,
		.dst_at = NSB_AT_ROOT, .source = "/stub", .target = "/etc/init.d/absent",
		.options = "bind", .flags = NSB_F_RDONLY | NSB_F_IF_EXISTS | NSB_F_MASK };
	assert_int_equal(nsb_apply_plan(&ctx, p, &e), 0);
	p->e[p->n++] = (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
		.dst_at = NSB_AT_ROOT, .source = "/nonexistent", .target = "/data",
		.options = "bind", .origin = "my.fstab:7" };
	p->e[p->n++] = (struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "tmpfs", .type = "tmpfs", .target = "/never", .flags = NSB_F_MKDIR };
	assert_int_equal(nsb_apply_plan(&ctx, p, &e), -ENOENT);
	assert_string_equal(e.phase, "fstab");
	assert_string_equal(e.message, "my.fstab:7: bind /nonexistent -> /data: No such file or directory");
	assert_false(exists(in_root("/never")));

	setattr_result = -EPERM;
	assert_int_equal(mkdir(in_root("/etc/init.d"), 0755) == 0 || mkdir(in_root("/etc"), 0755) == 0, 1);
	mkdir(in_root("/etc/init.d"), 0755);
	FILE *f = fopen(in_root("/etc/init.d/procps"), "w");
	assert_non_null(f);
	fclose(f);
	p->n = 0;
	p->e[p->n++] = (struct nsb_entry){ .op = NSB_OP_FILE, .dst_at = NSB_AT_STAGE,
		.source = "exit 0\n", .target = "/stub" };
	p->e[p->n++] = (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_STAGE,
		.dst_at = NSB_AT_ROOT, .source = "/stub", .target = "/etc/init.d/procps",
		.options = "bind", .flags = NSB_F_RDONLY | NSB_F_IF_EXISTS | NSB_F_MASK };
	assert_int_equal(nsb_apply_plan(&ctx, p, &e), -EPERM);
	assert_string_equal(e.phase, "mask");
	free(p);
}

/* The join_netns hook: logged as a call, failing with JOIN_RESULT. */
static int join_result;
static bool is_dir(const char *p);
static const char *in_root(const char *rel);
static const char *join_before; /* the entry the hook must run before */
static int fake_join(void *arg, char *msg, size_t len)
{
	logcall("join %s", (const char *)arg);
	/* after the entries before it, before the one that needs it */
	assert_true(is_dir(in_root("/tmp")));
	assert_false(is_dir(in_root(join_before)));
	if (join_result == 0)
		return 0;
	snprintf(msg, len, "unshare the net namespace: %s", strerror(-join_result));
	return join_result;
}

/* The hook runs once, right before the first NSB_F_NETNS entry (never for a plan without
 * one); its failure stops the plan with phase "network" and nothing after it mounted. */
static void test_join_netns_hook(void **state)
{
	(void)state;
	struct nsb_plan *p = calloc(1, sizeof *p);
	struct nsb_error e = { "", "" };
	struct nsb_entry tmp = { .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT, .source = "tmpfs",
				 .type = "tmpfs", .target = "/tmp", .flags = NSB_F_MKDIR };
	struct nsb_entry sys = { .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT, .source = "sysfs",
				 .type = "sysfs", .target = "/sys",
				 .flags = NSB_F_MKDIR | NSB_F_NETNS };
	ctx.join_netns = fake_join;
	ctx.join_arg = "arg";
	p->e[p->n++] = tmp;
	assert_int_equal(nsb_apply_plan(&ctx, p, &e), 0);
	assert_int_equal(n_calls, 0);
	assert_true(is_dir(in_root("/tmp")));
	assert_true(ctx.join_netns == fake_join); /* still armed */

	p->e[p->n++] = sys;
	sys.target = "/sys2";
	p->e[p->n++] = sys;
	join_before = "/sys";
	assert_int_equal(nsb_apply_plan(&ctx, p, &e), 0);
	assert_int_equal(n_calls, 1); /* once, though two entries want it */
	assert_string_equal(calls[0], "join arg");
	assert_true(is_dir(in_root("/sys")) && is_dir(in_root("/sys2")));
	assert_null(ctx.join_netns);

	n_calls = 0;
	join_result = -EPERM;
	ctx.join_netns = fake_join;
	p->n = 0;
	sys.target = "/sys3";
	p->e[p->n++] = sys;
	join_before = "/sys3";
	assert_int_equal(nsb_apply_plan(&ctx, p, &e), -EPERM);
	assert_string_equal(e.phase, "network");
	assert_string_equal(e.message, "unshare the net namespace: Operation not permitted");
	assert_int_equal(n_calls, 1);
	assert_false(exists(in_root("/sys3"))); /* stopped before the entry */
	join_result = 0;
	free(p);
}

/* An fstab overlay line longer than the rewritten options' buffer is an error, never an
 * overflow (a long plain option followed by a path option). */
static void test_fstab_overlay_options_too_long(void **state)
{
	(void)state;
	static char opts[9000];
	memset(opts, 0, sizeof opts);
	memcpy(opts, "x=", 2);
	memset(opts + 2, 'A', 8185);
	strcat(opts, ",upperdir=/tmp");
	int r = apply((struct nsb_entry){ .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
		.source = "overlay", .type = "overlay", .options = opts, .target = "/ovf",
		.origin = "f:1", .flags = NSB_F_MKDIR | NSB_F_HOST_OPTS });
	assert_int_equal(r, -E2BIG);
	assert_non_null(strstr(err, "options too long"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_mkdir_inside_root),
		T(test_missing_target_without_mkdir),
		T(test_hostile_symlinks_stay_inside),
		T(test_var_run_link),
		T(test_dangling_symlink_file_target),
		T(test_bind_missing_source),
		T(test_mkpoint_follows_source_kind),
		T(test_if_exists),
		T(test_soft_mount_point),
		T(test_rdonly),
		T(test_rdonly_failure_unmounts),
		T(test_symlink_and_file),
		T(test_attach),
		T(test_overlay_dirs),
		T(test_fstab_overlay_host_paths),
		T(test_fstab_overlay_options_too_long),
		T(test_library_error),
		T(test_plan_phases),
		T(test_join_netns_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
