/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot command of a preset (init/preset.h). Portable: glibc and musl. */
#include "preset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* The interpreter of the presets' scripts (the tree's own). */
#define NSB_SH "/bin/sh"

const char *nsb_preset_script(const struct nsb_preset *p)
{
	return p ? p->script : NULL;
}

/* Copies the N words of WORDS into one malloc'd block: the NULL-terminated pointer array
 * followed by the strings. Returns it, or NULL when out of memory. */
static char **argv_block(const char *const *words, size_t n)
{
	size_t size = (n + 1) * sizeof(char *);
	for (size_t i = 0; i < n; i++)
		size += strlen(words[i]) + 1;
	char **argv = malloc(size);
	if (!argv)
		return NULL;
	char *s = (char *)(argv + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(words[i]) + 1;
		memcpy(s, words[i], len);
		argv[i] = s;
		s += len;
	}
	argv[n] = NULL;
	return argv;
}

/* The preset of C: --boot's row, else detected from "/". */
static int choose(const struct nsb_config *c, const struct nsb_preset **out, char *err,
		  size_t errlen)
{
	int rootfd = -1;
	if (c->argc == 0 && !c->boot) {
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0) {
			int e = errno;
			snprintf(err, errlen, "open /: %s", strerror(e));
			return -e;
		}
	}
	int r = nsb_preset_choose(c, rootfd, out, err, errlen);
	if (rootfd >= 0)
		close(rootfd);
	if (r == 0 && c->argc == 0 && !c->boot)
		log_debug("boot: %s preset (detected from the tree)", (*out)->name);
	return r;
}

/* The argv of preset P: its script under /bin/sh, or its command word with --boot's
 * PATH in place of "%s"; runs P's prepare step. */
static int preset_argv(const struct nsb_preset *p, const struct nsb_config *c, char ***out,
		       char *err, size_t errlen)
{
	const char *path = nsb_preset_path(p, c);
	if (p->script) {
		char name[80];
		snprintf(name, sizeof name, "nsboot-%s", p->name);
		const char *words[] = { NSB_SH, "-c", p->script, name };
		*out = argv_block(words, 4);
		return 0;
	}
	char word[4096];
	if (!p->command)
		return nsb_fail(err, errlen, -EINVAL, "--boot=%s: the preset has no command", p->name);
	if ((size_t)snprintf(word, sizeof word, p->command, path ? path : "") >= sizeof word)
		return nsb_fail(err, errlen, -ENAMETOOLONG, "--boot=%s: path too long", c->boot);
	if (p->prepare) {
		int r = p->prepare(path, err, errlen);
		if (r < 0)
			return r;
	}
	const char *words[] = { word };
	*out = argv_block(words, 1);
	return 0;
}

int nsb_preset_argv_kind(const struct nsb_config *c, char ***argv_out,
			 const struct nsb_preset **preset_out, char *err, size_t errlen)
{
	*argv_out = NULL;
	if (err && errlen)
		err[0] = '\0';
	const struct nsb_preset *p;
	int r = choose(c, &p, err, errlen);
	if (r < 0)
		return r;
	if (preset_out)
		*preset_out = p;
	char **argv = NULL;
	if (!p)
		argv = argv_block((const char *const *)c->argv, (size_t)c->argc);
	else if ((r = preset_argv(p, c, &argv, err, errlen)) < 0)
		return r;
	if (!argv) {
		snprintf(err, errlen, "boot command: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	*argv_out = argv;
	return 0;
}

int nsb_preset_argv(const struct nsb_config *c, char ***argv_out, char *err, size_t errlen)
{
	return nsb_preset_argv_kind(c, argv_out, NULL, err, errlen);
}

/* Fails naming PATH when it is not a file inside the root ROOTFD. */
static int need(const struct nsb_preset *p, int rootfd, const char *path, char *err,
		size_t errlen)
{
	int r = nsb_in_root_file(rootfd, path);
	if (r < 0)
		return nsb_fail(err, errlen, r, "the tree has no %s (the %s preset needs it): %s",
				path, p->name, strerror(-r));
	return 0;
}

/* COMMAND's file inside the root: ARGV0 when absolute, else the first PATH entry that
 * holds it (into BUF); NULL when there is none (a relative path: the exec decides). */
static const char *find_command(int rootfd, const char *argv0, char *buf, size_t len)
{
	if (argv0[0] == '/')
		return argv0;
	if (strchr(argv0, '/'))
		return NULL;
	const char *path = getenv("PATH");
	for (const char *d = path ? path : "/usr/bin:/bin"; *d;) {
		size_t n = strcspn(d, ":");
		if (n > 0 && d[0] == '/' && (size_t)snprintf(buf, len, "%.*s/%s", (int)n, d, argv0) < len &&
		    nsb_in_root_file(rootfd, buf) == 0)
			return buf;
		d += n + (d[n] == ':');
	}
	return NULL;
}

/* COMMAND as a "#!" script needs its interpreter in the root; a COMMAND that is missing
 * itself is left to the exec (exit 127, as documented). */
static int check_interpreter(char *const argv[], int rootfd, char *err, size_t errlen)
{
	char found[4096], head[256];
	const char *cmd = find_command(rootfd, argv[0], found, sizeof found);
	if (!cmd || nsb_in_root_read(rootfd, cmd, head, sizeof head) < 2 ||
	    memcmp(head, "#!", 2) != 0)
		return 0;
	char *interp = head + 2 + strspn(head + 2, " \t");
	interp[strcspn(interp, " \t\r\n")] = '\0';
	if (interp[0] != '/')
		return 0;
	int r = nsb_in_root_file(rootfd, interp);
	if (r < 0)
		return nsb_fail(err, errlen, r, "the tree has no %s (the interpreter of %s): %s",
				interp, cmd, strerror(-r));
	return 0;
}

int nsb_preset_check_root(const struct nsb_preset *p, char *const argv[], int rootfd,
			  char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!p)
		return check_interpreter(argv, rootfd, err, errlen);
	int r = need(p, rootfd, argv[0], err, errlen);
	if (r == 0 && p->entry)
		r = need(p, rootfd, p->entry, err, errlen);
	return r;
}
