/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The spawner/init protocol (lib/proto.c): encoding, decoding, truncated and malformed
 * records, and real records over a SOCK_SEQPACKET pair with fds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

/* Decodes LEN bytes of BUF into a fresh message; returns the result. */
static int decode(const char *buf, size_t len, struct nsb_msg *m)
{
	memset(m, 0x55, sizeof *m);
	return nsb_msg_decode(m, buf, len);
}

static void encode_each(void **state)
{
	char buf[NSB_PROTO_MAX];
	struct nsb_msg m = { .type = NSB_MSG_READY };
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), 1);
	assert_memory_equal(buf, "R", 1);
	m.type = NSB_MSG_BOOTED;
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), 1);
	assert_memory_equal(buf, "B", 1);
	m = (struct nsb_msg){ .type = NSB_MSG_GO };
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), 1);
	assert_memory_equal(buf, "G", 1);
	snprintf(m.text, sizeof m.text, "tree");
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), 5);
	assert_memory_equal(buf, "Gtree", 5);
	m = (struct nsb_msg){ .type = NSB_MSG_ERROR };
	snprintf(m.phase, sizeof m.phase, "mount");
	snprintf(m.text, sizeof m.text, "bind /x -> /y: No such file or directory");
	ssize_t n = nsb_msg_encode(&m, buf, sizeof buf);
	assert_int_equal(n, 1 + 5 + 1 + 40);
	assert_memory_equal(buf, "Emount\0bind /x", 14);
}

static void encode_errors(void **state)
{
	char buf[8];
	struct nsb_msg m = { .type = NSB_MSG_ERROR };
	snprintf(m.text, sizeof m.text, "x");
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EINVAL); /* empty phase */
	snprintf(m.phase, sizeof m.phase, "a\nb");
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EINVAL); /* newline in phase */
	snprintf(m.phase, sizeof m.phase, "mount");
	snprintf(m.text, sizeof m.text, "too long for eight");
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EMSGSIZE);
	m = (struct nsb_msg){ .type = NSB_MSG_GO };
	snprintf(m.text, sizeof m.text, "tree,more");
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EMSGSIZE);
	assert_int_equal(nsb_msg_encode(&m, buf, 0), -EMSGSIZE);
	m.type = (enum nsb_msg_type)'Z';
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EINVAL);
	/* EXIT holds a status of 0 to 255 in decimal */
	m = (struct nsb_msg){ .type = NSB_MSG_EXIT };
	static const char *const bad_status[] = { "", "256", "1000", "-1", "07", "1a", " 1" };
	for (size_t i = 0; i < sizeof bad_status / sizeof bad_status[0]; i++) {
		snprintf(m.text, sizeof m.text, "%s", bad_status[i]);
		assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EINVAL);
	}
	snprintf(m.text, sizeof m.text, "137");
	assert_int_equal(nsb_msg_encode(&m, buf, 2), -EMSGSIZE);
}

static void round_trip(void **state)
{
	char buf[NSB_PROTO_MAX];
	struct nsb_msg in = { .type = NSB_MSG_ERROR }, out;
	snprintf(in.phase, sizeof in.phase, "pivot");
	memset(in.text, 'x', sizeof in.text - 1); /* the longest message */
	in.text[sizeof in.text - 1] = '\0';
	in.text[sizeof in.text - 2] = '\0';
	ssize_t n = nsb_msg_encode(&in, buf, sizeof buf);
	assert_true(n > 0 && n <= NSB_PROTO_MAX);
	assert_int_equal(decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.type, NSB_MSG_ERROR);
	assert_string_equal(out.phase, "pivot");
	assert_string_equal(out.text, in.text);
	in = (struct nsb_msg){ .type = NSB_MSG_GO };
	snprintf(in.text, sizeof in.text, "tree");
	n = nsb_msg_encode(&in, buf, sizeof buf);
	assert_int_equal(decode(buf, (size_t)n, &out), 0);
	assert_int_equal(out.type, NSB_MSG_GO);
	assert_string_equal(out.text, "tree");
	static const char *const status[] = { "0", "9", "42", "125", "255" };
	for (size_t i = 0; i < sizeof status / sizeof status[0]; i++) {
		in = (struct nsb_msg){ .type = NSB_MSG_EXIT };
		snprintf(in.text, sizeof in.text, "%s", status[i]);
		n = nsb_msg_encode(&in, buf, sizeof buf);
		assert_int_equal(n, 1 + (ssize_t)strlen(status[i]));
		assert_int_equal(buf[0], 'X');
		assert_int_equal(decode(buf, (size_t)n, &out), 0);
		assert_int_equal(out.type, NSB_MSG_EXIT);
		assert_string_equal(out.text, status[i]);
	}
}

static void malformed(void **state)
{
	struct nsb_msg m;
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "", 0 },                 /* empty record */
		{ "Z", 1 },                /* unknown type */
		{ "X", 1 },                /* EXIT without a status */
		{ "X256", 4 },             /* EXIT above 255 */
		{ "X007", 4 },             /* EXIT with leading zeros */
		{ "X1\0", 3 },             /* EXIT with a NUL */
		{ "r", 1 },                /* types are case-sensitive */
		{ "Rx", 2 },               /* READY with a payload */
		{ "B\0", 2 },              /* BOOTED with a NUL for a list */
		{ "E", 1 },                /* ERROR truncated: no phase */
		{ "Emount", 6 },           /* ERROR truncated: no NUL after the phase */
		{ "E\0msg", 5 },           /* ERROR with an empty phase */
		{ "Emount\0a\0b", 10 },    /* ERROR with a NUL in the message */
		{ "Gtr\0ee", 6 },          /* GO with a NUL in the names */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(decode(bad[i].bytes, bad[i].len, &m), -EBADMSG);
	/* a phase of 64 bytes does not fit */
	char big[NSB_PROTO_MAX + 1];
	big[0] = 'E';
	memset(big + 1, 'p', 64);
	big[65] = '\0';
	assert_int_equal(decode(big, 66, &m), -EBADMSG);
	big[64] = '\0'; /* 63 bytes do */
	assert_int_equal(decode(big, 65, &m), 0);
	/* longer than NSB_PROTO_MAX */
	memset(big, 'x', sizeof big);
	big[0] = 'G';
	assert_int_equal(decode(big, NSB_PROTO_MAX + 1, &m), -EBADMSG);
	/* an empty ERROR message is allowed */
	assert_int_equal(decode("Eexec\0", 6, &m), 0);
	assert_string_equal(m.phase, "exec");
	assert_string_equal(m.text, "");
}

/* The record 45 0a 00 (ERROR, phase "\n", empty message) is refused like the encoder
 * refuses that phase; and for every one-byte phase, encoder and decoder agree. */
/* BOOTED may name the services that failed: NAME,NAME; nothing else passes, either way
 * (the spawner prints it on the caller's terminal). */
static void booted_failed_list(void **state)
{
	char buf[NSB_PROTO_MAX];
	struct nsb_msg m = { .type = NSB_MSG_BOOTED };
	snprintf(m.text, sizeof m.text, "ssh,cron");
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), 9);
	assert_memory_equal(buf, "Bssh,cron", 9);
	assert_int_equal(decode(buf, 9, &m), 0);
	assert_int_equal(m.type, NSB_MSG_BOOTED);
	assert_string_equal(m.text, "ssh,cron");
	assert_int_equal(decode("B", 1, &m), 0);
	assert_string_equal(m.text, "");
	static const char *const bad[] = { "B,", "Bssh,", "B,ssh", "Bssh,,cron", "Bssh cron",
					   "Bssh\n", "B\x1b[2J", "B../x" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (strchr(bad[i], '/'))
			continue; /* '.' is a name character: "../x" fails on the slash */
		assert_int_equal(decode(bad[i], strlen(bad[i]), &m), -EBADMSG);
		m = (struct nsb_msg){ .type = NSB_MSG_BOOTED };
		snprintf(m.text, sizeof m.text, "%s", bad[i] + 1);
		assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EINVAL);
	}
	assert_int_equal(decode("B../x", 5, &m), -EBADMSG);
}

static void phase_rule_is_shared(void **state)
{
	struct nsb_msg m;
	assert_int_equal(decode("E\n\0", 3, &m), -EBADMSG);
	assert_int_equal(decode("Ea\nb\0msg", 8, &m), -EBADMSG);
	assert_false(nsb_msg_phase_valid("\n", 1));
	assert_true(nsb_msg_phase_valid("drop-services", 13));
	for (int c = 1; c < 256; c++) {
		char buf[NSB_PROTO_MAX], rec[3] = { 'E', (char)c, '\0' };
		struct nsb_msg in = { .type = NSB_MSG_ERROR };
		in.phase[0] = (char)c;
		bool encodes = nsb_msg_encode(&in, buf, sizeof buf) > 0;
		bool decodes = decode(rec, sizeof rec, &m) == 0;
		if (encodes != decodes)
			fail_msg("phase byte 0x%02x: encoder %d, decoder %d", c, encodes, decodes);
		assert_int_equal(encodes, nsb_msg_phase_valid(in.phase, 1));
	}
}

/* A GO or ERROR text filling its whole array (no NUL) is refused by the encoder: the
 * decoder refuses such a record, whose text would not fit a message. */
static void unterminated_text(void **state)
{
	static char buf[NSB_PROTO_MAX];
	static struct nsb_msg m;
	m = (struct nsb_msg){ .type = NSB_MSG_GO };
	memset(m.text, 'x', sizeof m.text);
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EMSGSIZE);
	m = (struct nsb_msg){ .type = NSB_MSG_ERROR };
	snprintf(m.phase, sizeof m.phase, "mount");
	memset(m.text, 'x', sizeof m.text);
	assert_int_equal(nsb_msg_encode(&m, buf, sizeof buf), -EMSGSIZE);
	m.text[sizeof m.text - 1] = '\0'; /* the longest text that fits */
	ssize_t n = nsb_msg_encode(&m, buf, sizeof buf);
	assert_int_equal(n, 1 + 5 + 1 + (ssize_t)sizeof m.text - 1);
	assert_int_equal(decode(buf, (size_t)n, &m), 0);
}

/* A connected SOCK_SEQPACKET pair. */
static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

static void over_a_socket(void **state)
{
	int sv[2], p[2];
	struct nsb_msg m;
	pair(sv);
	assert_int_equal(pipe(p), 0);
	struct nsb_msg go = { .type = NSB_MSG_GO, .fds = { p[1] }, .n_fds = 1 };
	snprintf(go.text, sizeof go.text, "tree");
	assert_int_equal(nsb_msg_send(sv[0], &go), 0);
	assert_int_equal(nsb_msg_recv(sv[1], &m), 0);
	assert_int_equal(m.type, NSB_MSG_GO);
	assert_int_equal(m.n_fds, 1);
	assert_true(m.fds[0] >= 0 && m.fds[0] != p[1]);
	assert_true(fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(m.fds[0], "k", 1), 1); /* the same pipe */
	char c;
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'k');
	close(m.fds[0]);

	assert_int_equal(nsb_send_error(sv[1], "mount", "bind %s:\n%s", "/a", "gone"), 0);
	assert_int_equal(nsb_msg_recv(sv[0], &m), 0);
	assert_int_equal(m.type, NSB_MSG_ERROR);
	assert_string_equal(m.phase, "mount");
	assert_string_equal(m.text, "bind /a: gone"); /* one line */
	assert_int_equal(m.n_fds, 0);

	assert_int_equal(nsb_send_simple(sv[1], NSB_MSG_READY), 0);
	assert_int_equal(nsb_send_simple(sv[1], NSB_MSG_BOOTED), 0);
	assert_int_equal(nsb_msg_recv(sv[0], &m), 0);
	assert_int_equal(m.type, NSB_MSG_READY);
	assert_int_equal(nsb_msg_recv(sv[0], &m), 0); /* one record per message */
	assert_int_equal(m.type, NSB_MSG_BOOTED);

	close(sv[1]);
	assert_int_equal(nsb_msg_recv(sv[0], &m), -EPIPE); /* EOF: the peer is gone */
	assert_int_equal(nsb_send_simple(sv[0], NSB_MSG_READY), -EPIPE);
	close(sv[0]);
	close(p[0]);
	close(p[1]);
}

static void bad_records_on_a_socket(void **state)
{
	int sv[2];
	struct nsb_msg m;
	pair(sv);
	static char big[NSB_PROTO_MAX + 100];
	memset(big, 'x', sizeof big);
	big[0] = 'G';
	assert_int_equal(send(sv[0], big, sizeof big, 0), (ssize_t)sizeof big);
	assert_int_equal(nsb_msg_recv(sv[1], &m), -EBADMSG); /* too long: truncated */
	assert_int_equal(send(sv[0], "Emount", 6, 0), 6);
	assert_int_equal(nsb_msg_recv(sv[1], &m), -EBADMSG);
	assert_int_equal(send(sv[0], "R", 1, 0), 1); /* the stream goes on after a bad one */
	assert_int_equal(nsb_msg_recv(sv[1], &m), 0);
	assert_int_equal(m.type, NSB_MSG_READY);
	/* too many fds: the control data is truncated, the record refused */
	int fds[NSB_PROTO_MAX_FDS + 1];
	for (size_t i = 0; i <= NSB_PROTO_MAX_FDS; i++)
		fds[i] = 0;
	union {
		char b[CMSG_SPACE(sizeof fds)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = "G", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof ctl.b };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(cm), fds, sizeof fds);
	assert_int_equal(sendmsg(sv[0], &mh, 0), 1);
	assert_int_equal(nsb_msg_recv(sv[1], &m), -EBADMSG);
	for (size_t i = 0; i < m.n_fds; i++) /* what did arrive is handed over to close */
		assert_int_equal(close(m.fds[i]), 0);
	/* more fds than the protocol carries cannot be sent */
	struct nsb_msg go = { .type = NSB_MSG_GO, .n_fds = NSB_PROTO_MAX_FDS + 1 };
	assert_int_equal(nsb_msg_send(sv[0], &go), -EINVAL);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_each),   cmocka_unit_test(encode_errors),
		cmocka_unit_test(round_trip),    cmocka_unit_test(malformed),
		cmocka_unit_test(over_a_socket), cmocka_unit_test(bad_records_on_a_socket),
		cmocka_unit_test(phase_rule_is_shared), cmocka_unit_test(booted_failed_list), cmocka_unit_test(unterminated_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
