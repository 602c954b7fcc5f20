/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plain system calls of the mount setup, behind a table so unit tests can fake them.
 * Every function returns 0 (or an fd) or a negative errno. */
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

struct nsb_sys_ops {
	int (*mount)(const char *src, const char *tgt, const char *type, unsigned long flags,
		     const void *data);
	int (*umount2)(const char *tgt, int flags);
	int (*pivot_root)(const char *new_root, const char *put_old);
	int (*mount_setattr)(int dfd, const char *path, unsigned flags,
			     const struct nsb_mount_attr *attr);
	int (*move_mount)(int from_dfd, const char *from, int to_dfd, const char *to,
			  unsigned flags);
	int (*mkdirat)(int dfd, const char *path, mode_t mode);
	int (*chdir)(const char *path);
	int (*fchdir)(int fd);
};

/* The real system calls. */
extern const struct nsb_sys_ops nsb_sys_real;
/* What the setup uses: &nsb_sys_real unless a unit test swapped it. */
extern const struct nsb_sys_ops *nsb_sys;

#endif
