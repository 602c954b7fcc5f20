/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one resolver of a path inside a tree: symlinks and ".." never leave it. */
#ifndef NSB_RESOLVE_H
#define NSB_RESOLVE_H

/* nsb_open_in_root() flags. */
#define NSB_IN_ROOT_NO_MAGICLINKS 1u /* refuse /proc magic links (paths of the tree's) */

/* Opens PATH (O_PATH | O_CLOEXEC) inside the tree at ROOTFD, resolved as if ROOTFD were
 * "/" ("" and "/" are ROOTFD itself): openat2(RESOLVE_IN_ROOT), or, when the kernel lacks
 * openat2 or a seccomp filter refuses it, a walk one component at a time that reads every
 * symlink (a magic link included) as a path inside the tree. Returns an fd or a negative
 * errno. Portable: glibc and musl, no <linux/...> headers. */
int nsb_open_in_root(int rootfd, const char *path, unsigned flags);

#endif
