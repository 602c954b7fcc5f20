/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The container's network beyond lo (--network=MODE): what the spawner prepares before
 * the clone, the host side it makes once the init's net namespace exists, the container
 * side the builder sets up from inside that namespace, and the cleanup. */
#ifndef NSB_NET_H
#define NSB_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "netfwd.h"
#include "users.h"

/* The default pools (docs/design.md, "Network"): a zone gets a /24 of NSB_ZONE_POOL
 * (its bridge .1 on the host, members from .2); a veth a /30 of NSB_VETH_POOL (the host
 * side the first address, the container the second). */
#define NSB_ZONE_POOL "10.123.0.0/16"
#define NSB_VETH_POOL "10.124.0.0/16"
/* The zones' state (root): a folder per zone, one lock file for them all; rootless, the
 * same below $XDG_RUNTIME_DIR/nsboot (else /tmp/nsboot-UID), 0700. */
#define NSB_ZONES_DIR "/run/nsboot/zones"
/* The interface the container sees. */
#define NSB_NET_IFNAME "host0"

struct nsb_net {
	enum nsb_network mode;
	int sock[2];               /* spawner [0] <-> builder [1] for the host side, or -1 */
	char host_if[IF_NAMESIZE]; /* ve-NAME, vb-NAME: the host end of the veth */
	char bridge[IF_NAMESIZE];  /* vz-ZONE */
	uint32_t addr;             /* the container's IPv4 address (host byte order) */
	unsigned prefix;
	uint32_t gw;               /* veth: the host side's address, the default route; else 0 */
	int pool_lock;             /* veth: the address pool's lock until the address is set */
	struct nsb_fwd fwd;        /* veth: --port's reservations and table */
	/* zone */
	int zones_dir;             /* fd of NSB_ZONES_DIR, or -1 */
	int member_fd;             /* the member file, locked while this nsboot lives */
	int slot;                  /* -1 */
	char name[NSB_HOSTNAME_MAX + 1]; /* the member's name (nsb_net_member_name) */
	char alias[NSB_HOSTNAME_MAX + 1]; /* its host name too when that differs, else "" */
	char zone_hosts[256];      /* the zone's hosts file, bound over /etc/hosts */
	bool rootless;             /* the zone's bridge is in its keeper's namespaces */
	int zone_netns;            /* rootless: fd of the keeper's net namespace, or -1 */
	char zones_path[220];      /* the zones' folder (for messages and the hosts path) */
	/* pasta */
	char pasta_path[4096];     /* found in PATH */
	const struct nsb_config *c; /* for --port */
	pid_t pasta;               /* its pid (nsboot's child), or 0 */
};

/* The machine's name in a zone's hosts file and in interface names. */
const char *nsb_net_member_name(const struct nsb_config *c, const char *hostname);

/* Whether the container gets a net namespace of its own (made by its init). */
bool nsb_net_own_ns(const struct nsb_config *c);

/* Before the clone: checks the mode's needs, claims a zone slot or an address, joins an
 * ns:PATH namespace; rootless in a zone, joins the zone keeper's user namespace (U's maps
 * are then written without newuidmap). Adds the zone's hosts file to C's mounts. 0, or -1 with ERR set;
 * the cleanup is registered with atexit. */
int nsb_net_prepare(struct nsb_net *n, struct nsb_config *c, struct nsb_users *u,
		    const char *hostname, char *err, size_t len);

/* The spawner, once the init's host pid is known: waits for the builder's word that the
 * namespace exists, makes the host side (the veth with host0 in the container) and
 * answers. 0, or -1 with ERR set. TIMEOUT_MS bounds the wait. */
int nsb_net_host_side(struct nsb_net *n, pid_t init, long timeout_ms, char *err, size_t len);

/* The builder, in the init's net namespace: asks the spawner for the host side, then
 * brings host0 up with its address and route. 0 or -errno with ERR set. */
int nsb_net_container_side(struct nsb_net *n, char *err, size_t len);

/* Whether an address of an interface of the caller's net namespace lies in NET/PREFIX. */
bool nsb_net_in_use(uint32_t net, unsigned prefix);

/* The builder's first step: it keeps none of the spawner's locks and ends. */
void nsb_net_child_close(struct nsb_net *n);

/* Writes PREFIX and NAME (cut, and made an interface name) with "-ATTEMPT" when
 * ATTEMPT > 0 into OUT. */
void nsb_net_ifname(char out[IF_NAMESIZE], const char *prefix, const char *name,
		    unsigned attempt);

/* Gives back what prepare took (zone slot and the bridge with the last member). */
void nsb_net_release(struct nsb_net *n);

#endif
