/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mount plan as data: a pure function turns the parsed
 * command line and a few facts about the namespaces into an ordered list of entries;
 * apply.c carries them out. */
#ifndef NSB_PLAN_H
#define NSB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include "boot.h"
#include "config.h"

/* What an entry does. */
enum nsb_op {
	NSB_OP_MOUNT = 1, /* a mount through libmount (then maybe read-only via mount_setattr) */
	NSB_OP_ATTACH,    /* move_mount() the tree fd to TARGET */
	NSB_OP_SYMLINK,   /* symlink TARGET -> SOURCE */
	NSB_OP_FILE       /* write SOURCE (the text) into the staging file TARGET */
};

/* Where a path is resolved. */
enum nsb_base {
	NSB_AT_NONE = 0, /* not a path: a file system name ("tmpfs", "proc") */
	NSB_AT_STAGE,    /* the staging tmpfs (our own, plain path) */
	NSB_AT_HOST,     /* the caller's file system (resolved inside the old root) */
	NSB_AT_ROOT      /* the new root (resolved inside it, symlinks never lead out) */
};

/* Entry flags. An entry without NSB_F_OPTIONAL is fatal. */
enum {
	NSB_F_OPTIONAL = 1 << 0,     /* failure is reported in verbose mode and skipped */
	NSB_F_MKDIR = 1 << 1,        /* create a missing target directory (and its parents) */
	NSB_F_MKFILE = 1 << 2,       /* create a missing target file (parents as directories) */
	NSB_F_MKPOINT = 1 << 3,      /* create a missing target like the source: dir or file */
	NSB_F_RDONLY = 1 << 4,       /* read-only afterwards (mount_setattr); unmounted on failure */
	NSB_F_RECURSIVE = 1 << 5,    /* RDONLY for every submount too (AT_RECURSIVE) */
	NSB_F_IF_EXISTS = 1 << 6,    /* skip when the target is absent (/proc/kcore) */
	NSB_F_IF_SRC_EXISTS = 1 << 7,/* skip when the source is absent (/dev/fuse) */
	NSB_F_NEWROOT = 1 << 8,      /* this mount is the new root */
	NSB_F_MASK = 1 << 9,         /* a service mask: a skip is logged as a verbose note */
	NSB_F_EXEC = 1 << 10,        /* FILE: mode 0755 instead of 0644 */
	NSB_F_HOST_OPTS = 1 << 11,   /* host paths in lowerdir=, upperdir=, workdir= (fstab) */
	NSB_F_NETNS = 1 << 12,       /* made in the container's net namespace (sysfs): the
				      * setup's join_netns hook runs before it */
	NSB_F_SOFT_POINT = 1 << 13   /* a convenience nobody asked for (/etc/hostname): skipped
				      * with a verbose note when its missing mount point cannot
				      * be made; any other failure stays fatal */
};

struct nsb_entry {
	enum nsb_op op;
	enum nsb_base src_at, dst_at;
	const char *source;  /* see src_at; for FILE the text, for SYMLINK the link's content */
	const char *target;  /* absolute, see dst_at */
	const char *type;    /* file system type; NULL for a bind */
	const char *options; /* libmount option string, NULL for none */
	const char *lower;   /* overlay: lower dirs joined by ':' (src_at); the applier adds
			      * lowerdir=, upperdir=, workdir= to the options */
	const char *upper;   /* overlay: the staging dir holding "upper" and "work" */
	unsigned flags;
	const char *origin;  /* "FILE:LINE" for fstab lines, NULL otherwise */
};

/* One line of an --fstab file, as libmount parsed it. */
struct nsb_fstab_line {
	char *source, *target, *type, *options; /* options without ro for a bind (see ro_bind) */
	bool ro_bind;  /* "bind,ro": made read-only by mount_setattr, unmounted on failure */
	bool rbind;
	bool mkdir;
	char origin[300]; /* FILE:LINE */
};

#define NSB_FSTAB_MAX 128
struct nsb_fstab {
	size_t n;
	struct nsb_fstab_line l[NSB_FSTAB_MAX];
};

/* Reads fstab(5) file PATH with libmount into OUT (appending). A malformed line is an
 * error "PATH:LINE: malformed line"; noauto and swap lines are skipped. Returns 0 or a
 * negative errno with ERR filled. */
int nsb_fstab_read(const char *path, struct nsb_fstab *out, char *err, size_t errlen);
/* Frees the strings of OUT. */
void nsb_fstab_free(struct nsb_fstab *out);

/* Facts about the namespaces and the host, gathered before the plan is built. */
struct nsb_plan_facts {
	bool own_netns;      /* sysfs can be mounted; else the host's /sys is bound */
	bool own_ipcns;      /* mqueue */
	bool gid5_mapped;    /* devpts gid=5 */
	bool tree_fd;        /* the tree comes as a detached mount (attached at /lower) */
	const char *tree;    /* absolute host path of TREE (when !tree_fd) */
	const char *console; /* host path of the terminal on stdin, or NULL */
	const char *cwd;     /* to make relative host paths absolute */
	const struct nsb_fstab *fstab;       /* or NULL */
	const struct nsb_droplist *drop;     /* or NULL */
	const char *stub;                    /* the service stub's text (when drop) */
	const char *service_dir;             /* where the masked services are (when drop) */
	const char *sys_conf;                /* the preset's container-awareness file, bound
					      * read-only at this path inside, or NULL */
	const char *sys_text;                /* its text */
	unsigned long long mem_total;        /* the RAM in bytes (MemTotal); 0: unknown,
					      * nsb_plan_build reads it */
};

#define NSB_PLAN_MAX 512
struct nsb_plan {
	size_t n;
	struct nsb_entry e[NSB_PLAN_MAX];
	size_t used;
	char arena[32768]; /* strings built for the plan */
};

/* Builds the ordered plan for C and F into P (pure: no I/O, once F->mem_total is known;
 * when it is 0 and C has no tmpfs_size it is read first with nsb_mem_total()). Returns 0,
 * or a negative errno with ERR filled (-E2BIG: too many entries; -EINVAL: a path that
 * cannot be used). */
int nsb_plan_build(const struct nsb_config *c, const struct nsb_plan_facts *f,
		   struct nsb_plan *p, char *err, size_t errlen);

/* The host's RAM in bytes (sysinfo(2), the MemTotal of /proc/meminfo); 0 on failure. */
unsigned long long nsb_mem_total(void);

/* Staging paths (inside the staging tmpfs). */
#define NSB_STAGE_ROOT "/root"
#define NSB_STAGE_LOWER "/lower"
#define NSB_STAGE_UPPER "/rw"  /* holds upper/ and work/ */

#endif
