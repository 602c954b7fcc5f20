/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The comma-separated list splitter (lib/list.h) and GO's fd lookup built on it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "proto.h"

/* The items of LIST joined with '|' into OUT. */
static const char *items(const char *list, char *out, size_t len)
{
	size_t n, o = 0;
	bool first = true;
	out[0] = '\0';
	for (const char *s = list, *item; nsb_list_next(&s, &item, &n); first = false)
		o += (size_t)snprintf(out + o, len - o, "%s%.*s", first ? "" : "|", (int)n, item);
	return out;
}

static void splitting(void **state)
{
	char buf[128];
	assert_string_equal(items(NULL, buf, sizeof buf), "");
	assert_string_equal(items("", buf, sizeof buf), "");
	assert_string_equal(items("ro", buf, sizeof buf), "ro");
	assert_string_equal(items("ro,size=1m,idmap", buf, sizeof buf), "ro|size=1m|idmap");
	assert_string_equal(items("a,,b,", buf, sizeof buf), "a||b"); /* a trailing comma adds none */
	assert_string_equal(items(",a", buf, sizeof buf), "|a");
	assert_true(nsb_list_is("rbind", 5, "rbind"));
	assert_false(nsb_list_is("rbind", 5, "norbind"));
	assert_false(nsb_list_is("ro,x", 4, "ro"));
	assert_false(nsb_list_is("r", 1, "ro"));
}

static void go_fd_by_name(void **state)
{
	struct nsb_msg m = { .type = NSB_MSG_GO, .fds = { 7, 8, 9 }, .n_fds = 3 };
	snprintf(m.text, sizeof m.text, "tree,bind0,bind1");
	assert_int_equal(nsb_go_fd(&m, "tree"), 7);
	assert_int_equal(nsb_go_fd(&m, "bind1"), 9);
	assert_int_equal(nsb_go_fd(&m, "bind"), -1);
	m.n_fds = 1; /* a name without its fd */
	assert_int_equal(nsb_go_fd(&m, "bind0"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splitting),
		cmocka_unit_test(go_fd_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
