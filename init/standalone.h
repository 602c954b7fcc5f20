/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot-init before its loop: waiting for the spawner's GO, and building the root with
 * the nsboot-mount helper when it runs standalone with mount options. */
#ifndef NSB_INIT_STANDALONE_H
#define NSB_INIT_STANDALONE_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "proto.h"

/* The fd GO carried under the name "tree" (GO's text names its fds in order,
 * comma-separated), or -1 (pure). */
int nsb_go_tree_fd(const struct nsb_msg *m);

/* Fills OUT (room for OUTLEN pointers) with the nsboot-mount command line: PATH,
 * "--tree-fd=TREE_FD" (formatted into TREE_ARG of TREE_ARG_LEN bytes) when TREE_FD >= 0,
 * and the option words ARGV[1..N_OPTION_ARGS] (which may end with "--");
 * NULL-terminated. Returns the number of words, or -E2BIG (pure). */
int nsb_mount_helper_argv(const char *path, char *const argv[], int n_option_args,
			  int tree_fd, char *tree_arg, size_t tree_arg_len, char **out,
			  size_t outlen);

/* Waits for GO on SYNC_FD. Returns 0 with *TREE_FD the passed tree (close-on-exec cleared
 * by the caller's helper, -1 when none; other passed fds are closed), or a negative errno:
 * -EPIPE when the spawner left before GO (nothing was touched), with ERR filled. */
int nsb_wait_go(int sync_fd, int *tree_fd, struct nsb_error *err);

/* Unshares the mount namespace and runs nsboot-mount with C's option words from ARGV (and
 * BOOT_WORD first, "--boot=NAME" for a preset detected by the caller, or NULL) to build
 * and enter the root. Returns 0, or -1 after the error was logged and, when nobody else
 * did, reported as ERROR on C->sync_fd. */
int nsb_build_root(const struct nsb_config *c, char *const argv[], int tree_fd,
		   const char *boot_word);

#endif
