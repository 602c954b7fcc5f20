/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Building the mount plan (pure): the essential mounts as a const table, then the root,
 * the user mounts in command-line order, the fstab lines and the service masks; every
 * tmpfs sized from one budget. */
#include "list.h"
#include "log.h"
#include "plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>

/* When an essential entry applies. */
enum {
	W_ALL = 0,
	W_OWN_NET = 1 << 0,  /* sysfs */
	W_HOST_SYS = 1 << 1, /* no own net namespace: bind the host's /sys */
	W_IPC = 1 << 2,      /* own ipc namespace: mqueue */
	W_GID5 = 1 << 3,     /* gid 5 mapped: devpts gid=5 */
	W_NO_GID5 = 1 << 4,
	W_CONSOLE = 1 << 5,  /* a terminal on stdin */
	W_HOSTNAME = 1 << 6, /* --hostname */
	W_HOST_NET = 1 << 7  /* --network=host */
};

struct essential {
	enum nsb_op op;
	enum nsb_base src_at;
	const char *source, *target, *type, *options;
	unsigned flags, when;
};

#define RO_PROC (NSB_F_RDONLY | NSB_F_IF_EXISTS)
#define DEVNODE(name) { NSB_OP_MOUNT, NSB_AT_HOST, "/dev/" name, "/dev/" name, NULL, "bind", NSB_F_MKFILE, W_ALL }

/* The essential mounts in order, after the root. A source of
 * NULL with W_CONSOLE or W_HOSTNAME is filled from the facts. */
static const struct essential essentials[] = {
	{ NSB_OP_MOUNT, NSB_AT_NONE, "proc", "/proc", "proc", "nosuid,noexec,nodev", NSB_F_MKDIR, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_ROOT, "/proc/sys", "/proc/sys", NULL, "bind", RO_PROC, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_ROOT, "/proc/sysrq-trigger", "/proc/sysrq-trigger", NULL, "bind", RO_PROC, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_ROOT, "/proc/irq", "/proc/irq", NULL, "bind", RO_PROC, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_ROOT, "/proc/bus", "/proc/bus", NULL, "bind", RO_PROC, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_HOST, "/dev/null", "/proc/kcore", NULL, "bind", RO_PROC, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_HOST, "/dev/null", "/proc/keys", NULL, "bind", RO_PROC, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_HOST, "/dev/null", "/proc/timer_list", NULL, "bind", RO_PROC, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_NONE, "tmpfs", "/dev", "tmpfs", "mode=755,nosuid,strictatime,nr_inodes=4096", NSB_F_MKDIR, W_ALL },
	DEVNODE("null"), DEVNODE("zero"), DEVNODE("full"), DEVNODE("random"), DEVNODE("urandom"),
	DEVNODE("tty"),
	{ NSB_OP_MOUNT, NSB_AT_HOST, "/dev/fuse", "/dev/fuse", NULL, "bind",
	  NSB_F_MKFILE | NSB_F_IF_SRC_EXISTS | NSB_F_OPTIONAL, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_NONE, "devpts", "/dev/pts", "devpts",
	  "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5", NSB_F_MKDIR, W_GID5 },
	{ NSB_OP_MOUNT, NSB_AT_NONE, "devpts", "/dev/pts", "devpts",
	  "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620", NSB_F_MKDIR, W_NO_GID5 },
	{ NSB_OP_SYMLINK, NSB_AT_NONE, "pts/ptmx", "/dev/ptmx", NULL, NULL, 0, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_HOST, NULL, "/dev/console", NULL, "bind",
	  NSB_F_MKFILE | NSB_F_OPTIONAL, W_CONSOLE },
	{ NSB_OP_SYMLINK, NSB_AT_NONE, "/proc/self/fd", "/dev/fd", NULL, NULL, 0, W_ALL },
	{ NSB_OP_SYMLINK, NSB_AT_NONE, "/proc/self/fd/0", "/dev/stdin", NULL, NULL, 0, W_ALL },
	{ NSB_OP_SYMLINK, NSB_AT_NONE, "/proc/self/fd/1", "/dev/stdout", NULL, NULL, 0, W_ALL },
	{ NSB_OP_SYMLINK, NSB_AT_NONE, "/proc/self/fd/2", "/dev/stderr", NULL, NULL, 0, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_NONE, "tmpfs", "/dev/shm", "tmpfs", "mode=1777,nosuid,nodev", NSB_F_MKDIR, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_NONE, "mqueue", "/dev/mqueue", "mqueue", "nosuid,nodev,noexec",
	  NSB_F_MKDIR | NSB_F_OPTIONAL, W_IPC },
	{ NSB_OP_MOUNT, NSB_AT_NONE, "tmpfs", "/run", "tmpfs", "mode=755,nosuid,nodev", NSB_F_MKDIR, W_ALL },
	{ NSB_OP_MOUNT, NSB_AT_NONE, "tmpfs", "/tmp", "tmpfs", "mode=1777,nosuid,nodev", NSB_F_MKDIR, W_ALL },
	/* /sys last: sysfs shows the net namespace of its mounter, and the spawner makes that
	 * namespace on another CPU while everything above is mounted */
	{ NSB_OP_MOUNT, NSB_AT_NONE, "sysfs", "/sys", "sysfs", "ro,nosuid,nodev,noexec", NSB_F_MKDIR | NSB_F_NETNS, W_OWN_NET },
	{ NSB_OP_MOUNT, NSB_AT_HOST, "/sys", "/sys", NULL, "rbind",
	  NSB_F_MKDIR | NSB_F_RDONLY | NSB_F_RECURSIVE, W_HOST_SYS },
	{ NSB_OP_FILE, NSB_AT_NONE, NULL, "/hostname", NULL, NULL, 0, W_HOSTNAME },
	/* conveniences: a read-only tree or one the rootless caller does not own may have no
	 * room for their mount points, and then goes without them */
	{ NSB_OP_MOUNT, NSB_AT_STAGE, "/hostname", "/etc/hostname", NULL, "bind",
	  NSB_F_MKFILE | NSB_F_RDONLY | NSB_F_SOFT_POINT, W_HOSTNAME },
	{ NSB_OP_MOUNT, NSB_AT_HOST, "/etc/resolv.conf", "/etc/resolv.conf", NULL, "bind",
	  NSB_F_MKFILE | NSB_F_RDONLY | NSB_F_IF_SRC_EXISTS | NSB_F_SOFT_POINT, W_HOST_NET },
	{ NSB_OP_MOUNT, NSB_AT_HOST, "/etc/hosts", "/etc/hosts", NULL, "bind",
	  NSB_F_MKFILE | NSB_F_RDONLY | NSB_F_IF_SRC_EXISTS | NSB_F_SOFT_POINT, W_HOST_NET },
};

/* The size of each tmpfs of one container in bytes, multiples of 4 KiB that add up to at
 * most the budget (--tmpfs-size, else a quarter of the RAM; never below NSB_TMPFS_MIN).
 * /dev gets 4 MiB (at most 1/32 of the budget); of the rest, the root's writable layer
 * 1/2, /tmp 1/4, /dev/shm 1/8, /run 1/16, and the user's tmpfs mounts without a size of
 * their own share the last 1/16. The root's layer is the staging tmpfs (the overlay's
 * upper layer, the --overlay upper layers, the generated files); with --tmpfs-root the
 * root tmpfs takes 7/8 of it and the staging tmpfs 1/8. */
struct sizes {
	unsigned long long stage, root, dev, shm, run, tmp;
	unsigned long long user; /* each --tmpfs and fstab tmpfs line without size= */
};

#define PAGE_BYTES 4096ULL
#define DEV_BYTES (4ULL << 20)

/* True when the tmpfs option list OPTS sets a size of its own (size= or nr_blocks=). */
static bool has_size(const char *opts)
{
	size_t n;
	for (const char *s = opts, *item; nsb_list_next(&s, &item, &n);)
		if ((n >= 5 && strncmp(item, "size=", 5) == 0) ||
		    (n >= 10 && strncmp(item, "nr_blocks=", 10) == 0))
			return true;
	return false;
}

/* The number of user tmpfs mounts (--tmpfs, fstab tmpfs lines) without a size of their own. */
static size_t unsized_tmpfs(const struct nsb_config *c, const struct nsb_plan_facts *f)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_mounts; i++)
		n += c->mounts[i].kind == NSB_MNT_TMPFS && !has_size(c->mounts[i].opts);
	for (size_t i = 0; f->fstab && i < f->fstab->n; i++)
		n += f->fstab->l[i].type && strcmp(f->fstab->l[i].type, "tmpfs") == 0 &&
		     !has_size(f->fstab->l[i].options);
	return n;
}

/* N rounded down to whole 4 KiB pages. */
static unsigned long long pages(unsigned long long n)
{
	return n / PAGE_BYTES * PAGE_BYTES;
}

/* Splits the tmpfs budget of C and F over the container's tmpfs mounts (see struct sizes). */
static struct sizes split(const struct nsb_config *c, const struct nsb_plan_facts *f)
{
	unsigned long long budget = c->tmpfs_size ? c->tmpfs_size : f->mem_total / 4;
	if (budget < NSB_TMPFS_MIN)
		budget = NSB_TMPFS_MIN;
	struct sizes z = { .dev = budget / 32 < DEV_BYTES ? budget / 32 : DEV_BYTES };
	unsigned long long rest = budget - z.dev, layer = rest / 2;
	z.tmp = pages(rest / 4);
	z.shm = pages(rest / 8);
	z.run = pages(rest / 16);
	size_t n = unsized_tmpfs(c, f);
	z.user = n ? pages(rest / 16 / n) : 0;
	z.stage = c->root == NSB_ROOT_TMPFS ? layer / 8 : layer;
	z.root = c->root == NSB_ROOT_TMPFS ? pages(layer - z.stage) : 0;
	z.stage = pages(z.stage);
	z.dev = pages(z.dev);
	return z;
}

static const char *save(struct nsb_plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Formats a string into the plan's arena; NULL when it is full. */
static const char *save(struct nsb_plan *p, const char *fmt, ...)
{
	size_t room = sizeof p->arena - p->used;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p->arena + p->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return NULL;
	const char *s = p->arena + p->used;
	p->used += (size_t)n + 1;
	return s;
}

/* Appends E to P; -E2BIG when full. */
static int add(struct nsb_plan *p, struct nsb_entry e)
{
	if (p->n >= NSB_PLAN_MAX)
		return -E2BIG;
	p->e[p->n++] = e;
	return 0;
}

/* A host path made absolute against the caller's cwd; NULL when the arena is full. */
static const char *host_path(struct nsb_plan *p, const struct nsb_plan_facts *f, const char *path)
{
	if (path[0] == '/' || !f->cwd)
		return path;
	return save(p, "%s/%s", strcmp(f->cwd, "/") == 0 ? "" : f->cwd, path);
}

/* The root entries of MODE (the new root is the staging dir NSB_STAGE_ROOT). */
static int add_root(struct nsb_plan *p, const struct nsb_config *c, const struct nsb_plan_facts *f,
		    const struct sizes *z, char *err, size_t errlen)
{
	const unsigned ro = c->root == NSB_ROOT_READONLY ? NSB_F_RDONLY | NSB_F_RECURSIVE : 0;
	const char *opts;
	int r = 0;
	switch (c->root) {
	case NSB_ROOT_TMPFS:
		if (!(opts = save(p, "mode=755,size=%lluk", z->root >> 10)))
			return -E2BIG;
		return add(p, (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_NONE,
			.dst_at = NSB_AT_STAGE, .source = "tmpfs", .target = NSB_STAGE_ROOT,
			.type = "tmpfs", .options = opts, .flags = NSB_F_MKDIR | NSB_F_NEWROOT });
	case NSB_ROOT_OVERLAY:
		if (f->tree_fd) {
			r = add(p, (struct nsb_entry){ .op = NSB_OP_ATTACH, .dst_at = NSB_AT_STAGE,
				.target = NSB_STAGE_LOWER, .flags = NSB_F_MKDIR });
			if (r < 0)
				return r;
		} else if (strpbrk(f->tree, ":,")) {
			return nsb_fail(err, errlen, -EINVAL,
				    "%s: a ':' or ',' in TREE cannot be an overlay lower layer", f->tree);
		}
		return add(p, (struct nsb_entry){ .op = NSB_OP_MOUNT,
			.src_at = f->tree_fd ? NSB_AT_STAGE : NSB_AT_HOST,
			.dst_at = NSB_AT_STAGE, .source = "overlay", .target = NSB_STAGE_ROOT,
			.type = "overlay", .lower = f->tree_fd ? NSB_STAGE_LOWER : f->tree,
			.upper = NSB_STAGE_UPPER, .flags = NSB_F_MKDIR | NSB_F_NEWROOT });
	case NSB_ROOT_READONLY:
	case NSB_ROOT_WRITABLE:
		if (f->tree_fd)
			return add(p, (struct nsb_entry){ .op = NSB_OP_ATTACH, .dst_at = NSB_AT_STAGE,
				.target = NSB_STAGE_ROOT, .flags = NSB_F_MKDIR | NSB_F_NEWROOT | ro });
		return add(p, (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_HOST,
			.dst_at = NSB_AT_STAGE, .source = f->tree, .target = NSB_STAGE_ROOT,
			.options = "rbind", .flags = NSB_F_MKDIR | NSB_F_NEWROOT | ro });
	case NSB_ROOT_NONE:
	default:
		return nsb_fail(err, errlen, -EINVAL, "no root mode: nothing to mount");
	}
}

/* True when essential E applies under C and F. */
static bool applies(const struct essential *e, const struct nsb_config *c,
		    const struct nsb_plan_facts *f)
{
	switch (e->when) {
	case W_ALL: return true;
	case W_OWN_NET: return f->own_netns;
	case W_HOST_SYS: return !f->own_netns;
	case W_IPC: return f->own_ipcns;
	case W_GID5: return f->gid5_mapped;
	case W_NO_GID5: return !f->gid5_mapped;
	case W_CONSOLE: return f->console != NULL;
	case W_HOSTNAME: return c->hostname != NULL;
	case W_HOST_NET: return c->network == NSB_NET_HOST;
	}
	return false;
}

/* The size in bytes the split Z gives the essential tmpfs at TARGET. */
static unsigned long long essential_size(const struct sizes *z, const char *target)
{
	if (strcmp(target, "/dev") == 0)
		return z->dev;
	if (strcmp(target, "/dev/shm") == 0)
		return z->shm;
	if (strcmp(target, "/run") == 0)
		return z->run;
	return z->tmp; /* /tmp */
}

/* The essential entries that apply. */
static int add_essentials(struct nsb_plan *p, const struct nsb_config *c,
			  const struct nsb_plan_facts *f, const struct sizes *z)
{
	for (size_t i = 0; i < sizeof essentials / sizeof essentials[0]; i++) {
		const struct essential *e = &essentials[i];
		if (!applies(e, c, f))
			continue;
		struct nsb_entry n = { .op = e->op, .src_at = e->src_at, .source = e->source,
			.target = e->target, .type = e->type, .options = e->options, .flags = e->flags,
			.dst_at = e->op == NSB_OP_FILE ? NSB_AT_STAGE : NSB_AT_ROOT };
		if (e->when == W_CONSOLE)
			n.source = f->console;
		if (e->op == NSB_OP_FILE && e->when == W_HOSTNAME &&
		    !(n.source = save(p, "%s\n", c->hostname)))
			return -E2BIG;
		if (e->type && strcmp(e->type, "tmpfs") == 0 &&
		    !(n.options = save(p, "%s,size=%lluk", e->options,
				       essential_size(z, e->target) >> 10)))
			return -E2BIG;
		int r = add(p, n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Checks a --bind option list; returns the flags it adds or -1 with ERR set. */
static int bind_opts(const struct nsb_mount_spec *m, bool *rbind, char *err, size_t errlen)
{
	int flags = 0;
	*rbind = true;
	size_t n;
	for (const char *s = m->opts, *item; nsb_list_next(&s, &item, &n);) {
		if (nsb_list_is(item, n, "norbind"))
			*rbind = false;
		else if (nsb_list_is(item, n, "rbind"))
			*rbind = true;
		else if (nsb_list_is(item, n, "ro"))
			flags |= NSB_F_RDONLY | NSB_F_RECURSIVE;
		else if (nsb_list_is(item, n, "rw"))
			;
		else {
			nsb_fail(err, errlen, 0, "--%s=%s:%s:%s: unknown option '%.*s' (rbind, norbind, ro, rw)",
			     m->kind == NSB_MNT_BIND ? "bind" : "bind-ro", m->src, m->dst, m->opts,
			     (int)n, item);
			return -1;
		}
	}
	return flags;
}

/* The user mounts of the command line, in order. */
static int add_user_mounts(struct nsb_plan *p, const struct nsb_config *c,
			   const struct nsb_plan_facts *f, const struct sizes *z, char *err,
			   size_t errlen)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct nsb_mount_spec *m = &c->mounts[i];
		struct nsb_entry e = { .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT, .target = m->dst };
		if (strcmp(m->dst, "/") == 0)
			return nsb_fail(err, errlen, -EINVAL, "%s: cannot mount over the container's /", m->dst);
		switch (m->kind) {
		case NSB_MNT_BIND:
		case NSB_MNT_BIND_RO: {
			bool rbind;
			int fl = bind_opts(m, &rbind, err, errlen);
			if (fl < 0)
				return -EINVAL;
			e.src_at = NSB_AT_HOST;
			if (!(e.source = host_path(p, f, m->src)))
				return -E2BIG;
			e.options = rbind ? "rbind" : "bind";
			e.flags = (unsigned)fl | NSB_F_MKPOINT;
			if (m->kind == NSB_MNT_BIND_RO)
				e.flags |= NSB_F_RDONLY | NSB_F_RECURSIVE;
			break;
		}
		case NSB_MNT_TMPFS:
			e.src_at = NSB_AT_NONE;
			e.source = "tmpfs";
			e.type = "tmpfs";
			e.options = m->opts ? m->opts : "mode=755,nosuid,nodev";
			if (!has_size(m->opts) &&
			    !(e.options = save(p, "%s,size=%lluk", e.options, z->user >> 10)))
				return -E2BIG;
			e.flags = NSB_F_MKDIR;
			break;
		case NSB_MNT_OVERLAY: {
			e.src_at = NSB_AT_HOST;
			e.source = "overlay";
			e.type = "overlay";
			e.flags = NSB_F_MKDIR;
			/* each lower dir made absolute */
			char buf[4096];
			size_t len = 0;
			for (const char *s = m->src; *s;) {
				size_t n = strcspn(s, ":");
				if (n == 0)
					return nsb_fail(err, errlen, -EINVAL, "--overlay=%s:%s: empty lower dir",
						    m->src, m->dst);
				bool rel = s[0] != '/' && f->cwd;
				int w = snprintf(buf + len, sizeof buf - len, "%s%s%s%.*s", len ? ":" : "",
						 rel ? f->cwd : "", rel ? "/" : "", (int)n, s);
				if (w < 0 || (size_t)w >= sizeof buf - len)
					return nsb_fail(err, errlen, -EINVAL, "--overlay=%s:%s: lower dirs too long",
						    m->src, m->dst);
				len += (size_t)w;
				s += n;
				if (*s == ':')
					s++;
			}
			if (strchr(buf, ','))
				return nsb_fail(err, errlen, -EINVAL,
					    "--overlay=%s:%s: a ',' in a lower dir is not supported", m->src, m->dst);
			if (!(e.lower = save(p, "%s", buf)) ||
			    !(e.upper = save(p, "/overlay%zu", i)))
				return -E2BIG;
			break;
		}
		}
		int r = add(p, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The lines of the --fstab files, in order (a tmpfs line without a size gets one). */
static int add_fstab(struct nsb_plan *p, const struct nsb_plan_facts *f, const struct sizes *z)
{
	if (!f->fstab)
		return 0;
	for (size_t i = 0; i < f->fstab->n; i++) {
		const struct nsb_fstab_line *l = &f->fstab->l[i];
		bool bind = l->type == NULL;
		struct nsb_entry e = { .op = NSB_OP_MOUNT, .dst_at = NSB_AT_ROOT,
			.src_at = l->source && l->source[0] == '/' ? NSB_AT_HOST : NSB_AT_NONE,
			.source = l->source, .target = l->target, .type = l->type,
			.options = l->options, .origin = l->origin,
			.flags = bind ? NSB_F_MKPOINT : NSB_F_MKDIR };
		if (l->ro_bind)
			e.flags |= NSB_F_RDONLY | (l->rbind ? NSB_F_RECURSIVE : 0);
		if (l->type && strcmp(l->type, "overlay") == 0)
			e.flags |= NSB_F_HOST_OPTS;
		if (l->type && strcmp(l->type, "tmpfs") == 0 && !has_size(l->options) &&
		    !(e.options = save(p, "%s%ssize=%lluk", l->options ? l->options : "",
				       l->options ? "," : "", z->user >> 10)))
			return -E2BIG;
		int r = add(p, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The preset's container-awareness file (OpenRC's rc_sys): written once, bound read-only
 * at its path; a convenience, skipped when its mount point cannot be made. */
static int add_sys_conf(struct nsb_plan *p, const struct nsb_plan_facts *f)
{
	if (!f->sys_conf || !f->sys_text)
		return 0;
	int r = add(p, (struct nsb_entry){ .op = NSB_OP_FILE, .dst_at = NSB_AT_STAGE,
		.source = f->sys_text, .target = "/sys-conf" });
	if (r == 0)
		r = add(p, (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_STAGE,
			.dst_at = NSB_AT_ROOT, .source = "/sys-conf", .target = f->sys_conf,
			.options = "bind",
			.flags = NSB_F_MKFILE | NSB_F_RDONLY | NSB_F_SOFT_POINT });
	return r;
}

/* The service masks: the stub written once, bound over each SERVICE_DIR/NAME present. */
static int add_masks(struct nsb_plan *p, const struct nsb_plan_facts *f)
{
	if (!f->drop || f->drop->n == 0 || !f->stub || !f->service_dir)
		return 0;
	int r = add(p, (struct nsb_entry){ .op = NSB_OP_FILE, .dst_at = NSB_AT_STAGE,
		.source = f->stub, .target = "/service-stub", .flags = NSB_F_EXEC });
	for (size_t i = 0; r == 0 && i < f->drop->n; i++) {
		const char *t = save(p, "%s/%s", f->service_dir, f->drop->names[i]);
		if (!t)
			return -E2BIG;
		r = add(p, (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_STAGE,
			.dst_at = NSB_AT_ROOT, .source = "/service-stub", .target = t,
			.options = "bind", .flags = NSB_F_RDONLY | NSB_F_IF_EXISTS | NSB_F_MASK });
	}
	return r;
}

/* The staging tmpfs (mounted before the plan runs, without a size) remounted with its
 * share Z->stage: the first entry, while it holds next to nothing. */
static int add_stage_size(struct nsb_plan *p, const struct sizes *z)
{
	const char *opts = save(p, "remount,nosuid,nodev,size=%lluk", z->stage >> 10);
	if (!opts)
		return -E2BIG;
	return add(p, (struct nsb_entry){ .op = NSB_OP_MOUNT, .src_at = NSB_AT_NONE,
		.dst_at = NSB_AT_STAGE, .source = "tmpfs", .target = "/", .type = "tmpfs",
		.options = opts });
}

/* nsb_plan_build() once F holds every fact (pure). */
static int build(const struct nsb_config *c, const struct nsb_plan_facts *f,
		 struct nsb_plan *p, char *err, size_t errlen)
{
	p->n = 0;
	p->used = 0;
	err[0] = '\0';
	if (c->root != NSB_ROOT_TMPFS && !f->tree_fd && (!f->tree || f->tree[0] != '/'))
		return nsb_fail(err, errlen, -EINVAL, "TREE must be an absolute path");
	if (!c->tmpfs_size && !f->mem_total)
		return nsb_fail(err, errlen, -EINVAL, "the size of the RAM is unknown: "
				"give --tmpfs-size");
	const struct sizes z = split(c, f);
	int r = add_stage_size(p, &z);
	if (r == 0)
		r = add_root(p, c, f, &z, err, errlen);
	if (r == 0)
		r = add_essentials(p, c, f, &z);
	if (r == 0)
		r = add_user_mounts(p, c, f, &z, err, errlen);
	if (r == 0)
		r = add_fstab(p, f, &z);
	if (r == 0)
		r = add_masks(p, f);
	if (r == 0)
		r = add_sys_conf(p, f);
	if (r == -E2BIG && !err[0])
		nsb_fail(err, errlen, r, "the mount plan has more than %d entries", NSB_PLAN_MAX);
	return r;
}

int nsb_plan_build(const struct nsb_config *c, const struct nsb_plan_facts *f,
		   struct nsb_plan *p, char *err, size_t errlen)
{
	if (f->mem_total || c->tmpfs_size)
		return build(c, f, p, err, errlen);
	struct nsb_plan_facts known = *f;
	known.mem_total = nsb_mem_total();
	return build(c, &known, p, err, errlen);
}

unsigned long long nsb_mem_total(void)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		return 0;
	return (unsigned long long)si.totalram * (si.mem_unit ? si.mem_unit : 1);
}
