/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lib/boot.c: preset choice, tree detection resolved inside the tree (with openat2 and with
 * the manual fallback), drop list parsing, the stubs. syscall() is wrapped so that the
 * fallback can be forced (tests/unit/test_lib_boot.ldflags). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "scratch.h"

/* A preset row's default drop list and stub (NULL: COMMAND, no preset). */
static const char *DEFAULT_LIST(const struct nsb_preset *p) { return p ? p->drops : NULL; }
#define STUB(p) ((p)->stub)

#include "fake_openat2.h"

static char tree[256];

/* Creates the file REL (and its parents) inside the test tree. */
static void mkfile(const char *rel)
{
	char path[512], cmd[2048];
	snprintf(path, sizeof path, "%s/%s", tree, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\" && : > '%s'", path, path);
	assert_int_equal(system(cmd), 0);
}

/* Makes REL inside the test tree a symlink to TARGET (parents created). */
static void mklink(const char *target, const char *rel)
{
	char path[512], cmd[2048];
	snprintf(path, sizeof path, "%s/%s", tree, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(symlink(target, path), 0);
}

static int setup_tree(void **state)
{
	snprintf(tree, sizeof tree, "/tmp/nsb-test-boot.XXXXXX");
	assert_non_null(mkdtemp(tree));
	openat2_errno = 0;
	openat2_calls = 0;
	return 0;
}

static int teardown_tree(void **state)
{
	return rm_tree(tree);
}

/* The kind detected in the test tree, with openat2 or with the manual walk. */
static const struct nsb_preset *detect(int manual)
{
	struct nsb_config c;
	nsb_config_init(&c);
	openat2_errno = manual ? ENOSYS : 0;
	int fd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	const struct nsb_preset *k = NULL;
	char err[256] = "x";
	assert_int_equal(nsb_preset_choose(&c, fd, &k, err, sizeof err), 0);
	assert_string_equal(err, "");
	close(fd);
	return k;
}

/* Both resolution paths must agree on every tree. */
static void assert_detect(const struct nsb_preset *want)
{
	assert_ptr_equal(detect(0), want);
	assert_ptr_equal(detect(1), want);
}

static void detect_empty_tree_is_shell(void **state)
{
	assert_detect(nsb_preset_named("shell"));
}

static void detect_openrc(void **state)
{
	mkfile("sbin/openrc");
	mkfile("etc/init.d/rc"); /* OpenRC wins over sysv-rc */
	assert_detect(nsb_preset_named("openrc"));
}

/* a Debian runit-init tree holds sysv-rc's scripts (its stages run them) */
static void detect_runit(void **state)
{
	mkfile("sbin/runit-init");
	mkfile("etc/init.d/rc");
	assert_detect(nsb_preset_named("runit"));
}

static void detect_shepherd(void **state)
{
	mkfile("etc/shepherd.scm");
	mkfile("etc/init.d/rc");
	assert_detect(nsb_preset_named("shepherd"));
}

static void detect_sysv(void **state)
{
	mkfile("etc/init.d/rc");
	assert_detect(nsb_preset_named("sysv"));
}

static void detect_through_absolute_link_inside_tree(void **state)
{
	/* merged /usr: /sbin -> /usr/sbin is the tree's /usr/sbin, not the host's */
	mkfile("usr/sbin/openrc");
	mklink("/usr/sbin", "sbin");
	assert_detect(nsb_preset_named("openrc"));
	/* the manual walk really ran when asked */
	openat2_calls = 0;
	detect(1);
	assert_true(openat2_calls > 0);
}

static void detect_relative_links(void **state)
{
	mkfile("lib/rc/rc-real");
	mklink("../../lib/rc/./rc-real", "etc/init.d/rc");
	mklink("etc/../etc/init.d", "initd"); /* unused, must not disturb */
	assert_detect(nsb_preset_named("sysv"));
}

static void detect_never_follows_a_link_to_the_host(void **state)
{
	/* the host has /bin/sh and /etc/passwd; the tree has neither */
	assert_int_equal(access("/bin/sh", F_OK), 0);
	mklink("/bin/sh", "sbin/openrc");
	mklink("../../../../../../../../etc/passwd", "etc/init.d/rc");
	assert_detect(nsb_preset_named("shell"));
}

static void detect_dotdot_stops_at_tree_root(void **state)
{
	/* ".." above the tree's root is the root itself, as for a chroot */
	mkfile("bin/sh");
	mklink("../../../../bin/sh", "sbin/openrc");
	assert_detect(nsb_preset_named("openrc"));
}

static void detect_symlink_loop_is_absent(void **state)
{
	mklink("/sbin/openrc", "sbin/openrc");
	mklink("b", "etc/init.d/a");
	mklink("a", "etc/init.d/b");
	mklink("a", "etc/init.d/rc");
	assert_detect(nsb_preset_named("shell"));
}

static void detect_directory_is_not_a_program(void **state)
{
	char path[512];
	snprintf(path, sizeof path, "%s/sbin/openrc", tree);
	mkfile("sbin/x");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_detect(nsb_preset_named("shell"));
}

/* Parses --boot=VALUE (and no COMMAND); returns nsb_boot_kind's result. */
static int kind_of(const char *value, const struct nsb_preset **k, char *err)
{
	struct nsb_config c;
	nsb_config_init(&c);
	c.boot = value;
	return nsb_preset_choose(&c, -1, k, err, 256);
}

static void boot_option(void **state)
{
	const struct nsb_preset *k;
	char err[256];
	assert_int_equal(kind_of("sysv", &k, err), 0);
	assert_ptr_equal(k, nsb_preset_named("sysv"));
	assert_int_equal(kind_of("openrc", &k, err), 0);
	assert_ptr_equal(k, nsb_preset_named("openrc"));
	assert_int_equal(kind_of("shell", &k, err), 0);
	assert_ptr_equal(k, nsb_preset_named("shell"));
	assert_int_equal(kind_of("guix:/gnu/store/abc-system", &k, err), 0);
	assert_ptr_equal(k, nsb_preset_named("guix"));

	assert_int_equal(kind_of("systemd", &k, err), -EINVAL);
	assert_non_null(strstr(err, "--boot=systemd"));
	assert_non_null(strstr(err, "unknown preset"));
	assert_int_equal(kind_of("guix:", &k, err), -EINVAL);
	assert_non_null(strstr(err, "absolute"));
	assert_int_equal(kind_of("guix:relative/system", &k, err), -EINVAL);
	assert_int_equal(kind_of("SYSV", &k, err), -EINVAL);
}

static void command_means_no_preset(void **state)
{
	struct nsb_config c;
	nsb_config_init(&c);
	char *argv[] = { "sleep", "1", NULL };
	c.argv = argv;
	c.argc = 2;
	const struct nsb_preset *k = nsb_preset_named("shell");
	char err[64];
	/* rootfd -1: COMMAND never looks at the tree */
	assert_int_equal(nsb_preset_choose(&c, -1, &k, err, sizeof err), 0);
	assert_ptr_equal(k, NULL);
}

/* Writes TEXT to a fresh drop list file and returns its path. */
static const char *droplist_file(const char *text)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/drop.list", tree);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void droplist_reads_names(void **state)
{
	const char *p = droplist_file("# bare-metal services\n"
				      "mountkernfs.sh\n"
				      "\n"
				      "   hwclock.sh   # the RTC\n"
				      "\tprocps\r\n"
				      "procps\n" /* duplicate: once */
				      "getty@tty1\n"
				      "#halt\n"
				      "a+b:c_d-e.f");
	struct nsb_droplist d;
	char err[256] = "x";
	assert_int_equal(nsb_droplist_read(p, &d, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(d.n, 5);
	assert_string_equal(d.names[0], "mountkernfs.sh");
	assert_string_equal(d.names[1], "hwclock.sh");
	assert_string_equal(d.names[2], "procps");
	assert_string_equal(d.names[3], "getty@tty1");
	assert_string_equal(d.names[4], "a+b:c_d-e.f");
}

static void droplist_empty_file(void **state)
{
	struct nsb_droplist d;
	char err[256];
	assert_int_equal(nsb_droplist_read(droplist_file("# nothing\n\n"), &d, err, sizeof err), 0);
	assert_int_equal(d.n, 0);
}

static void droplist_missing_file(void **state)
{
	struct nsb_droplist d;
	char err[256];
	assert_int_equal(nsb_droplist_read("/nonexistent/drop.list", &d, err, sizeof err), -ENOENT);
	assert_string_equal(err, "/nonexistent/drop.list: No such file or directory");
}

static void droplist_directory(void **state)
{
	struct nsb_droplist d;
	char err[256];
	assert_true(nsb_droplist_read(tree, &d, err, sizeof err) < 0);
	assert_int_equal(strncmp(err, tree, strlen(tree)), 0);
}

/* Each malformed line: the error names the file and the line. */
static void droplist_malformed_lines(void **state)
{
	static const struct {
		const char *text;
		int ret;
		const char *where; /* ":LINE: " */
		const char *what;
	} cases[] = {
		{ "ok\ntwo words\n", -EINVAL, ":2: ", "one service name per line" },
		{ "# c\n\n../../etc/passwd\n", -EINVAL, ":3: ", "not a service name" },
		{ "a/b\n", -EINVAL, ":1: ", "not a service name" },
		{ "..\n", -EINVAL, ":1: ", "not a service name" },
		{ "x\ny\nname$\n", -EINVAL, ":3: ", "not a service name" },
		{ "x\n"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		  -ENAMETOOLONG, ":2: ", "longer than 63 bytes" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *p = droplist_file(cases[i].text);
		struct nsb_droplist d;
		char err[256];
		char want[600];
		assert_int_equal(nsb_droplist_read(p, &d, err, sizeof err), cases[i].ret);
		snprintf(want, sizeof want, "%s%s", p, cases[i].where);
		if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, cases[i].what))
			fail_msg("case %zu: '%s'", i, err);
		assert_int_equal(d.n, 0);
	}
}

static void droplist_nul_byte(void **state)
{
	char path[512];
	snprintf(path, sizeof path, "%s/nul.list", tree);
	FILE *f = fopen(path, "w");
	fwrite("a\nb\0c\n", 1, 6, f);
	fclose(f);
	struct nsb_droplist d;
	char err[600];
	assert_int_equal(nsb_droplist_read(path, &d, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, ":2: "));
}

static void droplist_too_many(void **state)
{
	char path[512];
	snprintf(path, sizeof path, "%s/many.list", tree);
	FILE *f = fopen(path, "w");
	for (int i = 0; i <= NSB_MAX_DROP; i++)
		fprintf(f, "svc%d\n", i);
	fclose(f);
	struct nsb_droplist d;
	char err[600];
	assert_int_equal(nsb_droplist_read(path, &d, err, sizeof err), -E2BIG);
	char want[64];
	snprintf(want, sizeof want, ":%d: ", NSB_MAX_DROP + 1);
	assert_non_null(strstr(err, want));
}

static void default_lists(void **state)
{
	assert_string_equal(DEFAULT_LIST(nsb_preset_named("sysv")), "drop-sysv.list");
	assert_string_equal(DEFAULT_LIST(nsb_preset_named("openrc")), "drop-openrc.list");
	assert_null(DEFAULT_LIST(nsb_preset_named("shell")));
	assert_null(DEFAULT_LIST(nsb_preset_named("guix")));
	assert_null(DEFAULT_LIST(NULL));
}

/* The shipped default lists parse and hold the services the Debian boots here needed masked (run from the
 * source tree, as make check-unit does). */
static void shipped_lists(void **state)
{
	static const char *const sysv[] = { "mountkernfs.sh", "bootlogs", "hwclock.sh", "procps",
		"checkroot.sh", "umountroot", "checkfs.sh", "mountall.sh", "mountnfs.sh",
		"umountnfs.sh", "umountfs", "mount-configfs", "brightness", "halt", "reboot" };
	/* cgroups: OpenRC drops it by its own keyword under the rc_sys the preset sets */
	static const char *const openrc[] = { "hwclock.sh", "procps", "savecache" };
	struct nsb_droplist d;
	char err[256];
	assert_int_equal(nsb_droplist_read("data/drop-sysv.list", &d, err, sizeof err), 0);
	assert_int_equal(d.n, sizeof sysv / sizeof sysv[0]);
	for (size_t i = 0; i < d.n; i++)
		assert_string_equal(d.names[i], sysv[i]);
	assert_int_equal(nsb_droplist_read("data/drop-openrc.list", &d, err, sizeof err), 0);
	assert_int_equal(d.n, sizeof openrc / sizeof openrc[0]);
	for (size_t i = 0; i < d.n; i++)
		assert_string_equal(d.names[i], openrc[i]);
}

/* nsb_droplist_add: lists add up in order, a name twice is kept once with its first
 * list, a bad list leaves what was there. */
static void lists_add_up(void **state)
{
	static struct nsb_droplist d;
	char err[256], a[512], b[512];
	snprintf(a, sizeof a, "%s", droplist_file("one\ntwo\n"));
	snprintf(b, sizeof b, "%s.2", a);
	assert_int_equal(rename(a, b), 0);
	assert_int_equal(nsb_droplist_read(b, &d, err, sizeof err), 0);
	droplist_file("two # again\nthree\n");
	assert_int_equal(nsb_droplist_add(a, &d, err, sizeof err), 0);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.n_files, 2);
	assert_string_equal(d.names[2], "three");
	assert_int_equal(d.from[1], 0); /* "two" stays with the first list */
	assert_int_equal(d.from[2], 1);
	assert_string_equal(d.files[0], b);
	assert_string_equal(d.files[1], a);
	assert_int_equal(nsb_droplist_add(droplist_file("four\nbad name\n"), &d, err, sizeof err),
			 -EINVAL);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.n_files, 2);
}

/* The table: unique names; "shell" is the fallback; a script row has an entry point;
 * a row that masks has a stub; detection tries OpenRC before sysv-rc. */
static void table_rows(void **state)
{
	size_t openrc = nsb_n_presets, sysv = nsb_n_presets;
	for (size_t i = 0; i < nsb_n_presets; i++) {
		const struct nsb_preset *p = &nsb_presets[i];
		assert_ptr_equal(nsb_preset_named(p->name), p);
		assert_true((p->script != NULL) != (p->command != NULL));
		if (p->script)
			assert_non_null(p->entry);
		if (p->drops || p->service_dir)
			assert_true(p->service_dir && p->stub && p->service_dir[0] == '/');
		if (strcmp(p->name, "openrc") == 0)
			openrc = i;
		if (strcmp(p->name, "sysv") == 0)
			sysv = i;
	}
	assert_true(openrc < sysv && sysv < nsb_n_presets);
	assert_null(nsb_preset_named("shell")->detect);
	assert_int_equal(nsb_preset_named("shell")->ready, NSB_READY_RUNS);
}

static void stubs(void **state)
{
	const char *s = STUB(nsb_preset_named("sysv"));
	assert_int_equal(strncmp(s, "#!/bin/sh\n", 10), 0);
	assert_non_null(strstr(s, "\nexit 0\n"));
	const char *o = STUB(nsb_preset_named("openrc"));
	assert_int_equal(strncmp(o, "#!/sbin/openrc-run\n", 19), 0);
	assert_non_null(strstr(o, "start() { return 0; }"));
	assert_non_null(strstr(o, "stop() { return 0; }"));
	/* not stopped at shutdown: a no-op stop would cost an openrc-run each */
	assert_non_null(strstr(o, "depend() { keyword -shutdown; }"));
}

/* The stubs really run: sysv's with /bin/sh exits 0; OpenRC's parses as sh and defines
 * no-op start and stop. */
static void stubs_run(void **state)
{
	char path[512], cmd[2048];
	snprintf(path, sizeof path, "%s/stub", tree);
	FILE *f = fopen(path, "w");
	fputs(STUB(nsb_preset_named("sysv")), f);
	fclose(f);
	chmod(path, 0755);
	snprintf(cmd, sizeof cmd, "'%s' start && '%s' stop", path, path);
	assert_int_equal(system(cmd), 0);

	f = fopen(path, "w");
	fputs(STUB(nsb_preset_named("openrc")), f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "sh -ec '. \"%s\"; start; stop'", path);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(detect_empty_tree_is_shell, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(lists_add_up, setup_tree, teardown_tree),
		cmocka_unit_test(table_rows),
		cmocka_unit_test_setup_teardown(detect_openrc, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(detect_runit, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(detect_shepherd, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(detect_sysv, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(detect_through_absolute_link_inside_tree, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(detect_relative_links, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(detect_never_follows_a_link_to_the_host, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(detect_dotdot_stops_at_tree_root, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(detect_symlink_loop_is_absent, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(detect_directory_is_not_a_program, setup_tree,
						teardown_tree),
		cmocka_unit_test(boot_option),
		cmocka_unit_test(command_means_no_preset),
		cmocka_unit_test_setup_teardown(droplist_reads_names, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(droplist_empty_file, setup_tree, teardown_tree),
		cmocka_unit_test(droplist_missing_file),
		cmocka_unit_test_setup_teardown(droplist_directory, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(droplist_malformed_lines, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(droplist_nul_byte, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(droplist_too_many, setup_tree, teardown_tree),
		cmocka_unit_test(default_lists),
		cmocka_unit_test(shipped_lists),
		cmocka_unit_test(stubs),
		cmocka_unit_test_setup_teardown(stubs_run, setup_tree, teardown_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
