/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Boot presets and service drop lists.
 * Portable code: compiled into nsboot-init (musl, no libmount) as well. */
#ifndef NSB_BOOT_H
#define NSB_BOOT_H

#include <stddef.h>
#include "config.h"

enum nsb_boot_kind {
	NSB_BOOT_COMMAND = 0, /* COMMAND given: no preset */
	NSB_BOOT_SYSV,        /* /etc/init.d/rc S, rc 2; stop: rc 0 */
	NSB_BOOT_OPENRC,      /* openrc sysinit, boot, default; stop: openrc shutdown */
	NSB_BOOT_GUIX,        /* guix:SYSTEM -> SYSTEM/boot */
	NSB_BOOT_SHELL        /* interactive /bin/sh */
};

#define NSB_MAX_DROP 256
#define NSB_SERVICE_NAME_MAX 64

struct nsb_droplist {
	size_t n;
	char names[NSB_MAX_DROP][NSB_SERVICE_NAME_MAX];
};

/* The preset: COMMAND if one was given, else --boot (NULL ERR on success; -EINVAL and a
 * message naming --boot in ERR when unknown), else detected inside the tree whose root
 * directory is ROOTFD (OpenRC if sbin/openrc exists, sysv-rc if etc/init.d/rc, else shell),
 * resolving the tree's symlinks inside the tree. */
int nsb_boot_kind(const struct nsb_config *c, int rootfd, enum nsb_boot_kind *out,
		  char *err, size_t errlen);

/* Reads drop list PATH: one service name per line, '#' comments, blank lines ignored.
 * Returns 0, or a negative errno with "PATH: ..." or "PATH:LINE: ..." in ERR. */
int nsb_droplist_read(const char *path, struct nsb_droplist *out, char *err, size_t errlen);

/* The data file of the default drop list for KIND ("drop-sysv.list"), NULL when none. */
const char *nsb_droplist_default(enum nsb_boot_kind kind);

/* The stub script bound read-only over /etc/init.d/NAME for KIND (sysv: exit 0; OpenRC:
 * an openrc-run script with no-op start and stop). */
const char *nsb_service_stub(enum nsb_boot_kind kind);

#endif
