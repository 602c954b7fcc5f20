/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The net namespace made beside the root (spawn/netns.c): the mode chosen by the CPUs, the
 * child's join for every answer the helper may give (the namespace, an ERROR, nothing, a
 * malformed record), a real helper that fails, and a kept result. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "../../spawn/netns.h"

/* A helper-mode N whose child end is a fresh socketpair's; *PEER gets the other end. */
static void helper_mode(struct nsb_netns *n, int *peer)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	*n = (struct nsb_netns){ .helper = true, .sock = { -1, sv[1] } };
	*peer = sv[0];
}

static void mode_follows_the_cpus(void **state)
{
	cpu_set_t all, one;
	struct nsb_netns n;
	assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
	assert_int_equal(nsb_netns_prepare(&n), 0);
	assert_false(n.helper);
	assert_int_equal(n.sock[0], -1);
	assert_int_equal(sched_setaffinity(0, sizeof all, &all), 0);
	if (CPU_COUNT(&all) < 2)
		skip();
	assert_int_equal(nsb_netns_prepare(&n), 0);
	assert_true(n.helper);
	assert_true(n.sock[0] >= 0 && n.sock[1] >= 0);
	close(n.sock[0]);
	close(n.sock[1]);
}

static void join_the_helpers_error(void **state)
{
	struct nsb_netns n;
	int peer;
	char err[512];
	helper_mode(&n, &peer);
	assert_int_equal(nsb_send_error(peer, "network", "unshare the net namespace: %s",
					strerror(EPERM)), 0);
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), -EIO);
	assert_string_equal(err, "unshare the net namespace: Operation not permitted");
	assert_int_equal(n.sock[1], -1); /* closed */
	/* the result is kept */
	err[0] = '\0';
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), -EIO);
	assert_string_equal(err, "unshare the net namespace: Operation not permitted");
	close(peer);
}

static void join_without_an_answer(void **state)
{
	struct nsb_netns n;
	int peer;
	char err[512];
	helper_mode(&n, &peer);
	close(peer);
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), -EPIPE);
	assert_string_equal(err, "the net namespace helper: it exited without an answer");
}

static void join_a_malformed_answer(void **state)
{
	struct nsb_netns n;
	int peer;
	char err[512];
	helper_mode(&n, &peer);
	assert_int_equal(nsb_send_simple(peer, NSB_MSG_GO), 0); /* GO without the fd */
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), -EBADMSG);
	assert_string_equal(err, "the net namespace helper: Bad message");
	close(peer);
}

/* GO carrying "net": the child enters that namespace (here our own, which root may). */
static void join_the_namespace(void **state)
{
	if (geteuid() != 0)
		skip();
	struct nsb_netns n;
	int peer;
	char err[512] = "";
	helper_mode(&n, &peer);
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	struct nsb_msg m = { .type = NSB_MSG_GO, .text = "net", .fds = { fd }, .n_fds = 1 };
	assert_int_equal(nsb_msg_send(peer, &m), 0);
	close(fd);
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), 0);
	close(peer);
}

/* A real helper for a child that does not exist: its ERROR names the step and the errno,
 * and it is reaped. */
static void a_helper_that_fails(void **state)
{
	struct nsb_netns n;
	char err[512];
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	n = (struct nsb_netns){ .helper = true, .sock = { sv[0], sv[1] } };
	nsb_netns_spawn(&n, 999999999);
	assert_int_equal(n.sock[0], -1); /* the spawner's copy is closed */
	assert_true(n.helper_pid > 0);
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), -EIO);
	assert_string_equal(err, "enter the container's user namespace: No such file or directory");
	nsb_netns_reap(&n, true);
	assert_int_equal(n.helper_pid, 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* nothing left to reap */
	assert_int_equal(errno, ECHILD);
}

/* Made in place (one CPU): the child's failure is what the join reports. */
static void in_place_failure_is_kept(void **state)
{
	struct nsb_netns n = { .helper = false, .sock = { -1, -1 }, .err = EPERM };
	snprintf(n.msg, sizeof n.msg, "unshare the net namespace: %s", strerror(EPERM));
	char err[512];
	assert_int_equal(nsb_netns_join(&n, err, sizeof err), -EPERM);
	assert_string_equal(err, "unshare the net namespace: Operation not permitted");
	struct nsb_netns ok = { .helper = false, .sock = { -1, -1 } };
	assert_int_equal(nsb_netns_join(&ok, err, sizeof err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode_follows_the_cpus),
		cmocka_unit_test(join_the_helpers_error),
		cmocka_unit_test(join_without_an_answer),
		cmocka_unit_test(join_a_malformed_answer),
		cmocka_unit_test(join_the_namespace),
		cmocka_unit_test(a_helper_that_fails),
		cmocka_unit_test(in_place_failure_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
