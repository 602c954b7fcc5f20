/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot's --pid-file: written atomically at readiness, removed at exit only when what is
 * found there is still the file nsboot wrote. The pid file's folder may be writable by
 * others, who can put anything in its place meanwhile: the decision is pure
 * (nsb_pidfile_judge), the write and the removal touch the file system. */
#ifndef NSB_PIDFILE_H
#define NSB_PIDFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What the removal finds at the pid file's name. */
enum nsb_pidfile_state {
	NSB_PIDFILE_OURS = 0,    /* the regular file nsboot wrote, still "PID\n": remove it */
	NSB_PIDFILE_GONE,        /* nothing there (someone removed it): nothing to do */
	NSB_PIDFILE_SYMLINK,     /* a symbolic link */
	NSB_PIDFILE_NOT_REGULAR, /* a FIFO, a socket, a device, a folder */
	NSB_PIDFILE_OTHER_FILE,  /* a regular file, not the one nsboot wrote */
	NSB_PIDFILE_REWRITTEN,   /* the file nsboot wrote, holding something else now */
	NSB_PIDFILE_UNREADABLE,  /* it could not be opened or read */
};

/* Judges what was found at the pid file's name against what nsboot wrote there (the file
 * DEV/INO holding "PID\n"); pure. OPEN_ERR is the errno of opening the name without
 * following a link (0 when it opened), ST its fstat, TEXT its first LEN bytes (a read
 * error as LEN < 0); ST and TEXT are read only when they apply. */
enum nsb_pidfile_state nsb_pidfile_judge(int open_err, const struct stat *st, dev_t dev,
					 ino_t ino, pid_t pid, const char *text, ssize_t len);

/* Writes "PID\n" to FILE atomically: a temporary file made with O_EXCL in FILE's folder,
 * then renamed over FILE. Remembers the folder (an fd, close-on-exec) and the file
 * (st_dev, st_ino) for nsb_pidfile_remove; one pid file per process. 0 or -errno. */
int nsb_pidfile_write(const char *file, pid_t pid);

/* Removes the pid file written by nsb_pidfile_write (FILE and PID as given to it), in the
 * folder it was written in, if it is still that regular file holding "PID\n". Anything
 * else there is left alone, with one warning line naming FILE. Never blocks. */
void nsb_pidfile_remove(const char *file, pid_t pid);

#endif
