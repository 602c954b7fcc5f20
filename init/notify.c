/* SPDX-License-Identifier: GPL-3.0-or-later */
/* In-container readiness (init/notify.h). Portable: glibc and musl. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "child.h"
#include "fdpass.h"
#include "log.h"
#include "preset.h"
#include "proto.h"

static char sock_path[108] = NSB_NOTIFY_SOCKET;
static char fifo_path[108] = NSB_READY_FIFO;
static int sock_fd = -1;
static int fifo_fd = -1;
static int sync_fd = -1;
static pid_t boot_pid = -1;
static bool booted;
/* the FIFO's bytes since the last newline (a line may arrive in pieces) */
static char fifo_line[64];
static size_t fifo_len;

/* The preset's status check, run once READY=1 came (see nsb_notify_check_start). */
static struct {
	const char *script; /* NULL: none; "booted" at READY=1 */
	int fd;             /* its stdout, -1 */
	char line[NSB_SERVICE_NAME_MAX + 1]; /* the bytes since the last newline */
	size_t len;
	char failed[NSB_PROTO_MAX - NSB_PROTO_PHASE]; /* its names, comma-separated (a BOOTED text) */
	size_t n_failed;
} check;

/* Creates the socket (/run/nsboot/notify) as a non-blocking datagram socket that receives each
 * sender's credentials. Returns the fd or a negative errno. */
static int make_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, sock_path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_errno(-errno, "notify: socket");
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
		int e = log_errno(-errno, "notify: SO_PASSCRED");
		close(fd);
		return e;
	}
	unlink(sock_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = log_errno(-errno, "notify: bind %s", sock_path);
		close(fd);
		return e;
	}
	return fd;
}

/* Creates the FIFO (/run/nsboot/ready, root only) and opens it for reading and writing,
 * so that it never reports end-of-file between writers. Returns the fd or a negative errno. */
static int make_fifo(void)
{
	unlink(fifo_path);
	if (mkfifo(fifo_path, 0600) < 0)
		return log_errno(-errno, "notify: mkfifo %s", fifo_path);
	int fd = open(fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "notify: open %s", fifo_path);
	return fd;
}

int nsb_notify_setup_in(const char *dir, int fd)
{
	sync_fd = fd;
	booted = false;
	fifo_len = 0;
	boot_pid = -1;
	check.script = NULL;
	check.failed[0] = '\0';
	check.n_failed = check.len = 0;
	if ((size_t)snprintf(sock_path, sizeof sock_path, "%s/notify", dir) >= sizeof sock_path ||
	    (size_t)snprintf(fifo_path, sizeof fifo_path, "%s/ready", dir) >= sizeof fifo_path)
		return log_errno(-ENAMETOOLONG, "notify: %s", dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return log_errno(-errno, "notify: mkdir %s", dir);
	int s = make_socket();
	if (s < 0)
		return s;
	int f = make_fifo();
	if (f < 0) {
		close(s);
		return f;
	}
	if (setenv("NOTIFY_SOCKET", sock_path, 1) < 0) {
		int e = log_errno(-errno, "notify: setenv NOTIFY_SOCKET");
		close(s);
		close(f);
		return e;
	}
	sock_fd = s;
	fifo_fd = f;
	return 0;
}

int nsb_notify_setup(int fd)
{
	/* /run is a fresh tmpfs: say so, or sysv-rc's bootclean sweeps every file in it,
	 * the socket and the FIFO included */
	int t = open("/run/.tmpfs", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (t >= 0)
		close(t);
	return nsb_notify_setup_in(NSB_NOTIFY_DIR, fd);
}

/* Marks the system up (once) and tells the spawner, with the services that failed. */
static int mark_booted(const char *how)
{
	if (booted)
		return 0;
	booted = true;
	log_debug("booted (%s)%s%s", how, check.n_failed ? "; failed: " : "", check.failed);
	if (sync_fd >= 0) {
		struct nsb_msg m = { .type = NSB_MSG_BOOTED };
		snprintf(m.text, sizeof m.text, "%s", check.failed);
		int r = nsb_msg_send(sync_fd, &m);
		if (r < 0)
			log_debug("notify: sending BOOTED: %s", strerror(-r));
	}
	return 1;
}

/* READY=1 came: booted now, or once the preset's status check is done. */
static int reported(const char *how)
{
	if (booted)
		return 0;
	if (!check.script)
		return mark_booted(how);
	return 1;
}

void nsb_notify_started(pid_t pid, const struct nsb_preset *preset)
{
	boot_pid = pid;
	check.script = preset ? preset->check : NULL;
	if (preset && preset->ready == NSB_READY_RUNS)
		mark_booted("the boot command runs");
}

int nsb_notify_check_start(void)
{
	if (booted || !check.script)
		return -EALREADY;
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		int e = log_warn_errno(-errno, "the status check: pipe");
		mark_booted("no status check");
		return e;
	}
	pid_t pid = fork();
	if (pid == 0) {
		nsb_child_reset_signals();
		(void)setsid();
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0)
			(void)dup2(null, STDIN_FILENO);
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(NSB_EXIT_FAILURE);
		execl(NSB_CHECK_SH, NSB_CHECK_SH, "-c", check.script, "nsboot-check", (char *)NULL);
		_exit(NSB_EXIT_NOTFOUND);
	}
	int e = pid < 0 ? -errno : 0;
	close(p[1]);
	if (e < 0) {
		close(p[0]);
		log_warn_errno(e, "the status check: fork");
		mark_booted("no status check");
		return e;
	}
	check.fd = p[0];
	return check.fd;
}

/* Takes one line the check printed: a service name, else ignored. */
static void check_name(const char *name)
{
	size_t n = strlen(name), used = strlen(check.failed);
	if (!nsb_service_name_valid(name) || strchr(name, ',') ||
	    used + 1 + n >= sizeof check.failed) {
		log_debug("the status check: '%.64s' ignored", name);
		return;
	}
	for (const char *p = check.failed; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || !p[n]))
			return; /* in two runlevels: named once */
	snprintf(check.failed + used, sizeof check.failed - used, "%s%s", used ? "," : "", name);
	check.n_failed++;
}

int nsb_notify_check_read(int fd)
{
	for (;;) {
		char buf[256];
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (check.len < sizeof check.line - 1)
					check.line[check.len] = buf[i];
				check.len++;
				continue;
			}
			if (check.len < sizeof check.line) {
				check.line[check.len] = '\0';
				check_name(check.line);
			}
			check.len = 0;
		}
	}
	close(fd);
	check.fd = -1;
	mark_booted("after the status check");
	return 1;
}

int nsb_notify_socket_fd(void)
{
	return sock_fd;
}

int nsb_notify_fifo_fd(void)
{
	return fifo_fd;
}

bool nsb_notify_booted(void)
{
	return booted;
}

/* 1 when the sd_notify message MSG (LEN bytes, newline-separated assignments) holds the
 * assignment READY=1. */
static int has_ready(const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n == 7 && memcmp(p, "READY=1", 7) == 0)
			return 1;
		p += n + 1;
	}
	return 0;
}

/* Drains the socket; returns 1 when a datagram from the boot command said READY=1. */
static int handle_socket(void)
{
	int ret = 0;
	for (;;) {
		char buf[4096];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
		} ctl;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = &ctl, .msg_controllen = sizeof ctl };
		ssize_t n = recvmsg(sock_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ret; /* EAGAIN: drained */
		}
		pid_t sender = -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET)
				continue;
			if (c->cmsg_type == SCM_CREDENTIALS &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
				struct ucred cr;
				memcpy(&cr, CMSG_DATA(c), sizeof cr);
				sender = cr.pid;
			}
		}
		(void)nsb_fds_take(&mh, NULL, 0); /* FDSTORE and the like: not ours to keep */
		if (!has_ready(buf, (size_t)n))
			continue;
		if (sender <= 0 || sender != boot_pid) {
			log_debug("notify: READY=1 from pid %d ignored: not the boot command (%d)",
				  (int)sender, (int)boot_pid);
			continue;
		}
		ret |= reported("sd_notify");
	}
}

/* Drains the FIFO; returns 1 when a line "READY=1" completed. */
static int handle_fifo(void)
{
	int ret = 0;
	for (;;) {
		char buf[256];
		ssize_t n = read(fifo_fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ret;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				if (fifo_len == 7 && memcmp(fifo_line, "READY=1", 7) == 0)
					ret |= reported("FIFO");
				fifo_len = 0;
			} else if (fifo_len < sizeof fifo_line) {
				fifo_line[fifo_len++] = buf[i];
			} else {
				fifo_len = sizeof fifo_line + 1; /* too long: not READY=1 */
			}
		}
	}
}

int nsb_notify_handle(int fd)
{
	if (fd >= 0 && fd == sock_fd)
		return handle_socket();
	if (fd >= 0 && fd == fifo_fd)
		return handle_fifo();
	return 0;
}

void nsb_notify_close(void)
{
	if (sock_fd >= 0)
		close(sock_fd);
	if (fifo_fd >= 0)
		close(fifo_fd);
	sock_fd = fifo_fd = -1;
}
