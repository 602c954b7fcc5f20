/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shared option parser: each option, each program's set, every error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "words.h"

/* Parses a NULL-terminated list of words (copied: the parser splits specs in place). */
static enum nsb_parse_result parse(struct nsb_config *c, enum nsb_prog_kind kind, char *err,
				   const char *first, ...)
{
	static char *argv[WORDS_MAX + 2];
	va_list ap;
	va_start(ap, first);
	int n = words_append(argv, 0, first, ap);
	va_end(ap);
	err[0] = '\0';
	return nsb_parse_args(c, n, argv, kind, err, 256);
}

static void plain_init(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--", "sleep", "1", NULL),
			 NSB_PARSE_OK);
	assert_int_equal(c.root, NSB_ROOT_NONE);
	assert_false(c.mount_options);
	assert_int_equal(c.argc, 2);
	assert_string_equal(c.argv[0], "sleep");
	assert_null(c.argv[2]);
	assert_int_equal(c.grace_ms, 10000);
	assert_int_equal(c.sync_fd, -1);
	assert_int_equal(c.tree_fd, -1);
	assert_int_equal(c.n_option_args, 1);
}

static void command_options_are_not_ours(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-v", "ls", "-l", "--grace=1", NULL),
			 NSB_PARSE_OK);
	assert_int_equal(c.verbosity, 1);
	assert_int_equal(c.argc, 3);
	assert_string_equal(c.argv[1], "-l");
	assert_int_equal(c.grace_ms, 10000);
	assert_int_equal(c.n_option_args, 1);
}

static void grace_values(void **state)
{
	assert_int_equal(nsb_parse_seconds("0"), 0);
	assert_int_equal(nsb_parse_seconds("10"), 10000);
	assert_int_equal(nsb_parse_seconds("0.5"), 500);
	assert_int_equal(nsb_parse_seconds("2.25"), 2250);
	assert_int_equal(nsb_parse_seconds("1.0001"), 1000);
	assert_int_equal(nsb_parse_seconds(""), -1);
	assert_int_equal(nsb_parse_seconds("-1"), -1);
	assert_int_equal(nsb_parse_seconds("1."), -1);
	assert_int_equal(nsb_parse_seconds(".5"), -1);
	assert_int_equal(nsb_parse_seconds("1s"), -1);
	assert_int_equal(nsb_parse_seconds("99999999999999999999"), -1);
}

static void init_errors(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "missing COMMAND");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--bogus", "x", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "unknown option '--bogus'");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-Z", "x", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "unknown option '-Z'");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--grace=abc", "x", NULL), NSB_PARSE_ERROR);
	assert_non_null(strstr(err, "--grace=abc"));
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--grace", NULL), NSB_PARSE_ERROR);
	assert_non_null(strstr(err, "needs an argument"));
	/* spawner-only options are unknown to the init */
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--pid-file=x", "y", NULL), NSB_PARSE_ERROR);
	assert_non_null(strstr(err, "--pid-file"));
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--bind=/a", "y", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "missing -D TREE (or --tmpfs-root)");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--sync-fd=-3", "y", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--sync-fd=3x", "y", NULL), NSB_PARSE_ERROR);
}

static void help_and_version(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-h", NULL), NSB_PARSE_HELP);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "--help", NULL), NSB_PARSE_HELP);
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--version", NULL), NSB_PARSE_VERSION);
	assert_non_null(strstr(nsb_help_text(NSB_PROG_SPAWN), "identity"));
	assert_non_null(strstr(nsb_help_text(NSB_PROG_SPAWN), "TRUSTS"));
	assert_non_null(strstr(nsb_usage_line(NSB_PROG_INIT), "nsboot-init"));
}

static void root_modes(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D", "/t", NULL), NSB_PARSE_OK);
	assert_int_equal(c.root, NSB_ROOT_OVERLAY);
	assert_true(c.mount_options);
	assert_int_equal(c.argc, 0);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--read-only", "x", NULL), NSB_PARSE_OK);
	assert_int_equal(c.root, NSB_ROOT_READONLY);
	assert_string_equal(c.tree, "/t");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--directory=/t", "--writable", "x", NULL), NSB_PARSE_OK);
	assert_int_equal(c.root, NSB_ROOT_WRITABLE);
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--volatile=overlay", "-D", "/t", "x", NULL), NSB_PARSE_OK);
	assert_int_equal(c.root, NSB_ROOT_OVERLAY);
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--tmpfs-root", "x", NULL), NSB_PARSE_OK);
	assert_int_equal(c.root, NSB_ROOT_TMPFS);
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--tmpfs-root", "-D", "/t", "x", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "--tmpfs-root takes no -D TREE");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--read-only", "--writable", "-D", "/t", "x", NULL), NSB_PARSE_ERROR);
	assert_non_null(strstr(err, "--writable conflicts"));
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--volatile=state", "-D", "/t", "x", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--read-only", "x", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "missing -D TREE (or --tmpfs-root)");
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "x", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "missing -D TREE (or --tmpfs-root)");
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "--tmpfs-root", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D", "/t", "--boot=sysv", "x", NULL), NSB_PARSE_ERROR);
}

static void user_mounts(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t", "--bind=/a",
			       "--bind-ro=/b:/c", "--bind=/d:/e:ro,idmap", "--tmpfs=/f:size=1m",
			       "--tmpfs=/g", "--overlay=/l1:/l2:/h", "--fstab=/x", "--fstab=/y", "cmd", NULL),
			 NSB_PARSE_OK);
	assert_int_equal(c.n_mounts, 6);
	assert_int_equal(c.mounts[0].kind, NSB_MNT_BIND);
	assert_string_equal(c.mounts[0].src, "/a");
	assert_string_equal(c.mounts[0].dst, "/a");
	assert_null(c.mounts[0].opts);
	assert_int_equal(c.mounts[1].kind, NSB_MNT_BIND_RO);
	assert_string_equal(c.mounts[1].src, "/b");
	assert_string_equal(c.mounts[1].dst, "/c");
	assert_string_equal(c.mounts[2].opts, "ro,idmap");
	assert_int_equal(c.mounts[3].kind, NSB_MNT_TMPFS);
	assert_null(c.mounts[3].src);
	assert_string_equal(c.mounts[3].dst, "/f");
	assert_string_equal(c.mounts[3].opts, "size=1m");
	assert_null(c.mounts[4].opts);
	assert_int_equal(c.mounts[5].kind, NSB_MNT_OVERLAY);
	assert_string_equal(c.mounts[5].src, "/l1:/l2");
	assert_string_equal(c.mounts[5].dst, "/h");
	assert_int_equal(c.n_fstabs, 2);
	assert_string_equal(c.fstabs[1], "/y");
	assert_int_equal(c.n_option_args, 10);

	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t", "--bind=/a:rel", "x", NULL), NSB_PARSE_ERROR);
	assert_non_null(strstr(err, "'rel' is not an absolute path"));
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t", "--bind=:/a", "x", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "--bind: empty source");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t", "--overlay=/a", "x", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t", "--tmpfs=x", "x", NULL), NSB_PARSE_ERROR);
}

static void spawner_options(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-q", "-D", "/t", "--private-users=pick",
			       "--pid-file=/p", "--ready-fd=7", "--wait-booted", "--console=pipe",
			       "--setenv=A=b=c", "--setenv=_X=", "--network=host", "--hostname=h",
			       "--kill-group", "--grace=0", "--", "true", NULL),
			 NSB_PARSE_OK);
	assert_int_equal(c.verbosity, -1);
	assert_string_equal(c.private_users, "pick");
	assert_string_equal(c.pid_file, "/p");
	assert_int_equal(c.ready_fd, 7);
	assert_true(c.wait_booted);
	assert_int_equal(c.console, NSB_CONSOLE_PIPE);
	assert_int_equal(c.n_setenv, 2);
	assert_string_equal(c.setenv[0], "A=b=c");
	assert_int_equal(c.network, NSB_NET_HOST);
	assert_string_equal(c.hostname, "h");
	assert_true(c.kill_group);
	assert_int_equal(c.grace_ms, 0);
	assert_string_equal(c.argv[0], "true");
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--setenv=1A=b", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--setenv=A", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--console=tty", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--network=none", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--hostname=a/b", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--sync-fd=3", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--ready-fd=x", NULL), NSB_PARSE_ERROR);
	/* an option that sets one value, given twice; rw in a --bind-ro spec */
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "-D", "/u", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "-D given twice (the last would win); give it once");
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--grace=1", "--grace=2", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "--grace given twice (the last would win); give it once");
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--bind-ro=/a:/b:rw", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "--bind-ro=/a:/b:rw: rw contradicts --bind-ro (use --bind)");
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--bind-ro=/a:/b:nosuid,rw", NULL), NSB_PARSE_ERROR);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--bind-ro=/a:/b:rwx", NULL), NSB_PARSE_OK);
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--bind=/a", "--bind=/b", "--setenv=A=1", "--setenv=B=2", NULL), NSB_PARSE_OK);
	/* -v after -q wins */
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-q", "-v", "-v", "-D/t", NULL), NSB_PARSE_OK);
	assert_int_equal(c.verbosity, 2);
}

static void mount_helper_accepts_init_words(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_MOUNT, err, "nsboot-mount", "-D", "/t", "--kill-group",
			       "--grace=3", "--sync-fd=4", "--tree-fd=5", "--boot=openrc",
			       "--drop-services=/d", NULL),
			 NSB_PARSE_OK);
	assert_int_equal(c.sync_fd, 4);
	assert_int_equal(c.tree_fd, 5);
	assert_string_equal(c.boot, "openrc");
	assert_string_equal(c.drop_services[0], "/d");
	assert_int_equal(parse(&c, NSB_PROG_MOUNT, err, "nsboot-mount", "-D", "/t", "--setenv=A=1", NULL),
			 NSB_PARSE_ERROR);
}

static void size_values(void **state)
{
	static const struct {
		const char *s;
		unsigned long long want; /* 0: refused */
	} cases[] = {
		{ "65536", 65536 }, { "64k", 64ULL << 10 }, { "64K", 64ULL << 10 },
		{ "64m", 64ULL << 20 }, { "64M", 64ULL << 20 }, { "2g", 2ULL << 30 },
		{ "2G", 2ULL << 30 }, { "0", 0 }, { "0m", 0 }, { "", 0 }, { "m", 0 },
		{ "-1m", 0 }, { "1.5g", 0 }, { "10%", 0 }, { "64mb", 0 }, { "1t", 0 },
		{ " 64m", 0 }, { "64m ", 0 }, { "99999999999999999999", 0 },
		{ "4294967297g", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (nsb_parse_size(cases[i].s) != cases[i].want)
			fail_msg("'%s': %llu, want %llu", cases[i].s, nsb_parse_size(cases[i].s),
				 cases[i].want);
}

static void tmpfs_size_option(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", NULL), NSB_PARSE_OK);
	assert_int_equal(c.tmpfs_size, 0); /* the default: a quarter of the RAM, in the plan */
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", "--tmpfs-size=64m", NULL),
			 NSB_PARSE_OK);
	assert_int_equal(c.tmpfs_size, 64ULL << 20);
	/* one option table: the init and its helper take it too */
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--tmpfs-root", "--tmpfs-size=1g",
			       "x", NULL), NSB_PARSE_OK);
	assert_int_equal(c.tmpfs_size, 1ULL << 30);
	assert_int_equal(parse(&c, NSB_PROG_MOUNT, err, "nsboot-mount", "-D", "/t", "--tmpfs-size=16m",
			       NULL), NSB_PARSE_OK);
	assert_int_equal(c.tmpfs_size, NSB_TMPFS_MIN);

	static const struct {
		const char *word, *err;
	} bad[] = {
		{ "--tmpfs-size=lots", "--tmpfs-size=lots: want bytes with an optional k, m or g suffix" },
		{ "--tmpfs-size=0", "--tmpfs-size=0: want bytes with an optional k, m or g suffix" },
		{ "--tmpfs-size=25%", "--tmpfs-size=25%: want bytes with an optional k, m or g suffix" },
		{ "--tmpfs-size=", "--tmpfs-size=: want bytes with an optional k, m or g suffix" },
		{ "--tmpfs-size=15m", "--tmpfs-size=15m: less than the minimum, 16m" },
		{ "--tmpfs-size=4096", "--tmpfs-size=4096: less than the minimum, 16m" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "-D/t", bad[i].word, NULL),
				 NSB_PARSE_ERROR);
		assert_string_equal(err, bad[i].err);
	}
	/* a mount option: a plain init has nothing to size */
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "--tmpfs-size=64m", "x", NULL),
			 NSB_PARSE_ERROR);
	assert_string_equal(err, "missing -D TREE (or --tmpfs-root)");
	assert_non_null(strstr(nsb_help_text(NSB_PROG_SPAWN), "--tmpfs-size=SIZE"));
	assert_non_null(strstr(nsb_help_text(NSB_PROG_INIT), "--tmpfs-size=SIZE"));
}

/* Each config owns its mount strings: a second parse leaves the first config's alone. */
static void configs_own_their_strings(void **state)
{
	static struct nsb_config a, b;
	char err[256];
	assert_int_equal(parse(&a, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t",
			       "--bind=/src/a:/dst/a:ro", "--", "true", NULL), NSB_PARSE_OK);
	assert_int_equal(parse(&b, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t",
			       "--bind=/other/b:/elsewhere/b", "--tmpfs=/x:size=1m", "--", "true",
			       NULL), NSB_PARSE_OK);
	assert_int_equal(a.n_mounts, 1);
	assert_string_equal(a.mounts[0].src, "/src/a");
	assert_string_equal(a.mounts[0].dst, "/dst/a");
	assert_string_equal(a.mounts[0].opts, "ro");
	assert_int_equal(b.n_mounts, 2);
	assert_string_equal(b.mounts[0].src, "/other/b");
	assert_string_equal(b.mounts[1].dst, "/x");
}

/* Two root modes: the second one named in the message, as the user wrote it. */
static void root_mode_conflicts(void **state)
{
	struct nsb_config c;
	char err[256];
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t", "--writable",
			       "--read-only", "--", "true", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "--read-only conflicts with another root mode "
				 "(--volatile, --read-only, --writable, --tmpfs-root)");
	assert_int_equal(parse(&c, NSB_PROG_SPAWN, err, "nsboot", "--tmpfs-root", "--volatile",
			       "--", "true", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "--volatile conflicts with another root mode "
				 "(--volatile, --read-only, --writable, --tmpfs-root)");
	assert_int_equal(parse(&c, NSB_PROG_INIT, err, "nsboot-init", "-D", "/t",
			       "--overlay=/lower", "--", "true", NULL), NSB_PARSE_ERROR);
	assert_string_equal(err, "--overlay=/lower: want LOWER[:LOWER...]:DST");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_init),
		cmocka_unit_test(command_options_are_not_ours),
		cmocka_unit_test(grace_values),
		cmocka_unit_test(init_errors),
		cmocka_unit_test(help_and_version),
		cmocka_unit_test(root_modes),
		cmocka_unit_test(user_mounts),
		cmocka_unit_test(spawner_options),
		cmocka_unit_test(mount_helper_accepts_init_words),
		cmocka_unit_test(size_values),
		cmocka_unit_test(tmpfs_size_option),
		cmocka_unit_test(configs_own_their_strings),
		cmocka_unit_test(root_mode_conflicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
