/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plain system calls of the mount setup, one function each so that unit tests can fake
 * them with -Wl,--wrap=nsb_sys_NAME (tests/unit/NAME.ldflags). Every function returns 0
 * (or an fd) or a negative errno. */
#ifndef NSB_MOUNT_OPS_H
#define NSB_MOUNT_OPS_H

#include <stdint.h>
#include <sys/types.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* The attribute change of mount_setattr(2). */
struct nsb_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

int nsb_sys_mount(const char *src, const char *tgt, const char *type, unsigned long flags,
		  const void *data);
int nsb_sys_umount2(const char *tgt, int flags);
int nsb_sys_pivot_root(const char *new_root, const char *put_old);
int nsb_sys_mount_setattr(int dfd, const char *path, unsigned flags,
			  const struct nsb_mount_attr *attr);
int nsb_sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
		       unsigned flags);
int nsb_sys_mkdirat(int dfd, const char *path, mode_t mode);
int nsb_sys_chdir(const char *path);
int nsb_sys_fchdir(int fd);

#endif
