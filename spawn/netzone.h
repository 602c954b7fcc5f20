/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Zones' state on the host (see netzone.c). */
#ifndef NSB_NETZONE_H
#define NSB_NETZONE_H

#include <stddef.h>
#include <sys/types.h>
#include "net.h"

/* Joins zone ZONE as NAME (rootless: starts the zone's keeper when it has none, joins
 * its user namespace and keeps its net namespace in N->zone_netns): frees what killed members left in any zone, makes the zone
 * (bridge, subnet, hosts file) when it has no member, claims a slot (address, hosts line).
 * Fills N's bridge, host_if, addr, prefix, slot, member_fd, zone_hosts. 0, or -1 with ERR. */
int nsb_zone_join(struct nsb_net *n, struct nsb_users *u, const char *zone, const char *name,
		  char *err, size_t len);

/* Rootless: an fd of the user namespace (DEV, INO) when it is the namespace of a live
 * keeper of one of the caller's zones, else -ENOENT. */
int nsb_zone_keeper_userns(dev_t dev, ino_t ino);

/* Leaves the zone: frees the slot; the last member removes the zone and its bridge. */
void nsb_zone_leave(struct nsb_net *n);

#endif
