/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mount points inside the new root (mounts/mkpath.c). */
#ifndef NSB_MKPATH_H
#define NSB_MKPATH_H

#include <stdbool.h>

/* Creates PATH (and missing parents) inside the root ROOTFD, resolving every component
 * inside it; the last one as an empty file when FILE. Returns 0 or a negative errno. */
int nsb_mkpath_in_root(int rootfd, const char *path, bool file);

#endif
