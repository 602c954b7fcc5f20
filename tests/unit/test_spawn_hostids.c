/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A BASE range against the host's users and groups: which entries of a passwd- or
 * group-format file fall in the range, minus the caller's own subid range. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../spawn/hostids.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "proxy:x:13:13:proxy:/bin:/usr/sbin/nologin\n"
			     "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
			     "alice:x:1000:1000::/home/alice:/bin/bash\n"
			     "bob:x:1001:1001::/home/bob:/bin/bash\n"
			     "carol:x:1002:1002::/home/carol:/bin/bash\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
			     "shifted:x:200005:200005::/:/bin/false\n";
static const char group[] = "root:x:0:\nkmem:x:15:\nusers:x:100:alice,bob\nnogroup:x:65534:\n";

/* How many entries of TEXT (group format when GROUP) fall in R outside SKIP; NAMES. */
static size_t count(const char *text, bool group_fmt, struct nsb_idrange r,
		    struct nsb_idrange skip, char *names, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	names[0] = '\0';
	size_t n = nsb_hostids_in_range(f, group_fmt, r, skip, names, len);
	fclose(f);
	return n;
}

static void users_in_range(void **state)
{
	char names[256];
	struct nsb_idrange none = { 0 };
	assert_int_equal(count(passwd, false, (struct nsb_idrange){ 12, 65536 }, none, names,
			       sizeof names), 6);
	assert_string_equal(names, "proxy 13, www-data 33, alice 1000");
	/* the range's ends: BASE is in, BASE+COUNT is not */
	assert_int_equal(count(passwd, false, (struct nsb_idrange){ 1000, 1 }, none, names,
			       sizeof names), 1);
	assert_string_equal(names, "alice 1000");
	assert_int_equal(count(passwd, false, (struct nsb_idrange){ 1003, 64531 }, none, names,
			       sizeof names), 0);
	assert_string_equal(names, "");
	assert_int_equal(count(passwd, false, (struct nsb_idrange){ 524288, 65536 }, none, names,
			       sizeof names), 0);
	/* an id in the caller's own subid range does not count */
	assert_int_equal(count(passwd, false, (struct nsb_idrange){ 200000, 65536 }, none, names,
			       sizeof names), 1);
	assert_int_equal(count(passwd, false, (struct nsb_idrange){ 200000, 65536 },
			       (struct nsb_idrange){ 200000, 65536 }, names, sizeof names), 0);
}

static void groups_in_range(void **state)
{
	char names[256];
	assert_int_equal(count(group, true, (struct nsb_idrange){ 12, 65536 },
			       (struct nsb_idrange){ 0 }, names, sizeof names), 3);
	assert_string_equal(names, "kmem 15, users 100, nogroup 65534");
	/* a short buffer: cut, never overrun */
	char small[8];
	assert_int_equal(count(group, true, (struct nsb_idrange){ 12, 65536 },
			       (struct nsb_idrange){ 0 }, small, sizeof small), 3);
	assert_true(strlen(small) < sizeof small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(users_in_range),
		cmocka_unit_test(groups_in_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
