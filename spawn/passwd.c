/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tree's passwd(5) reader of nsboot exec (spawn/exec.h): pure, for the unit tests and
 * the fuzz target. The text comes from the container: every field is checked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

int nsb_passwd_find(const char *text, const char *name, struct nsb_passwd *out)
{
	char *end;
	unsigned long id = strtoul(name, &end, 10);
	bool numeric = *name && !*end;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024];
		if (len < sizeof buf) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			/* name:passwd:uid:gid:gecos:home:shell */
			char *f[7], *p = buf;
			int n = 0;
			for (; n < 7 && p; n++)
				f[n] = strsep(&p, ":");
			if (n == 7 && !p && (numeric ? strtoul(f[2], NULL, 10) == id && *f[2] :
					     strcmp(f[0], name) == 0)) {
				char *e1, *e2;
				unsigned long uid = strtoul(f[2], &e1, 10), gid = strtoul(f[3], &e2, 10);
				if (!*f[2] || *e1 || !*f[3] || *e2 || uid > 0xfffffffeUL || gid > 0xfffffffeUL)
					return -EINVAL;
				out->uid = (unsigned)uid;
				out->gid = (unsigned)gid;
				snprintf(out->home, sizeof out->home, "%s", *f[5] ? f[5] : "/");
				snprintf(out->shell, sizeof out->shell, "%s", *f[6] ? f[6] : "/bin/sh");
				return 0;
			}
		}
		line += len + (nl ? 1 : 0);
	}
	return -ENOENT;
}
