/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot command of a preset (init/preset.h). Portable: glibc and musl. */
#include "preset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* Reports "up" on the readiness FIFO when it is there (a plain sh script has no helper). */
#define SH_READY "[ -p " NSB_READY_FIFO " ] && echo READY=1 >" NSB_READY_FIFO "\n"

/* sysv-rc: the runlevels as sysvinit runs them (S, then 2 with the previous level N), and
 * the halt runlevel 0 on SIGTERM/SIGINT. A signal that arrives while a runlevel is still
 * being entered is handled once it is up; during the shutdown both are ignored, by the
 * stop scripts too, so that a second Ctrl-C on the console does not cut it short. First
 * what the masked mountkernfs.sh leaves in /run for the scripts after it (a lock
 * directory, sendsigs' omit directory). */
static const char sysv_script[] =
	"mkdir -p /run/lock /run/sendsigs.omit.d && chmod 1777 /run/lock\n"
	"nsb_stop() {\n"
	"\ttrap '' TERM INT\n"
	"\t[ -n \"${nsb_wait:-}\" ] && kill \"$nsb_wait\" 2>/dev/null\n"
	"\tRUNLEVEL=0 PREVLEVEL=2 /etc/init.d/rc 0\n"
	"\texit 0\n"
	"}\n"
	"trap nsb_stop TERM INT\n"
	"RUNLEVEL=S PREVLEVEL=N /etc/init.d/rc S\n"
	"RUNLEVEL=2 PREVLEVEL=N /etc/init.d/rc 2\n"
	SH_READY
	"while :; do sleep 3600 & nsb_wait=$!; wait $nsb_wait; done\n";

/* OpenRC: sysinit, boot, default; "openrc shutdown" on SIGTERM/SIGINT. */
static const char openrc_script[] =
	"nsb_stop() {\n"
	"\ttrap '' TERM INT\n"
	"\t[ -n \"${nsb_wait:-}\" ] && kill \"$nsb_wait\" 2>/dev/null\n"
	"\topenrc shutdown\n"
	"\texit 0\n"
	"}\n"
	"trap nsb_stop TERM INT\n"
	"openrc sysinit\n"
	"openrc boot\n"
	"openrc default\n"
	SH_READY
	"while :; do sleep 3600 & nsb_wait=$!; wait $nsb_wait; done\n";

const char *nsb_preset_script(enum nsb_boot_kind kind)
{
	switch (kind) {
	case NSB_BOOT_SYSV:
		return sysv_script;
	case NSB_BOOT_OPENRC:
		return openrc_script;
	default:
		return NULL;
	}
}

/* The preset's name for messages. */
static const char *kind_name(enum nsb_boot_kind kind)
{
	switch (kind) {
	case NSB_BOOT_SYSV:
		return "sysv";
	case NSB_BOOT_OPENRC:
		return "openrc";
	case NSB_BOOT_GUIX:
		return "guix";
	case NSB_BOOT_SHELL:
		return "shell";
	default:
		return "command";
	}
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

/* Guix's convention for a container's boot: the directories its activation expects, the
 * environment its boot script reads. Returns 0 or a negative errno with ERR filled in. */
static int guix_prepare(const char *system, char *err, size_t errlen)
{
	static const char *const dirs[] = { "/run", "/bin", "/etc", "/home", "/var" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST) {
			int e = errno;
			snprintf(err, errlen, "guix: mkdir %s: %s", dirs[i], strerror(e));
			return -e;
		}
	}
	if (setenv("HOME", "/root", 1) < 0 || setenv("TMPDIR", "/tmp", 1) < 0 ||
	    setenv("GUIX_NEW_SYSTEM", system, 1) < 0) {
		int e = errno;
		snprintf(err, errlen, "guix: setenv: %s", strerror(e));
		return -e;
	}
	return 0;
}

int nsb_preset_argv_kind(const struct nsb_config *c, char ***argv_out,
			 enum nsb_boot_kind *kind_out, char *err, size_t errlen)
{
	*argv_out = NULL;
	if (err && errlen)
		err[0] = '\0';

	enum nsb_boot_kind kind;
	int rootfd = -1;
	if (c->argc == 0 && !c->boot) {
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0) {
			int e = errno;
			snprintf(err, errlen, "open /: %s", strerror(e));
			return -e;
		}
	}
	int r = nsb_boot_kind(c, rootfd, &kind, err, errlen);
	if (rootfd >= 0)
		close(rootfd);
	if (r < 0)
		return r;
	if (c->argc == 0 && !c->boot)
		log_debug("boot: %s preset (detected from the tree)", kind_name(kind));
	if (kind_out)
		*kind_out = kind;

	char **argv = NULL;
	switch (kind) {
	case NSB_BOOT_COMMAND:
		argv = argv_block((const char *const *)c->argv, (size_t)c->argc);
		break;
	case NSB_BOOT_SYSV:
	case NSB_BOOT_OPENRC: {
		const char *words[] = { "/bin/sh", "-c", nsb_preset_script(kind),
					kind == NSB_BOOT_SYSV ? "nsboot-sysv" : "nsboot-openrc" };
		argv = argv_block(words, 4);
		break;
	}
	case NSB_BOOT_GUIX: {
		const char *system = c->boot + strlen("guix:");
		char boot[4096];
		if ((size_t)snprintf(boot, sizeof boot, "%s/boot", system) >= sizeof boot) {
			snprintf(err, errlen, "--boot=%s: path too long", c->boot);
			return -ENAMETOOLONG;
		}
		r = guix_prepare(system, err, errlen);
		if (r < 0)
			return r;
		const char *words[] = { boot };
		argv = argv_block(words, 1);
		break;
	}
	case NSB_BOOT_SHELL: {
		const char *words[] = { "/bin/sh" };
		argv = argv_block(words, 1);
		break;
	}
	}
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
