/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nsboot-init's own handling of its options and of GO: the nsboot-mount command line
 * built from the option words, the "tree" fd of GO, waiting for GO. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "words.h"
#include "proto.h"
#include "../../init/standalone.h"

/* Parses WORDS (NULL-terminated, copied) for nsboot-init into C; returns the result. */
static enum nsb_parse_result parse(struct nsb_config *c, char **argv, const char *const *words)
{
	static char store[32][128];
	int n = 0;
	for (; words[n]; n++) {
		snprintf(store[n], sizeof store[n], "%s", words[n]);
		argv[n] = store[n];
	}
	argv[n] = NULL;
	char err[256];
	return nsb_parse_args(c, n, argv, NSB_PROG_INIT, err, sizeof err);
}

static void helper_gets_the_option_words(void **state)
{
	struct nsb_config c;
	char *argv[32], *out[32], tree[32];
	static const char *const words[] = { "nsboot-init", "-D", "/t", "--bind=/a:/b", "-v",
					     "--grace=2", "--", "sh", "-c", "x", NULL };
	assert_int_equal(parse(&c, argv, words), NSB_PARSE_OK);
	assert_true(c.mount_options);
	int n = nsb_mount_helper_argv("/libexec/nsboot-mount", argv, c.n_option_args, -1, tree,
				      sizeof tree, out, 32);
	assert_int_equal(n, 7);
	/* the words as given (the parser splits a copy of --bind's spec, not the word) */
	assert_string_equal(out[0], "/libexec/nsboot-mount");
	assert_string_equal(out[1], "-D");
	assert_string_equal(out[3], "--bind=/a:/b");
	assert_string_equal(out[5], "--grace=2");
	assert_string_equal(out[6], "--");
	assert_null(out[7]);
	/* with a tree from GO: before the words, which end with "--" */
	n = nsb_mount_helper_argv("m", argv, c.n_option_args, 7, tree, sizeof tree, out, 32);
	assert_int_equal(n, 8);
	assert_string_equal(out[1], "--tree-fd=7");
	assert_string_equal(out[2], "-D");
	assert_string_equal(out[7], "--");
	assert_null(out[8]);
	/* the command never reaches the helper */
	assert_null(strstr(words_join(out), "sh -c"));
}

static void helper_argv_without_options(void **state)
{
	struct nsb_config c;
	char *argv[32], *out[4], tree[32];
	static const char *const words[] = { "nsboot-init", "--tmpfs-root", "true", NULL };
	assert_int_equal(parse(&c, argv, words), NSB_PARSE_OK);
	assert_int_equal(nsb_mount_helper_argv("m", argv, c.n_option_args, -1, tree, sizeof tree,
					       out, 4), 2);
	assert_string_equal(words_join(out), "m --tmpfs-root");
	assert_int_equal(nsb_mount_helper_argv("m", argv, c.n_option_args, 12, tree, sizeof tree,
					       out, 4), 3);
	assert_string_equal(words_join(out), "m --tree-fd=12 --tmpfs-root");
	/* too small an array, too small a buffer */
	assert_int_equal(nsb_mount_helper_argv("m", argv, c.n_option_args, 3, tree, sizeof tree,
					       out, 3), -E2BIG);
	assert_int_equal(nsb_mount_helper_argv("m", argv, c.n_option_args, 3, tree, 4, out, 4),
			 -E2BIG);
	assert_int_equal(nsb_mount_helper_argv("m", argv, -1, -1, tree, sizeof tree, out, 4),
			 -E2BIG);
}

static void go_tree_fd(void **state)
{
	struct nsb_msg m = { .type = NSB_MSG_GO, .fds = { 5, 6, 7, -1 }, .n_fds = 3 };
	snprintf(m.text, sizeof m.text, "a,tree,b");
	assert_int_equal(nsb_go_tree_fd(&m), 6);
	snprintf(m.text, sizeof m.text, "tree");
	assert_int_equal(nsb_go_tree_fd(&m), 5);
	snprintf(m.text, sizeof m.text, "trees,xtree,tre");
	assert_int_equal(nsb_go_tree_fd(&m), -1);
	snprintf(m.text, sizeof m.text, "%s", "");
	assert_int_equal(nsb_go_tree_fd(&m), -1);
	/* a name without an fd behind it */
	snprintf(m.text, sizeof m.text, "a,b,c,tree");
	assert_int_equal(nsb_go_tree_fd(&m), -1);
}

/* True when FD is open. */
static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void wait_go_keeps_the_tree(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	int a = open("/dev/null", O_RDONLY), b = open("/", O_RDONLY | O_DIRECTORY);
	struct nsb_msg m = { .type = NSB_MSG_GO, .fds = { a, b }, .n_fds = 2 };
	snprintf(m.text, sizeof m.text, "other,tree");
	assert_int_equal(nsb_msg_send(sv[1], &m), 0);
	close(a);
	close(b);
	int tree = -1;
	assert_int_equal(nsb_wait_go(sv[0], &tree, &(struct nsb_error){ 0 }), 0);
	assert_true(tree >= 0);
	/* the tree is the directory; the other fd was closed: the lowest free number is its */
	struct stat st;
	assert_int_equal(fstat(tree, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	int probe = open("/dev/null", O_RDONLY);
	assert_true(probe < tree);
	close(probe);
	close(tree);
	/* GO without fds */
	assert_int_equal(nsb_send_simple(sv[1], NSB_MSG_GO), 0);
	assert_int_equal(nsb_wait_go(sv[0], &tree, &(struct nsb_error){ 0 }), 0);
	assert_int_equal(tree, -1);
	/* anything but GO is an error */
	assert_int_equal(nsb_send_simple(sv[1], NSB_MSG_READY), 0);
	assert_int_equal(nsb_wait_go(sv[0], &tree, &(struct nsb_error){ 0 }), -EBADMSG);
	/* EOF: the spawner is gone */
	close(sv[1]);
	assert_int_equal(nsb_wait_go(sv[0], &tree, &(struct nsb_error){ 0 }), -EPIPE);
	assert_int_equal(tree, -1);
	close(sv[0]);
	assert_false(is_open(sv[1]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(helper_gets_the_option_words),
		cmocka_unit_test(helper_argv_without_options),
		cmocka_unit_test(go_tree_fd),
		cmocka_unit_test(wait_go_keeps_the_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
