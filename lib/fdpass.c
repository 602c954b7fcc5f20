/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int nsb_fds_attach(struct msghdr *mh, void *ctl, size_t len, const int *fds, size_t n)
{
	mh->msg_control = NULL;
	mh->msg_controllen = 0;
	if (n == 0)
		return 0;
	if (NSB_FDS_SPACE(n) > len)
		return -EINVAL;
	memset(ctl, 0, NSB_FDS_SPACE(n));
	mh->msg_control = ctl;
	mh->msg_controllen = NSB_FDS_SPACE(n);
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return 0;
}

size_t nsb_fds_take(struct msghdr *mh, int *fds, size_t max)
{
	size_t taken = 0;
	if (!mh->msg_control)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (taken < max)
				fds[taken++] = fd;
			else
				close(fd);
		}
	}
	return taken;
}
