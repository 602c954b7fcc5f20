/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The io helpers of all three programs: whole buffers over pipes and stream sockets, and
 * the $PATH lookup that tells "not found" from "not executable". */
#ifndef NSB_IO_H
#define NSB_IO_H

#include <stdbool.h>
#include <stddef.h>

/* Writes all LEN bytes of BUF to FD, retrying on EINTR and short writes: 0, -EIO when a
 * write took nothing, or a negative errno. */
int nsb_write_all(int fd, const void *buf, size_t len);
/* Writes the string S to FD (help texts and the like): nsb_write_all(). */
int nsb_write_str(int fd, const char *s);
/* Reads exactly LEN bytes from FD into BUF, retrying on EINTR and short reads: 0, -EPIPE
 * at end of file before LEN bytes, or a negative errno. */
int nsb_read_all(int fd, void *buf, size_t len);

/* True when NAME is in a directory of the colon-separated list PATH (an empty entry is
 * the current directory, as for execvp(3)) and access(2) with MODE (F_OK, X_OK) allows
 * it. */
bool nsb_in_path(const char *name, const char *path, int mode);

/* True when someone holds a lock (flock) on the file NAME in the directory AT: the live
 * owner of a registry entry, a zone member; opened without following a link. */
bool nsb_lock_held(int at, const char *name);

#endif
