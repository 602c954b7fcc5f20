/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The user binds checked by the builder, as the container's root, before it mounts them
 * (under the setup timeout: a source that hangs is given up like any other setup): a
 * source below a folder that root cannot search is an error naming that folder; under
 * pick and BASE, a plain writable bind whose source it cannot write (host owners it does
 * not map) is a warning suggesting idmap or a read-only bind. */
#ifndef NSB_SPAWN_BINDS_H
#define NSB_SPAWN_BINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The first folder on the way to PATH (its ancestors: "/" for an absolute PATH, then each
 * prefix ending before a '/') that access(2) says this process cannot search, copied to
 * OUT; false when there is none (or a prefix is missing: the mount names that). */
bool nsb_binds_blocked_at(const char *path, char *out, size_t len);

/* Checks C's user binds as the calling process (the builder, root of the container's
 * user namespace, host uid HOST_ROOT); IDMAP[i] marks the idmap binds, SHIFTED says the
 * mapping is pick or BASE (the writability warning). 0, or -EACCES with one line in ERR. */
int nsb_binds_check(const struct nsb_config *c, const bool *idmap, bool shifted,
		    uint32_t host_root, char *err, size_t errlen);

#endif
