/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot command of a preset: what PID 1 forks and execs.
 * Portable code: compiled into nsboot-init (musl) as well. */
#ifndef NSB_PRESET_H
#define NSB_PRESET_H

#include <stddef.h>
#include "config.h"
#include "boot.h"

/* Where the boot command reports "up" (docs/protocol.md, BOOTED): an sd_notify datagram
 * socket (NOTIFY_SOCKET; READY=1 counts only from the boot command's own pid) and a FIFO
 * for plain sh scripts (a line "READY=1"). Both live in the container's /run. */
#define NSB_NOTIFY_DIR "/run/nsboot"
#define NSB_NOTIFY_SOCKET NSB_NOTIFY_DIR "/notify"
#define NSB_READY_FIFO NSB_NOTIFY_DIR "/ready"

/* The boot command for C, to be called by PID 1 after the pivot:
 *   COMMAND given            -> COMMAND [ARG]... as is (*PRESET_OUT NULL);
 *   --boot=NAME              -> the row's script as /bin/sh -c SCRIPT nsboot-NAME (the
 *                               tree's own sh), or its command word; the row's prepare
 *                               step runs now (guix: creates /run /bin /etc /home /var and
 *                               sets HOME, TMPDIR, GUIX_NEW_SYSTEM with setenv, so call it
 *                               before forking the boot command);
 *   neither                  -> detected from "/" (nsboot always passes --boot; this is
 *                               for other spawners), said with -v.
 * On success returns 0 and *ARGV_OUT: a NULL-terminated argv in one malloc'd block (free()
 * it once). On failure returns a negative errno and one line in ERR (e.g. an unknown
 * --boot). PRESET_OUT (may be NULL) receives the row chosen. */
int nsb_preset_argv_kind(const struct nsb_config *c, char ***argv_out,
			 const struct nsb_preset **preset_out, char *err, size_t errlen);

/* The same, without the row. */
int nsb_preset_argv(const struct nsb_config *c, char ***argv_out, char *err, size_t errlen);

/* The shell script of preset P, NULL for a row without one (pure; for tests). */
const char *nsb_preset_script(const struct nsb_preset *p);

/* Checks that the root at ROOTFD holds what the boot command ARGV of preset P (NULL for
 * COMMAND) needs before it starts: the interpreter of a script preset, the preset's entry
 * point, a preset's command word. Returns 0, or a negative errno with ERR naming the path
 * ("the tree has no /bin/sh (the shell preset needs it)"). */
int nsb_preset_check_root(const struct nsb_preset *p, char *const argv[], int rootfd,
			  char *err, size_t errlen);

#endif
