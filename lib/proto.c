/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "proto.h"
#include "fdpass.h"
#include "list.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* True when the LEN bytes at PHASE may be an ERROR record's phase. */
bool nsb_msg_phase_valid(const char *phase, size_t len)
{
	return len > 0 && len < NSB_PROTO_PHASE && !memchr(phase, '\0', len) &&
	       !memchr(phase, '\n', len);
}

/* True when the LEN bytes at TEXT are a BOOTED record's list: empty, or service names
 * (letters, digits, . _ - @ + :) joined by single commas. */
bool nsb_msg_failed_valid(const char *text, size_t len)
{
	if (len >= NSB_PROTO_MAX - NSB_PROTO_PHASE)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		bool name = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || (ch && strchr("._-@+:", ch));
		bool comma = ch == ',' && i > 0 && i + 1 < len && text[i - 1] != ',';
		if (!name && !comma)
			return false;
	}
	return true;
}

/* True when the LEN bytes at TEXT are an EXIT record's status: 1 to 3 digits, at most
 * 255, no leading zero but for "0" itself. */
bool nsb_msg_status_valid(const char *text, size_t len)
{
	unsigned v = 0;
	if (len < 1 || len > 3 || (len > 1 && text[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		v = v * 10 + (unsigned)(text[i] - '0');
	}
	return v <= 255;
}

/* Encodes M into BUF (pure); returns the record length or -EMSGSIZE / -EINVAL. A text
 * that fills its array without a NUL is too long: the decoder could not hold it. */
ssize_t nsb_msg_encode(const struct nsb_msg *m, char *buf, size_t len)
{
	size_t n = 0;
	if (len < 1)
		return -EMSGSIZE;
	switch (m->type) {
	case NSB_MSG_GO:
	case NSB_MSG_READY:
	case NSB_MSG_BOOTED:
		buf[n++] = (char)m->type;
		if (m->type == NSB_MSG_BOOTED &&
		    !nsb_msg_failed_valid(m->text, strnlen(m->text, sizeof m->text)))
			return -EINVAL;
		if (m->type != NSB_MSG_READY) {
			size_t t = strnlen(m->text, sizeof m->text);
			if (t == sizeof m->text || n + t > len)
				return -EMSGSIZE;
			memcpy(buf + n, m->text, t);
			n += t;
		}
		return (ssize_t)n;
	case NSB_MSG_EXIT: {
		size_t t = strnlen(m->text, sizeof m->text);
		if (!nsb_msg_status_valid(m->text, t))
			return -EINVAL;
		if (1 + t > len)
			return -EMSGSIZE;
		buf[n++] = 'X';
		memcpy(buf + n, m->text, t);
		return (ssize_t)(n + t);
	}
	case NSB_MSG_ERROR: {
		size_t p = strnlen(m->phase, sizeof m->phase);
		size_t t = strnlen(m->text, sizeof m->text);
		if (!nsb_msg_phase_valid(m->phase, p))
			return -EINVAL;
		if (t == sizeof m->text || 1 + p + 1 + t > len)
			return -EMSGSIZE;
		buf[n++] = 'E';
		memcpy(buf + n, m->phase, p);
		n += p;
		buf[n++] = '\0';
		memcpy(buf + n, m->text, t);
		return (ssize_t)(n + t);
	}
	}
	return -EINVAL;
}

/* Decodes one record of LEN bytes into M (pure); -EBADMSG when malformed or truncated. */
int nsb_msg_decode(struct nsb_msg *m, const char *buf, size_t len)
{
	m->phase[0] = m->text[0] = '\0';
	if (len < 1 || len > NSB_PROTO_MAX)
		return -EBADMSG;
	switch (buf[0]) {
	case NSB_MSG_READY:
		if (len != 1)
			return -EBADMSG;
		m->type = NSB_MSG_READY;
		return 0;
	case NSB_MSG_BOOTED:
		if (!nsb_msg_failed_valid(buf + 1, len - 1))
			return -EBADMSG;
		memcpy(m->text, buf + 1, len - 1);
		m->text[len - 1] = '\0';
		m->type = NSB_MSG_BOOTED;
		return 0;
	case NSB_MSG_EXIT:
		if (!nsb_msg_status_valid(buf + 1, len - 1))
			return -EBADMSG;
		memcpy(m->text, buf + 1, len - 1);
		m->text[len - 1] = '\0';
		m->type = NSB_MSG_EXIT;
		return 0;
	case NSB_MSG_GO:
		if (len - 1 >= sizeof m->text || memchr(buf + 1, '\0', len - 1))
			return -EBADMSG;
		memcpy(m->text, buf + 1, len - 1);
		m->text[len - 1] = '\0';
		m->type = NSB_MSG_GO;
		return 0;
	case NSB_MSG_ERROR: {
		const char *nul = memchr(buf + 1, '\0', len - 1);
		if (!nul)
			return -EBADMSG;
		size_t p = (size_t)(nul - (buf + 1));
		size_t t = len - 2 - p;
		if (!nsb_msg_phase_valid(buf + 1, p) || t >= sizeof m->text ||
		    memchr(nul + 1, '\0', t))
			return -EBADMSG;
		memcpy(m->phase, buf + 1, p);
		m->phase[p] = '\0';
		memcpy(m->text, nul + 1, t);
		m->text[t] = '\0';
		m->type = NSB_MSG_ERROR;
		return 0;
	}
	}
	return -EBADMSG;
}

/* Sends M on FD with M->fds attached; returns 0 or a negative errno. */
int nsb_msg_send(int fd, const struct nsb_msg *m)
{
	char buf[NSB_PROTO_MAX];
	ssize_t n = nsb_msg_encode(m, buf, sizeof buf);
	if (n < 0)
		return (int)n;
	struct iovec iov = { .iov_base = buf, .iov_len = (size_t)n };
	union {
		char b[NSB_FDS_SPACE(NSB_PROTO_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int r = nsb_fds_attach(&mh, ctl.b, sizeof ctl.b, m->fds, m->n_fds);
	if (r < 0)
		return r;
	for (;;) {
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w >= 0)
			return w == n ? 0 : -EMSGSIZE;
		if (errno != EINTR)
			return -errno;
	}
}

/* Receives one record; 0, -EPIPE on EOF, -EBADMSG, or a negative errno. */
/* nsb_msg_recv(), taking the fds a record carries only with FDS: without, the kernel
 * drops them unseen (never a close() of ours, which a file of the peer's choosing could
 * hold up for ever) and the record counts as malformed. */
static int recv_record(int fd, struct nsb_msg *m, bool fds)
{
	char buf[NSB_PROTO_MAX + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
	union {
		char b[NSB_FDS_SPACE(NSB_PROTO_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = fds ? ctl.b : NULL,
			     .msg_controllen = fds ? sizeof ctl.b : 0 };
	ssize_t n;
	m->n_fds = 0;
	for (size_t i = 0; i < NSB_PROTO_MAX_FDS; i++)
		m->fds[i] = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	if (n == 0)
		return -EPIPE;
	m->n_fds = nsb_fds_take(&mh, m->fds, NSB_PROTO_MAX_FDS);
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || (size_t)n > NSB_PROTO_MAX)
		return -EBADMSG;
	return nsb_msg_decode(m, buf, (size_t)n);
}

int nsb_msg_recv(int fd, struct nsb_msg *m)
{
	return recv_record(fd, m, true);
}

int nsb_msg_recv_nofds(int fd, struct nsb_msg *m)
{
	return recv_record(fd, m, false);
}

/* Sends a record with no payload (GO without fds, READY, BOOTED). */
int nsb_send_simple(int fd, enum nsb_msg_type type)
{
	struct nsb_msg m = { .type = type };
	return nsb_msg_send(fd, &m);
}

/* Sends ERROR with PHASE and a formatted one-line message. */
int nsb_send_error(int fd, const char *phase, const char *fmt, ...)
{
	struct nsb_msg m = { .type = NSB_MSG_ERROR };
	va_list ap;
	snprintf(m.phase, sizeof m.phase, "%s", phase);
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof m.text, fmt, ap);
	va_end(ap);
	for (char *p = m.text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return nsb_msg_send(fd, &m);
}

int nsb_go_fd(const struct nsb_msg *m, const char *name)
{
	size_t idx = 0, len;
	for (const char *p = m->text, *item; nsb_list_next(&p, &item, &len); idx++)
		if (nsb_list_is(item, len, name))
			return idx < m->n_fds ? m->fds[idx] : -1;
	return -1;
}
