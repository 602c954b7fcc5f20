/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --port with --network=veth (root): the host's ports forwarded to the container's IPv4
 * address by DNAT, as systemd-nspawn does (docs/design.md, "Network").
 *
 * Two things of the kernel's hold a forward, and both go with nsboot whatever ends it,
 * SIGKILL included, so nothing is ever left for a later nsboot to clean:
 *  - each HOSTADDR:HOSTPORT is reserved by a socket bound to it (never listening) that
 *    nsboot holds from before the clone: a second container asking for the port, or a
 *    host program holding it, is a bind(2) error up front;
 *  - the rules are one nftables table of the container's, "ip nsboot-IFNAME", made with
 *    the owner flag on a netlink socket nsboot keeps open: the kernel deletes the table
 *    when that socket closes, and no other process may change it meanwhile. */
#ifndef NSB_NETFWD_H
#define NSB_NETFWD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct mnl_socket;

/* Longest table name nsboot makes: "nsboot-" and an interface name. */
#define NSB_FWD_TABLE_MAX 32

struct nsb_fwd {
	size_t n;                      /* forwards */
	const char *spec[NSB_MAX_SPECS]; /* each as given to --port, for messages */
	int hold[NSB_MAX_SPECS];       /* the socket bound to its host port, or -1 */
	uint32_t host_addr[NSB_MAX_SPECS]; /* host byte order, 0 for any local address */
	uint16_t host_port[NSB_MAX_SPECS];
	uint16_t cont_port[NSB_MAX_SPECS];
	uint8_t proto[NSB_MAX_SPECS];  /* IPPROTO_TCP or IPPROTO_UDP */
	struct mnl_socket *nl;         /* owns the table, or NULL */
	char table[NSB_FWD_TABLE_MAX];
};

/* Before the clone: reserves every --port of C on the host. 0, or -errno with ERR set
 * (a port taken: -EADDRINUSE). F is usable (and to be closed) either way. */
int nsb_fwd_reserve(struct nsb_fwd *f, const struct nsb_config *c, char *err, size_t len);

/* Once the host end HOST_IF of the veth exists: the table with the forwards to ADDR (the
 * container's, host byte order). 0, or -errno with ERR set (nothing is left then). */
int nsb_fwd_apply(struct nsb_fwd *f, const char *host_if, uint32_t addr, char *err,
		  size_t len);

/* Closes the reservations and the table's socket (which takes the table with it). */
void nsb_fwd_close(struct nsb_fwd *f);

#endif
