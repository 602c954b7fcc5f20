/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mnt-bare: the floor under nsb_setup_root(): the same mounts for `-D TREE` (overlay root,
 * private net and ipc namespaces) as bare system calls, with no libmount, no plan, no
 * resolving inside the root, no checks beyond errno. Run it in a throwaway mount namespace
 * (unshare -mpfniu --mount-proc); it prints the microseconds from start to after the pivot.
 *   mnt-bare TREE
 * Exit 0, or 125 with the failed step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 1
#endif
struct attr { unsigned long long set, clr, prop, userns; };

/* Dies naming STEP and errno. */
static void die(const char *step)
{
	fprintf(stderr, "mnt-bare: %s: %s\n", step, strerror(errno));
	exit(125);
}

/* mount(2) or die. */
static void mnt(const char *src, const char *tgt, const char *type, unsigned long fl, const char *data)
{
	if (mount(src, tgt, type, fl, data) < 0)
		die(tgt);
}

/* A bind of SRC on TGT made read-only (TGT must exist). */
static void bind_ro(const char *src, const char *tgt)
{
	mnt(src, tgt, NULL, MS_BIND, NULL);
	int fd = open(tgt, O_PATH | O_CLOEXEC);
	struct attr a = { .set = MOUNT_ATTR_RDONLY };
	if (fd < 0 || syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
		die(tgt);
	close(fd);
}

/* An empty file at PATH (for a bind). */
static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mnt-bare TREE\n");
		return 125;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char opts[4200];
	mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	mnt("nsboot", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	if (mkdir("/tmp/upper", 0755) || mkdir("/tmp/work", 0755) || mkdir("/tmp/root", 0755))
		die("mkdir");
	snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=/tmp/upper,workdir=/tmp/work", argv[1]);
	mnt("overlay", "/tmp/root", "overlay", 0, opts);
	if (chdir("/tmp/root") < 0)
		die("chdir");
	mnt("proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	static const char *const ro[] = { "proc/sys", "proc/irq", "proc/bus", NULL };
	for (const char *const *p = ro; *p; p++)
		bind_ro(*p, *p);
	static const char *const masked[] = { "proc/keys", "proc/timer_list", NULL };
	for (const char *const *p = masked; *p; p++)
		bind_ro("/dev/null", *p);
	mnt("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755");
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty", "fuse", NULL };
	for (const char *const *n = nodes; *n; n++) {
		char src[64], dst[64];
		snprintf(src, sizeof src, "/dev/%s", *n);
		snprintf(dst, sizeof dst, "dev/%s", *n);
		if (access(src, F_OK) < 0)
			continue;
		touch(dst);
		mnt(src, dst, NULL, MS_BIND, NULL);
	}
	if (mkdir("dev/pts", 0755) < 0)
		die("dev/pts");
	mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	if (symlink("pts/ptmx", "dev/ptmx") || symlink("/proc/self/fd", "dev/fd") ||
	    symlink("/proc/self/fd/0", "dev/stdin") || symlink("/proc/self/fd/1", "dev/stdout") ||
	    symlink("/proc/self/fd/2", "dev/stderr"))
		die("symlink");
	if (mkdir("dev/shm", 0755) || mkdir("dev/mqueue", 0755))
		die("mkdir dev");
	mnt("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mnt("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	mnt("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("umount2");
	if (chdir("/") < 0)
		die("chdir /");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld\n", (long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000));
	return 0;
}
