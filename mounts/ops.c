/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real system calls behind struct nsb_sys_ops. */
#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
/* Turns a -1/errno result into a negative errno. */
static int ret(long r)
{
	return r < 0 ? -errno : (int)r;
}

/* mount(2). */
static int real_mount(const char *src, const char *tgt, const char *type, unsigned long flags,
		      const void *data)
{
	return ret(mount(src, tgt, type, flags, data));
}

/* umount2(2). */
static int real_umount2(const char *tgt, int flags)
{
	return ret(umount2(tgt, flags));
}

/* pivot_root(2) (no glibc wrapper). */
static int real_pivot_root(const char *new_root, const char *put_old)
{
	return ret(syscall(SYS_pivot_root, new_root, put_old));
}

/* mount_setattr(2) (no wrapper in glibc 2.36). */
static int real_mount_setattr(int dfd, const char *path, unsigned flags,
			      const struct nsb_mount_attr *attr)
{
	return ret(syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr));
}

/* move_mount(2). */
static int real_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			   unsigned flags)
{
	return ret(syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags));
}

/* mkdirat(2). */
static int real_mkdirat(int dfd, const char *path, mode_t mode)
{
	return ret(mkdirat(dfd, path, mode));
}

/* chdir(2). */
static int real_chdir(const char *path)
{
	return ret(chdir(path));
}

/* fchdir(2). */
static int real_fchdir(int fd)
{
	return ret(fchdir(fd));
}

const struct nsb_sys_ops nsb_sys_real = {
	.mount = real_mount,
	.umount2 = real_umount2,
	.pivot_root = real_pivot_root,
	.mount_setattr = real_mount_setattr,
	.move_mount = real_move_mount,
	.mkdirat = real_mkdirat,
	.chdir = real_chdir,
	.fchdir = real_fchdir,
};

const struct nsb_sys_ops *nsb_sys = &nsb_sys_real;
