/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef NSB_PATHS_H
#define NSB_PATHS_H
#include <stddef.h>
#include <sys/types.h>

/* Where `make install` puts the helpers and the data (the Makefile passes its own). */
#ifndef NSB_LIBEXECDIR
#define NSB_LIBEXECDIR "/usr/local/libexec/nsboot"
#endif
#ifndef NSB_DATADIR
#define NSB_DATADIR "/usr/local/share/nsboot"
#endif

/* Finds the helper program NAME (nsboot-init, nsboot-mount): in $NSBOOT_LIBEXECDIR when
 * set (a staged install), next to the running executable, in ../libexec/nsboot from it,
 * then in NSB_LIBEXECDIR. Returns 0 and the path in OUT, or -ENOENT. */
int nsb_find_program(const char *name, char *out, size_t len);
/* Finds the data file NAME (drop lists): in $NSBOOT_DATADIR when set, ../data and
 * ../../data from the running executable (build trees), ../share/nsboot (an install),
 * then NSB_DATADIR. Returns 0 and the path in OUT, or -ENOENT. */
int nsb_find_data(const char *name, char *out, size_t len);
/* Where the last resort is, for messages: $NSBOOT_LIBEXECDIR or $NSBOOT_DATADIR when set,
 * else the built-in folder. */
const char *nsb_libexecdir(void);
const char *nsb_datadir(void);

/* Reads the small file PATH (relative to the directory AT, or AT_FDCWD) into BUF, at most
 * LEN - 1 bytes, NUL-terminated: its length, or a negative errno. */
ssize_t nsb_read_small(int at, const char *path, char *buf, size_t len);

#endif
