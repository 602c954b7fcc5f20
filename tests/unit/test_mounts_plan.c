/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mount plan (mounts/plan.c): every root mode, every option, the order of entries. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "../../mounts/plan.h"

static struct nsb_plan plan;
static char argbuf[32][256];

/* Parses the option words (NULL-terminated) as nsboot-mount does. */
static void parse(struct nsb_config *c, const char *const *words)
{
	char *argv[34];
	int argc = 0;
	argv[argc++] = "nsboot-mount";
	for (; *words; words++, argc++) {
		snprintf(argbuf[argc], sizeof argbuf[argc], "%s", *words);
		argv[argc] = argbuf[argc];
	}
	argv[argc] = NULL;
	char err[256];
	assert_int_equal(nsb_parse_args(c, argc, argv, NSB_PROG_MOUNT, err, sizeof err), NSB_PARSE_OK);
}

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)

static const struct nsb_plan_facts base_facts = {
	.own_netns = true, .own_ipcns = true, .gid5_mapped = true, .tree = "/srv/tree", .cwd = "/home/u",
	.mem_total = 16 * GIB,
};

/* The root's entry: the first one after the staging tmpfs' size. */
#define ROOT 1

/* Builds the plan of WORDS with F; asserts success. */
static void build(const char *const *words, const struct nsb_plan_facts *f)
{
	struct nsb_config c;
	char err[256];
	parse(&c, words);
	int r = nsb_plan_build(&c, f, &plan, err, sizeof err);
	if (r != 0)
		fail_msg("plan: %s", err);
}

/* The index of the first entry with TARGET (and OP when non-zero), or -1. */
static int find(const char *target, enum nsb_op op)
{
	for (size_t i = 0; i < plan.n; i++)
		if (strcmp(plan.e[i].target, target) == 0 && (!op || plan.e[i].op == op))
			return (int)i;
	return -1;
}

/* Index of the first entry with TARGET whose type is TYPE. */
static int find_type(const char *target, const char *type)
{
	for (size_t i = 0; i < plan.n; i++)
		if (strcmp(plan.e[i].target, target) == 0 && plan.e[i].type &&
		    strcmp(plan.e[i].type, type) == 0)
			return (int)i;
	return -1;
}

static void test_overlay_default(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &base_facts);
	/* first the staging tmpfs gets its size, while it holds nothing yet */
	assert_int_equal(plan.e[0].dst_at, NSB_AT_STAGE);
	assert_string_equal(plan.e[0].target, "/");
	assert_string_equal(plan.e[0].type, "tmpfs");
	assert_string_equal(plan.e[0].options, "remount,nosuid,nodev,size=2095104k");
	assert_int_equal(plan.e[0].flags, 0); /* fatal when it fails */
	const struct nsb_entry *e = &plan.e[ROOT];
	assert_int_equal(e->op, NSB_OP_MOUNT);
	assert_string_equal(e->type, "overlay");
	assert_string_equal(e->target, NSB_STAGE_ROOT);
	assert_int_equal(e->dst_at, NSB_AT_STAGE);
	assert_int_equal(e->src_at, NSB_AT_HOST);
	assert_string_equal(e->lower, "/srv/tree");
	assert_string_equal(e->upper, NSB_STAGE_UPPER);
	assert_true(e->flags & NSB_F_NEWROOT);
	assert_false(e->flags & NSB_F_RDONLY);
	/* every essential, /sys last (the builder joins the container's net namespace only
	 * there: spawn/child.c) */
	const char *order[] = { "/proc", "/proc/sys", "/proc/keys", "/dev", "/dev/null",
				"/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
				"/dev/pts", "/dev/ptmx", "/dev/fd", "/dev/stdin", "/dev/stdout",
				"/dev/stderr", "/dev/shm", "/dev/mqueue", "/run", "/tmp", "/sys" };
	int last = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		int at = find(order[i], 0);
		if (at <= last)
			fail_msg("%s at %d, after %d", order[i], at, last);
		last = at;
	}
	assert_string_equal(plan.e[find("/proc", 0)].type, "proc");
	assert_string_equal(plan.e[find("/proc", 0)].options, "nosuid,noexec,nodev");
	assert_string_equal(plan.e[find("/dev", 0)].options,
			    "mode=755,nosuid,strictatime,nr_inodes=4096,size=4096k");
	assert_string_equal(plan.e[find("/dev/shm", 0)].options, "mode=1777,nosuid,nodev,size=523776k");
	assert_string_equal(plan.e[find("/run", 0)].options, "mode=755,nosuid,nodev,size=261888k");
	assert_string_equal(plan.e[find("/tmp", 0)].options, "mode=1777,nosuid,nodev,size=1047552k");
	assert_string_equal(plan.e[find("/dev/ptmx", 0)].source, "pts/ptmx");
	assert_int_equal(plan.e[find("/dev/ptmx", 0)].op, NSB_OP_SYMLINK);
	assert_string_equal(plan.e[find("/dev/fd", 0)].source, "/proc/self/fd");
	/* no hostname, no console, no host network files */
	assert_int_equal(find("/etc/hostname", 0), -1);
	assert_int_equal(find("/dev/console", 0), -1);
	assert_int_equal(find("/etc/resolv.conf", 0), -1);
}

static void test_proc_entries(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &base_facts);
	const char *ro[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus" };
	for (size_t i = 0; i < 4; i++) {
		const struct nsb_entry *e = &plan.e[find(ro[i], 0)];
		assert_int_equal(e->src_at, NSB_AT_ROOT);
		assert_string_equal(e->source, ro[i]);
		assert_true(e->flags & NSB_F_RDONLY);
		assert_true(e->flags & NSB_F_IF_EXISTS);
		assert_false(e->flags & (NSB_F_MKDIR | NSB_F_MKFILE));
	}
	const char *masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list" };
	for (size_t i = 0; i < 3; i++) {
		const struct nsb_entry *e = &plan.e[find(masked[i], 0)];
		assert_int_equal(e->src_at, NSB_AT_HOST);
		assert_string_equal(e->source, "/dev/null");
		assert_true(e->flags & NSB_F_IF_EXISTS);
	}
}

static void test_sys_private_and_host(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &base_facts);
	int i = find("/sys", 0);
	assert_string_equal(plan.e[i].type, "sysfs");
	assert_string_equal(plan.e[i].options, "ro,nosuid,nodev,noexec");
	assert_true(plan.e[i].flags & NSB_F_NETNS); /* mounted in the container's net ns */

	struct nsb_plan_facts f = base_facts;
	f.own_netns = false;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	i = find("/sys", 0);
	assert_null(plan.e[i].type);
	assert_int_equal(plan.e[i].src_at, NSB_AT_HOST);
	assert_string_equal(plan.e[i].source, "/sys");
	assert_string_equal(plan.e[i].options, "rbind");
	assert_int_equal(plan.e[i].flags & (NSB_F_RDONLY | NSB_F_RECURSIVE), NSB_F_RDONLY | NSB_F_RECURSIVE);
	assert_int_equal(find_type("/sys", "sysfs"), -1);
	for (size_t k = 0; k < plan.n; k++)
		assert_false(plan.e[k].flags & NSB_F_NETNS); /* the host's: nothing to join */
}

static void test_devpts_gid5_and_mqueue(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &base_facts);
	assert_non_null(strstr(plan.e[find("/dev/pts", 0)].options, "gid=5"));
	assert_non_null(strstr(plan.e[find("/dev/pts", 0)].options, "newinstance,ptmxmode=0666,mode=0620"));
	assert_true(find("/dev/mqueue", 0) > 0);
	assert_true(plan.e[find("/dev/mqueue", 0)].flags & NSB_F_OPTIONAL);

	struct nsb_plan_facts f = base_facts;
	f.gid5_mapped = false;
	f.own_ipcns = false;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	assert_null(strstr(plan.e[find("/dev/pts", 0)].options, "gid="));
	assert_int_equal(find("/dev/mqueue", 0), -1);
}

static void test_devnodes(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &base_facts);
	const char *nodes[] = { "null", "zero", "full", "random", "urandom", "tty", "fuse" };
	for (size_t i = 0; i < 7; i++) {
		char p[32];
		snprintf(p, sizeof p, "/dev/%s", nodes[i]);
		const struct nsb_entry *e = &plan.e[find(p, 0)];
		assert_string_equal(e->source, p);
		assert_int_equal(e->src_at, NSB_AT_HOST);
		assert_true(e->flags & NSB_F_MKFILE);
		assert_string_equal(e->options, "bind");
	}
	/* fuse only when the host has it, never fatal */
	assert_true(plan.e[find("/dev/fuse", 0)].flags & NSB_F_IF_SRC_EXISTS);
	assert_true(plan.e[find("/dev/fuse", 0)].flags & NSB_F_OPTIONAL);
	assert_false(plan.e[find("/dev/null", 0)].flags & NSB_F_OPTIONAL);
}

static void test_console(void **state)
{
	(void)state;
	struct nsb_plan_facts f = base_facts;
	f.console = "/dev/pts/7";
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	int i = find("/dev/console", 0);
	assert_true(i > find("/dev/pts", 0));
	assert_string_equal(plan.e[i].source, "/dev/pts/7");
	assert_true(plan.e[i].flags & NSB_F_MKFILE);
}

static void test_hostname_and_host_network(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", "--hostname=box", "--network=host", NULL },
	      &base_facts);
	int file = find("/hostname", NSB_OP_FILE);
	assert_true(file > 0);
	assert_string_equal(plan.e[file].source, "box\n");
	int bind = find("/etc/hostname", 0);
	assert_true(bind > file);
	assert_int_equal(plan.e[bind].src_at, NSB_AT_STAGE);
	assert_string_equal(plan.e[bind].source, "/hostname");
	assert_true(plan.e[bind].flags & NSB_F_RDONLY);
	for (const char *const *p = (const char *[]){ "/etc/resolv.conf", "/etc/hosts", NULL }; *p; p++) {
		int i = find(*p, 0);
		assert_true(i > 0);
		assert_string_equal(plan.e[i].source, *p);
		assert_int_equal(plan.e[i].src_at, NSB_AT_HOST);
		assert_true(plan.e[i].flags & NSB_F_RDONLY);
	}
	/* conveniences: skipped when their mount point cannot be made, nothing else */
	for (const char *const *p = (const char *[]){ "/etc/hostname", "/etc/resolv.conf",
						      "/etc/hosts", NULL }; *p; p++) {
		int i = find(*p, 0);
		assert_true(plan.e[i].flags & NSB_F_SOFT_POINT);
		assert_false(plan.e[i].flags & NSB_F_OPTIONAL);
	}
	/* what the user asked for stays fatal */
	build((const char *[]){ "-D", "/srv/tree", "--hostname=box", "--bind=/a:/etc/a",
				"--tmpfs=/t", NULL }, &base_facts);
	for (size_t i = 0; i < plan.n; i++)
		if (strcmp(plan.e[i].target, "/etc/hostname") != 0)
			assert_false(plan.e[i].flags & NSB_F_SOFT_POINT);
}

static void test_root_modes(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", "--read-only", NULL }, &base_facts);
	assert_null(plan.e[ROOT].type);
	assert_string_equal(plan.e[ROOT].source, "/srv/tree");
	assert_string_equal(plan.e[ROOT].options, "rbind");
	assert_int_equal(plan.e[ROOT].flags & (NSB_F_RDONLY | NSB_F_RECURSIVE | NSB_F_NEWROOT),
			 NSB_F_RDONLY | NSB_F_RECURSIVE | NSB_F_NEWROOT);
	/* read-only keeps tmpfs /run and /tmp */
	assert_true(find_type("/run", "tmpfs") > 0);
	assert_true(find_type("/tmp", "tmpfs") > 0);

	build((const char *[]){ "-D", "/srv/tree", "--writable", NULL }, &base_facts);
	assert_string_equal(plan.e[ROOT].source, "/srv/tree");
	assert_false(plan.e[ROOT].flags & NSB_F_RDONLY);
	assert_true(plan.e[ROOT].flags & NSB_F_NEWROOT);

	build((const char *[]){ "--tmpfs-root", NULL },
	      &(struct nsb_plan_facts){ .cwd = "/", .mem_total = 16 * GIB });
	assert_string_equal(plan.e[ROOT].type, "tmpfs");
	assert_string_equal(plan.e[ROOT].options, "mode=755,size=1833216k");
	assert_true(plan.e[ROOT].flags & NSB_F_NEWROOT);
}

static void test_tree_fd(void **state)
{
	(void)state;
	struct nsb_plan_facts f = base_facts;
	f.tree_fd = true;
	f.tree = NULL;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	assert_int_equal(plan.e[ROOT].op, NSB_OP_ATTACH);
	assert_string_equal(plan.e[ROOT].target, NSB_STAGE_LOWER);
	assert_string_equal(plan.e[ROOT + 1].type, "overlay");
	assert_int_equal(plan.e[ROOT + 1].src_at, NSB_AT_STAGE);
	assert_string_equal(plan.e[ROOT + 1].lower, NSB_STAGE_LOWER);

	build((const char *[]){ "-D", "/srv/tree", "--read-only", NULL }, &f);
	assert_int_equal(plan.e[ROOT].op, NSB_OP_ATTACH);
	assert_string_equal(plan.e[ROOT].target, NSB_STAGE_ROOT);
	assert_true(plan.e[ROOT].flags & NSB_F_RDONLY);
	assert_true(plan.e[ROOT].flags & NSB_F_NEWROOT);
}

static void test_user_mounts_in_order(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", "--tmpfs=/t1", "--bind=rel/dir:/b",
				"--bind-ro=/etc/passwd:/x/passwd", "--overlay=/l1:l2:/ov",
				"--bind=/src:/n:norbind,ro", "--tmpfs=/t2:size=1m", NULL }, &base_facts);
	int t1 = find("/t1", 0), b = find("/b", 0), x = find("/x/passwd", 0), ov = find("/ov", 0),
	    n = find("/n", 0), t2 = find("/t2", 0);
	assert_true(t1 > find("/tmp", 0));
	assert_true(t1 < b && b < x && x < ov && ov < n && n < t2);
	/* the one unsized --tmpfs takes the whole user share; size= wins, never a second */
	assert_string_equal(plan.e[t1].options, "mode=755,nosuid,nodev,size=261888k");
	assert_string_equal(plan.e[t2].options, "size=1m");
	assert_string_equal(plan.e[b].source, "/home/u/rel/dir");
	assert_string_equal(plan.e[b].options, "rbind");
	assert_true(plan.e[b].flags & NSB_F_MKPOINT);
	assert_false(plan.e[b].flags & NSB_F_RDONLY);
	assert_true(plan.e[x].flags & NSB_F_RDONLY);
	assert_true(plan.e[x].flags & NSB_F_RECURSIVE);
	assert_string_equal(plan.e[ov].lower, "/l1:/home/u/l2");
	assert_string_equal(plan.e[ov].type, "overlay");
	assert_non_null(plan.e[ov].upper);
	assert_string_equal(plan.e[n].options, "bind");
	assert_true(plan.e[n].flags & NSB_F_RDONLY);
}

static void test_bad_specs(void **state)
{
	(void)state;
	struct nsb_config c;
	char err[256];
	parse(&c, (const char *[]){ "-D", "/srv/tree", "--bind=/a:/b:idmap,bogus", NULL });
	assert_int_equal(nsb_plan_build(&c, &base_facts, &plan, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "unknown option 'idmap'"));

	parse(&c, (const char *[]){ "-D", "/srv/tree", "--bind=/a:/", NULL });
	assert_int_equal(nsb_plan_build(&c, &base_facts, &plan, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "cannot mount over"));

	parse(&c, (const char *[]){ "-D", "/srv/tr:ee", NULL });
	struct nsb_plan_facts f = base_facts;
	f.tree = "/srv/tr:ee";
	assert_int_equal(nsb_plan_build(&c, &f, &plan, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "/srv/tr:ee"));

	parse(&c, (const char *[]){ "-D", "/srv/tree", NULL });
	f.tree = "relative";
	assert_int_equal(nsb_plan_build(&c, &f, &plan, err, sizeof err), -EINVAL);
}

static void test_fstab_then_masks_last(void **state)
{
	(void)state;
	struct nsb_fstab fs = { .n = 3 };
	fs.l[0] = (struct nsb_fstab_line){ .source = "/host/data", .target = "/data",
					   .options = "bind", .ro_bind = true, .origin = "f:3" };
	fs.l[1] = (struct nsb_fstab_line){ .source = "tmpfs", .target = "/scratch", .type = "tmpfs",
					   .options = "size=1m", .origin = "f:4" };
	fs.l[2] = (struct nsb_fstab_line){ .source = "overlay", .target = "/ovl", .type = "overlay",
					   .options = "lowerdir=/a,upperdir=/b,workdir=/c", .origin = "f:5" };
	struct nsb_droplist drop = { .n = 2 };
	snprintf(drop.names[0], sizeof drop.names[0], "hwclock.sh");
	snprintf(drop.names[1], sizeof drop.names[1], "procps");
	struct nsb_plan_facts f = base_facts;
	f.fstab = &fs;
	f.drop = &drop;
	f.stub = "#!/bin/sh\nexit 0\n";
	f.service_dir = "/etc/init.d";
	build((const char *[]){ "-D", "/srv/tree", "--tmpfs=/u", NULL }, &f);
	int u = find("/u", 0), d = find("/data", 0), s = find("/scratch", 0);
	int stub = find("/service-stub", NSB_OP_FILE), m1 = find("/etc/init.d/hwclock.sh", 0),
	    m2 = find("/etc/init.d/procps", 0);
	assert_true(u < d && d < s && s < stub && stub < m1 && m1 < m2);
	assert_int_equal((int)plan.n - 1, m2);
	assert_int_equal(plan.e[d].src_at, NSB_AT_HOST);
	assert_true(plan.e[d].flags & NSB_F_RDONLY);
	assert_true(plan.e[d].flags & NSB_F_MKPOINT);
	assert_string_equal(plan.e[d].origin, "f:3");
	assert_int_equal(plan.e[s].src_at, NSB_AT_NONE);
	assert_false(plan.e[s].flags & NSB_F_HOST_OPTS);
	int ovl = find("/ovl", 0);
	assert_true(s < ovl && ovl < stub);
	assert_true(plan.e[ovl].flags & NSB_F_HOST_OPTS);
	assert_int_equal(plan.e[ovl].src_at, NSB_AT_NONE);
	assert_string_equal(plan.e[stub].source, "#!/bin/sh\nexit 0\n");
	assert_true(plan.e[stub].flags & NSB_F_EXEC);
	assert_int_equal(plan.e[m1].src_at, NSB_AT_STAGE);
	assert_string_equal(plan.e[m1].source, "/service-stub");
	assert_int_equal(plan.e[m1].flags & (NSB_F_RDONLY | NSB_F_IF_EXISTS | NSB_F_MASK),
			 NSB_F_RDONLY | NSB_F_IF_EXISTS | NSB_F_MASK);
}

/* The preset's container-awareness file (OpenRC's rc_sys): its text written into the
 * staging tmpfs, bound read-only at its path after the masks, and a convenience: skipped
 * when its mount point cannot be made. None without the fact. */
static void test_sys_conf(void **state)
{
	(void)state;
	struct nsb_plan_facts f = base_facts;
	f.sys_conf = "/etc/rc.conf.d/nsboot.conf";
	f.sys_text = "rc_sys=\"systemd-nspawn\"\n";
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	int file = find("/sys-conf", NSB_OP_FILE), bind = find("/etc/rc.conf.d/nsboot.conf", 0);
	assert_true(file > 0 && bind > file);
	assert_string_equal(plan.e[file].source, "rc_sys=\"systemd-nspawn\"\n");
	assert_int_equal(plan.e[bind].src_at, NSB_AT_STAGE);
	assert_string_equal(plan.e[bind].source, "/sys-conf");
	assert_true(plan.e[bind].flags & NSB_F_RDONLY);
	assert_true(plan.e[bind].flags & NSB_F_SOFT_POINT);
	assert_true(plan.e[bind].flags & NSB_F_MKFILE);
	build((const char *[]){ "-D", "/srv/tree", NULL }, &base_facts);
	assert_int_equal(find("/sys-conf", NSB_OP_FILE), -1);
}

/* The size= of the options of entry I in KiB (the last one), or -1 when it has none; the
 * number of size= in them goes to N (when not NULL). */
static long long size_k(int i, int *n)
{
	long long k = -1;
	int count = 0;
	assert_true(i >= 0);
	for (const char *s = plan.e[i].options; s && *s;) {
		size_t len = strcspn(s, ",");
		char unit = 0;
		if (strncmp(s, "size=", 5) == 0) {
			count++;
			assert_int_equal(sscanf(s + 5, "%lld%c", &k, &unit), 2);
			if (unit == 'm')
				k *= 1024;
			else
				assert_int_equal(unit, 'k');
		}
		s += len;
		if (*s == ',')
			s++;
	}
	if (n)
		*n = count;
	return k;
}

/* The split of the budget, for each root mode and budget: the sizes of every tmpfs (KiB),
 * multiples of 4 KiB that add up to at most the budget. */
static void test_tmpfs_split(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		unsigned long long ram;
		const char *words[6];
		long long budget_k, stage, root, dev, shm, run, tmp;
	} cases[] = {
		{ "16g of RAM: a quarter of it", 16 * GIB, { "-D", "/srv/tree" },
		  4194304, 2095104, -1, 4096, 523776, 261888, 1047552 },
		{ "--tmpfs-size=64m: /dev 1/32 of it", 16 * GIB, { "-D", "/srv/tree", "--tmpfs-size=64m" },
		  65536, 31744, -1, 2048, 7936, 3968, 15872 },
		{ "--tmpfs-size wins over the RAM", 1 * GIB, { "-D", "/srv/tree", "--tmpfs-size=2g" },
		  2097152, 1046528, -1, 4096, 261632, 130816, 523264 },
		{ "read-only: the staging tmpfs keeps the root's share", 16 * GIB,
		  { "-D", "/srv/tree", "--read-only", "--tmpfs-size=64m" },
		  65536, 31744, -1, 2048, 7936, 3968, 15872 },
		{ "tmpfs root: 7/8 of the root's share, the staging tmpfs 1/8", 16 * GIB,
		  { "--tmpfs-root", "--tmpfs-size=64m" }, 65536, 3968, 27776, 2048, 7936, 3968, 15872 },
		{ "tiny RAM: never below 16m", 32 * MIB, { "-D", "/srv/tree" },
		  16384, 7936, -1, 512, 1984, 992, 3968 },
		{ "24g-class RAM (25275953152 bytes)", 25275953152ULL, { "-D", "/srv/tree" },
		  6170887, 3083392, -1, 4096, 770848, 385424, 1541696 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct nsb_plan_facts f = base_facts;
		f.mem_total = cases[i].ram;
		build(cases[i].words, &f);
		long long got[6] = { size_k(0, NULL), cases[i].root < 0 ? -1 : size_k(ROOT, NULL),
				     size_k(find("/dev", 0), NULL), size_k(find("/dev/shm", 0), NULL),
				     size_k(find("/run", 0), NULL), size_k(find("/tmp", 0), NULL) };
		long long want[6] = { cases[i].stage, cases[i].root, cases[i].dev, cases[i].shm,
				      cases[i].run, cases[i].tmp };
		long long sum = 0;
		for (size_t k = 0; k < 6; k++) {
			if (got[k] != want[k])
				fail_msg("%s: size %zu is %lldk, want %lldk", cases[i].what, k, got[k], want[k]);
			if (got[k] > 0) {
				assert_int_equal(got[k] % 4, 0);
				sum += got[k];
			}
		}
		if (sum > cases[i].budget_k)
			fail_msg("%s: %lldk in all, over the budget of %lldk", cases[i].what, sum,
				 cases[i].budget_k);
	}
}

/* The user's tmpfs mounts: a size of their own (size= or nr_blocks=) wins and no second
 * one is added; the others share 1/16 of the rest of the budget equally. */
static void test_tmpfs_user_sizes(void **state)
{
	(void)state;
	struct nsb_fstab fs = { .n = 3 };
	fs.l[0] = (struct nsb_fstab_line){ .source = "tmpfs", .target = "/f1", .type = "tmpfs",
					   .options = "mode=711", .origin = "f:1" };
	fs.l[1] = (struct nsb_fstab_line){ .source = "tmpfs", .target = "/f2", .type = "tmpfs",
					   .options = "size=3m,mode=711", .origin = "f:2" };
	fs.l[2] = (struct nsb_fstab_line){ .source = "tmpfs", .target = "/f3", .type = "tmpfs",
					   .origin = "f:3" };
	struct nsb_plan_facts f = base_facts;
	f.fstab = &fs;
	build((const char *[]){ "-D", "/srv/tree", "--tmpfs-size=64m", "--tmpfs=/t1",
				"--tmpfs=/t2:mode=700", "--tmpfs=/t3:mode=700,size=1m",
				"--tmpfs=/t4:nr_blocks=100", "--overlay=/l:/ov", NULL }, &f);
	/* unsized: /t1 /t2 /f1 /f3: 3968k / 4, in whole pages */
	static const struct {
		const char *target, *options;
		long long k;
	} want[] = {
		{ "/t1", "mode=755,nosuid,nodev,size=992k", 992 },
		{ "/t2", "mode=700,size=992k", 992 },
		{ "/t3", "mode=700,size=1m", 1024 },
		{ "/t4", "nr_blocks=100", -1 },
		{ "/f1", "mode=711,size=992k", 992 },
		{ "/f2", "size=3m,mode=711", 3072 },
		{ "/f3", "size=992k", 992 },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int at = find(want[i].target, 0), n;
		assert_true(at > 0);
		assert_string_equal(plan.e[at].options, want[i].options);
		assert_int_equal(size_k(at, &n), want[i].k);
		assert_true(n <= 1);
	}
	/* --overlay's upper layer lives on the staging tmpfs: no tmpfs of its own */
	assert_null(plan.e[find("/ov", 0)].options);
	assert_string_equal(plan.e[find("/ov", 0)].upper, "/overlay4");

}

/* As many unsized tmpfs mounts as the command line and fstab files hold, at the smallest
 * budget: each still gets at least a page, and all of them fit in the budget. */
static void test_tmpfs_many_at_the_minimum(void **state)
{
	(void)state;
	static struct nsb_config c;
	static struct nsb_fstab fs;
	static char dst[NSB_MAX_SPECS + NSB_FSTAB_MAX][16];
	char err[256];
	nsb_config_init(&c);
	c.tree = "/srv/tree";
	c.root = NSB_ROOT_OVERLAY;
	c.tmpfs_size = NSB_TMPFS_MIN;
	for (size_t i = 0; i < NSB_MAX_SPECS; i++) {
		snprintf(dst[i], sizeof dst[i], "/u%zu", i);
		c.mounts[c.n_mounts++] = (struct nsb_mount_spec){ .kind = NSB_MNT_TMPFS, .dst = dst[i] };
	}
	for (size_t i = 0; i < NSB_FSTAB_MAX; i++) {
		char *d = dst[NSB_MAX_SPECS + i];
		snprintf(d, sizeof dst[0], "/f%zu", i);
		fs.l[fs.n++] = (struct nsb_fstab_line){ .source = "tmpfs", .target = d, .type = "tmpfs" };
	}
	struct nsb_plan_facts f = base_facts;
	f.fstab = &fs;
	assert_int_equal(nsb_plan_build(&c, &f, &plan, err, sizeof err), 0);
	long long sum = 0;
	size_t n = 0;
	for (size_t i = 0; i < plan.n; i++) {
		if (!plan.e[i].type || strcmp(plan.e[i].type, "tmpfs") != 0)
			continue;
		long long k = size_k((int)i, NULL);
		if (k < 4)
			fail_msg("%s: size %lldk", plan.e[i].target, k);
		sum += k;
		n++;
	}
	assert_int_equal(n, 1 + 4 + NSB_MAX_SPECS + NSB_FSTAB_MAX); /* staging, essentials, user */
	assert_true(sum <= (long long)(NSB_TMPFS_MIN >> 10));
}

/* The RAM is a fact: the plan is pure when it is given (or --tmpfs-size is); without
 * either nsb_plan_build reads it, the same figure as nsb_mem_total(). */
static void test_tmpfs_ram_fact(void **state)
{
	(void)state;
	struct nsb_plan_facts f = base_facts;
	f.mem_total = 0;
	build((const char *[]){ "-D", "/srv/tree", "--tmpfs-size=64m", NULL }, &f);
	assert_int_equal(size_k(find("/tmp", 0), NULL), 15872);

	unsigned long long ram = nsb_mem_total();
	assert_true(ram > 0);
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	long long read_tmp = size_k(find("/tmp", 0), NULL);
	f.mem_total = ram;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	assert_int_equal(size_k(find("/tmp", 0), NULL), read_tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlay_default),
		cmocka_unit_test(test_proc_entries),
		cmocka_unit_test(test_sys_private_and_host),
		cmocka_unit_test(test_devpts_gid5_and_mqueue),
		cmocka_unit_test(test_devnodes),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_hostname_and_host_network),
		cmocka_unit_test(test_root_modes),
		cmocka_unit_test(test_tree_fd),
		cmocka_unit_test(test_user_mounts_in_order),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_fstab_then_masks_last),
		cmocka_unit_test(test_sys_conf),
		cmocka_unit_test(test_tmpfs_split),
		cmocka_unit_test(test_tmpfs_user_sizes),
		cmocka_unit_test(test_tmpfs_many_at_the_minimum),
		cmocka_unit_test(test_tmpfs_ram_fact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
