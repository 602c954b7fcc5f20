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

/* 1 when PATH exists inside the tree at ROOTFD (as a non-directory), 0 when not. */
static int exists_in_root(int rootfd, const char *path)
{
	int fd = nsb_open_in_root(rootfd, path, 0);
	if (fd < 0)
		return 0;
	struct stat st;
	int r = fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode);
	close(fd);
	return r;
}

int nsb_boot_kind(const struct nsb_config *c, int rootfd, enum nsb_boot_kind *out,
		  char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (c->argc > 0) {
		*out = NSB_BOOT_COMMAND;
		return 0;
	}
	if (c->boot) {
		if (strcmp(c->boot, "sysv") == 0)
			*out = NSB_BOOT_SYSV;
		else if (strcmp(c->boot, "openrc") == 0)
			*out = NSB_BOOT_OPENRC;
		else if (strcmp(c->boot, "shell") == 0)
			*out = NSB_BOOT_SHELL;
		else if (strncmp(c->boot, "guix:", 5) == 0 && c->boot[5] == '/')
			*out = NSB_BOOT_GUIX;
		else if (strncmp(c->boot, "guix:", 5) == 0)
			return nsb_fail(err, errlen, -EINVAL,
				    "--boot=%s: guix:SYSTEM needs an absolute SYSTEM path", c->boot);
		else
			return nsb_fail(err, errlen, -EINVAL,
				    "--boot=%s: unknown preset (sysv, openrc, guix:SYSTEM, shell)",
				    c->boot);
		return 0;
	}
	if (exists_in_root(rootfd, "/sbin/openrc"))
		*out = NSB_BOOT_OPENRC;
	else if (exists_in_root(rootfd, "/etc/init.d/rc"))
		*out = NSB_BOOT_SYSV;
	else
		*out = NSB_BOOT_SHELL;
	return 0;
}

/* 1 when NAME (NUL-terminated, non-empty) can be a service file name under /etc/init.d. */
static int valid_service_name(const char *name)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
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
	if (err && errlen)
		err[0] = '\0';
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
		if (!valid_service_name(s)) {
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
		strcpy(out->names[out->n++], s);
	}
	if (ferror(f))
		ret = nsb_fail(err, errlen, -(errno ? errno : EIO), "%s: %s", path,
			   strerror(errno ? errno : EIO));
out:
	free(line);
	fclose(f);
	if (ret < 0)
		out->n = 0;
	return ret;
}

const char *nsb_droplist_default(enum nsb_boot_kind kind)
{
	switch (kind) {
	case NSB_BOOT_SYSV:
		return "drop-sysv.list";
	case NSB_BOOT_OPENRC:
		return "drop-openrc.list";
	default:
		return NULL;
	}
}

const char *nsb_service_stub(enum nsb_boot_kind kind)
{
	/* -shutdown: "openrc shutdown" need not run a no-op stop (each costs an openrc-run) */
	if (kind == NSB_BOOT_OPENRC)
		return "#!/sbin/openrc-run\n"
		       "# Masked by nsboot: a bare-metal service, not run in a container.\n"
		       "description=\"masked by nsboot\"\n"
		       "depend() { keyword -shutdown; }\n"
		       "start() { return 0; }\n"
		       "stop() { return 0; }\n";
	return "#!/bin/sh\n"
	       "# Masked by nsboot: a bare-metal service, not run in a container.\n"
	       "exit 0\n";
}
