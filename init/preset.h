/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot command of a preset: what PID 1 forks and execs.
 * Portable code: compiled into nsboot-init (musl) as well. */
#ifndef NSB_PRESET_H
#define NSB_PRESET_H

#include <stddef.h>
#include "config.h"
#include "boot.h"

/* Where the boot command reports "up" (docs/trees.md, "Booted readiness"): an sd_notify datagram
 * socket (NOTIFY_SOCKET; READY=1 counts only from the boot command's own pid) and a FIFO
 * for plain sh scripts (a line "READY=1"). Both live in the container's /run. */
#define NSB_NOTIFY_DIR "/run/nsboot"
#define NSB_NOTIFY_SOCKET NSB_NOTIFY_DIR "/notify"
#define NSB_READY_FIFO NSB_NOTIFY_DIR "/ready"

/* The boot command for C, to be called by PID 1 after the pivot (it looks at "/"):
 *   COMMAND given            -> COMMAND [ARG]... as is;
 *   --boot=sysv / openrc     -> /bin/sh -c SCRIPT (the tree's own sh): boot the runlevels,
 *                               report ready on the FIFO, wait; SIGTERM/SIGINT run the
 *                               tree's shutdown (rc 0 / openrc shutdown), then exit 0;
 *   --boot=guix:SYSTEM       -> SYSTEM/boot; this call also creates /run /bin /etc /home
 *                               /var and sets HOME=/root TMPDIR=/tmp GUIX_NEW_SYSTEM=SYSTEM
 *                               in the calling process's environment (setenv), so call it
 *                               before forking the boot command and let the child inherit
 *                               environ;
 *   --boot=shell             -> /bin/sh (interactive on the console);
 *   neither                  -> detected from "/" (nsb_boot_kind), said with -v.
 * On success returns 0 and *ARGV_OUT: a NULL-terminated argv in one malloc'd block (free()
 * it once). On failure returns a negative errno and one line in ERR (e.g. an unknown
 * --boot). KIND_OUT (may be NULL) receives the kind chosen. */
int nsb_preset_argv_kind(const struct nsb_config *c, char ***argv_out,
			 enum nsb_boot_kind *kind_out, char *err, size_t errlen);

/* The same, without the kind. */
int nsb_preset_argv(const struct nsb_config *c, char ***argv_out, char *err, size_t errlen);

/* The shell script of the sysv or openrc preset (pure; for tests and --help). */
const char *nsb_preset_script(enum nsb_boot_kind kind);

#endif
