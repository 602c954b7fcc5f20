/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot's --pid-file (spawn/pidfile.h): the pure judgement of what the removal finds,
 * then the write and the removal, both relative to the folder fd taken at the write, so
 * that a folder renamed or swapped for a link meanwhile changes nothing. */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum nsb_pidfile_state nsb_pidfile_judge(int open_err, const struct stat *st, dev_t dev,
					 ino_t ino, pid_t pid, const char *text, ssize_t len)
{
	if (open_err == ENOENT)
		return NSB_PIDFILE_GONE;
	if (open_err == ELOOP)
		return NSB_PIDFILE_SYMLINK;
	if (st && !S_ISREG(st->st_mode))
		return NSB_PIDFILE_NOT_REGULAR;
	if (open_err || !st)
		return NSB_PIDFILE_UNREADABLE;
	if (st->st_dev != dev || st->st_ino != ino)
		return NSB_PIDFILE_OTHER_FILE;
	if (len < 0)
		return NSB_PIDFILE_UNREADABLE;
	char want[32];
	int n = snprintf(want, sizeof want, "%d\n", (int)pid);
	if (len != n || memcmp(text, want, (size_t)n) != 0)
		return NSB_PIDFILE_REWRITTEN;
	return NSB_PIDFILE_OURS;
}

/* The pid file this process wrote: its folder, its name there, the file (st_dev, st_ino). */
static struct {
	int dir;
	char name[NAME_MAX + 1];
	dev_t dev;
	ino_t ino;
} written = { .dir = -1 };

/* Opens FILE's folder (O_PATH) and copies FILE's last component to NAME (LEN bytes);
 * the folder's fd or -errno. */
static int open_folder(const char *file, char *name, size_t len)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	const char *base = slash ? slash + 1 : file;
	if (!*base)
		return -EISDIR;
	if (strlen(base) >= len || (slash && (size_t)(slash - file) >= sizeof dir))
		return -ENAMETOOLONG;
	strcpy(name, base);
	if (!slash)
		strcpy(dir, ".");
	else if (slash == file)
		strcpy(dir, "/");
	else
		memcpy(dir, file, (size_t)(slash - file)), dir[slash - file] = '\0';
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Fills SUFFIX (7 bytes) with 6 random letters and digits for a temporary name. */
static void random_suffix(char *suffix)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned counter;
	unsigned char r[6];
	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		unsigned v = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL) ^ ++counter * 40503u;
		for (size_t i = 0; i < sizeof r; i++, v = v * 1103515245u + 12345u)
			r[i] = (unsigned char)(v >> 16);
	}
	for (size_t i = 0; i < sizeof r; i++)
		suffix[i] = chars[r[i] % (sizeof chars - 1)];
	suffix[6] = '\0';
}

int nsb_pidfile_write(const char *file, pid_t pid)
{
	char name[NAME_MAX + 1], tmp[NAME_MAX + 16], suffix[7], line[32];
	int dir = open_folder(file, name, sizeof name);
	if (dir < 0)
		return dir;
	int n = snprintf(line, sizeof line, "%d\n", (int)pid);
	int fd = -1, e = 0;
	for (int i = 0; i < 100 && fd < 0; i++) {
		random_suffix(suffix);
		snprintf(tmp, sizeof tmp, "%s.%s", name, suffix);
		fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		e = -errno;
		close(dir);
		return e;
	}
	struct stat st;
	ssize_t w = 0;
	if (fchmod(fd, 0644) < 0 || (w = write(fd, line, (size_t)n)) != n || fstat(fd, &st) < 0)
		e = w >= 0 && w < n ? -EIO : -errno;
	if (close(fd) < 0 && !e)
		e = -errno;
	if (!e && renameat(dir, tmp, dir, name) < 0)
		e = -errno;
	if (e) {
		unlinkat(dir, tmp, 0);
		close(dir);
		return e;
	}
	if (written.dir >= 0)
		close(written.dir);
	written.dir = dir;
	strcpy(written.name, name);
	written.dev = st.st_dev;
	written.ino = st.st_ino;
	return 0;
}

/* What a non-regular file of mode MODE is, for the warning. */
static const char *kind_of(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

void nsb_pidfile_remove(const char *file, pid_t pid)
{
	if (written.dir < 0)
		return;
	int dir = written.dir;
	const char *name = written.name;
	struct stat st;
	const struct stat *found = NULL;
	char text[32];
	ssize_t len = -1;
	/* O_NONBLOCK: a FIFO opens at once; O_NOFOLLOW: a link is not followed (ELOOP) */
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int open_err = fd < 0 ? errno : 0, why = open_err;
	if (fd >= 0) {
		if (fstat(fd, &st) == 0) {
			found = &st;
			if (S_ISREG(st.st_mode) && (len = read(fd, text, sizeof text)) < 0)
				why = errno;
		} else {
			open_err = why = errno;
		}
		close(fd);
	} else if (open_err != ENOENT && open_err != ELOOP &&
		   fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		found = &st; /* e.g. a socket, which does not open (ENXIO) */
	}
	enum nsb_pidfile_state s = nsb_pidfile_judge(open_err, found, written.dev, written.ino,
						     pid, text, len);
	if (s == NSB_PIDFILE_OURS) {
		/* one more look right before the unlink: the name may have changed hands */
		if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			why = errno;
			s = why == ENOENT ? NSB_PIDFILE_GONE : NSB_PIDFILE_UNREADABLE;
		} else if (st.st_dev != written.dev || st.st_ino != written.ino) {
			found = &st;
			s = S_ISLNK(st.st_mode)   ? NSB_PIDFILE_SYMLINK
			    : S_ISREG(st.st_mode) ? NSB_PIDFILE_OTHER_FILE
						  : NSB_PIDFILE_NOT_REGULAR;
		} else if (unlinkat(dir, name, 0) < 0 && errno != ENOENT) {
			log_warn("--pid-file=%s: remove it: %s", file, strerror(errno));
		}
	}
	switch (s) {
	case NSB_PIDFILE_OURS:
	case NSB_PIDFILE_GONE:
		break;
	case NSB_PIDFILE_SYMLINK:
		log_warn("--pid-file=%s: a symbolic link now, not the file nsboot wrote; left in place",
			 file);
		break;
	case NSB_PIDFILE_NOT_REGULAR:
		log_warn("--pid-file=%s: %s now, not the file nsboot wrote; left in place", file,
			 kind_of(found->st_mode));
		break;
	case NSB_PIDFILE_OTHER_FILE:
		log_warn("--pid-file=%s: another file now, not the one nsboot wrote; left in place",
			 file);
		break;
	case NSB_PIDFILE_REWRITTEN:
		log_warn("--pid-file=%s: no longer holds PID %d; left in place", file, (int)pid);
		break;
	case NSB_PIDFILE_UNREADABLE:
		log_warn("--pid-file=%s: cannot be checked: %s; left in place", file,
			 strerror(why ? why : EIO));
		break;
	}
	close(written.dir);
	written.dir = -1;
}
