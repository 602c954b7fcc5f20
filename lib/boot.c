/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Boot presets and service drop lists (lib/boot.h). Portable: glibc and musl, no
 * <linux/...> headers (musl-gcc does not see them). */
#include "boot.h"
#include "log.h"
#include "resolve.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int nsb_in_root_open(int rootfd, const char *path, int flags)
{
	int pfd = nsb_open_in_root(rootfd, path, 0);
	if (pfd < 0)
		return pfd;
	/* a directory is opened by openat(fd, "."), a regular file reopened through
	 * /proc/self/fd (the same file, not its path again); nothing else is opened */
	char self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d", pfd);
	struct stat st;
	int fd = -EINVAL;
	flags = (flags & ~O_NOFOLLOW) | O_CLOEXEC;
	if (fstat(pfd, &st) < 0)
		fd = -errno;
	else if (S_ISDIR(st.st_mode) && (fd = openat(pfd, ".", flags)) < 0)
		fd = -errno;
	else if (S_ISREG(st.st_mode) && (fd = open(self, flags)) < 0)
		fd = -errno;
	close(pfd);
	return fd;
}

int nsb_in_root_read(int rootfd, const char *path, char *buf, size_t len)
{
	/* only a directory or a regular file is ever opened: never a device node or FIFO */
	int fd = nsb_in_root_open(rootfd, path, O_RDONLY | O_NOCTTY);
	if (fd < 0)
		return fd;
	struct stat st;
	ssize_t n = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
	if (n == 0 && (n = read(fd, buf, len - 1)) < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return (int)n;
}

int nsb_in_root_file(int rootfd, const char *path)
{
	int fd = nsb_open_in_root(rootfd, path, 0);
	if (fd < 0)
		return fd;
	struct stat st;
	int r = fstat(fd, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : 0;
	close(fd);
	return r;
}

const struct nsb_preset *nsb_preset_named(const char *name)
{
	for (size_t i = 0; i < nsb_n_presets; i++)
		if (strcmp(nsb_presets[i].name, name) == 0)
			return &nsb_presets[i];
	return NULL;
}

const struct nsb_preset *nsb_preset_detect(int rootfd)
{
	for (size_t i = 0; rootfd >= 0 && i < nsb_n_presets; i++)
		if (nsb_presets[i].detect && nsb_in_root_file(rootfd, nsb_presets[i].detect) == 0)
			return &nsb_presets[i];
	return nsb_preset_named(nsb_preset_fallback);
}

/* The row --boot=VALUE names, or NULL with ERR filled. */
static const struct nsb_preset *parse_boot(const char *value, char *err, size_t errlen)
{
	char name[64];
	size_t n = strcspn(value, ":");
	snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), value);
	const struct nsb_preset *p = n < sizeof name ? nsb_preset_named(name) : NULL;
	if (p && p->takes_path && value[n] == ':' && value[n + 1] == '/')
		return p;
	if (p && p->takes_path) {
		nsb_fail(err, errlen, -EINVAL, "--boot=%s: %s:%s needs an absolute %s path", value,
			 p->name, "SYSTEM", "SYSTEM");
		return NULL;
	}
	if (p && !value[n])
		return p;
	/* the known names, in table order, for the message */
	char known[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < nsb_n_presets && used < sizeof known; i++)
		used += (size_t)snprintf(known + used, sizeof known - used, "%s%s%s",
					 i ? ", " : "", nsb_presets[i].name,
					 nsb_presets[i].takes_path ? ":SYSTEM" : "");
	nsb_fail(err, errlen, -EINVAL, "--boot=%s: unknown preset (%s)", value, known);
	return NULL;
}

int nsb_preset_choose(const struct nsb_config *c, int rootfd, const struct nsb_preset **out,
		      char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	*out = NULL;
	if (c->argc > 0)
		return 0;
	if (c->boot) {
		*out = parse_boot(c->boot, err, errlen);
		return *out ? 0 : -EINVAL;
	}
	*out = nsb_preset_detect(rootfd);
	return 0;
}

const char *nsb_preset_path(const struct nsb_preset *p, const struct nsb_config *c)
{
	if (!p || !p->takes_path || !c->boot)
		return NULL;
	const char *colon = strchr(c->boot, ':');
	return colon ? colon + 1 : NULL;
}

int nsb_service_name_valid(const char *name)
{
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (const char *s = name; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (!isalnum(ch) && !strchr("._-@+:", ch))
			return 0;
	}
	return 1;
}

int nsb_droplist_read(const char *path, struct nsb_droplist *out, char *err, size_t errlen)
{
	out->n = 0;
	out->n_files = 0;
	int r = nsb_droplist_add(path, out, err, errlen);
	if (r < 0)
		out->n = 0;
	return r;
}

int nsb_droplist_add(const char *path, struct nsb_droplist *out, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (out->n_files >= NSB_MAX_DROP_FILES)
		return nsb_fail(err, errlen, -E2BIG, "%s: more than %d drop lists", path,
				NSB_MAX_DROP_FILES);
	size_t had = out->n, file = out->n_files;
	FILE *f = fopen(path, "re");
	if (!f)
		return nsb_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));

	int ret = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			ret = nsb_fail(err, errlen, -EINVAL, "%s:%lu: NUL byte in line", path, lineno);
			goto out;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		char *e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*s)
			continue;
		if (strcspn(s, " \t\r\v\f") != strlen(s)) {
			ret = nsb_fail(err, errlen, -EINVAL,
				   "%s:%lu: one service name per line, got '%s'", path, lineno, s);
			goto out;
		}
		if (strlen(s) >= NSB_SERVICE_NAME_MAX) {
			ret = nsb_fail(err, errlen, -ENAMETOOLONG,
				   "%s:%lu: service name longer than %d bytes", path, lineno,
				   NSB_SERVICE_NAME_MAX - 1);
			goto out;
		}
		if (!nsb_service_name_valid(s)) {
			ret = nsb_fail(err, errlen, -EINVAL,
				   "%s:%lu: not a service name: '%s' (letters, digits, . _ - @ + :)",
				   path, lineno, s);
			goto out;
		}
		int dup = 0;
		for (size_t i = 0; i < out->n && !dup; i++)
			dup = strcmp(out->names[i], s) == 0;
		if (dup)
			continue;
		if (out->n >= NSB_MAX_DROP) {
			ret = nsb_fail(err, errlen, -E2BIG, "%s:%lu: more than %d services", path,
				   lineno, NSB_MAX_DROP);
			goto out;
		}
		out->from[out->n] = (unsigned char)file;
		strcpy(out->names[out->n++], s);
	}
	if (ferror(f))
		ret = nsb_fail(err, errlen, -(errno ? errno : EIO), "%s: %s", path,
			   strerror(errno ? errno : EIO));
out:
	free(line);
	fclose(f);
	if (ret < 0) {
		out->n = had;
		return ret;
	}
	snprintf(out->files[file], sizeof out->files[file], "%s", path);
	out->n_files++;
	return 0;
}
