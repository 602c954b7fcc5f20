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

static const struct nsb_plan_facts base_facts = {
	.own_netns = true, .own_ipcns = true, .gid5_mapped = true, .tree = "/srv/tree", .cwd = "/home/u",
};

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
	const struct nsb_entry *e = &plan.e[0];
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
	assert_string_equal(plan.e[find("/dev", 0)].options, "mode=755,nosuid,strictatime");
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
}

static void test_root_modes(void **state)
{
	(void)state;
	build((const char *[]){ "-D", "/srv/tree", "--read-only", NULL }, &base_facts);
	assert_null(plan.e[0].type);
	assert_string_equal(plan.e[0].source, "/srv/tree");
	assert_string_equal(plan.e[0].options, "rbind");
	assert_int_equal(plan.e[0].flags & (NSB_F_RDONLY | NSB_F_RECURSIVE | NSB_F_NEWROOT),
			 NSB_F_RDONLY | NSB_F_RECURSIVE | NSB_F_NEWROOT);
	/* read-only keeps tmpfs /run and /tmp */
	assert_true(find_type("/run", "tmpfs") > 0);
	assert_true(find_type("/tmp", "tmpfs") > 0);

	build((const char *[]){ "-D", "/srv/tree", "--writable", NULL }, &base_facts);
	assert_string_equal(plan.e[0].source, "/srv/tree");
	assert_false(plan.e[0].flags & NSB_F_RDONLY);
	assert_true(plan.e[0].flags & NSB_F_NEWROOT);

	build((const char *[]){ "--tmpfs-root", NULL }, &(struct nsb_plan_facts){ .cwd = "/" });
	assert_string_equal(plan.e[0].type, "tmpfs");
	assert_string_equal(plan.e[0].options, "mode=755");
	assert_true(plan.e[0].flags & NSB_F_NEWROOT);
}

static void test_tree_fd(void **state)
{
	(void)state;
	struct nsb_plan_facts f = base_facts;
	f.tree_fd = true;
	f.tree = NULL;
	build((const char *[]){ "-D", "/srv/tree", NULL }, &f);
	assert_int_equal(plan.e[0].op, NSB_OP_ATTACH);
	assert_string_equal(plan.e[0].target, NSB_STAGE_LOWER);
	assert_string_equal(plan.e[1].type, "overlay");
	assert_int_equal(plan.e[1].src_at, NSB_AT_STAGE);
	assert_string_equal(plan.e[1].lower, NSB_STAGE_LOWER);

	build((const char *[]){ "-D", "/srv/tree", "--read-only", NULL }, &f);
	assert_int_equal(plan.e[0].op, NSB_OP_ATTACH);
	assert_string_equal(plan.e[0].target, NSB_STAGE_ROOT);
	assert_true(plan.e[0].flags & NSB_F_RDONLY);
	assert_true(plan.e[0].flags & NSB_F_NEWROOT);
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
	assert_string_equal(plan.e[t1].options, "mode=755,nosuid,nodev");
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
