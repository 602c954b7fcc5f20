/* SPDX-License-Identifier: GPL-3.0-or-later */
/* init/notify.c: READY=1 counts from the boot command's own pid only (SO_PASSCRED), on the
 * socket or as a line on the FIFO; BOOTED goes to the sync fd once; junk is ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "../../init/notify.h"
#include "../../init/preset.h"
#include "scratch.h"

static char dir[256];
static int sp[2]; /* sp[0]: the init's sync fd, sp[1]: the spawner's end */

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/nsb-test-notify.XXXXXX");
	assert_non_null(mkdtemp(dir));
	char sub[300];
	snprintf(sub, sizeof sub, "%s/nsboot", dir);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(nsb_notify_setup_in(sub, sp[0]), 0);
	return 0;
}

static int teardown(void **state)
{
	nsb_notify_close();
	close(sp[0]);
	close(sp[1]);
	return rm_tree(dir);
}

/* Sends MSG as one datagram to $NOTIFY_SOCKET from the calling process. */
static void sd_notify_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	assert_non_null(path);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, sizeof sa),
			 (ssize_t)strlen(msg));
	close(fd);
}

/* Forks a process that sends MSG and exits; returns its pid once it is reaped. When
 * AS_BOOT, the process is registered as the boot command first. */
static pid_t child_sends(const char *msg, int as_boot)
{
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		sd_notify_send(msg);
		_exit(0);
	}
	close(go[0]);
	if (as_boot)
		nsb_notify_started(pid, NULL);
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return pid;
}

/* Lets notify handle whatever is readable on its two fds; returns the sum of results. */
static int pump(void)
{
	struct pollfd p[2] = { { .fd = nsb_notify_socket_fd(), .events = POLLIN },
			       { .fd = nsb_notify_fifo_fd(), .events = POLLIN } };
	int ret = 0;
	if (poll(p, 2, 200) > 0) {
		for (int i = 0; i < 2; i++)
			if (p[i].revents & POLLIN)
				ret += nsb_notify_handle(p[i].fd);
	}
	return ret;
}

/* The number of BOOTED records waiting on the spawner's end. */
static int booted_records(void)
{
	int n = 0;
	struct pollfd p = { .fd = sp[1], .events = POLLIN };
	while (poll(&p, 1, 0) > 0) {
		struct nsb_msg m;
		assert_int_equal(nsb_msg_recv(sp[1], &m), 0);
		assert_int_equal(m.type, NSB_MSG_BOOTED);
		n++;
	}
	return n;
}

static void environment_and_files(void **state)
{
	char want[400];
	snprintf(want, sizeof want, "%s/nsboot/notify", dir);
	assert_string_equal(getenv("NOTIFY_SOCKET"), want);
	assert_true(nsb_notify_socket_fd() >= 0);
	assert_true(nsb_notify_fifo_fd() >= 0);
	/* close-on-exec: the boot command inherits neither */
	assert_true(fcntl(nsb_notify_socket_fd(), F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(nsb_notify_fifo_fd(), F_GETFD) & FD_CLOEXEC);
	assert_false(nsb_notify_booted());
}

static void ready_from_boot_command(void **state)
{
	child_sends("STATUS=starting\nREADY=1\n", 1);
	assert_int_equal(pump(), 1);
	assert_true(nsb_notify_booted());
	assert_int_equal(booted_records(), 1);
	/* a second READY=1 sends nothing more */
	sd_notify_send("READY=1"); /* (from us: not the boot command either) */
	pump();
	assert_int_equal(booted_records(), 0);
}

static void ready_from_another_process_does_not_count(void **state)
{
	nsb_notify_started(getpid() + 100000, nsb_preset_named("sysv")); /* some other pid boots */
	child_sends("READY=1", 0);          /* a service, e.g. sshd */
	sd_notify_send("READY=1");          /* PID 1's own process is not the boot command */
	assert_int_equal(pump(), 0);
	assert_false(nsb_notify_booted());
	assert_int_equal(booted_records(), 0);
}

static void ready_must_be_exact(void **state)
{
	pid_t self = getpid();
	nsb_notify_started(self, NULL);
	sd_notify_send("READY=10");
	sd_notify_send("XREADY=1\nSTATUS=READY=1");
	sd_notify_send("");
	assert_int_equal(pump(), 0);
	assert_false(nsb_notify_booted());
	sd_notify_send("MAINPID=1\nREADY=1");
	assert_int_equal(pump(), 1);
	assert_int_equal(booted_records(), 1);
}

static void fifo_line(void **state)
{
	char fifo[400];
	snprintf(fifo, sizeof fifo, "%s/nsboot/ready", dir);
	int w = open(fifo, O_WRONLY | O_CLOEXEC);
	assert_true(w >= 0);
	assert_int_equal(write(w, "hello\nREADY=10\nREA", 18), 18);
	assert_int_equal(pump(), 0);
	assert_false(nsb_notify_booted());
	assert_int_equal(write(w, "DY=1", 4), 4);
	assert_int_equal(pump(), 0); /* not a line yet */
	assert_int_equal(write(w, "\n", 1), 1);
	assert_int_equal(pump(), 1);
	assert_true(nsb_notify_booted());
	assert_int_equal(booted_records(), 1);
	/* the writer closing is no end-of-file for PID 1 (no busy loop, no error) */
	close(w);
	assert_int_equal(pump(), 0);
}

static void fifo_overlong_line(void **state)
{
	char fifo[400];
	snprintf(fifo, sizeof fifo, "%s/nsboot/ready", dir);
	int w = open(fifo, O_WRONLY | O_CLOEXEC);
	char junk[200];
	memset(junk, 'x', sizeof junk);
	assert_int_equal(write(w, junk, sizeof junk), (ssize_t)sizeof junk);
	assert_int_equal(write(w, "READY=1\n", 8), 8);
	assert_int_equal(pump(), 0);
	assert_false(nsb_notify_booted());
	close(w);
}

static void shell_is_up_when_it_runs(void **state)
{
	nsb_notify_started(getpid(), nsb_preset_named("shell"));
	assert_true(nsb_notify_booted());
	assert_int_equal(booted_records(), 1);
}

/* A preset with a status check: READY=1 starts it; BOOTED waits for its end and names
 * the services it printed, each once (a line that is no service name is dropped). */
static void status_check_names_failed_services(void **state)
{
	static const struct nsb_preset p = {
		.name = "test",
		.check = "echo ssh; echo 'not a name'; sleep 0.1; echo cron; echo ssh",
	};
	nsb_notify_started(getpid(), &p);
	char fifo[400];
	snprintf(fifo, sizeof fifo, "%s/nsboot/ready", dir);
	int w = open(fifo, O_WRONLY | O_CLOEXEC);
	assert_int_equal(write(w, "READY=1\n", 8), 8);
	close(w);
	assert_int_equal(pump(), 1);
	assert_false(nsb_notify_booted()); /* not before the check is done */
	int fd = nsb_notify_check_start();
	assert_true(fd >= 0);
	int done = 0;
	for (int i = 0; i < 100 && !done; i++) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (poll(&pf, 1, 100) > 0)
			done = nsb_notify_check_read(fd);
	}
	assert_int_equal(done, 1);
	assert_true(nsb_notify_booted());
	struct nsb_msg m;
	assert_int_equal(nsb_msg_recv(sp[1], &m), 0);
	assert_int_equal(m.type, NSB_MSG_BOOTED);
	assert_string_equal(m.text, "ssh,cron");
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void fds_sent_along_are_closed(void **state)
{
	/* a datagram with an fd attached (sd_notify FDSTORE=1): the fd is not kept */
	int probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(probe >= 0);
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char msg[] = "FDSTORE=1";
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof msg - 1 };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &probe, sizeof probe);
	assert_true(sendmsg(fd, &mh, 0) > 0);
	close(fd);
	close(probe);
	/* the received copy gets the lowest free number, which is PROBE's again */
	assert_int_equal(pump(), 0);
	int next = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(next, probe);
	close(next);
}

int main(void)
{
	nsb_prog = "test";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(environment_and_files, setup, teardown),
		cmocka_unit_test_setup_teardown(ready_from_boot_command, setup, teardown),
		cmocka_unit_test_setup_teardown(ready_from_another_process_does_not_count, setup, teardown),
		cmocka_unit_test_setup_teardown(ready_must_be_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(fifo_line, setup, teardown),
		cmocka_unit_test_setup_teardown(fifo_overlong_line, setup, teardown),
		cmocka_unit_test_setup_teardown(shell_is_up_when_it_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(fds_sent_along_are_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(status_check_names_failed_services, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
