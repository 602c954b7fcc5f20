/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the spawner hands over: the purified environment, nsboot-init's command line (only
 * runtime options pass), the default host name, and the fds named in GO. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "words.h"
#include "../../spawn/spawn.h"

/* Parses the NULL-terminated words as nsboot's command line into C. */
static void parse(struct nsb_config *c, const char *first, ...)
{
	static char *argv[WORDS_MAX + 2];
	va_list ap;
	char err[256] = "";
	argv[0] = "nsboot";
	va_start(ap, first);
	int n = words_append(argv, 1, first, ap);
	va_end(ap);
	assert_int_equal(nsb_parse_args(c, n, argv, NSB_PROG_SPAWN, err, sizeof err), NSB_PARSE_OK);
}

static void environment(void **state)
{
	struct nsb_config c;
	parse(&c, "-D", "/t", "--", "true", NULL);
	char **env = nsb_spawn_env(&c, NULL);
	assert_string_equal(words_join(env), "container=nsboot HOME=/root TMPDIR=/tmp PATH=" NSB_DEFAULT_PATH);
	free(env);
	env = nsb_spawn_env(&c, "xterm-256color");
	assert_string_equal(env[4], "TERM=xterm-256color");
	assert_null(env[5]);
	free(env[4]);
	free(env);
	parse(&c, "-D", "/t", "--setenv=FOO=bar", "--setenv=HOME=/home/x", "--setenv=E=",
	      "--setenv=FOO=baz", "--setenv=container=other", NULL);
	env = nsb_spawn_env(&c, NULL);
	assert_string_equal(words_join(env), "container=other HOME=/home/x TMPDIR=/tmp PATH=" NSB_DEFAULT_PATH
					" FOO=baz E=");
	free(env);
	/* a variable named like the prefix of another is a different variable */
	parse(&c, "-D", "/t", "--setenv=PAT=1", "--setenv=PATHX=2", NULL);
	env = nsb_spawn_env(&c, NULL);
	assert_string_equal(words_join(env), "container=nsboot HOME=/root TMPDIR=/tmp PATH=" NSB_DEFAULT_PATH
					" PAT=1 PATHX=2");
	free(env);
}

static void init_command_line(void **state)
{
	struct nsb_config c;
	parse(&c, "-D", "/t", "--", "sh", "-c", "exit 3", NULL);
	char **argv = nsb_spawn_init_argv(&c, 5);
	assert_string_equal(words_join(argv), "nsboot-init --setup-done --sync-fd=5 -- sh -c exit 3");
	free(argv);
	/* runtime options pass; mount, user and spawner options do not */
	parse(&c, "-q", "-D", "/t", "--kill-group", "--grace=2.5", "--boot=sysv", "--writable",
	      "--bind=/a:/b", "--private-users=identity", "--pid-file=/p", "--hostname=h",
	      "--setenv=A=1", "--network=host", "--drop-services=/d", NULL);
	argv = nsb_spawn_init_argv(&c, 9);
	assert_string_equal(words_join(argv), "nsboot-init --setup-done --sync-fd=9 -q --kill-group "
					"--grace=2.500 --boot=sysv --");
	free(argv);
	parse(&c, "-v", "-v", "-D", "/t", "--grace=0", "--", "--weird", NULL);
	argv = nsb_spawn_init_argv(&c, 3);
	assert_string_equal(words_join(argv), "nsboot-init --setup-done --sync-fd=3 -v -v --grace=0.000 -- --weird");
	free(argv);
	/* the default grace is not repeated */
	parse(&c, "-D", "/t", "--grace=10", NULL);
	argv = nsb_spawn_init_argv(&c, 3);
	assert_string_equal(words_join(argv), "nsboot-init --setup-done --sync-fd=3 --");
	free(argv);
	parse(&c, "-D", "/t", "--boot=guix:/gnu/store/abc-system", NULL);
	argv = nsb_spawn_init_argv(&c, 4);
	assert_string_equal(words_join(argv), "nsboot-init --setup-done --sync-fd=4 --boot=guix:/gnu/store/abc-system --");
	free(argv);
}

static void host_name(void **state)
{
	char buf[65];
	nsb_default_hostname("/var/cache/nsboot/busybox", buf, sizeof buf);
	assert_string_equal(buf, "busybox");
	nsb_default_hostname("/srv/trees/deb12///", buf, sizeof buf);
	assert_string_equal(buf, "deb12");
	nsb_default_hostname("tree", buf, sizeof buf);
	assert_string_equal(buf, "tree");
	nsb_default_hostname(NULL, buf, sizeof buf);
	assert_string_equal(buf, "nsboot");
	nsb_default_hostname("/", buf, sizeof buf);
	assert_string_equal(buf, "nsboot");
	nsb_default_hostname("/usr/.", buf, sizeof buf); /* the real path's name */
	assert_string_equal(buf, "usr");
	char longname[200];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	nsb_default_hostname(longname, buf, sizeof buf); /* cut to HOST_NAME_MAX */
	assert_int_equal(strlen(buf), 64);
}

static void go_fds(void **state)
{
	struct nsb_msg m = { .type = NSB_MSG_GO, .fds = { 7, 8 }, .n_fds = 2 };
	snprintf(m.text, sizeof m.text, "tree,bind0");
	assert_int_equal(nsb_go_fd(&m, "tree"), 7);
	assert_int_equal(nsb_go_fd(&m, "bind0"), 8);
	assert_int_equal(nsb_go_fd(&m, "bind"), -1);
	assert_int_equal(nsb_go_fd(&m, "tre"), -1);
	m.n_fds = 1; /* a name without its fd */
	assert_int_equal(nsb_go_fd(&m, "bind0"), -1);
	m.text[0] = '\0';
	assert_int_equal(nsb_go_fd(&m, "tree"), -1);
}

static void option_words(void **state)
{
	char out[64];
	assert_true(nsb_opts_take("idmap", "idmap", out, sizeof out));
	assert_string_equal(out, "");
	assert_true(nsb_opts_take("ro,idmap,norbind", "idmap", out, sizeof out));
	assert_string_equal(out, "ro,norbind");
	assert_true(nsb_opts_take("idmap,ro", "idmap", out, sizeof out));
	assert_string_equal(out, "ro");
	assert_false(nsb_opts_take("ro,idmapx,xidmap", "idmap", out, sizeof out));
	assert_string_equal(out, "ro,idmapx,xidmap");
	assert_false(nsb_opts_take(NULL, "idmap", out, sizeof out));
	assert_string_equal(out, "");
	assert_true(nsb_opts_take(",ro,,idmap,", "idmap", out, sizeof out));
	assert_string_equal(out, "ro");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(environment),
		cmocka_unit_test(init_command_line),
		cmocka_unit_test(host_name),
		cmocka_unit_test(go_fds),
		cmocka_unit_test(option_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
