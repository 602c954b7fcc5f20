/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner's user mapping: --private-users modes, /etc/subuid parsing, range picking,
 * map lines and the nsenter hint. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../spawn/users.h"

/* Parses MODE into a fresh struct; returns the result. */
static int mode(const char *s, struct nsb_users *u, char *err)
{
	memset(u, 0, sizeof *u);
	err[0] = '\0';
	return nsb_users_parse_mode(s, u, err, 256);
}

static void modes(void **state)
{
	struct nsb_users u;
	char err[256];
	assert_int_equal(mode("pick", &u, err), 0);
	assert_int_equal(u.mode, NSB_USERS_PICK);
	assert_int_equal(mode("identity", &u, err), 0);
	assert_int_equal(u.mode, NSB_USERS_IDENTITY);
	assert_int_equal(u.base, 0);
	assert_int_equal(u.count, 65536);
	assert_int_equal(mode("subid", &u, err), 0);
	assert_int_equal(u.mode, NSB_USERS_SUBID);
	assert_int_equal(mode("single", &u, err), 0);
	assert_int_equal(u.mode, NSB_USERS_SINGLE);
	assert_int_equal(mode("1000000", &u, err), 0);
	assert_int_equal(u.mode, NSB_USERS_RANGE);
	assert_int_equal(u.base, 1000000);
	assert_int_equal(u.count, 65536);
	assert_int_equal(mode("1000000:1000", &u, err), 0);
	assert_int_equal(u.count, 1000);
	assert_int_equal(mode("4294901759:65536", &u, err), 0); /* ends at 2^32-1, excluded */
}

static void bad_modes(void **state)
{
	static const char *const bad[] = { "", "yes", "Pick", "-1", "1000:", ":5", "10:0",
					   "1x", "10:5x", "4294967295", "4294901760:65536",
					   "99999999999", "1 :2", " 1" };
	struct nsb_users u;
	char err[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(mode(bad[i], &u, err), -EINVAL);
		assert_non_null(strstr(err, "--private-users="));
		assert_null(strchr(err, '\n'));
	}
}

static const char subuid[] =
	"# a comment\n"
	"alice:100000:65536\n"
	"malformed line\n"
	"bob:165536:65536\n"
	"1001:231072:1000\n"
	"carol:x:5\n"
	"dave:300000:0\n"
	"eve:4294967295:2\n"
	"bob:500000:10\n"
	":400000:5\n"
	"zed:600000:65536";

static void subid_find(void **state)
{
	struct nsb_idrange r;
	assert_int_equal(nsb_subid_find(subuid, "alice", 1000, &r), 0);
	assert_int_equal(r.start, 100000);
	assert_int_equal(r.count, 65536);
	assert_int_equal(nsb_subid_find(subuid, "bob", 5, &r), 0); /* the first of bob's */
	assert_int_equal(r.start, 165536);
	assert_int_equal(nsb_subid_find(subuid, "nobody", 1001, &r), 0); /* by number */
	assert_int_equal(r.start, 231072);
	assert_int_equal(r.count, 1000);
	assert_int_equal(nsb_subid_find(subuid, NULL, 1001, &r), 0);
	assert_int_equal(nsb_subid_find(subuid, "zed", 7, &r), 0); /* no final newline */
	assert_int_equal(r.start, 600000);
	assert_int_equal(nsb_subid_find(subuid, "al", 1, &r), -ENOENT); /* no prefix match */
	assert_int_equal(nsb_subid_find(subuid, "carol", 1, &r), -ENOENT); /* malformed */
	assert_int_equal(nsb_subid_find(subuid, "dave", 1, &r), -ENOENT);  /* empty */
	assert_int_equal(nsb_subid_find(subuid, "eve", 1, &r), -ENOENT);   /* overflows */
	assert_int_equal(nsb_subid_find(subuid, "100", 100, &r), -ENOENT);
	assert_int_equal(nsb_subid_find("", "alice", 0, &r), -ENOENT);
}

static void subid_all(void **state)
{
	struct nsb_idrange r[8];
	assert_int_equal(nsb_subid_all(subuid, r, 8), 5);
	assert_int_equal(r[0].start, 100000);
	assert_int_equal(r[2].start, 231072);
	assert_int_equal(r[3].start, 500000);
	assert_int_equal(r[4].start, 600000);
	assert_int_equal(nsb_subid_all(subuid, r, 2), 5); /* counts beyond MAX */
	assert_int_equal(nsb_subid_all(subuid, NULL, 0), 5);
}

static void pick(void **state)
{
	uint32_t base;
	/* nothing busy: the first block */
	assert_int_equal(nsb_range_pick(NULL, 0, NSB_PICK_FIRST, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_FIRST);
	/* FROM is rounded up to a block */
	assert_int_equal(nsb_range_pick(NULL, 0, NSB_PICK_FIRST + 1, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_FIRST + NSB_PICK_BLOCK);
	/* a range overlapping the first block by one id at either end */
	struct nsb_idrange low = { NSB_PICK_FIRST - 10, 11 };
	assert_int_equal(nsb_range_pick(&low, 1, NSB_PICK_FIRST, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_FIRST + NSB_PICK_BLOCK);
	struct nsb_idrange edge = { NSB_PICK_FIRST + 65535, 1 };
	assert_int_equal(nsb_range_pick(&edge, 1, NSB_PICK_FIRST, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_FIRST + NSB_PICK_BLOCK);
	/* touching ranges do not overlap */
	struct nsb_idrange touch[2] = { { NSB_PICK_FIRST - 100, 100 },
					{ NSB_PICK_FIRST + 65536, 5 } };
	assert_int_equal(nsb_range_pick(touch, 2, NSB_PICK_FIRST, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_FIRST);
	/* several ranges, unordered, an unaligned one spanning two blocks, an empty one */
	struct nsb_idrange busy[] = { { NSB_PICK_FIRST + 3 * NSB_PICK_BLOCK, 65536 },
				      { NSB_PICK_FIRST, 100 },
				      { NSB_PICK_FIRST + NSB_PICK_BLOCK + 5, 65536 },
				      { NSB_PICK_FIRST + 4 * NSB_PICK_BLOCK, 0 } };
	assert_int_equal(nsb_range_pick(busy, 4, NSB_PICK_FIRST, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_FIRST + 4 * NSB_PICK_BLOCK);
	/* the typical /etc/subuid of a Debian host (100000 + 65536 * k) stays below FIRST */
	struct nsb_idrange deb[] = { { 100000, 65536 }, { 165536, 65536 }, { 231072, 65536 } };
	assert_int_equal(nsb_range_pick(deb, 3, NSB_PICK_FIRST, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_FIRST);
	/* a huge range covering FIRST.. up to near the end leaves the last block */
	struct nsb_idrange huge = { 0, NSB_PICK_END - NSB_PICK_BLOCK };
	assert_int_equal(nsb_range_pick(&huge, 1, NSB_PICK_FIRST, 65536, &base), 0);
	assert_int_equal(base, NSB_PICK_END - NSB_PICK_BLOCK);
	/* everything taken */
	struct nsb_idrange all = { 0, NSB_PICK_END };
	assert_int_equal(nsb_range_pick(&all, 1, NSB_PICK_FIRST, 65536, &base), -ENOSPC);
	assert_int_equal(nsb_range_pick(NULL, 0, NSB_PICK_END, 65536, &base), -ENOSPC);
	/* the result never overlaps any busy range (exhaustive over a small pattern) */
	struct nsb_idrange pat[6];
	for (unsigned k = 0; k < 6; k++)
		pat[k] = (struct nsb_idrange){ NSB_PICK_FIRST + k * 70000u, 60000 };
	assert_int_equal(nsb_range_pick(pat, 6, NSB_PICK_FIRST, 65536, &base), 0);
	for (unsigned k = 0; k < 6; k++)
		assert_true(base >= pat[k].start + pat[k].count || base + 65536 <= pat[k].start);
	assert_int_equal(base % NSB_PICK_BLOCK, 0);
}

static void map_lines(void **state)
{
	char buf[128];
	struct nsb_users u = { .mode = NSB_USERS_PICK, .base = 524288, .count = 65536,
			       .uid = 1000, .gid = 100 };
	assert_int_equal(nsb_users_map(&u, false, buf, sizeof buf), 15);
	assert_string_equal(buf, "0 524288 65536\n");
	assert_int_equal(nsb_users_map(&u, true, buf, sizeof buf), 15);
	assert_string_equal(buf, "0 524288 65536\n");
	u.mode = NSB_USERS_IDENTITY, u.base = 0;
	nsb_users_map(&u, false, buf, sizeof buf);
	assert_string_equal(buf, "0 0 65536\n");
	u.mode = NSB_USERS_RANGE, u.base = 2000000, u.count = 1000;
	nsb_users_map(&u, true, buf, sizeof buf);
	assert_string_equal(buf, "0 2000000 1000\n");
	u.mode = NSB_USERS_SINGLE;
	nsb_users_map(&u, false, buf, sizeof buf);
	assert_string_equal(buf, "0 1000 1\n");
	nsb_users_map(&u, true, buf, sizeof buf);
	assert_string_equal(buf, "0 100 1\n");
	u.mode = NSB_USERS_SUBID;
	u.subuid = (struct nsb_idrange){ 100000, 65536 };
	u.subgid = (struct nsb_idrange){ 200000, 1000 };
	nsb_users_map(&u, false, buf, sizeof buf);
	assert_string_equal(buf, "0 1000 1\n1 100000 65536\n");
	nsb_users_map(&u, true, buf, sizeof buf);
	assert_string_equal(buf, "0 100 1\n1 200000 1000\n");
	assert_int_equal(nsb_users_map(&u, true, buf, 10), -ENOSPC);
	u.mode = 0;
	assert_int_equal(nsb_users_map(&u, true, buf, sizeof buf), -EINVAL);
}

/* The nested namespace's map: every range of the outer map again, one to one onto the
 * ids it has inside (a nested range may not span two outer ranges). */
static void nested_maps(void **state)
{
	char buf[128];
	struct nsb_users u = { .mode = NSB_USERS_PICK, .base = 524288, .count = 65536 };
	assert_int_equal(nsb_users_nested_map(&u, false, buf, sizeof buf), 10);
	assert_string_equal(buf, "0 0 65536\n");
	u.mode = NSB_USERS_SINGLE, u.uid = 1000, u.gid = 100;
	nsb_users_nested_map(&u, true, buf, sizeof buf);
	assert_string_equal(buf, "0 0 1\n");
	u.mode = NSB_USERS_SUBID;
	u.subuid = (struct nsb_idrange){ 100000, 65536 };
	u.subgid = (struct nsb_idrange){ 200000, 1000 };
	nsb_users_nested_map(&u, false, buf, sizeof buf);
	assert_string_equal(buf, "0 0 1\n1 1 65536\n");
	nsb_users_nested_map(&u, true, buf, sizeof buf);
	assert_string_equal(buf, "0 0 1\n1 1 1000\n");
	assert_int_equal(nsb_users_nested_map(&u, true, buf, 8), -ENOSPC);
	u.mode = 0;
	assert_int_equal(nsb_users_nested_map(&u, true, buf, sizeof buf), -EINVAL);
}

static void enter_cmd(void **state)
{
	char buf[64];
	struct nsb_users u = { .mode = NSB_USERS_PICK };
	nsb_users_enter_cmd(&u, 4242, buf, sizeof buf);
	assert_string_equal(buf, "nsenter -a -t 4242");
	u.mode = NSB_USERS_SUBID;
	nsb_users_enter_cmd(&u, 7, buf, sizeof buf);
	assert_string_equal(buf, "nsenter -a -t 7");
	u.mode = NSB_USERS_SINGLE;
	nsb_users_enter_cmd(&u, 7, buf, sizeof buf);
	assert_string_equal(buf, "nsenter -a --preserve-credentials -t 7");
	assert_int_equal(nsb_users_enter_cmd(&u, 7, buf, 8), -ENOSPC);
}

static void holder_record(void **state)
{
	char buf[64], err[256];
	pid_t sp = -1, ct = -1;
	/* the same length whatever the PIDs: rewritten in place, it never leaves a tail */
	assert_int_equal(nsb_range_holder_format(buf, sizeof buf, 42, 0), 22);
	assert_string_equal(buf, "        42          0\n");
	assert_int_equal(nsb_range_holder_format(buf, sizeof buf, 4194304, 4194303), 22);
	assert_int_equal(nsb_range_holder_parse(buf, 22, &sp, &ct), 0);
	assert_int_equal(sp, 4194304);
	assert_int_equal(ct, 4194303);
	assert_int_equal(nsb_range_holder_format(buf, 10, 42, 0), -ENOSPC);
	/* an older nsboot's empty file, a torn or foreign text: no holder */
	static const char *const bad[] = { "", "\n", "42", "42 \n", "x 1\n", "0 0\n",
					   "-5 7\n", "42 -1\n", "42 7\nmore" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(nsb_range_holder_parse(bad[i], strlen(bad[i]), &sp, &ct), -EINVAL);
	/* the refusal names the container, else its nsboot, else says it cannot */
	nsb_range_overlap_msg(err, sizeof err, "524288:65536", 41, 42);
	assert_string_equal(err, "--private-users=524288:65536: ids overlap the range of the "
				 "running container PID 42");
	nsb_range_overlap_msg(err, sizeof err, "524288", 41, 0);
	assert_string_equal(err, "--private-users=524288: ids overlap the range of a container "
				 "being started by nsboot PID 41");
	nsb_range_overlap_msg(err, sizeof err, "524288", 0, 0);
	assert_string_equal(err, "--private-users=524288: ids overlap the range of a running "
				 "container (its lock names no PID)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modes),     cmocka_unit_test(bad_modes),
		cmocka_unit_test(subid_find), cmocka_unit_test(subid_all),
		cmocka_unit_test(pick),      cmocka_unit_test(map_lines),
		cmocka_unit_test(nested_maps),
		cmocka_unit_test(enter_cmd), cmocka_unit_test(holder_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
