/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A --private-users=BASE range checked against the host's own users and groups: a range
 * that holds ids of /etc/passwd or /etc/group (system users, people) would make the
 * container's users those host users, for every file they own. */
#ifndef NSB_SPAWN_HOSTIDS_H
#define NSB_SPAWN_HOSTIDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "users.h"

/* At most this many ids are named in the refusal. */
#define NSB_HOSTIDS_NAMED 3

/* Reads the passwd-format (GROUP false) or group-format stream F and appends to NAMES
 * (LEN bytes, "name id" items separated by ", ", at most NSB_HOSTIDS_NAMED) the entries
 * whose id lies in R and not in SKIP (SKIP.count 0: none). Returns how many there are. */
size_t nsb_hostids_in_range(FILE *f, bool group, struct nsb_idrange r, struct nsb_idrange skip,
			    char *names, size_t len);

/* For U resolved from --private-users=MODE: a BASE range holding ids of the host's
 * /etc/passwd or /etc/group (outside the caller's own /etc/subuid and /etc/subgid ranges)
 * is refused unless FORCE; FORCE with another mode is refused too. 0, or -EINVAL or
 * -EEXIST with one line in ERR. */
int nsb_hostids_check(const struct nsb_users *u, const char *mode, bool force, char *err,
		      size_t errlen);

#endif
