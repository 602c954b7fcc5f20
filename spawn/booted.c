/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sd_notify towards the spawner's own service manager (spawn/booted.h). */
#include "booted.h"

#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"

int nsb_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path)
		return -EINVAL;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract: the name is not NUL-terminated */
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				      (path[0] == '/'));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	int e = n < 0 ? -errno : 1;
	close(fd);
	return e;
}

size_t nsb_booted_report(long long ms, const char *failed)
{
	if (!*failed) {
		log_info("booted in %lld ms", ms);
		return 0;
	}
	char names[NSB_PROTO_MAX * 2];
	size_t n = 1, used = 0;
	for (const char *p = failed; *p && used + 3 < sizeof names; p++) {
		n += *p == ',';
		used += (size_t)snprintf(names + used, sizeof names - used, *p == ',' ? ", " : "%c", *p);
	}
	log_info("booted in %lld ms (%zu service%s failed: %s)", ms, n, n == 1 ? "" : "s", names);
	return n;
}
