/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Passing fds (lib/fdpass.c): what is attached arrives in order, what does not fit is
 * closed, a buffer too small is refused. Real unix sockets; nothing to fake. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdpass.h"
#include "scratch.h"

/* Sends one byte with the N fds attached on SOCK. */
static void send_fds(int sock, const int *fds, size_t n)
{
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char b[NSB_FDS_SPACE(8)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	assert_int_equal(nsb_fds_attach(&mh, ctl.b, sizeof ctl.b, fds, n), 0);
	assert_int_equal(sendmsg(sock, &mh, 0), 1);
}

/* Receives one byte on SOCK and takes at most MAX fds into FDS; their count. */
static size_t recv_fds(int sock, int *fds, size_t max)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char b[NSB_FDS_SPACE(8)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof ctl.b };
	assert_int_equal(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC), 1);
	return nsb_fds_take(&mh, fds, max);
}

/* True when A and B are the same open file (device and inode). */
static int same_file(int a, int b)
{
	struct stat x, y;
	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

static void fds_arrive_in_order(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	int sent[3] = { open("/", O_PATH), open("/dev/null", O_RDONLY), open("/tmp", O_PATH) };
	send_fds(sv[0], sent, 3);
	int got[4] = { -1, -1, -1, -1 };
	assert_int_equal(recv_fds(sv[1], got, 4), 3);
	for (int i = 0; i < 3; i++) {
		assert_true(same_file(sent[i], got[i]));
		assert_int_equal(fcntl(got[i], F_GETFD), FD_CLOEXEC);
		close(got[i]);
		close(sent[i]);
	}
	assert_int_equal(got[3], -1);
	close(sv[0]);
	close(sv[1]);
}

static void what_does_not_fit_is_closed(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	int sent[3] = { open("/", O_PATH), open("/dev/null", O_RDONLY), open("/tmp", O_PATH) };
	send_fds(sv[0], sent, 3);
	int before = open_fds();
	int got[1];
	assert_int_equal(recv_fds(sv[1], got, 1), 1);
	assert_true(same_file(sent[0], got[0]));
	assert_int_equal(open_fds(), before + 1); /* the other two are closed */
	close(got[0]);
	send_fds(sv[0], sent, 2);
	assert_int_equal(recv_fds(sv[1], NULL, 0), 0);
	assert_int_equal(open_fds(), before);
	for (int i = 0; i < 3; i++)
		close(sent[i]);
	close(sv[0]);
	close(sv[1]);
}

static void nothing_attached(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	send_fds(sv[0], NULL, 0);
	int got[2] = { -1, -1 };
	assert_int_equal(recv_fds(sv[1], got, 2), 0);
	assert_int_equal(got[0], -1);
	close(sv[0]);
	close(sv[1]);
}

static void buffer_too_small(void **state)
{
	char small[NSB_FDS_SPACE(1)];
	int fds[4] = { 0, 1, 2, 0 };
	struct msghdr mh = { 0 };
	assert_int_equal(nsb_fds_attach(&mh, small, sizeof small, fds, 4), -EINVAL);
	assert_null(mh.msg_control);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fds_arrive_in_order),
		cmocka_unit_test(what_does_not_fit_is_closed),
		cmocka_unit_test(nothing_attached),
		cmocka_unit_test(buffer_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
