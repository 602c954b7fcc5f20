/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The system calls of the mount setup, as -errno functions (see ops.h). */
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
int nsb_sys_mount(const char *src, const char *tgt, const char *type, unsigned long flags,
		  const void *data)
{
	return ret(mount(src, tgt, type, flags, data));
}

/* umount2(2). */
int nsb_sys_umount2(const char *tgt, int flags)
{
	return ret(umount2(tgt, flags));
}

/* pivot_root(2) (no glibc wrapper). */
int nsb_sys_pivot_root(const char *new_root, const char *put_old)
{
	return ret(syscall(SYS_pivot_root, new_root, put_old));
}

/* mount_setattr(2) (no wrapper in glibc 2.36). */
int nsb_sys_mount_setattr(int dfd, const char *path, unsigned flags,
			  const struct nsb_mount_attr *attr)
{
	return ret(syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr));
}

/* move_mount(2). */
int nsb_sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
		       unsigned flags)
{
	return ret(syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags));
}

/* mkdirat(2). */
int nsb_sys_mkdirat(int dfd, const char *path, mode_t mode)
{
	return ret(mkdirat(dfd, path, mode));
}

/* chdir(2). */
int nsb_sys_chdir(const char *path)
{
	return ret(chdir(path));
}

/* fchdir(2). */
int nsb_sys_fchdir(int fd)
{
	return ret(fchdir(fd));
}

