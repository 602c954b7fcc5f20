/* SPDX-License-Identifier: GPL-3.0-or-later */
/* spawn/booted.c: READY=1 to $NOTIFY_SOCKET (path and abstract). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "../../spawn/booted.h"

/* Receives one datagram on FD (1 s at most) into BUF. */
static void recv_dgram(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_true(poll(&p, 1, 1000) > 0);
	ssize_t n = recv(fd, buf, len - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
}

static void sd_notify_path_and_abstract(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(nsb_sd_notify("READY=1"), 0);

	char path[] = "/tmp/nsb-test-sdnotify.XXXXXX";
	int tmp = mkstemp(path);
	close(tmp);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(nsb_sd_notify("READY=1"), 1);
	char buf[64];
	recv_dgram(fd, buf, sizeof buf);
	assert_string_equal(buf, "READY=1");
	close(fd);
	unlink(path);

	char name[64];
	snprintf(name, sizeof name, "nsb-test-%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	memcpy(ab.sun_path + 1, name, strlen(name));
	assert_int_equal(bind(fd, (struct sockaddr *)&ab,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))), 0);
	char env[80];
	snprintf(env, sizeof env, "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(nsb_sd_notify("READY=1"), 1);
	recv_dgram(fd, buf, sizeof buf);
	assert_string_equal(buf, "READY=1");
	close(fd);

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(nsb_sd_notify("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "/nonexistent/socket", 1);
	assert_int_equal(nsb_sd_notify("READY=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	nsb_prog = "test";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sd_notify_path_and_abstract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
