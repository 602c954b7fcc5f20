/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Passing fds over a unix socket (SCM_RIGHTS): the one packer and the one parser. */
#ifndef NSB_FDPASS_H
#define NSB_FDPASS_H

#include <stddef.h>
#include <sys/socket.h>

/* Bytes of control buffer for one message of N fds. */
#define NSB_FDS_SPACE(n) CMSG_SPACE(sizeof(int) * (n))

/* Attaches the N fds to MH as one SCM_RIGHTS message built in CTL (LEN bytes, aligned
 * for struct cmsghdr); N 0 attaches nothing. 0, or -EINVAL when they do not fit. */
int nsb_fds_attach(struct msghdr *mh, void *ctl, size_t len, const int *fds, size_t n);

/* Takes the fds every SCM_RIGHTS message of the received MH carries: the first MAX go
 * into FDS in order, the others are closed (never left open unseen). Returns how many went
 * into FDS. */
size_t nsb_fds_take(struct msghdr *mh, int *fds, size_t max);

#endif
