/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The few rtnetlink requests nsboot makes, through libmnl: links (bridge, veth), their
 * state and master, addresses and a default route. Each works in the net namespace of
 * the socket NL was opened in and returns 0 or -errno (the kernel's answer). */
#ifndef NSB_NETLINK_H
#define NSB_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

struct nsb_nl;

/* Opens an rtnetlink socket in the caller's net namespace; NULL with errno set. */
struct nsb_nl *nsb_nl_open(void);
void nsb_nl_close(struct nsb_nl *nl);

/* Makes bridge NAME, down. */
int nsb_nl_add_bridge(struct nsb_nl *nl, const char *name);
/* Makes a veth pair: NAME here (enslaved to MASTER's ifindex unless 0), PEER in the net
 * namespace open at PEER_NETNS_FD. */
int nsb_nl_add_veth(struct nsb_nl *nl, const char *name, int master, const char *peer,
		    int peer_netns_fd);
/* Deletes link NAME (a veth takes its peer with it). */
int nsb_nl_del_link(struct nsb_nl *nl, const char *name);
/* Brings link IFINDEX up. */
int nsb_nl_link_up(struct nsb_nl *nl, int ifindex);
/* Sets arp_notify on IFINDEX: coming up, it announces its address (gratuitous ARP), so
 * neighbours that cached an earlier holder's hardware address learn the new one. */
int nsb_nl_arp_notify(struct nsb_nl *nl, int ifindex);
/* Adds the IPv4 address ADDR/PREFIX (host byte order) to IFINDEX. */
int nsb_nl_add_addr4(struct nsb_nl *nl, int ifindex, uint32_t addr, unsigned prefix);
/* Adds a default IPv4 route through GW (host byte order) on IFINDEX. */
int nsb_nl_add_default4(struct nsb_nl *nl, int ifindex, uint32_t gw);
/* The ifindex of NAME, or -errno. */
int nsb_nl_ifindex(struct nsb_nl *nl, const char *name);

#endif
