/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Boot presets (one table: lib/presets.c) and service drop lists.
 * Portable code: compiled into nsboot-init (musl, no libmount) as well. */
#ifndef NSB_BOOT_H
#define NSB_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"

/* When a preset's boot counts as "booted" (BOOTED on the channel). */
enum nsb_ready_rule {
	NSB_READY_REPORT = 0, /* the boot command reports READY=1 (sd_notify or the FIFO) */
	NSB_READY_RUNS        /* as soon as the boot command runs (an interactive shell) */
};

/* One preset: one row of the table in lib/presets.c (its head says how to add one). */
struct nsb_preset {
	const char *name;        /* --boot=NAME */
	bool takes_path;         /* --boot=NAME:/ABSOLUTE/PATH (guix:SYSTEM) */
	const char *detect;      /* a file inside the tree that selects this preset when
				  * neither --boot nor COMMAND is given; rows are tried in
				  * table order; NULL: never detected */
	const char *script;      /* the boot script: run as /bin/sh -c SCRIPT nsboot-NAME;
				  * it catches SIGTERM and SIGINT (PID 1 holds a stop request
				  * until it does); NULL: COMMAND below */
	const char *command;     /* without SCRIPT: the one word exec'd; "%s" is the PATH */
	const char *entry;       /* the tree's program the boot script runs, or NULL; it and
				  * the boot command's interpreter must be in the root before
				  * READY (exit 125 naming the path when one is missing) */
	const char *drops;       /* the default drop list: a file in data/, or NULL */
	const char *service_dir; /* where the tree's services live: a drop list masks
				  * SERVICE_DIR/NAME; NULL: the preset masks nothing */
	const char *stub;        /* the text bound read-only over each masked service */
	enum nsb_ready_rule ready;
	const char *check;       /* run as /bin/sh -c CHECK once the boot reported READY=1:
				  * prints the name of each service that did not come up, one
				  * per line; "booted" names them. NULL: no check */
	const char *sys_conf;    /* a file bound read-only into the tree that turns on the
				  * tree's own container awareness (skipped, with a -v note,
				  * where its mount point cannot be made), or NULL */
	const char *sys_text;    /* its text */
	const char *sys_drops;   /* the words of a service's `keyword` line by which the tree's
				  * init system then drops it (said with -v), or NULL */
	int (*prepare)(const char *path, char *err, size_t errlen);
				 /* run by PID 1 before the boot command, with the PATH of
				  * --boot=NAME:PATH (or NULL); 0 or a negative errno + ERR */
};

/* The table, in detection order, and its length. */
extern const struct nsb_preset nsb_presets[];
extern const size_t nsb_n_presets;
/* The row of a tree no row detects ("shell"), and the row whose service directory and
 * stub mask services in such a tree ("sysv"). */
extern const char nsb_preset_fallback[];
extern const char nsb_preset_masks_fallback[];

/* The row named NAME (the part of --boot before ':' for takes_path rows), or NULL. */
const struct nsb_preset *nsb_preset_named(const char *name);

/* The preset a tree's own init system is: the first row whose DETECT exists inside the tree
 * at ROOTFD (symlinks resolved inside the tree), else the nsb_preset_fallback row. Never
 * NULL. */
const struct nsb_preset *nsb_preset_detect(int rootfd);

/* The boot preset of C: NULL (and 0) when COMMAND was given; else --boot's row (-EINVAL
 * and a message naming --boot in ERR when unknown or malformed); else nsb_preset_detect()
 * on ROOTFD. */
int nsb_preset_choose(const struct nsb_config *c, int rootfd, const struct nsb_preset **out,
		      char *err, size_t errlen);

/* The PATH of --boot=NAME:PATH (NULL for rows that take none). */
const char *nsb_preset_path(const struct nsb_preset *p, const struct nsb_config *c);

/* Whether PATH exists inside the tree at ROOTFD as a non-directory, its symlinks resolved
 * inside the tree (openat2 RESOLVE_IN_ROOT, or a walk by hand where the kernel lacks it):
 * 0, or a negative errno (-EISDIR for a directory). */
int nsb_in_root_file(int rootfd, const char *path);

/* Opens PATH (a directory or a regular file, else -EINVAL) inside the tree at ROOTFD the
 * same way, every symlink resolved inside the tree, with FLAGS (O_RDONLY, O_DIRECTORY...):
 * an fd or a negative errno. */
int nsb_in_root_open(int rootfd, const char *path, int flags);

/* Reads at most LEN - 1 bytes of the regular file PATH inside the tree at ROOTFD (resolved
 * with openat2 RESOLVE_IN_ROOT; without it -ENOSYS) into BUF, NUL-terminated: the
 * length, or a negative errno (-EINVAL when not a regular file). */
int nsb_in_root_read(int rootfd, const char *path, char *buf, size_t len);

#define NSB_MAX_DROP 256
#define NSB_SERVICE_NAME_MAX 64
#define NSB_MAX_DROP_FILES 16
#define NSB_DROP_FILE_MAX 512

/* The services to mask, each with the file it came from. */
struct nsb_droplist {
	size_t n;
	char names[NSB_MAX_DROP][NSB_SERVICE_NAME_MAX];
	unsigned char from[NSB_MAX_DROP]; /* index into files */
	size_t n_files;
	char files[NSB_MAX_DROP_FILES][NSB_DROP_FILE_MAX];
};

/* Reads drop list PATH: one service name per line, '#' comments, blank lines ignored.
 * Returns 0, or a negative errno with "PATH: ..." or "PATH:LINE: ..." in ERR. */
int nsb_droplist_read(const char *path, struct nsb_droplist *out, char *err, size_t errlen);

/* The same, adding to what OUT holds (a name already there is kept once, with its first
 * file). On failure OUT is left as it was. */
int nsb_droplist_add(const char *path, struct nsb_droplist *out, char *err, size_t errlen);

/* 1 when NAME can be a service's file name (letters, digits, . _ - @ + :; not . or ..). */
int nsb_service_name_valid(const char *name);

#endif
