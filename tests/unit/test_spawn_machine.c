/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The machine registry's pure parts: names, default names, the info file round trip,
 * malformed info files, and the passwd(5) reader exec uses on the tree's /etc/passwd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../spawn/exec.h"
#include "../../spawn/machine.h"

static void names(void **state)
{
	assert_true(nsb_machine_name_valid("web"));
	assert_true(nsb_machine_name_valid("a_b.c-1"));
	assert_true(nsb_machine_name_valid("0123456789012345678901234567890123456789012345678901234567890123"));
	assert_false(nsb_machine_name_valid("01234567890123456789012345678901234567890123456789012345678901234"));
	assert_false(nsb_machine_name_valid(""));
	assert_false(nsb_machine_name_valid("."));
	assert_false(nsb_machine_name_valid(".."));
	assert_false(nsb_machine_name_valid(".new-1"));
	assert_false(nsb_machine_name_valid("a/b"));
	assert_false(nsb_machine_name_valid("a b"));
	assert_false(nsb_machine_name_valid("a\nb"));
	assert_false(nsb_machine_name_valid("caf\xc3\xa9"));
}

static void default_names(void **state)
{
	char out[NSB_MACHINE_NAME_MAX + 1];
	nsb_machine_default_name("/nonexistent/trees/debian 12!", out, sizeof out);
	assert_string_equal(out, "debian_12_");
	nsb_machine_default_name(NULL, out, sizeof out);
	assert_string_equal(out, "nsboot");
	nsb_machine_default_name("/nonexistent/.hidden", out, sizeof out);
	assert_string_equal(out, "nsboot");
	char longp[200] = "/nonexistent/";
	memset(longp + 13, 'x', 150);
	nsb_machine_default_name(longp, out, sizeof out);
	assert_int_equal(strlen(out), NSB_MACHINE_NAME_MAX - 4); /* room for "-999" */
	assert_true(nsb_machine_name_valid(out));
}

static void info_round_trip(void **state)
{
	struct nsb_machine_info a = { .name = "web", .spawner = 10, .spawner_start = 99,
				      .pid = 11, .pid_start = 100, .state = NSB_MACHINE_BOOTED,
				      .started = 1700000000, .grace_ms = 2500, .tree = "/srv/t=x",
				      .mapping = "pick", .cgroup = "/sys/fs/cgroup/nsboot-10" };
	struct nsb_machine_info b;
	char buf[4096];
	assert_true(nsb_machine_info_format(&a, buf, sizeof buf) > 0);
	assert_int_equal(nsb_machine_info_parse(buf, &b), 0);
	assert_string_equal(b.name, "web");
	assert_int_equal(b.spawner, 10);
	assert_int_equal(b.pid, 11);
	assert_true(b.pid_start == 100 && b.spawner_start == 99);
	assert_int_equal(b.state, NSB_MACHINE_BOOTED);
	assert_true(b.started == 1700000000);
	assert_int_equal(b.grace_ms, 2500);
	assert_string_equal(b.tree, "/srv/t=x");
	assert_string_equal(b.mapping, "pick");
	assert_string_equal(b.cgroup, "/sys/fs/cgroup/nsboot-10");
	assert_int_equal(nsb_machine_info_format(&a, buf, 20), -ENOSPC);
}

static void info_malformed(void **state)
{
	struct nsb_machine_info i;
	assert_int_equal(nsb_machine_info_parse("", &i), -EINVAL);
	assert_int_equal(nsb_machine_info_parse("name=web\n", &i), -EINVAL); /* no spawner */
	assert_int_equal(nsb_machine_info_parse("name=web\nspawner=0\n", &i), -EINVAL);
	assert_int_equal(nsb_machine_info_parse("name=../x\nspawner=5\n", &i), -EINVAL);
	assert_int_equal(nsb_machine_info_parse("name=web\nspawner=5\nstate=dancing\n", &i), -EINVAL);
	assert_int_equal(nsb_machine_info_parse("name=web\nspawner=5\njunk\n", &i), -EINVAL);
	assert_int_equal(nsb_machine_info_parse("name=web\nspawner=5\nfuture=1\n", &i), 0);
	assert_int_equal(i.state, NSB_MACHINE_STARTING);
}

static void passwd(void **state)
{
	const char *text = "root:x:0:0:root:/root:/bin/bash\n"
			   "broken:x:1000\n"
			   "bad:x:abc:1:x:/h:/bin/sh\n"
			   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
			   "noshell:x:5:6:::";
	struct nsb_passwd p;
	assert_int_equal(nsb_passwd_find(text, "root", &p), 0);
	assert_true(p.uid == 0 && p.gid == 0);
	assert_string_equal(p.home, "/root");
	assert_string_equal(p.shell, "/bin/bash");
	assert_int_equal(nsb_passwd_find(text, "65534", &p), 0);
	assert_string_equal(p.home, "/nonexistent");
	assert_int_equal(nsb_passwd_find(text, "noshell", &p), 0);
	assert_true(p.uid == 5 && p.gid == 6);
	assert_string_equal(p.home, "/");
	assert_string_equal(p.shell, "/bin/sh");
	assert_int_equal(nsb_passwd_find(text, "broken", &p), -ENOENT);
	assert_int_equal(nsb_passwd_find(text, "bad", &p), -EINVAL);
	assert_int_equal(nsb_passwd_find(text, "nosuch", &p), -ENOENT);
	assert_int_equal(nsb_passwd_find("", "root", &p), -ENOENT);
}

static void start_time(void **state)
{
	assert_true(nsb_proc_start_time(getpid()) > 0);
	assert_true(nsb_proc_start_time(0x3fffffff) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(default_names),
		cmocka_unit_test(info_round_trip),
		cmocka_unit_test(info_malformed),
		cmocka_unit_test(passwd),
		cmocka_unit_test(start_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
